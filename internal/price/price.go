// Package price turns price text as shown on store pages into an exact amount
// and an ISO 4217 currency. It is pure: no I/O, no globals that change.
package price

import "errors"

// ErrNoPrice means the text holds no recognisable amount.
var ErrNoPrice = errors.New("price: no amount found")

// Hints steer parsing when the text alone is ambiguous ("$" or "kr" alone,
// "1.234" with no decimal context).
type Hints struct {
	Currency string // ISO 4217 code from structured data (JSON-LD priceCurrency, og:price:currency)
	Locale   string // og:locale or <html lang>, e.g. "pt_BR", "sv", "en-IN"
	Host     string // the page URL's host, for its country TLD (".se" → SEK for "kr")
}

// Price is a parsed amount.
type Price struct {
	// Amount is the exact decimal amount in canonical form: ASCII digits, an
	// optional '.' and fraction, no grouping ("1234.5", "0", "173000").
	Amount string
	// Currency is the ISO 4217 code, or "" when neither the text nor the hints
	// settle it.
	Currency string
	// Token is the raw currency token found in the text ("US$", "kr", "₹"), or "".
	Token string
}

// Parse reads the first price in text. It never panics.
func Parse(text string, h Hints) (Price, error) {
	return Price{}, ErrNoPrice // replaced by the real parser
}

// Minor converts the price to integer minor units using the currency's
// ISO 4217 digits (2 when the currency is unknown), rounding half away from
// zero. ok is false when the amount does not fit in an int64.
func (p Price) Minor() (minor int64, ok bool) {
	return 0, false // replaced by the real implementation
}

// Format renders minor units of currency as a canonical decimal string
// ("19.99", "500" for JPY).
func Format(minor int64, currency string) string {
	return "" // replaced by the real implementation
}
