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
	datetime, ariaLabel, style, priceAmount, priceType, wooVariations, role, sku             []byte
	hasItemscope, hidden, disabled, selected, ariaChecked                                    bool
	variantCls                                                                               bool // the class names a variant control
	// data-* attribute names and test-id style values ("data-buy-box",
	// data-testid="product-price"): modern front ends name regions there.
	data  [6][]byte
	ndata int
	flags uint32
}

// kwCaches hold the keyword flags of the class lists and word lists seen on
// one page.
type kwCaches struct {
	classes map[string]uint32 // class attribute as written → flags | cVariantClass
	words   map[string]uint32 // words of class, id, itemprop, data-*, name → flags
	struck  map[string]bool   // class names the page's <style> blocks strike through
}

// cCSSStruck marks, in kwCaches.classes, a class list with a class the
// page's CSS strikes through; it becomes fStruck.
const cCSSStruck uint32 = 1 << 30

// cVariantClass marks, in kwCaches.classes, a class list naming a variant
// control; it is not an element flag.
const cVariantClass uint32 = 1 << 31

// read collects a start tag's attributes from the token's raw bytes and
// derives the element's own flags. lower is a scratch buffer, returned for
// reuse. It parses attributes itself rather than calling z.TagAttr, which
// copies every value; the values it keeps that may hold entities are
// unescaped (see set).
func (at *attrs) read(raw []byte, lower []byte, c kwCaches) []byte {
	i := 1
	for i < len(raw) && !isAttrSpace(raw[i]) && raw[i] != '>' && raw[i] != '/' {
		i++ // the tag name
	}
	var kbuf [24]byte
	for i < len(raw) {
		for i < len(raw) && (isAttrSpace(raw[i]) || raw[i] == '/') {
			i++
		}
		if i >= len(raw) || raw[i] == '>' {
			break
		}
		ks := i
		for i < len(raw) && raw[i] != '=' && raw[i] != '>' && !isAttrSpace(raw[i]) && (raw[i] != '/' || i == ks) {
			i++
		}
		key := raw[ks:i]
		for i < len(raw) && isAttrSpace(raw[i]) {
			i++
		}
		var val []byte
		if i < len(raw) && raw[i] == '=' {
			i++
			for i < len(raw) && isAttrSpace(raw[i]) {
				i++
			}
			if i < len(raw) && (raw[i] == '"' || raw[i] == '\'') {
				q := raw[i]
				i++
				vs := i
				for i < len(raw) && raw[i] != q {
					i++
				}
				val = raw[vs:min(i, len(raw))]
				i++
			} else {
				vs := i
				for i < len(raw) && !isAttrSpace(raw[i]) && raw[i] != '>' {
					i++
				}
				val = raw[vs:i]
			}
		}
		if len(key) == 0 || len(key) > len(kbuf) {
			continue
		}
		k := kbuf[:len(key)]
		for j, c := range key {
			k[j] = asciiLower[c]
		}
		at.set(k, key, val)
	}
	if at.hidden {
		at.flags |= fHidden
	}
	if len(at.style) > 0 {
		lower = lower[:0]
		for _, c := range at.style {
			if c == ' ' || c == '\t' || c == '\n' {
				continue
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			lower = append(lower, c)
		}
		if bytes.Contains(lower, []byte("display:none")) || bytes.Contains(lower, []byte("visibility:hidden")) {
			at.flags |= fHidden
		}
		if bytes.Contains(lower, []byte("line-through")) {
			at.flags |= fStruck
		}
	}
	if at.disabled {
		at.flags |= fDisabled
	}
	// What the class list alone says, computed once per distinct list:
	// pages repeat the same lists thousands of times.
	var cls uint32
	if len(at.class) > 0 {
		var ok bool
		if cls, ok = c.classes[string(at.class)]; !ok {
			lower = append(lower[:0], ' ')
			lower = appendWords(lower, at.class)
			cls = matchWords(lower)
			if hasHiddenClass(at.class) {
				cls |= fHidden
			}
			if len(at.class) <= 200 && variantClass(lower) {
				cls |= cVariantClass
			}
			if len(c.struck) > 0 && hasStruckClass(at.class, c.struck) {
				cls |= cCSSStruck
			}
			if c.classes != nil && len(c.classes) < 4096 {
				c.classes[string(at.class)] = cls
			}
		}
		at.variantCls = cls&cVariantClass != 0
		if cls&cCSSStruck != 0 {
			at.flags |= fStruck
		}
		cls &^= cCSSStruck
	}
	// Keyword flags from class, id and itemprop together, split into words.
	if len(at.class) > 0 && len(at.id)+len(at.itemprop)+len(at.name)+at.ndata == 0 {
		at.flags |= cls &^ cVariantClass // only a class list, the common case
	} else if len(at.class)+len(at.id)+len(at.itemprop)+len(at.name)+at.ndata > 0 {
		at.flags |= cls & fHidden
		lower = append(lower[:0], ' ')
		lower = appendWords(lower, at.class)
		lower = appendWords(lower, at.id)
		lower = appendWords(lower, at.itemprop)
		for _, d := range at.data[:at.ndata] {
			lower = appendWords(lower, d)
		}
		lower = appendWords(lower, at.name)
		// Pages repeat the same class lists thousands of times: the
		// keyword flags of each distinct word list are computed once.
		fl, ok := c.words[string(lower)]
		if !ok {
			fl = matchWords(lower)
			if c.words != nil && len(c.words) < 4096 {
				c.words[string(lower)] = fl
			}
		}
		at.flags |= fl
		if bytes.Equal(at.name, []byte("add")) {
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

// set records one attribute; k is lower-cased.
// raw is the key as written: data-* names are kept from it (k is scratch).
func (at *attrs) set(k, raw, v []byte) {
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
		at.content = unescapeAttr(v)
	case "property":
		at.property = v
	case "name":
		at.name = v
	case "type":
		at.typ = v
	case "value":
		at.value = unescapeAttr(v)
	case "lang":
		at.lang = v
	case "rel":
		at.rel = v
	case "href":
		at.href = v // unescaped where it is used: most links are never read
	case "src":
		at.src = unescapeAttr(v)
	case "datetime":
		at.datetime = v
	case "aria-label":
		at.ariaLabel = unescapeAttr(v)
	case "role":
		at.role = v
	case "style":
		at.style = v
	case "hidden":
		at.hidden = true
	case "disabled":
		at.disabled = true
	case "selected", "checked":
		at.selected = true
	case "aria-checked":
		at.ariaChecked = true
		at.selected = at.selected || string(v) == "true"
	case "aria-selected", "aria-pressed", "aria-current":
		at.selected = at.selected || string(v) == "true"
	case "data-sku", "data-variant-sku":
		at.sku = v
	case "aria-disabled":
		at.disabled = at.disabled || string(v) == "true"
	case "data-price-amount":
		at.priceAmount = v
	case "data-price-type":
		at.priceType = v
	case "data-product_variations":
		at.wooVariations = unescapeAttr(v)
	case "data-a-strike":
		if string(v) == "true" {
			at.flags |= fStruck
		}
	default:
		if len(k) > 5 && string(k[:5]) == "data-" && at.ndata+2 <= len(at.data) {
			at.data[at.ndata] = raw[5:]
			at.ndata++
			switch string(k[5:]) {
			case "testid", "test-id", "test", "qa", "qa-id", "cy", "automation", "automation-id", "component", "role",
				"buy-box-region", "section-type", "selenium", "hook", "element", "block", "region", "type":
				if len(v) <= 60 {
					at.data[at.ndata] = v
					at.ndata++
				}
			}
		}
	}
}

// unescapeAttr decodes character references in an attribute value, copying
// only when there is one.
func unescapeAttr(v []byte) []byte {
	if bytes.IndexByte(v, '&') < 0 {
		return v
	}
	return []byte(html.UnescapeString(string(v)))
}

func isAttrSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

func hasHiddenClass(class []byte) bool {
	// Nearly every class list names nothing hidden: reject those at once.
	if !bytes.Contains(class, []byte("hid")) && !bytes.Contains(class, []byte("d-none")) && !bytes.Contains(class, []byte("invisible")) && !bytes.Contains(class, []byte("display-none")) {
		return false
	}
	hidden, shown := false, false
	for len(class) > 0 {
		var f []byte
		i := bytes.IndexAny(class, " \t\n\r\f")
		if i < 0 {
			f, class = class, nil
		} else {
			f, class = class[:i], class[i+1:]
		}
		if len(f) == 0 {
			continue
		}
		for _, h := range hiddenClasses {
			if string(f) == h {
				hidden = true
			}
		}
		if hiddenSuffix(f) {
			hidden = true
		}
		// Bootstrap shows at a breakpoint with d-md-block, d-lg-flex…
		if bytes.HasPrefix(f, []byte("d-")) && len(f) > 4 && !bytes.HasSuffix(f, []byte("-none")) {
			shown = true
		}
		// Utility frameworks hide by default and show at a breakpoint
		// ("hidden md:block"): the desktop page shows it.
		if i := bytes.IndexByte(f, ':'); i > 0 && !bytes.Contains(f[i:], []byte("hidden")) && !bytes.Contains(f[i:], []byte("none")) {
			shown = true
		}
	}
	return hidden && !shown
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

// matchWords returns the flags of every keyword that starts at a word start
// of s (s begins with a space and has single spaces between words). The
// keywords are indexed by first byte, so this is a few short comparisons per
// word, not a substring search per keyword.
func matchWords(s []byte) uint32 {
	var fl uint32
	for i := 1; i < len(s); i++ {
		if s[i-1] != ' ' || s[i] == ' ' {
			continue
		}
		bucket := kwIndex[s[i]]
		if len(bucket) == 0 {
			continue
		}
		var h uint32
		for k := 1; k <= 4; k++ {
			h <<= 8
			if i+k < len(s) {
				h |= uint32(s[i+k])
			}
		}
		for _, e := range bucket {
			if h&e.mask == e.head && e.flag&fl != e.flag && len(s)-i >= len(e.k) && string(s[i:i+len(e.k)]) == e.k {
				fl |= e.flag
			}
		}
	}
	return fl
}

// hiddenSuffix recognises state classes such as "is-hidden", "aok-hidden",
// "product__badge--hidden", but not layout ones ("overflow-hidden") or
// screen-reader text ("visually-hidden"), which a shopper's reader announces.
func hiddenSuffix(f []byte) bool {
	l := f // class names are lower case in practice; no copy per token
	if !bytes.HasSuffix(l, []byte("-hidden")) && !bytes.HasSuffix(l, []byte("_hidden")) {
		return false
	}
	// "no-js-hidden" hides only when scripts are off.
	for _, x := range []string{"overflow", "visually", "sr-", "screen", "x-hidden", "y-hidden", "scroll", "backface", "no-js", "nojs"} {
		if bytes.Contains(l, []byte(x)) {
			return false
		}
	}
	return true
}

// Class words of one variant's control (a chip, a swatch, an item of a SKU
// list). Not "variation": WooCommerce's single_variation_wrap is the
// selected variation's buy box.
var kwVariantCtl = []string{" swatch", " chip", " sku item", " sku list", " skus ", " variant item", " variant option",
	" variant list", " variant chip", " variant btn", " variant button", " variant value", " option item", " option value",
	" option list", " options list", " choose attr", " attr item", " selector item", " size item", " color item", " colour item",
	" size btn", " size button", " size option", " color option", " colour option"}

// variantControl reports an element that selects one variant: role=radio or
// option, an aria-checked toggle, or a chip/swatch class. Stock words inside
// it ("8/128GB · Stok habis") describe that variant, not the product.
func (at *attrs) variantControl() bool {
	switch string(at.role) {
	case "radio", "option", "radiogroup", "listbox", "menuitemradio":
		return true
	}
	return at.ariaChecked || at.variantCls
}

// variantClass reports class words (" word word ", as appendWords writes
// them after a space) naming a variant control.
func variantClass(words []byte) bool {
	var buf [256]byte
	w := append(append(buf[:0], words...), ' ')
	for _, k := range kwVariantCtl {
		if bytes.Contains(w, []byte(k)) {
			return true
		}
	}
	return false
}
