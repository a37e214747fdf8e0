package price

import "strings"

// symbols are the currency signs people expect in front of an amount; other
// currencies show their ISO 4217 code.
var symbols = map[string]string{"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "CN¥", "INR": "₹",
	"KRW": "₩", "CAD": "CA$", "AUD": "A$", "BRL": "R$", "CHF": "CHF ", "SEK": "SEK ", "PLN": "zł ", "MXN": "MX$"}

// Display formats an amount for people, the same way in pages and alerts:
// the currency's sign (or code) first and thousands grouped — "€1,299.00",
// "SEK 349.00", "¥13,423", and "1,299.00" when the currency is unknown.
// It is for reading, not parsing: Format is the exact decimal form.
func Display(minor int64, currency string) string {
	digits := Format(minor, currency)
	neg := strings.HasPrefix(digits, "-")
	digits = strings.TrimPrefix(digits, "-")
	whole, frac, hasFrac := strings.Cut(digits, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	if sym, ok := symbols[currency]; ok {
		b.WriteString(sym)
	} else if currency != "" {
		b.WriteString(currency + " ")
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}
