package extract

import (
	"strings"

	"github.com/shelfwatch/shelfwatch/internal/price"
)

// pricer parses amounts with the page's hints. Machine-readable values
// (JSON-LD, microdata content) use schema.org's format, a dot decimal with no
// grouping, and are read strictly; anything else goes to price.Parse.
type pricer struct {
	hints price.Hints
}

// structAmount reads a structured price value. It returns "" for no or a zero
// price (placeholders such as "0.00" are common on pages that render the
// price with JavaScript).
func (pr *pricer) structAmount(raw, cur string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	if a, ok := plainDecimal(raw); ok {
		if isZero(a) {
			return ""
		}
		// Prices computed in JavaScript leak float noise
		// ("19.990000000000002"): round to the currency's minor unit.
		if dot := strings.IndexByte(a, '.'); dot >= 0 && len(a)-dot-1 > 4 {
			if m, ok := (price.Price{Amount: a, Currency: strings.ToUpper(cur)}).Minor(); ok {
				if f := price.Format(m, strings.ToUpper(cur)); f != "" {
					a = f
				}
			}
		}
		return a
	}
	h := pr.hints
	if cur != "" {
		h.Currency = strings.ToUpper(cur)
	}
	p, err := price.Parse(raw, h)
	if err != nil || isZero(p.Amount) {
		return ""
	}
	return p.Amount
}

// text parses a visible price string.
func (pr *pricer) text(s, cur string) (price.Price, bool) {
	h := pr.hints
	if cur != "" {
		h.Currency = cur
	}
	p, err := price.Parse(s, h)
	if err != nil || p.Amount == "" || isZero(p.Amount) {
		return price.Price{}, false
	}
	return p, true
}

// plainDecimal accepts "123", "123.45", "-0.5" style numbers and returns them
// canonical (no leading '+' or zeros).
func plainDecimal(s string) (string, bool) {
	if s == "" || len(s) > 24 {
		return "", false
	}
	dot := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && dot < 0 && i > 0 && i < len(s)-1:
			dot = i
		default:
			return "", false
		}
	}
	s = strings.TrimLeft(s, "0")
	if s == "" || s[0] == '.' {
		s = "0" + s
	}
	return s, true
}

func isZero(a string) bool {
	return strings.Trim(a, "0.") == ""
}

// currency normalises a structured currency value to ISO 4217: "usd" →
// "USD", and the symbols some shops write there ("$", "€", "Rs.", "kr")
// through the price parser with the page's hints. "" when it cannot.
func (pr *pricer) currency(c string) string {
	c = strings.TrimSpace(c)
	if c == "" {
		return ""
	}
	if u := strings.ToUpper(c); isISO(u) {
		return u
	}
	if p, err := price.Parse(c+" 1", pr.hints); err == nil && isISO(p.Currency) {
		return p.Currency
	}
	return ""
}
