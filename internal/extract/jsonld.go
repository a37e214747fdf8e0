package extract

import (
	"sort"
	"strings"
)

// productTypes are the schema.org types treated as "the product on the page".
var productTypes = []string{"product", "productgroup", "individualproduct", "productmodel", "somproducts", "vehicle", "car", "book", "movie", "musicalbum", "musicrecording", "videogame", "softwareapplication", "creativework"}

// notMainKeys hold products that are not the page's product.
var notMainKeys = map[string]bool{
	"isrelatedto": true, "issimilarto": true, "itemreviewed": true, "hasvariant": true, "isaccessoryorsparepartfor": true,
	"isconsumablefor": true, "relatedlink": true, "itemlistelement": true, "review": true, "isvariantof": true,
	"model": true, "mentions": true, "about": true, "workexample": true, "isPartOf": true, "ispartof": true,
}

// fromJSONLD reads every JSON-LD block and returns facts about the main product.
func fromJSONLD(blocks [][]byte, pr *pricer, ref pageRef) (facts, bool) {
	var nodes []map[string]any
	for _, b := range blocks {
		for _, v := range decodeLenient(b) {
			collectProducts(v, "", 0, &nodes)
		}
	}
	if len(nodes) == 0 {
		return facts{}, false
	}
	// The main product: pages list other products too (related items, a
	// brand's range), so prefer the one named like the page's h1 or title or
	// living at the page's URL, then one that carries offers, then the first.
	main, best := nodes[0], -1.0
	for _, n := range nodes {
		s := 0.0
		if get(n, "offers") != nil || get(n, "hasVariant") != nil {
			s += 1
		}
		if nm := normWords(str(get(n, "name"))); nm != "" && ref.matchesName(nm) {
			s += 3
		}
		if ref.matchesURL(str(get(n, "url"))) || ref.matchesURL(str(get(n, "@id"))) {
			s += 2
		}
		if s > best {
			main, best = n, s
		}
	}
	f := facts{strategy: SourceJSONLD, where: "script[type=application/ld+json] " + firstType(main)}
	f.title = cleanText(str(get(main, "name")))
	f.brand = cleanText(str(get(main, "brand")))
	f.sku = str(get(main, "sku"))
	f.mpn = str(get(main, "mpn"))
	for _, k := range []string{"gtin13", "gtin", "gtin12", "gtin14", "gtin8", "isbn"} {
		if f.gtin = str(get(main, k)); f.gtin != "" {
			break
		}
	}
	f.image = str(get(main, "image"))
	f.url = str(get(main, "url"))
	offers := list(get(main, "offers"))
	readOffers(&f, offers, pr, &ref)
	variants := list(get(main, "hasVariant"))
	chosen, picked, nPicked := -1, -1, 0
	for _, v := range variants {
		vm, ok := v.(map[string]any)
		if !ok {
			continue
		}
		var vf facts
		readOffers(&vf, list(get(vm, "offers")), pr, nil)
		if chosen < 0 && vf.amount != "" && ref.selects(vm) {
			chosen = len(f.variants)
		}
		if vf.amount != "" && ref.picks(vm) {
			picked, nPicked = len(f.variants), nPicked+1
		}
		if vf.amount != "" && len(f.alts) < 32 {
			f.alts = append(f.alts, vf.amount)
		}
		f.variants = append(f.variants, Variant{
			Name: cleanText(variantName(vm)), SKU: str(get(vm, "sku")), Price: vf.amount, Currency: vf.currency, Availability: vf.avail,
		})
	}
	if chosen < 0 && nPicked == 1 {
		chosen = picked // the selected chip names this variant
	}
	if chosen >= 0 && !f.selected {
		// The page URL selects this variant (?variant=222, its sku).
		v := f.variants[chosen]
		f.amount, f.currency, f.rawPrice, f.low = v.Price, v.Currency, v.Price, false
	}
	if f.amount == "" && len(f.variants) > 0 {
		// A ProductGroup without its own offer: the first available variant
		// is the default selection; otherwise the first priced one.
		best := -1
		for i, v := range f.variants {
			if v.Price == "" {
				continue
			}
			if best < 0 || (v.Availability == InStock && f.variants[best].Availability != InStock) {
				best = i
			}
		}
		if best >= 0 {
			f.amount, f.currency, f.rawPrice = f.variants[best].Price, f.variants[best].Currency, f.variants[best].Price
		}
	}
	if f.avail == Unknown || f.avail == "" {
		f.avail = Unknown
		for _, v := range f.variants {
			if rankAvail(v.Availability) > rankAvail(f.avail) {
				f.avail = v.Availability
			}
		}
	}
	if f.image == "" && len(variants) > 0 {
		if vm, ok := variants[0].(map[string]any); ok {
			f.image = str(get(vm, "image"))
		}
	}
	return f, true
}

func variantName(vm map[string]any) string {
	for _, k := range []string{"size", "color", "name"} {
		if s := str(get(vm, k)); s != "" {
			return s
		}
	}
	return ""
}

func firstType(m map[string]any) string {
	if t := types(m); len(t) > 0 {
		return t[0]
	}
	return "node"
}

// collectProducts walks the JSON-LD tree (arrays, @graph, nested entities)
// and appends product nodes that describe the page's own product.
func collectProducts(v any, key string, depth int, out *[]map[string]any) {
	if depth > 12 || len(*out) > 64 {
		return
	}
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			collectProducts(e, key, depth+1, out)
		}
	case map[string]any:
		if notMainKeys[strings.ToLower(key)] {
			return
		}
		isProduct := hasType(t, productTypes...)
		if isProduct && (get(t, "offers") != nil || get(t, "name") != nil) {
			*out = append(*out, t)
		}
		// Map order is random; walk keys sorted so the result is stable.
		keys := make([]string, 0, len(t))
		for k, c := range t {
			switch c.(type) {
			case map[string]any, []any:
				if !(isProduct && strings.EqualFold(k, "offers")) {
					keys = append(keys, k)
				}
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			collectProducts(t[k], k, depth+1, out)
		}
	}
}

