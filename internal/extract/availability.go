package extract

import "strings"

// availSeps drops the separators of "in_stock", "pre-order", "sold out";
// built once, never modified.
var availSeps = strings.NewReplacer("_", "", "-", "", " ", "")

// parseAvailability maps schema.org availability in any spelling
// ("http://schema.org/InStock", "InStock", "in_stock", "instock", "Sold out")
// to an Availability. ok is false for values it does not recognise.
func parseAvailability(s string) (Availability, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	orig := s
	if i := strings.LastIndexAny(s, "/#:"); i >= 0 && i < len(s)-1 {
		s = s[i+1:]
	}
	s = availSeps.Replace(s)
	switch s {
	// Made-to-order items can be bought now; they ship later.
	case "instock", "limitedavailability", "instoreonly", "onlineonly", "available", "true", "yes", "1", "in", "reservable", "madetoorder":
		return InStock, true
	case "outofstock", "soldout", "discontinued", "unavailable", "false", "no", "0", "out", "notavailable", "outofstockonline":
		return OutOfStock, true
	case "preorder", "preordering", "presale":
		return PreOrder, true
	case "backorder", "backordered", "onbackorder":
		return BackOrder, true
	}
	// Shops also write a phrase in their language ("En stock", "Agotado").
	if len(orig) <= 60 {
		for _, t := range []struct {
			list []string
			a    Availability
		}{{cueOut, OutOfStock}, {cuePre, PreOrder}, {cueBack, BackOrder}, {cueIn, InStock}} {
			if hasWordAny(orig, t.list) {
				return t.a, true
			}
		}
	}
	return Unknown, false
}

// rankAvail orders availabilities for combining several offers: a product is
// as available as its most available offer.
func rankAvail(a Availability) int {
	switch a {
	case InStock:
		return 4
	case PreOrder:
		return 3
	case BackOrder:
		return 2
	case OutOfStock:
		return 1
	}
	return 0
}
