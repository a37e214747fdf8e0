package extract

import (
	"fmt"
	"math/big"
	"strings"
)

// Confidence levels the resolver assigns. Agreement between strategies and
// the visible buy box raises it; disagreement lowers it so that the monitor
// re-checks before alerting.
const (
	credibleVisible = 5.0 // a visible candidate this good is the buy-box price
	overrideVisible = 6.5 // …and this good, it beats a structured price the page does not show
	strongVisible   = 7.5
)

// resolvePrice picks the price a shopper pays now.
func resolvePrice(o *Observation, srcs []facts, vis []visCand, pr *pricer, host string) {
	var best *visCand
	for i := range vis {
		c := &vis[i]
		if c.decoy {
			continue
		}
		if best == nil || c.score > best.score {
			best = c
		}
	}
	for _, f := range srcs {
		if f.amount != "" {
			o.Evidence = append(o.Evidence, Evidence{Strategy: f.strategy, Field: "price", Value: f.amount + " " + f.currency, Where: firstNonEmpty(f.where, f.strategy)})
		}
	}
	if best != nil {
		o.Evidence = append(o.Evidence, Evidence{Strategy: SourceVisible, Field: "price", Value: best.amount + " " + best.currency,
			Where: fmt.Sprintf("%s %q score %.1f (%s)", best.where, best.text, best.score, strings.Join(best.why, ", "))})
	}
	// support: the best score of a non-decoy visible candidate showing amount.
	support := func(amount string) (float64, bool) {
		s, ok := -100.0, false
		for i := range vis {
			if !vis[i].decoy && !vis[i].listLike && decEqual(vis[i].amount, amount) && vis[i].score > s {
				s, ok = vis[i].score, true
			}
		}
		return s, ok
	}
	agree := func(amount string) int {
		n := 0
		for _, f := range srcs {
			if f.amount != "" && decEqual(f.amount, amount) {
				n++
			}
		}
		return n
	}
	set := func(amount, cur, src string, conf float64, why string) {
		o.Price, o.Currency, o.Source, o.Confidence = amount, cur, src, conf
		o.Evidence = append(o.Evidence, Evidence{Strategy: "resolver", Field: "price", Value: amount + " " + cur, Where: why})
		for _, f := range srcs {
			if f.amount != "" && !decEqual(f.amount, amount) {
				o.Evidence = append(o.Evidence, Evidence{Strategy: "resolver", Field: "disagreement", Value: f.amount + " " + f.currency,
					Where: f.strategy + " price differs from the chosen " + src + " price"})
			}
		}
	}
	// Several offers (one per size or volume): the one the buy box shows is
	// the selected one, unless the page URL already selected one.
	for i := range srcs {
		f := &srcs[i]
		if f.amount == "" || f.selected || len(f.alts) == 0 || best == nil {
			continue
		}
		s0, ok0 := support(f.amount)
		for _, alt := range f.alts {
			if decEqual(alt, f.amount) {
				continue
			}
			s, ok := support(alt)
			if ok && (decEqual(best.amount, alt) && s >= 4 || s >= credibleVisible) && (!ok0 || s > s0+1) {
				o.Evidence = append(o.Evidence, Evidence{Strategy: f.strategy, Field: "price", Value: alt + " " + f.currency,
					Where: "the offer the buy box shows (selected variant), not the first offer " + f.amount})
				f.amount, f.rawPrice, f.low = alt, alt, false
				break
			}
		}
	}
	// 1. An admin's rule is final.
	for _, f := range srcs {
		if f.strategy == SourceRule && f.amount != "" {
			set(f.amount, firstNonEmpty(f.currency, structCurrency(srcs), candCurrency(best, pr, host)), SourceRule, 0.95, "domain rule")
			return
		}
	}
	// 2. A structured price the page also shows outside any decoy; when
	// strategies disagree, the one the page shows most like a buy-box price.
	var firstStruct, shownStruct *facts
	shownScore := -100.0
	for i := range srcs {
		f := &srcs[i]
		if f.amount == "" {
			continue
		}
		if firstStruct == nil {
			firstStruct = f
		}
		if s, shown := support(f.amount); shown && s > shownScore {
			shownStruct, shownScore = f, s
		}
	}
	// A range's start (an AggregateOffer lowPrice, "£19.99 – £49.99") yields
	// to another strategy's price for one offer (a preselected variation)
	// that the page also shows: that is the default selection's price.
	if f := shownStruct; f != nil && f.low {
		for i := range srcs {
			g := &srcs[i]
			if g.amount == "" || g.low || decEqual(g.amount, f.amount) {
				continue
			}
			if s, shown := support(g.amount); shown && s >= credibleVisible-1 || g.selected && !shown {
				if !shown {
					s = -100 // a preselected variation's price, rendered by script
				}
				o.Evidence = append(o.Evidence, Evidence{Strategy: "resolver", Field: "price", Value: g.amount + " " + g.currency,
					Where: fmt.Sprintf("%s price for one offer, not the range start %s of %s", g.strategy, f.amount, f.strategy)})
				shownStruct, shownScore = g, s
				break
			}
		}
	}
	// The range start is shown only as the start of the range, and the buy
	// box shows one price inside it (the default variation's): that one.
	if f := shownStruct; f != nil && f.low && onlyInRange(vis, f.amount) {
		var pick *visCand
		for i := range vis {
			c := &vis[i]
			if c.decoy || c.listLike || c.inRange || c.score < credibleVisible || !decLess(f.amount, c.amount) {
				continue
			}
			if pick == nil || c.score > pick.score {
				pick = c
			}
		}
		if pick != nil && plausibleRatio(pick.amount, f.amount) {
			set(pick.amount, firstNonEmpty(pick.currency, f.currency, candCurrency(pick, pr, host)), SourceVisible, 0.6,
				fmt.Sprintf("%s gives the range start %s; the buy box shows %s for the default selection", f.strategy, f.amount, pick.text))
			return
		}
	}
	// An AggregateOffer's lowPrice is the cheapest variant's price; shown
	// only weakly (an unselected option, the range text), it does not beat a
	// much stronger buy-box price inside [lowPrice, highPrice]: that is the
	// selected variant's price.
	if f := shownStruct; f != nil && f.low && f.high != "" && best != nil && !best.inRange && !best.listLike &&
		best.score >= strongVisible && best.score-shownScore >= 3 &&
		decLess(f.amount, best.amount) && !decLess(f.high, best.amount) {
		set(best.amount, firstNonEmpty(best.currency, f.currency, candCurrency(best, pr, host)), SourceVisible, 0.6,
			fmt.Sprintf("%s gives the range %s–%s, shown only weakly (visible score %.1f); the buy box shows %s for the selected variant",
				f.strategy, f.amount, f.high, shownScore, best.text))
		return
	}
	if f := shownStruct; f != nil {
		s := shownScore
		// The page sells below the structured price (a regular price in
		// JSON-LD, a sale price in the buy box): trust the buy box.
		if best != nil && !best.inRange && best.score >= strongVisible && best.score-s >= 3 && decLess(best.amount, f.amount) && plausibleRatio(best.amount, f.amount) {
			set(best.amount, firstNonEmpty(best.currency, f.currency, candCurrency(best, pr, host)), SourceVisible, 0.6,
				fmt.Sprintf("visible buy-box price %s below %s price %s", best.amount, f.strategy, f.amount))
			return
		}
		conf := 0.8
		if n := agree(f.amount); n >= 2 {
			conf += 0.1
		}
		if best != nil && decEqual(best.amount, f.amount) {
			conf += 0.08
		} else if best != nil && best.score >= strongVisible {
			conf -= 0.2
		}
		if f != firstStruct {
			conf -= 0.1
			o.Evidence = append(o.Evidence, Evidence{Strategy: "resolver", Field: "price", Value: firstStruct.amount + " " + firstStruct.currency,
				Where: "disagreement: " + firstStruct.strategy + " price not shown on the page"})
		}
		cur := firstNonEmpty(f.currency, structCurrency(srcs), candCurrency(best, pr, host))
		set(f.amount, cur, f.strategy, min(conf, 0.98), fmt.Sprintf("%s price shown on the page (visible score %.1f)", f.strategy, s))
		return
	}
	// 3. Structured prices the page does not show: the visible buy box wins
	// when it is credible (JSON-LD before VAT, a shop's base currency).
	if firstStruct != nil {
		need := overrideVisible
		if agree(firstStruct.amount) >= 2 {
			need = strongVisible
		}
		// A price labelled as such ("Sale Price £18.36") by the title, and
		// no other price shown like it, is credible with fewer class names.
		if best != nil && best.labelled && best.nearTitle && soleLabelled(vis, best) {
			need = min(need, 2)
		}
		// A price the structured data itself says is before VAT is not what
		// a shopper pays where VAT is shown: a buy-box price a VAT rate above
		// it (up to 30 %) is credible as a plain visible price is.
		if best != nil && firstStruct.exVAT && vatAbove(best.amount, firstStruct.amount) {
			need = min(need, 4)
		}
		if best != nil && best.score >= need && plausibleRatio(best.amount, firstStruct.amount) {
			conf := 0.55
			if best.score < overrideVisible {
				conf = 0.5 // credible by its label, not its classes
			}
			set(best.amount, firstNonEmpty(best.currency, candCurrency(best, pr, host)), SourceVisible, conf,
				fmt.Sprintf("disagreement: %s says %s %s, the buy box shows %s", firstStruct.strategy, firstStruct.amount, firstStruct.currency, best.text))
			return
		}
		conf := 0.65
		if agree(firstStruct.amount) >= 2 {
			conf = 0.8
		}
		set(firstStruct.amount, firstNonEmpty(firstStruct.currency, structCurrency(srcs), candCurrency(best, pr, host)), firstStruct.strategy, conf,
			firstStruct.strategy+" price, not found among visible prices")
		return
	}
	// 4. No structured price: the visible buy box, if credible.
	if best != nil && best.score >= 4 {
		conf := 0.5 + min(best.score-4, 5)*0.05
		set(best.amount, firstNonEmpty(best.currency, candCurrency(best, pr, host)), SourceVisible, conf, "visible buy-box price, no structured data")
		return
	}
	o.Source = SourceNone
	o.Currency = firstNonEmpty(structCurrency(srcs), candCurrency(nil, pr, host))
	o.Confidence = 0.4
}

