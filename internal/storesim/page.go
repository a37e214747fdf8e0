package storesim

import (
	"bytes"
	"encoding/json"
	"html"
	"strconv"
	"strings"
)

// Layout is how a page carries its price: which structured data it has, and
// where. Every layout also shows the price and stock to the shopper.
type Layout string

// The layouts. DefaultLayouts is the mix New uses when Options.Layouts is
// empty.
const (
	LayoutJSONLD    Layout = "jsonld"     // JSON-LD Product/Offer in <head>
	LayoutJSONLDEnd Layout = "jsonld-end" // JSON-LD @graph (breadcrumbs + Product, offers array) at the end of <body>
	LayoutMicrodata Layout = "microdata"  // schema.org microdata only
	LayoutOpenGraph Layout = "opengraph"  // product:price:* meta tags only
	LayoutVisible   Layout = "visible"    // no structured data: only what a shopper sees
	LayoutShopify   Layout = "shopify"    // Shopify's analytics meta and product JSON (prices in cents), no schema.org
)

// AllLayouts lists every layout the simulator can render.
func AllLayouts() []Layout {
	return []Layout{LayoutJSONLD, LayoutJSONLDEnd, LayoutMicrodata, LayoutOpenGraph, LayoutVisible, LayoutShopify}
}

// DefaultLayouts is the mix of layouts the project's extractor reads
// correctly, which is all of them (TestExtractRoundTrip checks it). A layout
// it misreads belongs here only once it is fixed.
func DefaultLayouts() []Layout { return AllLayouts() }

func (l Layout) valid() bool {
	for _, v := range AllLayouts() {
		if v == l {
			return true
		}
	}
	return false
}

// priceTheme is the markup family of the buy box (Shopify-like,
// Magento-like, a custom one, Amazon-like split digits); it is independent of
// the layout.
func (it *item) priceTheme() int { return int(it.pick[pickTheme]) % 4 }

// Optional page parts, chosen per product.
const (
	extraStickyBar        = 1 << iota // a sticky bar repeating title, price and cart button
	extraRelatedList                  // JSON-LD ItemList of other products (with prices) before the product's
	extraAppState                     // per-page app-state JSON with the product and recommendations (minor units)
	extraNumericPrice                 // JSON-LD "price" as a number, not a string
	extraInlineMicroprice             // microdata price on the shown price element, not a <meta>
)

func (it *item) extra(bit uint8) bool { return it.pick[pickExtras]&bit != 0 }

// page is one response body as a list of segments: static ones are chunks
// of the store's chrome, dynamic ones are ranges of buf.
type page struct {
	buf    bytes.Buffer
	chunks []*chunk // per segment; nil for a dynamic one
	marks  []int    // buf offsets where dynamic segments end
	segs   [][]byte // the body, filled by finish
	gz     [][]byte // the gzip body, filled by gzipSegs
	gzHead []byte   // per-request gzip framing: stored-block headers, trailer
}

func (p *page) reset() {
	p.buf.Reset()
	p.chunks = p.chunks[:0]
	p.marks = p.marks[:0]
	p.segs = p.segs[:0]
	p.gz = p.gz[:0]
	p.gzHead = p.gzHead[:0]
}

// static appends a chrome chunk after the dynamic text written so far.
func (p *page) static(c *chunk) {
	p.cut()
	p.chunks = append(p.chunks, c)
}

// cut closes the dynamic text written since the last segment. Dynamic
// segments are resolved into buf slices only in finish, since buf may grow
// meanwhile.
func (p *page) cut() {
	start := 0
	if n := len(p.marks); n > 0 {
		start = p.marks[n-1]
	}
	if p.buf.Len() > start {
		p.marks = append(p.marks, p.buf.Len())
		p.chunks = append(p.chunks, nil)
	}
}

// finish resolves the segments and returns the body's length.
func (p *page) finish() (size int) {
	p.cut()
	b := p.buf.Bytes()
	start, m := 0, 0
	for _, c := range p.chunks {
		seg := []byte(nil)
		if c == nil {
			seg = b[start:p.marks[m]]
			start = p.marks[m]
			m++
		} else {
			seg = c.raw
		}
		p.segs = append(p.segs, seg)
		size += len(seg)
	}
	return size
}

func (p *page) s(parts ...string) {
	for _, x := range parts {
		p.buf.WriteString(x)
	}
}

