package alert

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/shelfwatch/shelfwatch/internal/price"
)

// Event kinds the evaluator understands (the store's event names, plus
// Observed for a check that changed nothing).
const (
	EventPriceChanged      = "price_changed"
	EventBackInStock       = "back_in_stock"
	EventOutOfStock        = "out_of_stock"
	EventProductFailing    = "product_failing"
	EventExtractionMissing = "extraction_missing"
	EventProductBlocked    = "product_blocked"
	EventProductRecovered  = "product_recovered"
	EventNewProduct        = "new_product"
	Observed               = "observed"
)

// Availability values (the store's).
const (
	StockIn        = "in_stock"
	StockOut       = "out_of_stock"
	StockPreOrder  = "preorder"
	StockBackOrder = "backorder"
)

// Snapshot is a product's price and stock at one moment.
type Snapshot struct {
	PriceMinor   *int64
	Currency     string
	Availability string
}

// Item is a product a catalog watch found.
type Item struct {
	Title string
	URL   string
}

// Input is what just happened to a watched product.
type Input struct {
	Event string // one of the Event* constants, or Observed
	Now   int64  // Unix ms
	Prev  Snapshot
	Cur   Snapshot
	// MedianMinor is the median price over the rule's MedianDays before
	// this change, in Cur.Currency (nil: not enough history).
	MedianMinor *int64
	// LowMinor is the lowest price over the rule's LowDays before this
	// change, in Cur.Currency (nil: no history).
	LowMinor *int64
	Failures int   // consecutive failed checks, now
	Item     *Item // EventNewProduct
}

// Control is what a person set on a rule: mute it, or snooze it until a time.
type Control struct {
	Muted        bool
	SnoozedUntil int64 // Unix ms; 0 = not snoozed
}

// State is what a rule remembers between evaluations. The zero State is
// armed.
type State struct {
	Fired       bool  // a level rule fired and has not re-armed
	FalseStreak int   // false evaluations in a row since it fired
	LastFiredAt int64 // Unix ms, also set when a firing was suppressed
}

// Decision is the outcome of one evaluation.
type Decision struct {
	Fire bool
	// Suppressed says why a rule that would have fired did not ("muted",
	// "snoozed"); its state moved on as if it had fired, so the crossing
	// is not announced later.
	Suppressed string
	State      State
	Reason     string // one line for people: what crossed what
}

// Evaluate decides whether r fires for in.
func Evaluate(r Rule, c Control, s State, in Input) Decision {
	cond, relevant, reason := condition(r, in)
	d := Decision{State: s, Reason: reason}
	if !relevant {
		return d
	}
	fire := false
	if r.Level() {
		switch {
		case cond && !s.Fired:
			fire = true
			d.State = State{Fired: true, LastFiredAt: s.LastFiredAt}
		case cond:
			d.State.FalseStreak = 0
		case s.Fired:
			d.State.FalseStreak++
			if leftBand(r, in) || d.State.FalseStreak >= orDefault(r.Confirmations, DefaultConfirmations) {
				d.State = State{LastFiredAt: s.LastFiredAt}
			}
		}
	} else {
		fire = cond
	}
	if !fire {
		return d
	}
	d.State.LastFiredAt = in.Now
	switch {
	case c.Muted:
		d.Suppressed = "muted"
	case c.SnoozedUntil > in.Now:
		d.Suppressed = "snoozed"
	default:
		d.Fire = true
	}
	return d
}

