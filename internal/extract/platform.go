package extract

import (
	"bytes"
	"encoding/json"
	"math/big"
	"strings"
)

// fromPlatform reads the embeds of common store platforms: Shopify's
// analytics meta and product JSON (prices in cents), WooCommerce's variation
// JSON, Magento's price-box data attributes and PrestaShop's JS globals.
// variant is the page URL's ?variant= value (Shopify's selected variant id), or "".
func fromPlatform(p *page, pr *pricer, variant string) (facts, bool) {
	f := facts{strategy: SourcePlatform, avail: Unknown}
	for _, e := range p.embeds {
		switch e.kind {
		case "shopify-product":
			if f.amount == "" {
				shopifyProduct(&f, e.data, variant)
			}
		case "shopify-meta":
			if f.currency == "" {
				f.currency = jsCurrency(e.data)
			}
			if f.amount == "" {
				if i := bytes.Index(e.data, []byte("var meta = ")); i >= 0 {
					var m struct {
						Product struct {
							Vendor   string `json:"vendor"`
							Variants []struct {
								Price json.Number `json:"price"`
								SKU   string      `json:"sku"`
							} `json:"variants"`
						} `json:"product"`
					}
					if json.NewDecoder(bytes.NewReader(e.data[i+len("var meta = "):])).Decode(&m) == nil && len(m.Product.Variants) > 0 {
						f.amount = cents(m.Product.Variants[0].Price.String())
						f.sku = m.Product.Variants[0].SKU
						f.brand = m.Product.Vendor
						f.where = "script ShopifyAnalytics meta (cents)"
					}
				}
			}
		case "woo-variations":
			if f.amount == "" {
				wooVariations(&f, e.data, pr, p.chosen)
			}
		case "prestashop", "magento-init":
			if f.currency == "" {
				f.currency = jsCurrency(e.data)
			}
		}
	}
	if f.amount == "" {
		// Magento price boxes: the first finalPrice outside related blocks.
		for _, d := range p.dataPrice {
			if d.flags&(fRelated|fHidden) != 0 {
				continue
			}
			t := strings.ToLower(d.typ)
			if t == "finalprice" || t == "" {
				if a := pr.structAmount(d.amount, ""); a != "" {
					f.amount, f.rawPrice, f.where = a, d.amount, "[data-price-type="+d.typ+"][data-price-amount]"
					break
				}
			}
		}
		for _, d := range p.dataPrice {
			if d.flags&(fRelated|fHidden) == 0 && strings.EqualFold(d.typ, "oldPrice") {
				f.list = pr.structAmount(d.amount, "")
				break
			}
		}
	}
	return f, f.amount != "" || f.currency != ""
}

func shopifyProduct(f *facts, data []byte, variant string) {
	var m struct {
		Title     string `json:"title"`
		Vendor    string `json:"vendor"`
		Available *bool  `json:"available"`
		Variants  []struct {
			ID        json.RawMessage `json:"id"`
			Price     json.RawMessage `json:"price"`
			Available *bool           `json:"available"`
			SKU       string          `json:"sku"`
			Barcode   string          `json:"barcode"`
			Title     string          `json:"title"`
		} `json:"variants"`
		Product json.RawMessage `json:"product"`
	}
	if json.Unmarshal(bytes.TrimSpace(data), &m) != nil {
		return
	}
	if len(m.Variants) == 0 && len(m.Product) > 0 {
		shopifyProduct(f, m.Product, variant)
		return
	}
	if len(m.Variants) == 0 {
		return
	}
	f.title = m.Title
	f.brand = m.Vendor
	pick := 0
	for i, v := range m.Variants {
		if v.Available != nil && *v.Available {
			pick = i
			break
		}
	}
	// The page URL selects a variant (?variant=123): the page shows its price.
	for i, v := range m.Variants {
		if variant != "" && strings.Trim(string(v.ID), `"`) == variant {
			pick = i
			break
		}
	}
	v := m.Variants[pick]
	raw := strings.Trim(string(v.Price), `"`)
	if strings.Contains(raw, ".") {
		f.amount, _ = plainDecimal(raw) // the .json endpoint form: "173000.00"
	} else {
		f.amount = cents(raw) // Liquid's `| json`: integer cents
	}
	f.rawPrice = raw
	f.sku, f.gtin = v.SKU, v.Barcode
	f.where = "script[type=application/json] Shopify product"
	avail := m.Available
	if avail == nil {
		avail = v.Available
	}
	if avail != nil {
		if *avail {
			f.avail = InStock
		} else {
			f.avail = OutOfStock
		}
	}
	for _, v := range m.Variants {
		va := Unknown
		if v.Available != nil {
			va = OutOfStock
			if *v.Available {
				va = InStock
			}
		}
		r := strings.Trim(string(v.Price), `"`)
		amt := cents(r)
		if strings.Contains(r, ".") {
			amt, _ = plainDecimal(r)
		}
		f.variants = append(f.variants, Variant{Name: v.Title, SKU: v.SKU, Price: amt, Availability: va})
	}
}

