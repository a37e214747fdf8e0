package extract

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Element flags, set from an element's tag and attributes and inherited by
// its descendants (except the own-only ones).
const (
	fStruck      uint32 = 1 << iota // <del>, <s>, <strike>, "old-price", line-through
	fRelated                        // related products, carousels, recommendations, cart drawers, footers
	fHidden                         // hidden attribute, display:none, "hidden" class, <template>
	fUnit                           // per-unit price block
	fInstal                         // instalment / financing block
	fCoupon                         // coupon, savings, shipping amounts
	fSale                           // class says sale/current/final price
	fBuyBox                         // product info / buy box region
	fAvail                          // availability / stock region
	fPriceEl                        // own: class/id/itemprop names a price
	fButton                         // own: a button-like element
	fCartBtn                        // own: an add-to-cart control
	fDisabled                       // own: disabled control
	fH1                             // inside the h1
	fOption                         // inside <option>/<select>: variant pickers
	fStructPrice                    // own: itemprop=price or data-price-amount: the text is a bare amount
	fInPrice                        // inside a price element
	fSVG                            // inside an <svg>: icons, nothing to read
	fRegular                        // class says "regular price": struck when a sale price is beside it, else the price
	fVariant                        // a variant control (chip, swatch, role=radio/option): its stock words are that variant's
)

const ownFlags = fPriceEl | fButton | fCartBtn | fDisabled | fStructPrice

// nearFlags describe a price only when set close to it (within nearDepth
// ancestors): a "shipping" or "old" class far up the tree is a layout
// wrapper, not a label of this price.
const (
	nearFlags = fStruck | fUnit | fInstal | fCoupon | fSale | fRegular
	nearDepth = 4
)

// page is everything one tokenizer pass keeps from the HTML.
type page struct {
	relHead   int // 1 + the text offset where a related section's heading ended (0: none)
	lang      string
	canonical string
	ogURL     string
	imageSrc  string
	titleTag  string
	metas     []metaTag
	jsonld    [][]byte
	embeds    []embed
	items     []mdItem
	dataPrice []dataPrice

	vis       []byte     // visible text, whitespace-collapsed, tokens separated by one space
	spans     []textSpan // where each visible text token starts in vis, and its flags
	h1s       []textRange
	prices    []priceRange
	buttons   []button
	firstCart int // vis offset of the first enabled add-to-cart control, -1 when none
	// chosen holds the preselected values of WooCommerce-style variation
	// pickers (<select name="attribute_pa_size"> with a selected option).
	chosen     []mdProp
	selectName string
	// picked holds the selected variant controls outside <select>s (a chip
	// with aria-checked="true", a checked radio, an "is-selected" swatch):
	// their data-sku, value or short text.
	picked []string

	blockBreak bool // a block element opened or closed since the last text
}

type metaTag struct{ key, content string }

type embed struct {
	kind string // shopify-product, shopify-meta, woo-variations, prestashop, magento-init
	data []byte
}

type dataPrice struct {
	typ    string // Magento data-price-type: finalPrice, oldPrice, basePrice
	amount string
	flags  uint32
	off    int
}

type textSpan struct {
	start int
	flags uint32
}

type textRange struct {
	start, end int
	flags      uint32
	desc       string
}

type priceRange struct {
	textRange
	structured bool // itemprop=price or similar: a bare amount is enough
	content    string
	label      string // an aria-label that reads the price out ("1 299,00 zł aktualna cena")
}

type button struct {
	start, end int
	flags      uint32
	label      string // value/aria-label/title of the control
}

// mdItem is one microdata itemscope.
type mdItem struct {
	typ        string
	parent     int
	parentProp string
	props      []mdProp
	flags      uint32
}

type mdProp struct{ name, value string }

type elem struct {
	a         atom.Atom
	name      string // for tags without an atom (custom elements)
	flags     uint32
	visStart  int
	item      int    // microdata item in scope (-1 none)
	ownItem   bool   // this element opened the item
	textProps string // itemprop names whose value is this element's text
	desc      string
	label     string
	content   string
	priceKids bool   // a nested price element already produced a candidate
	picked    bool   // a selected variant control: its text is recorded at its end
	kw        uint32 // the element's own flags from its tag and attributes
}

const maxDepth = 512