// condition reports whether r's condition holds for in, and whether in is
// an input r is evaluated on at all.
func condition(r Rule, in Input) (cond, relevant bool, reason string) {
	cur, prev := in.Cur, in.Prev
	priceEvent := in.Event == EventPriceChanged || in.Event == EventBackInStock ||
		in.Event == EventOutOfStock || in.Event == Observed
	money := func(v int64) string { return price.Format(v, cur.Currency) }

	switch r.Kind {
	case PriceAtOrBelow, PriceAtOrAbove:
		if !priceEvent {
			return false, false, ""
		}
		if cur.PriceMinor == nil || !sameCurrency(r.Currency, cur.Currency) {
			return false, true, "no price in the rule's currency"
		}
		if r.InStockOnly && !purchasable(cur.Availability) {
			return false, true, "not in stock"
		}
		p, t := *cur.PriceMinor, r.TargetMinor
		if r.Kind == PriceAtOrBelow {
			return p <= t, true, fmt.Sprintf("price %s is at or below the target %s", money(p), money(t))
		}
		return p >= t, true, fmt.Sprintf("price %s is at or above the target %s", money(p), money(t))

	case AnyDrop, DropPercent, DropAmount:
		if r.Kind != AnyDrop && r.Basis == AgainstMedian {
			if !priceEvent {
				return false, false, ""
			}
			if cur.PriceMinor == nil || in.MedianMinor == nil || !sameCurrency(r.Currency, cur.Currency) {
				return false, true, "no median to compare with"
			}
			if r.InStockOnly && !purchasable(cur.Availability) {
				return false, true, "not in stock"
			}
			p, m := *cur.PriceMinor, *in.MedianMinor
			days := orDefault(r.Days, DefaultMedianDays)
			return dropEnough(r, m, p), true, fmt.Sprintf("price %s is %s below the %d-day median %s",
				money(p), dropText(m, p, cur.Currency), days, money(m))
		}
		if in.Event != EventPriceChanged || prev.PriceMinor == nil || cur.PriceMinor == nil ||
			prev.Currency != cur.Currency || !sameCurrency(r.Currency, cur.Currency) {
			return false, false, ""
		}
		if r.InStockOnly && !purchasable(cur.Availability) {
			return false, true, "not in stock"
		}
		o, p := *prev.PriceMinor, *cur.PriceMinor
		ok := p < o
		if r.Kind != AnyDrop {
			ok = dropEnough(r, o, p)
		}
		return ok, true, fmt.Sprintf("price dropped %s, from %s to %s", dropText(o, p, cur.Currency), money(o), money(p))

	case LowestInDays, AllTimeLow:
		if in.Event != EventPriceChanged && in.Event != EventBackInStock {
			return false, false, ""
		}
		if cur.PriceMinor == nil || in.LowMinor == nil || !sameCurrency(r.Currency, cur.Currency) {
			return false, true, "no earlier price to compare with"
		}
		if r.InStockOnly && !purchasable(cur.Availability) {
			return false, true, "not in stock"
		}
		p, low := *cur.PriceMinor, *in.LowMinor
		what := "all-time low"
		if r.Kind == LowestInDays {
			what = fmt.Sprintf("lowest price in %d days", r.Days)
		}
		return p < low, true, fmt.Sprintf("price %s is a new %s (was %s)", money(p), what, money(low))

	case BackInStock:
		return in.Event == EventBackInStock, in.Event == EventBackInStock, "back in stock"

	case OutOfStock:
		return in.Event == EventOutOfStock, in.Event == EventOutOfStock, "out of stock"

	case NewProduct:
		if in.Event != EventNewProduct || in.Item == nil {
			return false, false, ""
		}
		return Matches(r.Include, r.Exclude, in.Item.Title+" "+in.Item.URL), true,
			fmt.Sprintf("new product %q", in.Item.Title)

	case WatchFailing:
		n := orDefault(r.Failures, DefaultFailures)
		switch in.Event {
		case EventProductFailing, EventProductBlocked:
			return in.Failures >= n, true, fmt.Sprintf("%d checks in a row failed", in.Failures)
		case EventExtractionMissing:
			return true, true, "the page no longer shows a price"
		case EventProductRecovered, EventPriceChanged, EventBackInStock, EventOutOfStock, Observed:
			return false, true, "checks succeed again"
		}
	}
	return false, false, ""
}

// leftBand reports whether a fired level rule's input is decisively back on
// the other side: the price is beyond the band around the threshold, or a
// failing watch recovered.
func leftBand(r Rule, in Input) bool {
	if r.Kind == WatchFailing {
		return in.Event == EventProductRecovered
	}
	if in.Cur.PriceMinor == nil {
		return false
	}
	p := *in.Cur.PriceMinor
	bp := int64(orDefault(r.BandPercent, DefaultBandPercent)*100 + 0.5) // basis points
	switch r.Kind {
	case PriceAtOrBelow:
		return p*10000 > r.TargetMinor*(10000+bp)
	case PriceAtOrAbove:
		return p*10000 < r.TargetMinor*(10000-bp)
	case DropPercent, DropAmount: // against the median: back within the band of it
		if in.MedianMinor == nil {
			return false
		}
		return p*10000 >= *in.MedianMinor*(10000-bp)
	}
	return false
}

// dropEnough reports whether from → to is a drop of at least the rule's
// percent or amount. Percent is compared in integer basis points.
func dropEnough(r Rule, from, to int64) bool {
	drop := from - to
	if drop <= 0 {
		return false
	}
	if r.Kind == DropAmount {
		return drop >= r.AmountMinor
	}
	bp := int64(r.Percent*100 + 0.5)
	return drop*10000 >= bp*from
}

func dropText(from, to int64, currency string) string {
	if from <= 0 {
		return price.Format(from-to, currency)
	}
	pct := float64(from-to) * 100 / float64(from)
	return fmt.Sprintf("%s (%.1f %%)", price.Format(from-to, currency), pct)
}

func sameCurrency(want, got string) bool { return want == "" || want == got }

func purchasable(a string) bool { return a == StockIn || a == StockPreOrder || a == StockBackOrder }

// Matches reports whether text contains any of include (all text when
// include is empty) and none of exclude. Matching ignores case, accents and
// punctuation, and whole words count: "tv" matches "4K TV" and "smart-tv"
// but not "tvorba"; a multi-word keyword must appear as those words in order.
func Matches(include, exclude []string, text string) bool {
	t := " " + fold(text) + " "
	has := func(w string) bool {
		f := fold(w)
		return f != "" && strings.Contains(t, " "+f+" ")
	}
	for _, w := range exclude {
		if has(w) {
			return false
		}
	}
	if len(include) == 0 {
		return true
	}
	for _, w := range include {
		if has(w) {
			return true
		}
	}
	return false
}

// fold lowercases, strips accents and turns every run of non-letters and
// non-digits into one space.
func fold(s string) string {
	var b strings.Builder
	space := true
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
			space = false
		case !space:
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}