// render lays out the page of it for a request to origin
// ("http://127.0.0.2:8080"). The chrome is shared; only the head, buy box and
// structured data are written per request.
func (st *Store) render(p *page, it *item, origin string) {
	c := &currencies[it.cur]
	ph := phraseTable[c.lang]
	ch := st.chrome
	url := origin + "/p/" + itoa(it.id) + "-" + it.slug
	title := html.EscapeString(it.title)
	img := origin + "/img/" + itoa(it.id) + "/1.webp"
	priceDec := c.decimalString(it.price)

	p.s("<!doctype html>\n<html lang=\"", c.locale, "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">",
		"<title>", title, " | ", ch.storeName, "</title>",
		"<meta name=\"description\" content=\"Buy ", title, " from ", it.brand, ". Free returns within 30 days.\">",
		"<link rel=\"canonical\" href=\"", url, "\">",
		"<meta property=\"og:type\" content=\"product\"><meta property=\"og:site_name\" content=\"", ch.storeName, "\">",
		"<meta property=\"og:title\" content=\"", title, "\"><meta property=\"og:url\" content=\"", url, "\">",
		"<meta property=\"og:image\" content=\"", img, "\"><meta property=\"og:locale\" content=\"", strings.ReplaceAll(c.locale, "-", "_"), "\">",
		"<link rel=\"preload\" as=\"image\" href=\"", img, "\">")
	if it.layout == LayoutOpenGraph {
		p.s("<meta property=\"product:price:amount\" content=\"", priceDec, "\"><meta property=\"product:price:currency\" content=\"", c.code, "\">",
			"<meta property=\"product:availability\" content=\"", ogAvailability(it.avail), "\"><meta property=\"product:brand\" content=\"", html.EscapeString(it.brand), "\">")
	}
	if it.layout == LayoutShopify {
		writeShopifyMeta(p, it, c)
	}
	if it.extra(extraRelatedList) {
		st.writeRelatedList(p, it, c, origin)
	}
	if it.layout == LayoutJSONLD {
		p.s("<script type=\"application/ld+json\">")
		writeProductJSON(&p.buf, it, url, img, false)
		p.s("</script>")
	}
	p.static(ch.css)
	p.s("</head><body class=\"template-product layout-", string(it.layout), "\">")
	p.static(pickOf(ch.sprites, it.pick[pickSprite]))
	p.static(pickOf(ch.navs, it.pick[pickNav]))
	st.renderMain(p, it, c, &ph, title, url)
	if it.extra(extraStickyBar) {
		p.s("<div class=\"sticky-atc\" data-sticky><span class=\"sticky-atc__title\">", title, "</span> <span class=\"sticky-atc__price\">", c.format(it.price), "</span> ")
		writeCartButton(p, it, &ph)
		p.s("</div>\n")
	}
	p.static(pickOf(ch.descs[it.category], it.pick[pickDesc]))
	p.static(pickOf(ch.reviews, it.pick[pickReviews]))
	p.static(pickOf(ch.carousels[it.cur], it.pick[pickCarousel]))
	p.static(pickOf(ch.scripts, it.pick[pickScripts]))
	if it.extra(extraAppState) {
		st.writeAppState(p, it, c)
	}
	p.static(ch.footers[it.cur])
	if it.layout == LayoutJSONLDEnd {
		p.s("<script type=\"application/ld+json\">")
		writeProductJSON(&p.buf, it, url, img, true)
		p.s("</script>\n")
	}
	p.s("</body></html>\n")
}