// scan runs the single tokenizer pass.
func scan(b []byte) *page {
	p := &page{firstCart: -1}
	b = toUTF8(b)
	kept, struck := dropScriptBodiesCSS(b)
	// Visible text is about a third of what is left of a small page once
	// scripts are gone, and a few percent of a large one.
	n := kept.size()
	p.vis = make([]byte, 0, min(n/2, 32<<10+n/16))
	p.spans = make([]textSpan, 0, min(n/64, 1024+n/256))
	z := newTokenizer(kept.bytes())
	st := make([]elem, 0, 64)
	var lower []byte // scratch for lower-casing attribute values
	kwCache := kwCaches{classes: make(map[string]uint32, 256), words: make(map[string]uint32, 64), struck: struck}
	var rawKind string
	var nameBuf [32]byte
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			for len(st) > 0 {
				closeElem(p, &st)
			}
			return p
		case html.TextToken:
			if rawKind != "" {
				txt := z.Text()
				switch rawKind {
				case "title":
					if p.titleTag == "" {
						p.titleTag = collapse(string(txt))
					}
				case "ldjson":
					p.jsonld = append(p.jsonld, append([]byte(nil), txt...))
				case "json", "script":
					if k := embedKind(txt, rawKind == "json"); k != "" {
						p.embeds = append(p.embeds, embed{kind: k, data: append([]byte(nil), txt...)})
					}
				}
				continue
			}
			var fl uint32
			if len(st) > 0 {
				fl = st[len(st)-1].flags
			}
			if fl&fHidden != 0 {
				continue
			}
			appendVis(p, z.Text(), fl)
		case html.StartTagToken, html.SelfClosingTagToken:
			raw := z.Raw()
			name := tagName(raw, 1, nameBuf[:0])
			hasAttr := len(raw) > len(name)+2
			a := atom.Lookup(name)
			if isBlock(a) {
				p.blockBreak = true
			}
			rawKind = ""
			var parent *elem
			if len(st) > 0 {
				parent = &st[len(st)-1]
			}
			e := elem{a: a, item: -1, visStart: len(p.vis)}
			if a == 0 {
				e.name = string(name)
			}
			if parent != nil {
				e.flags = parent.flags &^ (ownFlags | nearFlags)
				for i := len(st) - 1; i >= 0 && i >= len(st)-nearDepth+1; i-- {
					e.flags |= st[i].kw & nearFlags
				}
				if parent.flags&fPriceEl != 0 {
					e.flags |= fInPrice
				}
				e.item = parent.item
			}
			if a == atom.Svg {
				e.flags |= fSVG
			}
			var at attrs
			if hasAttr && e.flags&fSVG == 0 && !skipAttrs(a, raw) {
				lower = at.read(raw, lower, kwCache)
				if len(at.ariaLabel) > 0 && len(at.ariaLabel) <= 80 && hasWordAny(lowerSameLen(at.ariaLabel), lblList) {
					// aria-label="Precio anterior: $1,299.00": read out as the
					// old price, however the styling strikes it.
					at.flags |= fStruck
				}
				if a == atom.Html || a == atom.Body || a == atom.Head {
					// Page-wide classes (feature flags, templates) say nothing
					// about one price.
					at.flags &= fHidden
				}
			}
			if p.relHead == len(p.vis)+1 && (a == atom.Table || a == atom.Ul || a == atom.Ol || a == atom.Div || a == atom.Section) {
				e.flags |= fRelated // the block right after a related section's heading
			}
			if at.variantControl() {
				e.flags |= fVariant
			}
			switch a {
			case atom.Del, atom.S, atom.Strike:
				at.flags |= fStruck
			case atom.Template, atom.Noscript:
				e.flags |= fHidden
			case atom.H1:
				e.flags |= fH1
			case atom.Option, atom.Select:
				e.flags |= fOption
				if a == atom.Select {
					p.selectName = string(at.name)
				} else if at.selected && len(at.value) > 0 && strings.HasPrefix(p.selectName, "attribute_") && len(p.chosen) < 16 {
					p.chosen = append(p.chosen, mdProp{p.selectName, string(at.value)})
				}
			case atom.Button:
				e.flags |= fButton
			case atom.Input:
				if t := strings.ToLower(string(at.typ)); t == "submit" || t == "button" || t == "image" {
					e.flags |= fButton
					e.label = string(at.value)
				}
			case atom.Html:
				if p.lang == "" {
					p.lang = string(at.lang)
				}
			case atom.Script:
				t := strings.ToLower(strings.TrimSpace(string(at.typ)))
				switch {
				case strings.Contains(t, "ld+json"):
					rawKind = "ldjson"
				case strings.Contains(t, "json") || strings.Contains(t, "magento-init"):
					rawKind = "json"
				case t == "" || strings.Contains(t, "javascript"):
					rawKind = "script"
				default:
					rawKind = "skip"
				}
				if id := strings.ToLower(string(at.id)); strings.Contains(id, "productjson") || strings.Contains(id, "product-json") {
					rawKind = "json"
				}
			case atom.Style, atom.Textarea, atom.Iframe, atom.Noembed, atom.Noframes, atom.Xmp, atom.Plaintext:
				rawKind = "skip"
			case atom.Title:
				if parent == nil || parent.flags&fHidden == 0 {
					rawKind = "title"
				} else {
					rawKind = "skip"
				}
			case atom.Meta:
				if len(at.content) > 0 {
					k := at.property
					if len(k) == 0 {
						k = at.name
					}
					if len(k) > 0 {
						p.metas = append(p.metas, metaTag{strings.ToLower(string(k)), string(at.content)})
					}
				}
			case atom.Link:
				rel := strings.ToLower(string(at.rel))
				if rel == "canonical" && p.canonical == "" {
					p.canonical = string(unescapeAttr(at.href))
				} else if rel == "image_src" && p.imageSrc == "" {
					p.imageSrc = string(unescapeAttr(at.href))
				}
			}
			if at.flags&fCartBtn != 0 && a != atom.Button && a != atom.Input && a != atom.A && !bytes.Equal(at.role, []byte("button")) {
				// "add-to-cart" on a wrapper div or form names a region, not a control.
				at.flags &^= fCartBtn | fButton
			}
			e.flags |= at.flags
			e.kw = at.flags
			if a != atom.Option && a != atom.Select && e.flags&(fRelated|fHidden) == 0 && len(p.picked) < 8 &&
				(at.selected || hasSelectedClass(at.class)) && (len(at.class) > 0 || len(at.role) > 0 || a == atom.Input) {
				if len(at.sku) > 0 {
					p.picked = append(p.picked, string(at.sku))
				}
				if a == atom.Input {
					if len(at.value) > 0 && len(at.value) <= 40 {
						p.picked = append(p.picked, string(at.value))
					}
				} else {
					e.picked = true
				}
			}
			if len(at.wooVariations) > 0 {
				p.embeds = append(p.embeds, embed{kind: "woo-variations", data: append([]byte(nil), at.wooVariations...)})
			}
			if len(at.priceAmount) > 0 {
				p.dataPrice = append(p.dataPrice, dataPrice{typ: string(at.priceType), amount: string(at.priceAmount), flags: e.flags, off: len(p.vis)})
			}
			if e.flags&(fButton) != 0 && e.label == "" {
				e.label = string(at.ariaLabel)
			}
			if l := at.ariaLabel; e.flags&(fButton|fHidden|fRelated) == 0 && len(l) >= 3 && len(l) <= 60 && hasDigit(l) && hasNonNumeric(l) {
				// Split prices ("1 299,<span>00</span> zł") are often read out
				// whole for screen readers.
				p.prices = append(p.prices, priceRange{textRange: textRange{start: len(p.vis), end: len(p.vis), flags: e.flags, desc: "aria-label"}, label: string(l)})
			}
			if e.flags&fPriceEl != 0 {
				e.desc = describe(name, string(at.id), string(at.class), string(at.itemprop))
				e.content = string(at.content)
			}
			// Microdata.
			if at.hasItemscope {
				it := mdItem{typ: string(at.itemtype), parent: e.item, flags: e.flags, parentProp: string(at.itemprop)}
				p.items = append(p.items, it)
				e.item = len(p.items) - 1
				e.ownItem = true
			} else if len(at.itemprop) > 0 && e.item >= 0 {
				var val []byte
				ok := false
				switch {
				case len(at.content) > 0:
					val, ok = at.content, true
				case a == atom.Link || a == atom.A || a == atom.Area:
					val, ok = unescapeAttr(at.href), len(at.href) > 0
				case a == atom.Img || a == atom.Source || a == atom.Video || a == atom.Audio || a == atom.Iframe || a == atom.Embed:
					val, ok = at.src, len(at.src) > 0
				case a == atom.Meta:
					ok = true
				case len(at.value) > 0 && (a == atom.Data || a == atom.Meter || a == atom.Input):
					val, ok = at.value, true
				case a == atom.Time && len(at.datetime) > 0:
					val, ok = at.datetime, true
				}
				if ok {
					v := strings.TrimSpace(string(val))
					for _, n := range strings.Fields(string(at.itemprop)) {
						p.items[e.item].props = append(p.items[e.item].props, mdProp{n, v})
					}
				} else {
					e.textProps = string(at.itemprop)
				}
			}
			if tt == html.SelfClosingTagToken || isVoid(a) {
				if e.flags&fCartBtn != 0 && e.flags&fDisabled == 0 && e.flags&(fRelated|fHidden) == 0 && p.firstCart < 0 {
					p.firstCart = len(p.vis)
				}
				if e.flags&fButton != 0 {
					p.buttons = append(p.buttons, button{start: len(p.vis), end: len(p.vis), flags: e.flags, label: e.label})
				}
				if e.flags&fStructPrice != 0 && e.content != "" {
					p.prices = append(p.prices, priceRange{textRange: textRange{start: len(p.vis), end: len(p.vis), flags: e.flags, desc: e.desc}, structured: true, content: e.content})
				}
				continue
			}
			if len(st) >= maxDepth {
				continue
			}
			st = append(st, e)
		case html.EndTagToken:
			rawKind = ""
			name := tagName(z.Raw(), 2, nameBuf[:0])
			a := atom.Lookup(name)
			if isBlock(a) {
				p.blockBreak = true
			}
			// Close up to the nearest matching open element, if it is not too far
			// down: stray end tags are common and must not unwind the page.
			for i := len(st) - 1; i >= 0 && i >= len(st)-24; i-- {
				if st[i].a == a && (a != 0 || st[i].name == string(name)) {
					for len(st) > i {
						closeElem(p, &st)
					}
					break
				}
			}
		}
	}
}