func wooVariations(f *facts, data []byte, pr *pricer, chosen []mdProp) {
	var vs []struct {
		Attributes          map[string]string `json:"attributes"`
		DisplayPrice        json.Number       `json:"display_price"`
		DisplayRegularPrice json.Number       `json:"display_regular_price"`
		IsInStock           *bool             `json:"is_in_stock"`
		SKU                 string            `json:"sku"`
		Backorders          *bool             `json:"backorders_allowed"`
	}
	if json.Unmarshal(data, &vs) != nil || len(vs) == 0 {
		return
	}
	// Until the shopper picks a variation the page shows the price range;
	// its start is the price of the cheapest in-stock variation.
	best := ""
	anyIn := false
	for _, v := range vs {
		a := pr.structAmount(v.DisplayPrice.String(), "")
		in := v.IsInStock == nil || *v.IsInStock
		anyIn = anyIn || in
		if a == "" || !in {
			continue
		}
		if best == "" || decLess(a, best) {
			best = a
		}
		f.variants = append(f.variants, Variant{SKU: v.SKU, Price: a, Availability: InStock})
	}
	f.amount, f.low, f.where = best, true, "form.variations_form[data-product_variations]"
	// Default attributes preselect a variation: the page shows its price.
	if len(chosen) > 0 {
		for _, v := range vs {
			if !wooMatches(v.Attributes, chosen) {
				continue
			}
			if a := pr.structAmount(v.DisplayPrice.String(), ""); a != "" {
				f.amount, f.low, f.selected, f.where = a, false, true, "form.variations_form[data-product_variations] (preselected variation)"
				if v.IsInStock != nil && !*v.IsInStock {
					f.avail = OutOfStock
					return
				}
			}
			break
		}
	}
	if anyIn {
		f.avail = InStock
	} else {
		f.avail = OutOfStock
	}
}

// wooMatches reports a variation whose attributes agree with every
// preselected one ("" in a variation means any value).
func wooMatches(attrs map[string]string, chosen []mdProp) bool {
	if len(attrs) == 0 {
		return false
	}
	n := 0
	for _, c := range chosen {
		v, ok := attrs[c.name]
		if !ok {
			continue
		}
		if v != "" && !strings.EqualFold(v, c.value) {
			return false
		}
		n++
	}
	return n > 0
}

// cents turns an integer count of cents into a decimal string.
func cents(s string) string {
	s = strings.TrimSpace(s)
	if len(s) == 0 || len(s) > 15 || strings.Trim(s, "0123456789") != "" {
		return ""
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || r.Sign() <= 0 {
		return ""
	}
	r.Quo(r, big.NewRat(100, 1))
	out := r.FloatString(2)
	return out
}

// jsCurrency finds an ISO currency code in a platform JS blob
// ("currency":{"iso_code":"TND"…}, Shopify.currency = {"active":"COP"}, "currency":"EUR").
func jsCurrency(b []byte) string {
	for _, k := range []string{`"iso_code":"`, `"active":"`, `"currencyCode":"`, `"currency":"`, `"currency_code":"`} {
		i := bytes.Index(b, []byte(k))
		if i < 0 {
			continue
		}
		rest := b[i+len(k):]
		if len(rest) >= 4 && rest[3] == '"' && isUpperAlpha(rest[:3]) {
			return string(rest[:3])
		}
	}
	return ""
}

func isUpperAlpha(b []byte) bool {
	for _, c := range b {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// decLess compares two canonical decimals numerically.
func decLess(a, b string) bool {
	if len(a) > 40 || len(b) > 40 {
		return false
	}
	ra, ok1 := new(big.Rat).SetString(a)
	rb, ok2 := new(big.Rat).SetString(b)
	return ok1 && ok2 && ra.Cmp(rb) < 0
}

// decEqual compares two decimals numerically ("2640.00" == "2640").
func decEqual(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) > 40 || len(b) > 40 {
		return false
	}
	ra, ok1 := new(big.Rat).SetString(a)
	rb, ok2 := new(big.Rat).SetString(b)
	return ok1 && ok2 && ra.Cmp(rb) == 0
}
