package extract

import (
	"strings"

	"github.com/shelfwatch/shelfwatch/internal/price"
)

// metaValue returns the first meta tag content for any of the keys.
func (p *page) metaValue(keys ...string) string {
	for _, k := range keys {
		for _, m := range p.metas {
			if m.key == k {
				if v := strings.TrimSpace(m.content); v != "" {
					return v
				}
			}
		}
	}
	return ""
}

// fromMeta reads OpenGraph, product: and twitter: meta tags.
func fromMeta(p *page, pr *pricer) (facts, bool) {
	f := facts{strategy: SourceMeta}
	f.title = cleanText(p.metaValue("og:title", "twitter:title"))
	f.image = p.metaValue("og:image", "og:image:secure_url", "og:image:url", "twitter:image", "twitter:image:src")
	f.brand = cleanText(p.metaValue("product:brand", "og:brand"))
	f.sku = p.metaValue("product:retailer_item_id", "product:sku")
	f.gtin = p.metaValue("product:gtin", "product:ean", "product:upc", "product:isbn")
	f.url = p.metaValue("og:url")
	cur := pr.currency(p.metaValue("product:price:currency", "og:price:currency", "product:sale_price:currency"))
	raw := p.metaValue("product:sale_price:amount", "og:sale_price:amount")
	where := "meta[property=product:sale_price:amount]"
	if raw == "" {
		raw = p.metaValue("product:price:amount", "og:price:amount", "product:price", "og:price")
		where = "meta[property=product:price:amount]"
	}
	if raw == "" {
		// twitter:label1 "Price" + twitter:data1 "$12.99"
		for i := 1; i <= 4; i++ {
			n := string(rune('0' + i))
			if strings.Contains(strings.ToLower(p.metaValue("twitter:label"+n)), "pri") {
				raw = p.metaValue("twitter:data" + n)
				where = "meta[name=twitter:data" + n + "]"
				break
			}
		}
	}
	if raw != "" {
		f.rawPrice = raw
		f.where = where
		f.amount = metaAmount(raw, cur, pr)
		if f.amount != "" && cur == "" {
			if pp, ok := pr.text(raw, ""); ok {
				cur = pp.Currency
			}
		}
	}
	f.currency = cur
	if a := p.metaValue("product:availability", "og:availability", "product:stock"); a != "" {
		f.avail, _ = parseAvailability(a)
	}
	if f.avail == "" {
		f.avail = Unknown
	}
	if l := p.metaValue("product:original_price:amount", "og:original_price:amount"); l != "" {
		f.list = metaAmount(l, cur, pr)
	}
	return f, f.amount != "" || f.title != ""
}

// metaAmount reads a meta price. Meta values are written by themes, not to
// schema.org's rules ("173.000" for 173,000 pesos, "48,00"), so the price
// parser with the currency hint reads them first.
func metaAmount(raw, cur string, pr *pricer) string {
	h := pr.hints
	if cur != "" {
		h.Currency = cur
	}
	if p, err := price.Parse(raw, h); err == nil && p.Amount != "" && !isZero(p.Amount) {
		return p.Amount
	}
	if a, ok := plainDecimal(raw); ok && !isZero(a) {
		return a
	}
	return ""
}