func (st *Store) renderMain(p *page, it *item, c *currency, ph *phrases, title, url string) {
	micro := it.layout == LayoutMicrodata
	cat := categoryNames[it.category]
	p.s("<main id=\"MainContent\">")
	if micro {
		p.s("<nav class=\"breadcrumbs\" aria-label=\"Breadcrumb\"><ol itemscope itemtype=\"https://schema.org/BreadcrumbList\">",
			"<li itemprop=\"itemListElement\" itemscope itemtype=\"https://schema.org/ListItem\"><a itemprop=\"item\" href=\"/\"><span itemprop=\"name\">", ph.home, "</span></a><meta itemprop=\"position\" content=\"1\"></li>",
			"<li itemprop=\"itemListElement\" itemscope itemtype=\"https://schema.org/ListItem\"><a itemprop=\"item\" href=\"/c/", slugify(cat), "\"><span itemprop=\"name\">", cat, "</span></a><meta itemprop=\"position\" content=\"2\"></li>",
			"</ol></nav><div class=\"product-main\" itemscope itemtype=\"https://schema.org/Product\">")
	} else {
		p.s("<nav class=\"breadcrumbs\" aria-label=\"Breadcrumb\"><ol><li><a href=\"/\">", ph.home, "</a></li><li><a href=\"/c/", slugify(cat), "\">", cat,
			"</a></li><li aria-current=\"page\">", title, "</li></ol></nav><div class=\"product-main\">")
	}
	p.s("<div class=\"product-gallery\">")
	n := 3 + int(it.pick[pickDesc])%5
	for i := 1; i <= n; i++ {
		ix := itoa(i)
		if i == 1 && micro {
			p.s("<img itemprop=\"image\" src=\"/img/", itoa(it.id), "/", ix, ".webp\" alt=\"", title, "\" width=\"800\" height=\"800\">")
			continue
		}
		p.s("<img src=\"/img/", itoa(it.id), "/", ix, ".webp\" alt=\"", title, " – view ", ix, "\" width=\"800\" height=\"800\" loading=\"lazy\">")
	}
	p.s("</div><div class=\"product-info\">")
	if micro {
		p.s("<p class=\"product-vendor\" itemprop=\"brand\" itemscope itemtype=\"https://schema.org/Brand\"><span itemprop=\"name\">", html.EscapeString(it.brand), "</span></p>",
			"<h1 class=\"product-title\" itemprop=\"name\">", title, "</h1><meta itemprop=\"sku\" content=\"", it.sku, "\">")
	} else {
		p.s("<p class=\"product-vendor\">", html.EscapeString(it.brand), "</p><h1 class=\"product-title\">", title, "</h1>")
	}
	p.s("<div class=\"rating-summary\"><span class=\"stars\" aria-label=\"", itoa(it.rating/10), ".", itoa(it.rating%10), " out of 5 stars\">",
		strings.Repeat("★", it.rating/10), strings.Repeat("☆", 5-it.rating/10), "</span> <a href=\"#reviews\">", groupInt(it.reviews), " reviews</a> · SKU ", it.sku, "</div>")
	priceAttr := ""
	if micro {
		p.s("<div class=\"product-offer\" itemprop=\"offers\" itemscope itemtype=\"https://schema.org/Offer\">")
		if it.extra(extraInlineMicroprice) {
			priceAttr = " itemprop=\"price\" content=\"" + c.decimalString(it.price) + "\""
		} else {
			p.s("<meta itemprop=\"price\" content=\"", c.decimalString(it.price), "\">")
		}
		p.s("<meta itemprop=\"priceCurrency\" content=\"", c.code, "\"><link itemprop=\"availability\" href=\"", it.avail.schemaURL(), "\"><link itemprop=\"url\" href=\"", url, "\">")
	}
	writePriceBox(p, it, c, ph, priceAttr)
	writeStock(p, it, ph)
	if it.layout == LayoutShopify {
		writeShopifyProduct(p, it, c)
	}
	if micro {
		p.s("</div>")
	}
	p.s("<ul class=\"product-highlights\"><li>", itoa(1+it.id%5), "-year warranty</li><li>Free returns within 30 days</li><li>Ships from our warehouse in ", itoa(1+it.id%3), "–", itoa(3+it.id%3), " days</li></ul>",
		"</div></div></main>\n")
}

// writePriceBox renders the buy-box price; attr goes on the element showing
// the price to pay (microdata).
func writePriceBox(p *page, it *item, c *currency, ph *phrases, attr string) {
	now := c.format(it.price)
	sale := it.list > it.price
	switch it.priceTheme() {
	case 0:
		if sale {
			p.s("<div class=\"product__price price--on-sale\"><span class=\"visually-hidden\">Sale price</span><span class=\"price-item price-item--sale\"", attr, ">", now,
				"</span> <span class=\"visually-hidden\">Regular price</span><s class=\"price-item price-item--regular\">", c.format(it.list), "</s></div>")
		} else {
			p.s("<div class=\"product__price\"><span class=\"price-item price-item--regular\"", attr, ">", now, "</span></div>")
		}
	case 1:
		if sale {
			p.s("<div class=\"price-box\"><span class=\"special-price\"><span class=\"price-label\">Special Price</span> <span class=\"price\"", attr, ">", now,
				"</span></span> <span class=\"old-price\"><span class=\"price-label\">Regular Price</span> <span class=\"price\">", c.format(it.list), "</span></span></div>")
		} else {
			p.s("<div class=\"price-box\"><span class=\"price\"", attr, ">", now, "</span></div>")
		}
	case 3:
		writeSplitPrice(p, it, c, attr)
	default:
		if sale {
			p.s("<div class=\"pdp-price\"><span class=\"pdp-price__now\"", attr, ">", now, "</span> <span class=\"pdp-price__was\">", ph.was, " <del>", c.format(it.list),
				"</del></span> <span class=\"pdp-price__save\">You save ", c.format(it.list-it.price), "</span></div>")
		} else {
			p.s("<div class=\"pdp-price\"><span class=\"pdp-price__now\"", attr, ">", now, "</span></div>")
		}
	}
	switch it.decoy {
	case decoyUnit:
		p.s("<p class=\"price-per-unit\">", c.format(max(it.price*100/it.unitQty, 1)), " ", ph.perUnit, "</p>")
	case decoyInstalment:
		p.s("<p class=\"instalments\">", ph.instalment, " ", c.format((it.price+3)/4), " with Klarna</p>")
	}
}