func relatedHeading(a atom.Atom) bool {
	return a == atom.H2 || a == atom.H3 || a == atom.H4 || a == atom.H5 || a == atom.H6
}

// Headings of sections about other products: comparison tables, similar
// items, recommendations.
var lblRelatedHeading = []string{"compare with similar", "compare similar", "comparison with similar", "similar items",
	"similar products", "related products", "related items", "customers also", "customers who", "you may also like",
	"you might also like", "you may like", "frequently bought", "recommended for you", "sponsored products",
	"products related to", "more items to explore", "vergleichen mit ähnlichen", "ähnliche artikel", "ähnliche produkte",
	"das könnte dir auch gefallen", "produits similaires", "vous aimerez aussi", "productos similares", "productos relacionados",
	"prodotti simili", "prodotti correlati", "produtos semelhantes", "produtos relacionados", "vergelijkbare producten",
	"liknande produkter", "benzer ürünler", "produse similare", "podobne produkty", "похожие товары", "с этим товаром покупают",
	"猜你喜欢", "看了又看", "相似商品", "为你推荐", "関連商品", "この商品を見た人", "비슷한 상품", "함께 본 상품"}

// closeElem pops the top element and records what it carried.
func closeElem(p *page, stp *[]elem) {
	st := *stp
	e := st[len(st)-1]
	*stp = st[:len(st)-1]
	end := len(p.vis)
	if e.textProps != "" && e.item >= 0 && e.item < len(p.items) {
		v := strings.TrimSpace(string(p.vis[min(e.visStart, end):end]))
		for _, n := range strings.Fields(e.textProps) {
			p.items[e.item].props = append(p.items[e.item].props, mdProp{n, v})
		}
	}
	if e.picked && end-e.visStart <= 40 && end > e.visStart && len(p.picked) < 8 {
		p.picked = append(p.picked, string(bytes.TrimSpace(p.vis[e.visStart:end])))
	}
	if relatedHeading(e.a) && e.flags&(fHidden|fRelated) == 0 && end-e.visStart <= 80 &&
		hasAnyStr(lowerSameLen(p.vis[e.visStart:end]), lblRelatedHeading) {
		// "Compare with similar items", "Customers also bought": what
		// follows the heading in its section, and the block right after
		// it, are other products.
		p.relHead = end + 1
		if n := len(*stp); n > 2 {
			if par := &(*stp)[n-1]; par.a != atom.Body && par.a != atom.Html && par.a != atom.Main {
				par.flags |= fRelated
			}
		}
	}
	if e.a == atom.H1 && e.flags&fHidden == 0 {
		p.h1s = append(p.h1s, textRange{start: e.visStart, end: end, flags: e.flags})
	}
	if e.flags&fButton != 0 || e.flags&fCartBtn != 0 {
		p.buttons = append(p.buttons, button{start: e.visStart, end: end, flags: e.flags, label: e.label})
		if e.flags&fCartBtn != 0 && e.flags&fDisabled == 0 && e.flags&(fRelated|fHidden) == 0 && p.firstCart < 0 {
			p.firstCart = e.visStart
		}
	}
	if e.priceKids {
		extendCents(p, e.visStart, end)
	} else if e.flags&(fPriceEl|fHidden|fRelated) == 0 && end-e.visStart <= 24 {
		splitLoose(p, e, end)
	}
	if e.flags&fPriceEl != 0 && e.flags&fHidden == 0 {
		n := len(*stp)
		// A bare number ("499" in a price-whole span) is part of a price, not
		// one: only texts with a currency sign or word, or structured prices,
		// stand on their own and stop the enclosing element's candidate.
		txt := p.vis[e.visStart:end]
		if !e.priceKids && (end-e.visStart <= 160 && hasDigit(txt) && (e.flags&fStructPrice != 0 || hasNonNumeric(txt) || dashWhole(txt)) || e.content != "") {
			p.prices = append(p.prices, priceRange{
				textRange:  textRange{start: e.visStart, end: end, flags: e.flags, desc: e.desc},
				structured: e.flags&fStructPrice != 0,
				content:    e.content,
			})
			if n > 0 {
				(*stp)[n-1].priceKids = true
			}
		} else if e.priceKids && n > 0 {
			(*stp)[n-1].priceKids = true
		}
	} else if e.priceKids {
		if n := len(*stp); n > 0 {
			(*stp)[n-1].priceKids = true
		}
	}
}