// readOffers fills price, currency and availability from an offers value:
// an Offer, an AggregateOffer, or an array of either (nulls skipped).
// ref, when set, says which offer the page selects: the one its URL selects
// (a variant's url or sku), else the only one named like the selected
// variant control (a chip "50 ml"). That offer is the default selection.
func readOffers(f *facts, offers []any, pr *pricer, ref *pageRef) {
	type offer struct {
		amount, raw, cur, list string
		high                   string // AggregateOffer highPrice
		avail                  Availability
		low, selected, picked  bool
		exVAT                  bool // valueAddedTaxIncluded: false
	}
	var all []offer
	for _, o := range offers {
		om, ok := o.(map[string]any)
		if !ok {
			continue
		}
		if hasType(om, "aggregateoffer") || (get(om, "price") == nil && get(om, "lowprice") != nil) {
			// An AggregateOffer may wrap its own offers list; the shopper's
			// default is its lowest price.
			of := offer{cur: str(get(om, "priceCurrency"))}
			of.raw = str(get(om, "lowPrice"))
			if of.raw == "" {
				of.raw = str(get(om, "price"))
			}
			of.low = true
			of.avail, _ = parseAvailability(str(get(om, "availability")))
			if of.raw == "" {
				var sub facts
				readOffers(&sub, list(get(om, "offers")), pr, ref)
				of.raw, of.cur, of.avail = sub.amount, firstNonEmpty(of.cur, sub.currency), sub.avail
			}
			of.amount = pr.structAmount(of.raw, of.cur)
			if h := str(get(om, "highPrice")); h != "" {
				of.high = pr.structAmount(h, of.cur)
			}
			if of.avail == Unknown {
				of.avail = offersAvail(list(get(om, "offers")))
			}
			all = append(all, of)
			continue
		}
		of := offer{cur: str(get(om, "priceCurrency"))}
		of.raw = str(get(om, "price"))
		of.avail, _ = parseAvailability(str(get(om, "availability")))
		of.exVAT = strings.EqualFold(str(get(om, "valueAddedTaxIncluded")), "false")
		for _, ps := range list(get(om, "priceSpecification")) {
			pm, ok := ps.(map[string]any)
			if !ok {
				continue
			}
			pt := strings.ToLower(str(get(pm, "priceType")))
			p := str(get(pm, "price"))
			if p == "" {
				continue
			}
			if strings.Contains(pt, "strikethrough") || strings.Contains(pt, "listprice") || strings.Contains(pt, "msrp") || strings.Contains(pt, "srp") {
				of.list = pr.structAmount(p, firstNonEmpty(str(get(pm, "priceCurrency")), of.cur))
				continue
			}
			if hasType(pm, "unitpricespecification") && get(pm, "referenceQuantity") != nil {
				continue // a per-unit price
			}
			if of.raw == "" || p == of.raw {
				if strings.EqualFold(str(get(pm, "valueAddedTaxIncluded")), "false") {
					of.exVAT = true
				}
			}
			if of.raw == "" {
				of.raw = p
				of.cur = firstNonEmpty(of.cur, str(get(pm, "priceCurrency")))
			}
		}
		if of.raw == "" {
			if lp := str(get(om, "lowPrice")); lp != "" {
				of.raw, of.low = lp, true
			}
		}
		of.amount = pr.structAmount(of.raw, of.cur)
		of.selected = ref != nil && len(offers) > 1 && ref.selects(om)
		of.picked = ref != nil && len(offers) > 1 && ref.picks(om)
		all = append(all, of)
	}
	if len(all) == 0 {
		return
	}
	// Default selection: the first offer that is in stock and priced, else
	// the first priced one. Product availability: the best of all offers.
	pick := -1
	for i, o := range all {
		if o.amount == "" {
			continue
		}
		if pick < 0 || (o.avail == InStock && all[pick].avail != InStock) {
			pick = i
		}
	}
	byURL, byPick, nPick := -1, -1, 0
	for i, o := range all {
		if o.selected && o.amount != "" && byURL < 0 {
			byURL = i
		}
		if o.picked && o.amount != "" {
			byPick, nPick = i, nPick+1
		}
	}
	switch {
	case byURL >= 0:
		pick, f.selected = byURL, true // the page URL selects this offer
	case nPick == 1:
		pick, f.selected = byPick, true // the selected chip names it
	}
	f.avail = Unknown
	for _, o := range all {
		if rankAvail(o.avail) > rankAvail(f.avail) {
			f.avail = o.avail
		}
	}
	if len(all) > 1 {
		for i, o := range all {
			if i != pick && o.amount != "" && !o.low && len(f.alts) < 32 {
				f.alts = append(f.alts, o.amount)
			}
		}
	}
	if pick >= 0 {
		o := all[pick]
		f.amount, f.rawPrice, f.currency, f.list, f.low, f.high = o.amount, o.raw, pr.currency(o.cur), o.list, o.low, o.high
		f.exVAT = o.exVAT
	} else {
		for _, o := range all {
			if c := pr.currency(o.cur); c != "" {
				f.currency = c
				break
			}
		}
	}
}

func offersAvail(offers []any) Availability {
	best := Unknown
	for _, o := range offers {
		if om, ok := o.(map[string]any); ok {
			a, _ := parseAvailability(str(get(om, "availability")))
			if rankAvail(a) > rankAvail(best) {
				best = a
			}
		}
	}
	return best
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