func structCurrency(srcs []facts) string {
	for _, f := range srcs {
		if isISO(f.currency) {
			return f.currency
		}
	}
	return ""
}

// candCurrency is the fallback currency: the hints, then the host's country.
func candCurrency(c *visCand, pr *pricer, host string) string {
	if c != nil && c.currency != "" {
		return c.currency
	}
	if cur := firstNonEmpty(pr.hints.Currency, currencyFromLocale(pr.hints.Locale), currencyFromHost(host)); cur != "" {
		return cur
	}
	if c != nil {
		// Last resort for a sign several currencies share: its most common one.
		return tokenDefault[strings.ToLower(strings.TrimSuffix(c.token, "."))]
	}
	return ""
}

// plausibleRatio: taxes, sales and currency conversion move a price by a
// factor, not by orders of magnitude; a visible amount 5× off the structured
// one is another number (a quantity, a unit or thousands misread).
func plausibleRatio(a, b string) bool {
	ra, ok1 := new(big.Rat).SetString(a)
	rb, ok2 := new(big.Rat).SetString(b)
	if !ok1 || !ok2 || rb.Sign() <= 0 || len(a) > 40 || len(b) > 40 {
		return false
	}
	q := new(big.Rat).Quo(ra, rb)
	return q.Cmp(big.NewRat(1, 5)) >= 0 && q.Cmp(big.NewRat(5, 1)) <= 0
}

