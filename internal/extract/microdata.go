package extract

import "strings"

// fromMicrodata reads the page's main microdata Product (itemscope with a
// Product itemtype, not inside a related-products region) and its offers.
func fromMicrodata(items []mdItem, pr *pricer) (facts, bool) {
	main := -1
	for i, it := range items {
		if !isProductType(it.typ) || it.flags&(fRelated|fHidden) != 0 {
			continue
		}
		if it.parent >= 0 && it.parent < len(items) && isProductType(items[it.parent].typ) {
			continue // a nested product: variant, accessory or isRelatedTo
		}
		main = i
		break
	}
	if main < 0 {
		return facts{}, false
	}
	it := items[main]
	f := facts{strategy: SourceMicrodata, where: "[itemtype=" + shortType(it.typ) + "]"}
	f.title = cleanText(prop(it, "name"))
	f.brand = cleanText(prop(it, "brand"))
	f.sku = prop(it, "sku")
	f.mpn = prop(it, "mpn")
	f.image = prop(it, "image")
	f.url = prop(it, "url")
	for _, k := range []string{"gtin13", "gtin", "gtin12", "gtin14", "gtin8", "isbn"} {
		if f.gtin = prop(it, k); f.gtin != "" {
			break
		}
	}
	// Children of the main item: brand objects and offers.
	var offers []any
	direct := map[string]any{}
	if p := prop(it, "price"); p != "" {
		direct["price"] = p
		direct["priceCurrency"] = prop(it, "priceCurrency")
		direct["availability"] = prop(it, "availability")
		offers = append(offers, direct)
	} else if a := prop(it, "availability"); a != "" {
		direct["availability"] = a
		offers = append(offers, direct)
	}
	for i := range items {
		c := items[i]
		if c.parent != main {
			continue
		}
		switch strings.ToLower(c.parentProp) {
		case "brand", "manufacturer":
			if f.brand == "" {
				f.brand = cleanText(prop(c, "name"))
			}
		case "offers":
			offers = append(offers, offerMap(items, i))
		}
	}
	readOffers(&f, offers, pr, nil)
	if f.currency == "" {
		f.currency = pr.currency(prop(it, "priceCurrency"))
	}
	return f, f.title != "" || f.amount != "" || f.avail != Unknown
}

// offerMap turns a microdata Offer (and an AggregateOffer's nested offers)
// into the JSON-LD shape readOffers understands.
func offerMap(items []mdItem, i int) map[string]any {
	it := items[i]
	m := map[string]any{}
	if t := shortType(it.typ); t != "" {
		m["@type"] = t
	}
	for _, k := range []string{"price", "lowPrice", "highPrice", "priceCurrency", "availability"} {
		if v := prop(it, k); v != "" {
			m[k] = v
		}
	}
	var subs []any
	for j := range items {
		if items[j].parent != i {
			continue
		}
		switch strings.ToLower(items[j].parentProp) {
		case "offers":
			subs = append(subs, offerMap(items, j))
		case "pricespecification":
			ps := map[string]any{}
			for _, k := range []string{"price", "priceCurrency", "priceType"} {
				if v := prop(items[j], k); v != "" {
					ps[k] = v
				}
			}
			m["priceSpecification"] = ps
		}
	}
	if len(subs) > 0 {
		m["offers"] = subs
	}
	return m
}

func prop(it mdItem, name string) string {
	for _, p := range it.props {
		if strings.EqualFold(p.name, name) && strings.TrimSpace(p.value) != "" {
			return strings.TrimSpace(p.value)
		}
	}
	return ""
}

func isProductType(t string) bool {
	s := strings.ToLower(shortType(t))
	for _, p := range productTypes {
		if s == p {
			return true
		}
	}
	return false
}

func shortType(t string) string {
	t = strings.TrimSpace(t)
	if f := strings.Fields(t); len(f) > 0 {
		t = f[0]
	}
	if i := strings.LastIndexAny(t, "/#"); i >= 0 {
		t = t[i+1:]
	}
	return t
}