// extendCents: cents in their own element after a nested price ("<span
// class=price-dollars>$349</span><span class=price-cents>99</span>",
// "$349</span><sup>.99</sup>") belong to it, and so does a currency sibling
// after decimals that start with their separator ("<span class=int>39</span>
// <span class=dec>,90</span><span class=cur> €</span>"); the price's range
// is widened to take them in.
func extendCents(p *page, start, end int) {
	k := len(p.prices) - 1
	if k < 0 || p.prices[k].start < start || p.prices[k].end > end || p.prices[k].label != "" {
		return
	}
	r := &p.prices[k]
	rest := bytes.TrimSpace(p.vis[r.end:end])
	sep := len(rest) > 0 && (rest[0] == '.' || rest[0] == ',')
	if sep {
		rest = rest[1:]
	}
	if len(rest) < 2 || !isDigit(rest[0]) || !isDigit(rest[1]) {
		return
	}
	if tail := bytes.TrimSpace(rest[2:]); len(tail) > 0 {
		// A decimal sibling that starts with its separator may be followed
		// by a currency sibling ("39</span><span>,90</span><span> €"): a
		// short tail with no digit and no line break.
		if !sep || len(tail) > 12 || hasDigit(tail) || bytes.IndexByte(tail, '\n') >= 0 {
			return
		}
	}
	// The price itself must end in its whole part ("$349", "349 €" is not).
	own := bytes.TrimSpace(p.vis[r.start:r.end])
	if len(own) == 0 || !isDigit(own[len(own)-1]) {
		return
	}
	if i := bytes.LastIndexAny(own, ".,"); i >= 0 && len(own)-i-1 <= 2 {
		return // it has its cents already
	}
	r.end = end
}

