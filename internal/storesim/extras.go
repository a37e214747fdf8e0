package storesim

import (
	"encoding/json"
	"strconv"
	"strings"
)

// parts splits a formatted amount the way split-digit price widgets show it:
// symbol, whole part with grouping, decimal separator, fraction ("" when the
// price is shown without minor units).
func (c *currency) parts(minor int64) (whole, frac string) {
	var b strings.Builder
	sc := c.scale()
	c.groupDigits(&b, strconv.FormatInt(minor/sc, 10))
	if c.digits > 0 && (minor%sc != 0 || !c.whole) {
		frac = strconv.FormatInt(minor%sc+sc, 10)[1:]
	}
	return b.String(), frac
}

// writeSplitPrice renders an Amazon-like buy box: the full price once for
// screen readers, then symbol, whole and fraction in separate elements.
func writeSplitPrice(p *page, it *item, c *currency, attr string) {
	whole, frac := c.parts(it.price)
	p.s("<div id=\"corePrice\" class=\"a-section\"><span class=\"a-price priceToPay\"", attr, "><span class=\"a-offscreen\">", c.format(it.price), "</span><span aria-hidden=\"true\">")
	if c.prefix != "" {
		p.s("<span class=\"a-price-symbol\">", c.prefix, "</span>")
	}
	p.s("<span class=\"a-price-whole\">", whole)
	if frac != "" {
		p.s("<span class=\"a-price-decimal\">", c.decimal, "</span></span><span class=\"a-price-fraction\">", frac, "</span>")
	} else {
		p.s("</span>")
	}
	if c.suffix != "" {
		p.s("<span class=\"a-price-symbol\">", c.suffix, "</span>")
	}
	p.s("</span></span>")
	if it.list > it.price {
		pct := strconv.FormatInt(100-it.price*100/it.list, 10)
		p.s(" <span class=\"savingsPercentage\">-", pct, "%</span><div class=\"basisPrice\">List Price: <span class=\"a-price a-text-price\"><span class=\"a-offscreen\">",
			c.format(it.list), "</span><span aria-hidden=\"true\">", c.format(it.list), "</span></span></div>")
	}
	p.s("</div>")
}

// shopifyCents is a price as Shopify's Liquid writes it: the amount times
// 100, whatever the currency's minor units.
func shopifyCents(c *currency, minor int64) string {
	for d := c.digits; d < 2; d++ {
		minor *= 10
	}
	return strconv.FormatInt(minor, 10)
}

func writeShopifyMeta(p *page, it *item, c *currency) {
	name, _ := json.Marshal(it.title)
	vendor, _ := json.Marshal(it.brand)
	p.s("<script>window.ShopifyAnalytics = window.ShopifyAnalytics || {}; window.ShopifyAnalytics.meta = {\"currency\":\"", c.code, "\"};\n",
		"var meta = {\"product\":{\"id\":", itoa(it.id), ",\"vendor\":", string(vendor), ",\"type\":\"", categoryNames[it.category], "\",\"variants\":[{\"id\":",
		itoa(it.id*10+1), ",\"price\":", shopifyCents(c, it.price), ",\"name\":", string(name), ",\"public_title\":null,\"sku\":\"", it.sku, "\"}]},\"page\":{\"pageType\":\"product\",\"resourceType\":\"product\",\"resourceId\":", itoa(it.id), "}};</script>")
}

func writeShopifyProduct(p *page, it *item, c *currency) {
	name, _ := json.Marshal(it.title)
	vendor, _ := json.Marshal(it.brand)
	avail := strconv.FormatBool(it.avail != OutOfStock)
	compare := "null"
	if it.list > it.price {
		compare = shopifyCents(c, it.list)
	}
	p.s("<script type=\"application/json\" data-product-json>{\"id\":", itoa(it.id), ",\"title\":", string(name), ",\"handle\":\"", itoa(it.id), "-", it.slug,
		"\",\"vendor\":", string(vendor), ",\"available\":", avail, ",\"variants\":[{\"id\":", itoa(it.id*10+1), ",\"title\":\"Default Title\",\"price\":",
		shopifyCents(c, it.price), ",\"compare_at_price\":", compare, ",\"available\":", avail, ",\"sku\":\"", it.sku, "\",\"barcode\":\"", strconv.Itoa(4000000000000+it.id), "\"}]}</script>")
}

// related returns three other products for structured recommendations,
// with amounts in the page's currency that are not the product's price.
func (st *Store) related(it *item, c *currency) [3]struct {
	id          int
	title, slug string
	price       int64
} {
	var out [3]struct {
		id          int
		title, slug string
		price       int64
	}
	st.mu.RLock()
	n := len(st.items)
	for i := range out {
		o := &st.items[(it.id+i*7)%n]
		out[i].id, out[i].title, out[i].slug = o.id, o.title, o.slug
	}
	st.mu.RUnlock()
	for i := range out {
		p := roundPrice(c, it.price*int64(40+i*45)/100)
		if p == it.price {
			p += c.scale()
		}
		out[i].price = p
	}
	return out
}

// writeRelatedList puts an ItemList of other products, with their offers,
// before the page's own structured data, as some recommendation widgets do.
func (st *Store) writeRelatedList(p *page, it *item, c *currency, origin string) {
	p.s("<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\",\"@type\":\"ItemList\",\"name\":\"Customers also bought\",\"itemListElement\":[")
	for i, r := range st.related(it, c) {
		if i > 0 {
			p.s(",")
		}
		name, _ := json.Marshal(r.title)
		p.s("{\"@type\":\"ListItem\",\"position\":", itoa(i+1), ",\"item\":{\"@type\":\"Product\",\"name\":", string(name), ",\"url\":\"", origin, "/p/", itoa(r.id), "-", r.slug,
			"\",\"offers\":{\"@type\":\"Offer\",\"price\":\"", c.decimalString(r.price), "\",\"priceCurrency\":\"", c.code, "\",\"availability\":\"https://schema.org/InStock\"}}}")
	}
	p.s("]}</script>")
}

// writeAppState writes the per-page state a single-page front end boots
// from: the product and its recommendations, amounts in minor units.
func (st *Store) writeAppState(p *page, it *item, c *currency) {
	name, _ := json.Marshal(it.title)
	p.s("<script id=\"__PAGE_STATE__\" type=\"application/json\">{\"page\":\"product\",\"product\":{\"id\":", itoa(it.id), ",\"name\":", string(name),
		",\"price\":{\"amount\":", strconv.FormatInt(it.price, 10), ",\"currency\":\"", c.code, "\",\"minorUnits\":", itoa(c.digits), "},\"stock\":\"", string(it.avail), "\"},\"recommendations\":[")
	for i, r := range st.related(it, c) {
		if i > 0 {
			p.s(",")
		}
		p.s("{\"id\":", itoa(r.id), ",\"price\":", strconv.FormatInt(r.price, 10), "}")
	}
	p.s("]}</script>\n")
}