// soleLabelled: no other non-decoy price with a different amount is
// labelled as the price or scores within 1 of c.
func soleLabelled(vis []visCand, c *visCand) bool {
	for i := range vis {
		v := &vis[i]
		if v == c || v.decoy || decEqual(v.amount, c.amount) {
			continue
		}
		if v.labelled || v.score > c.score-1 {
			return false
		}
	}
	return true
}

// onlyInRange: every non-decoy candidate showing amount is an end of a range.
func onlyInRange(vis []visCand, amount string) bool {
	n := 0
	for i := range vis {
		if !vis[i].decoy && decEqual(vis[i].amount, amount) {
			if !vis[i].inRange {
				return false
			}
			n++
		}
	}
	return n > 0
}

// vatAbove: a is above b by no more than a VAT rate (at most 30 %): the
// tax-inclusive price of a tax-exclusive amount b.
func vatAbove(a, b string) bool {
	ra, ok1 := new(big.Rat).SetString(a)
	rb, ok2 := new(big.Rat).SetString(b)
	if !ok1 || !ok2 || rb.Sign() <= 0 || len(a) > 40 || len(b) > 40 {
		return false
	}
	q := new(big.Rat).Quo(ra, rb)
	return q.Cmp(big.NewRat(1, 1)) > 0 && q.Cmp(big.NewRat(13, 10)) <= 0
}
