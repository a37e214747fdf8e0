// Package price turns price text as shown on store pages into an exact amount
// and an ISO 4217 currency. It is pure: no I/O, no globals that change.
package price

import (
	"errors"
	"strings"

	"github.com/bojanz/currency"
)

// ErrNoPrice means the text holds no recognisable amount.
var ErrNoPrice = errors.New("price: no amount found")

// Hints steer parsing when the text alone is ambiguous ("$" or "kr" alone,
// "1.234" with no decimal context).
type Hints struct {
	Currency string // ISO 4217 code from structured data (JSON-LD priceCurrency, og:price:currency)
	Locale   string // og:locale or <html lang>, e.g. "pt_BR", "sv", "en-IN"
	Host     string // the page URL's host, for its country TLD (".se" → SEK for "kr")
	// CurrencyText is text near the price that may show the currency (a
	// label, a separate currency element). It is searched for a currency
	// token only when text itself has none; its numbers are ignored.
	CurrencyText string
	// Decimal is the page's decimal separator when known ("," or ".", from
	// a domain rule); it overrides the guess. "" guesses.
	Decimal string
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
//
// When several numbers appear, the first one written next to a currency
// token wins, then the first free-standing one ("2 x 9,99 €" → 9.99);
// savings ("Save $5"), discounts ("-5 €"), amounts in parentheses and
// numbers glued to words ("S24", "500g") come last, and percentages,
// dates, quantities and thresholds ("orders over $49") never count.
// "Free", "gratis" and the like read as 0 when no number is written.
//
// One '.' or ',' before exactly three digits ("1.234", "173.000") is read
// as grouping unless the currency, or the country the hints point at, has
// three decimals (TND, KWD, BHD…); Hints.Decimal overrides every guess.
//
// With ErrNoPrice the returned Price may still carry the currency token
// and code found, with an empty Amount.
func Parse(text string, h Hints) (Price, error) {
	return parse(text, h)
}

// Digits returns the number of fraction digits of an ISO 4217 currency,
// 2 when the currency is unknown or empty.
func Digits(code string) int {
	if code == "" {
		return 2
	}
	d, ok := currency.GetDigits(code)
	if !ok || d > 18 {
		return 2
	}
	return int(d)
}

// Minor converts the price to integer minor units using the currency's
// ISO 4217 digits (2 when the currency is unknown), rounding half away from
// zero. ok is false when the amount is empty, not a plain decimal, or does
// not fit in an int64.
func (p Price) Minor() (minor int64, ok bool) {
	return toMinor(p.Amount, Digits(p.Currency))
}

// toMinor converts a canonical non-negative decimal string to minor units.
func toMinor(amount string, digits int) (int64, bool) {
	if amount == "" {
		return 0, false
	}
	intPart, frac, _ := strings.Cut(amount, ".")
	const limit = (1<<63 - 1)
	var v uint64
	add := func(d byte) bool {
		if d < '0' || d > '9' {
			return false
		}
		if v > (limit-uint64(d-'0'))/10 {
			return false
		}
		v = v*10 + uint64(d-'0')
		return true
	}
	for i := 0; i < len(intPart); i++ {
		if !add(intPart[i]) {
			return 0, false
		}
	}
	for i := 0; i < digits; i++ {
		d := byte('0')
		if i < len(frac) {
			d = frac[i]
		}
		if !add(d) {
			return 0, false
		}
	}
	// Amounts are never negative, so half away from zero is half up, and
	// the first dropped digit alone decides it.
	if len(frac) > digits {
		d := frac[digits]
		if d < '0' || d > '9' {
			return 0, false
		}
		if d >= '5' {
			if v == limit {
				return 0, false
			}
			v++
		}
	}
	return int64(v), true
}

// Format renders minor units of currency as a canonical decimal string
// ("19.99", "500" for JPY).
func Format(minor int64, currency string) string {
	digits := Digits(currency)
	neg := minor < 0
	u := uint64(minor)
	if neg {
		u = -u // two's complement: correct for math.MinInt64 too
	}
	var buf [48]byte
	i := len(buf)
	for n := 0; n < digits; n++ {
		i--
		buf[i] = byte('0' + u%10)
		u /= 10
	}
	if digits > 0 {
		i--
		buf[i] = '.'
	}
	for {
		i--
		buf[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	if neg {
		i--
		buf[i] = '-'
	}
	return string(buf[i:])
}
