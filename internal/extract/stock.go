package extract

import "fmt"

// cartState is what the page's add-to-cart controls say.
type cartState struct {
	enabled  bool // an enabled add-to-cart control outside related blocks
	disabled bool // only disabled ones
	preorder bool // the enabled control reads "Pre-order", "Vorbestellen", "予約する"…
	where    string
}

// cartControl finds add-to-cart buttons by their class/id/name or their label.
func cartControl(p *page, lv string, h1 *textRange) cartState {
	var cs cartState
	for _, b := range p.buttons {
		if b.flags&(fRelated|fHidden) != 0 || b.start < 0 || b.end > len(lv) || b.start > b.end {
			continue
		}
		label := lv[b.start:min(b.end, b.start+80)] + " " + lowerASCII([]byte(b.label))
		if b.flags&fCartBtn == 0 && !hasAnyStr(label, cartPhrases) {
			continue
		}
		if h1 != nil && b.start < h1.start-3000 {
			continue // a header/mini-cart control well before the product
		}
		if b.flags&fDisabled != 0 {
			cs.disabled = true
			continue
		}
		cs.enabled = true
		cs.where = clip(label, 60)
		cs.preorder = hasAnyStr(label, cuePre)
		break
	}
	return cs
}

// resolveAvailability combines structured availability with visible cues and
// the add-to-cart control.
func resolveAvailability(o *Observation, srcs []facts, cues []cueHit, cart cartState) {
	structured, from := Unknown, ""
	for _, f := range srcs {
		if f.avail != "" && f.avail != Unknown {
			structured, from = f.avail, f.strategy
			o.Evidence = append(o.Evidence, Evidence{Strategy: f.strategy, Field: "availability", Value: string(f.avail), Where: firstNonEmpty(f.where, f.strategy)})
			break
		}
	}
	var top *cueHit
	if len(cues) > 0 {
		top = &cues[0]
		for i := 0; i < len(cues) && i < 3; i++ {
			c := cues[i]
			o.Evidence = append(o.Evidence, Evidence{Strategy: SourceVisible, Field: "availability", Value: string(c.avail),
				Where: fmt.Sprintf("%q score %.1f: %s", c.phrase, c.score, c.where)})
		}
	}
	if cart.enabled {
		o.Evidence = append(o.Evidence, Evidence{Strategy: SourceVisible, Field: "availability", Value: string(InStock), Where: "add-to-cart control: " + cart.where})
	}
	set := func(a Availability, why string) {
		o.Availability = a
		o.Evidence = append(o.Evidence, Evidence{Strategy: "resolver", Field: "availability", Value: string(a), Where: why})
	}
	strongCue := top != nil && top.score >= 6
	switch {
	case structured != Unknown:
		// Structured data can be stale or describe another variant; a strong
		// visible cue in the buy box with no way to buy overrides it.
		if strongCue && top.avail != structured && top.avail != InStock && !cart.enabled {
			set(top.avail, "visible "+string(top.avail)+" cue overrides "+from)
			o.Confidence *= 0.8
			return
		}
		// The buy button itself reads "Pre-order" and the buy box says so:
		// the item is sold ahead of release, whatever the structured
		// default (Shopify writes InStock for any purchasable variant).
		if structured == InStock && cart.preorder && strongCue && top.avail == PreOrder {
			set(PreOrder, "the buy button and a visible cue say pre-order, over "+from)
			o.Confidence *= 0.9
			return
		}
		if structured == OutOfStock && cart.enabled && strongCue && top.avail == InStock {
			set(InStock, "visible in-stock cue and add-to-cart override "+from)
			o.Confidence *= 0.8
			return
		}
		set(structured, from)
	case top != nil && top.score >= 4 && !(top.avail == OutOfStock && cart.enabled && top.score < 7):
		set(top.avail, "visible cue "+top.phrase)
	case cart.enabled:
		set(InStock, "add-to-cart control")
	case o.Price != "" && (top == nil || top.avail == InStock):
		set(InStock, "a price is shown and nothing says otherwise")
	case top != nil && top.score >= 2:
		set(top.avail, "weak visible cue "+top.phrase)
	default:
		set(Unknown, "no availability signal")
	}
}