func writeStock(p *page, it *item, ph *phrases) {
	p.s("<p class=\"product-stock product-stock--", string(it.avail), "\">", ph.stock[it.avail], "</p><form class=\"product-form\" action=\"/cart/add\" method=\"post\"><input type=\"hidden\" name=\"id\" value=\"", itoa(it.id), "\">")
	writeCartButton(p, it, ph)
	p.s("</form>")
}

func writeCartButton(p *page, it *item, ph *phrases) {
	switch it.avail {
	case OutOfStock:
		p.s("<button type=\"button\" class=\"btn product-form__notify\" disabled>", ph.soldOutBtn, "</button>")
	case PreOrder:
		p.s("<button type=\"submit\" class=\"btn btn--primary product-form__submit\">", ph.preorderBtn, "</button>")
	default:
		p.s("<button type=\"submit\" class=\"btn btn--primary product-form__submit\">", ph.addToCart, "</button>")
	}
}

func ogAvailability(a Availability) string {
	switch a {
	case OutOfStock:
		return "out of stock"
	case PreOrder:
		return "preorder"
	case BackOrder:
		return "backorder"
	}
	return "in stock"
}

// writeProductJSON writes schema.org Product data. graph wraps it in an
// @graph with a BreadcrumbList and gives offers as an array, as several
// platforms do.
func writeProductJSON(b *bytes.Buffer, it *item, url, img string, graph bool) {
	c := &currencies[it.cur]
	name, _ := json.Marshal(it.title)
	brand, _ := json.Marshal(it.brand)
	if graph {
		b.WriteString(`{"@context":"https://schema.org","@graph":[{"@type":"BreadcrumbList","itemListElement":[{"@type":"ListItem","position":1,"name":"Home","item":"/"},{"@type":"ListItem","position":2,"name":"`)
		b.WriteString(categoryNames[it.category])
		b.WriteString(`"}]},{`)
	} else {
		b.WriteString(`{"@context":"https://schema.org",`)
	}
	b.WriteString(`"@type":"Product","name":`)
	b.Write(name)
	b.WriteString(`,"sku":"` + it.sku + `","brand":{"@type":"Brand","name":`)
	b.Write(brand)
	b.WriteString(`},"image":["` + img + `"],"aggregateRating":{"@type":"AggregateRating","ratingValue":"` + itoa(it.rating/10) + "." + itoa(it.rating%10) + `","reviewCount":` + itoa(it.reviews) + `},"offers":`)
	if graph {
		b.WriteByte('[')
	}
	price := `"` + c.decimalString(it.price) + `"`
	if it.extra(extraNumericPrice) {
		price = c.decimalString(it.price)
	}
	b.WriteString(`{"@type":"Offer","url":"` + url + `","price":` + price + `,"priceCurrency":"` + c.code +
		`","availability":"` + it.avail.schemaURL() + `","itemCondition":"https://schema.org/NewCondition","priceValidUntil":"2026-12-31"`)
	b.WriteString(`,"seller":{"@type":"Organization","name":"Shelfwatch Store Simulator"}}`)
	if graph {
		b.WriteString("]}]")
	}
	b.WriteString("}")
}

func groupInt(n int) string {
	s := strconv.Itoa(n)
	if len(s) <= 3 {
		return s
	}
	return s[:len(s)-3] + "," + s[len(s)-3:]
}
