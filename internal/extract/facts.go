package extract

import (
	"encoding/json"
	"strings"
)

// facts is what one structured strategy (JSON-LD, microdata, meta, a
// platform embed, a domain rule) says about the page's product.
type facts struct {
	strategy string
	where    string
	title    string
	brand    string
	sku      string
	gtin     string
	mpn      string
	image    string
	url      string
	amount   string // price a shopper pays now for the default selection, canonical decimal
	rawPrice string // as written, for evidence
	currency string
	avail    Availability
	list     string   // a regular/list price also given, canonical decimal
	low      bool     // amount is an AggregateOffer lowPrice / range start
	high     string   // the range's end (AggregateOffer highPrice) when amount is its start
	selected bool     // amount is the offer the page URL selects
	exVAT    bool     // the structured data says amount excludes VAT (valueAddedTaxIncluded: false)
	alts     []string // the other offers' amounts (one offer per size or volume)
	variants []Variant
}

// str reads a JSON-LD value as text: strings, numbers, {"name": …} objects and
// the first element of arrays.
func str(v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case json.Number:
		return t.String()
	case float64:
		return json.Number(strings.TrimRight(strings.TrimRight(jsonFloat(t), "0"), ".")).String()
	case bool:
		if t {
			return "true"
		}
		return "false"
	case map[string]any:
		for _, k := range []string{"name", "@value", "url", "contentUrl", "@id"} {
			if s := str(t[k]); s != "" {
				return s
			}
		}
	case []any:
		for _, e := range t {
			if s := str(e); s != "" {
				return s
			}
		}
	}
	return ""
}

func jsonFloat(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

// get reads a key case-insensitively (pages write "Name", "Offers").
func get(m map[string]any, k string) any {
	if v, ok := m[k]; ok {
		return v
	}
	for kk, v := range m {
		if strings.EqualFold(kk, k) {
			return v
		}
	}
	return nil
}

// types returns the lower-cased @type values of a node, without schema prefixes.
func types(m map[string]any) []string {
	var out []string
	add := func(s string) {
		s = strings.ToLower(strings.TrimSpace(s))
		if i := strings.LastIndexAny(s, "/#:"); i >= 0 {
			s = s[i+1:]
		}
		if s != "" {
			out = append(out, s)
		}
	}
	switch t := get(m, "@type").(type) {
	case string:
		add(t)
	case []any:
		for _, e := range t {
			if s, ok := e.(string); ok {
				add(s)
			}
		}
	}
	return out
}

func hasType(m map[string]any, names ...string) bool {
	for _, t := range types(m) {
		for _, n := range names {
			if t == n {
				return true
			}
		}
	}
	return false
}

// list returns v as a slice: arrays as they are, anything else as one element.
func list(v any) []any {
	switch t := v.(type) {
	case nil:
		return nil
	case []any:
		return t
	default:
		return []any{t}
	}
}