// splitLoose records a short element whose text is a price split across
// children with no class to name them ("<span>$</span><span>349</span>
// <span>.</span><span>99</span>") as a loose candidate.
func splitLoose(p *page, e elem, end int) {
	txt := bytes.TrimSpace(p.vis[e.visStart:end])
	if len(txt) < 4 || !hasDigit(txt) || !hasNonNumeric(txt) {
		return
	}
	// Split: the decimal mark in its own element ("$ 349 . 99"), or the
	// amount alone in its child, the sign in another ("￥ 5999.00").
	k := len(p.prices) - 1
	bare := k >= 0 && p.prices[k].start >= e.visStart && p.prices[k].end <= end && p.prices[k].desc == "text" &&
		!hasNonNumeric(p.vis[p.prices[k].start:p.prices[k].end]) && p.prices[k].end-p.prices[k].start < len(txt)
	// Or, inside a price element, cents in their own element after a split
	// whole part ("<span>$</span><span>349</span><sup>99</sup>").
	cents := e.flags&fInPrice != 0 && splitCents(string(txt), fPriceEl) != string(txt)
	if !bare && !cents && joinDecimal(string(txt)) == string(txt) {
		return
	}
	if k := len(p.prices) - 1; k >= 0 && p.prices[k].start >= e.visStart && p.prices[k].end <= end &&
		(bytes.Equal(bytes.TrimSpace(p.vis[p.prices[k].start:p.prices[k].end]), txt) || hasNonNumeric(p.vis[p.prices[k].start:p.prices[k].end])) {
		return // a child already holds it, or a part of it with its sign
	}
	p.prices = append(p.prices, priceRange{textRange: textRange{start: e.visStart, end: end, flags: e.flags, desc: "text"}})
}

