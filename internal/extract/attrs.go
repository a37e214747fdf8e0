package extract

import (
	"bytes"

	"golang.org/x/net/html"
)

// attrs holds the attributes the scanner cares about, as slices into the
// tokenizer's buffer: they are valid only until the next z.Next call, so
// anything kept must be copied (string(...)).
type attrs struct {
	id, class, itemprop, itemtype, content, property, name, typ, value, lang, rel, href, src []byte
	datetime, ariaLabel, style, priceAmount, priceType, wooVariations                        []byte
	hasItemscope, hidden, disabled                                                           bool
	flags                                                                                    uint32
}

// read collects a start tag's attributes and derives the element's own flags.
// lower is a scratch buffer, returned for reuse.
func (at *attrs) read(z *html.Tokenizer, lower []byte) []byte {
	for {
		k, v, more := z.TagAttr()
		switch string(k) {
		case "id":
			at.id = v
		case "class":
			at.class = v
		case "itemprop":
			at.itemprop = v
		case "itemtype":
			at.itemtype = v
		case "itemscope":
			at.hasItemscope = true
		case "content":
			at.content = v
		case "property":
			at.property = v
		case "name":
			at.name = v
		case "type":
			at.typ = v
		case "value":
			at.value = v
		case "lang":
			at.lang = v
		case "rel":
			at.rel = v
		case "href":
			at.href = v
		case "src":
			at.src = v
		case "datetime":
			at.datetime = v
		case "aria-label":
			at.ariaLabel = v
		case "style":
			at.style = v
		case "hidden":
			at.hidden = true
		case "disabled":
			at.disabled = true
		case "aria-disabled":
			at.disabled = at.disabled || string(v) == "true"
		case "data-price-amount":
			at.priceAmount = v
		case "data-price-type":
			at.priceType = v
		case "data-product_variations":
			at.wooVariations = v
		case "data-a-strike":
			if string(v) == "true" {
				at.flags |= fStruck
			}
		}
		if !more {
			break
		}
	}
	if at.hidden {
		at.flags |= fHidden
	}
	if len(at.style) > 0 {
		lower = lowerInto(lower, at.style)
		s := bytes.ReplaceAll(lower, []byte(" "), nil)
		if bytes.Contains(s, []byte("display:none")) || bytes.Contains(s, []byte("visibility:hidden")) {
			at.flags |= fHidden
		}
		if bytes.Contains(s, []byte("line-through")) {
			at.flags |= fStruck
		}
	}
	if len(at.class) > 0 && hasHiddenClass(at.class) {
		at.flags |= fHidden
	}
	if at.disabled {
		at.flags |= fDisabled
	}
	// Keyword flags from class, id and itemprop together, split into words.
	if len(at.class)+len(at.id)+len(at.itemprop)+len(at.name) > 0 {
		lower = append(lower[:0], ' ')
		lower = appendWords(lower, at.class)
		lower = appendWords(lower, at.id)
		lower = appendWords(lower, at.itemprop)
		s := lower
		if wordsAny(s, kwPrice) {
			at.flags |= fPriceEl
		}
		if wordsAny(s, kwRelated) {
			at.flags |= fRelated
		}
		if wordsAny(s, kwStruck) {
			at.flags |= fStruck
		}
		if wordsAny(s, kwUnit) {
			at.flags |= fUnit
		}
		if wordsAny(s, kwInstal) {
			at.flags |= fInstal
		}
		if wordsAny(s, kwCoupon) {
			at.flags |= fCoupon
		}
		if wordsAny(s, kwSale) {
			at.flags |= fSale
		}
		if wordsAny(s, kwBuyBox) {
			at.flags |= fBuyBox
		}
		if wordsAny(s, kwAvail) {
			at.flags |= fAvail
		}
		lower = appendWords(lower, at.name)
		if wordsAny(lower, kwCartBtn) || bytes.Equal(at.name, []byte("add")) {
			at.flags |= fCartBtn | fButton
		}
		if bytes.EqualFold(at.itemprop, []byte("price")) {
			at.flags |= fStructPrice | fPriceEl
		}
	}
	if len(at.priceAmount) > 0 {
		at.flags |= fPriceEl | fStructPrice
	}
	return lower
}

func hasHiddenClass(class []byte) bool {
	hidden, shown := false, false
	for _, f := range bytes.Fields(class) {
		for _, h := range hiddenClasses {
			if string(f) == h {
				hidden = true
			}
		}
		// Utility frameworks hide by default and show at a breakpoint
		// ("hidden md:block"): the desktop page shows it.
		if i := bytes.IndexByte(f, ':'); i > 0 && !bytes.Contains(f[i:], []byte("hidden")) && !bytes.Contains(f[i:], []byte("none")) {
			shown = true
		}
	}
	return hidden && !shown
}

func lowerInto(dst, src []byte) []byte { return appendLower(dst[:0], src) }

func appendLower(dst, src []byte) []byte {
	for _, c := range src {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// appendWords appends src lower-cased and split into words, each followed by
// one space: "BasePriceBlock--list" → "base price block list ".
func appendWords(dst, src []byte) []byte {
	prevLower, sep := false, true
	for _, c := range src {
		switch {
		case 'A' <= c && c <= 'Z':
			if prevLower {
				dst = append(dst, ' ')
			}
			dst = append(dst, c+'a'-'A')
			prevLower, sep = false, false
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c >= 0x80:
			dst = append(dst, c)
			prevLower, sep = c >= 'a', false
		default:
			if !sep {
				dst = append(dst, ' ')
				sep = true
			}
			prevLower = false
		}
	}
	if !sep {
		dst = append(dst, ' ')
	}
	return dst
}

// wordsAny reports whether any keyword starts at a word start of s (s begins
// with a space and has single spaces between words).
func wordsAny(s []byte, kws []string) bool {
	for _, k := range kws {
		from := 0
		for {
			i := bytes.Index(s[from:], []byte(k))
			if i < 0 {
				break
			}
			i += from
			if i > 0 && s[i-1] == ' ' {
				return true
			}
			from = i + 1
		}
	}
	return false
}