// appendVis adds a visible text token to p.vis, collapsing whitespace, and
// keeps short numeric texts as loose price candidates ("<b>$12.48</b>").
func appendVis(p *page, t []byte, fl uint32) {
	t = bytes.TrimSpace(t)
	if len(t) == 0 {
		return
	}
	if len(p.vis) > 0 {
		// A newline marks a block boundary, so that a label is read only
		// within its price's block ("$17.99" then a "Shipping" heading).
		if p.blockBreak {
			p.vis = append(p.vis, '\n')
		} else {
			p.vis = append(p.vis, ' ')
		}
	}
	p.blockBreak = false
	start := len(p.vis)
	p.spans = append(p.spans, textSpan{start: start, flags: fl})
	var seen uint8 // textClass bits of the bytes copied
	// Most texts need no collapsing (single spaces between words): copied
	// in one go.
	simple := true
	for i, c := range t {
		cl := textClass[c]
		seen |= cl
		if cl&clSpace != 0 && (c != ' ' || textClass[t[i+1]]&clSpace != 0) {
			simple = false // (t is trimmed: a space is never last)
			break
		}
	}
	if simple {
		t, p.vis = nil, append(p.vis, t...)
	}
	for len(t) > 0 {
		// Copy up to the next whitespace byte in one go.
		k := 0
		for k < len(t) && textClass[t[k]]&clSpace == 0 {
			seen |= textClass[t[k]]
			k++
		}
		p.vis = append(p.vis, t[:k]...)
		if k == len(t) {
			break
		}
		p.vis = append(p.vis, ' ')
		for k < len(t) && textClass[t[k]]&clSpace != 0 {
			k++
		}
		t = t[k:]
	}
	digit := seen&clDigit != 0
	if digit && fl&(fPriceEl|fRelated|fHidden) == 0 && len(p.vis)-start <= 40 {
		// (Related products' prices are never the answer: not kept.)
		p.prices = append(p.prices, priceRange{textRange: textRange{start: start, end: len(p.vis), flags: fl, desc: "text"}})
	}
}

// textClass classifies bytes for appendVis: HTML whitespace, ASCII digits.
const (
	clSpace uint8 = 1 << iota
	clDigit
)

var textClass = func() (t [256]uint8) {
	for _, c := range []byte(" \t\n\r\f") {
		t[c] = clSpace
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = clDigit
	}
	return t
}()

// skipAttrs: images and other text-less void elements matter only as
// microdata (itemprop=image); their long src/srcset need not be parsed.
func skipAttrs(a atom.Atom, raw []byte) bool {
	switch a {
	case atom.Img, atom.Source, atom.Picture, atom.Br, atom.Hr, atom.Wbr, atom.Col, atom.Track, atom.Area:
		return !bytes.Contains(raw, []byte("itemprop"))
	}
	return false
}

// isBlock: elements that start a new line of text.
func isBlock(a atom.Atom) bool {
	switch a {
	case atom.Div, atom.P, atom.Li, atom.Ul, atom.Ol, atom.Tr, atom.Td, atom.Th, atom.Table, atom.Section, atom.Article,
		atom.Header, atom.Footer, atom.Nav, atom.Aside, atom.Main, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Form, atom.Dl, atom.Dt, atom.Dd, atom.Br, atom.Hr, atom.Button, atom.Fieldset, atom.Figure, atom.Address:
		return true
	}
	return false
}

func isVoid(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input, atom.Link,
		atom.Meta, atom.Param, atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}

// embedKind says whether a script body is a platform embed worth keeping.
func embedKind(txt []byte, isJSON bool) string {
	switch {
	case bytes.Contains(txt, []byte("ShopifyAnalytics")) || bytes.Contains(txt, []byte("var meta = {\"product\"")):
		return "shopify-meta"
	case isJSON && bytes.Contains(txt, []byte("\"variants\"")) && bytes.Contains(txt, []byte("\"price\"")):
		return "shopify-product"
	case bytes.Contains(txt, []byte("var prestashop")) || bytes.Contains(txt, []byte("prestashop = {")):
		return "prestashop"
	case isJSON && bytes.Contains(txt, []byte("priceConfig")) || bytes.Contains(txt, []byte("\"finalPrice\"")):
		return "magento-init"
	}
	return ""
}

// describe renders a short CSS-like location for evidence.
func describe(tag []byte, id, class, itemprop string) string {
	var sb strings.Builder
	sb.Write(tag)
	if id != "" {
		sb.WriteByte('#')
		sb.WriteString(clip(id, 40))
	}
	if f := strings.Fields(class); len(f) > 0 {
		for i, c := range f {
			if i == 2 {
				break
			}
			sb.WriteByte('.')
			sb.WriteString(clip(c, 40))
		}
	}
	if itemprop != "" {
		sb.WriteString("[itemprop=")
		sb.WriteString(clip(itemprop, 20))
		sb.WriteByte(']')
	}
	return sb.String()
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

func hasDigit(b []byte) bool {
	for _, c := range b {
		if c >= '0' && c <= '9' {
			return true
		}
	}
	return false
}

// tagName lower-cases the tag name that starts at raw[from] ("<div" → "div",
// "</SPAN" → "span") into buf.
func tagName(raw []byte, from int, buf []byte) []byte {
	for i := from; i < len(raw); i++ {
		c := raw[i]
		if isAttrSpace(c) || c == '>' || c == '/' && i > from {
			break
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf
}

// hasNonNumeric reports a byte other than digits, spaces and separators.
// dashWhole: a whole amount written with a dash for the cents ("1.299,-",
// "49.-"), a complete price even without a currency sign.
func dashWhole(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) >= 3 && (bytes.HasSuffix(b, []byte(",-")) || bytes.HasSuffix(b, []byte(".-"))) && b[len(b)-3] >= '0' && b[len(b)-3] <= '9'
}

func hasNonNumeric(b []byte) bool {
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9', c == ' ', c == '.', c == ',', c == '\'', c == '-', c == '+':
		default:
			return true
		}
	}
	return false
}

// hasSelectedClass reports a state class of a chosen swatch or chip
// ("selected", "is-selected", "swatch--selected", "is-checked"); "active"
// is too common to count.
func hasSelectedClass(class []byte) bool {
	if !bytes.Contains(class, []byte("selected")) && !bytes.Contains(class, []byte("checked")) {
		return false
	}
	for _, f := range bytes.Fields(class) {
		if bytes.Equal(f, []byte("selected")) || bytes.HasSuffix(f, []byte("-selected")) || bytes.HasSuffix(f, []byte("_selected")) ||
			bytes.HasSuffix(f, []byte("--checked")) || bytes.Equal(f, []byte("is-checked")) {
			return true
		}
	}
	return false
}
