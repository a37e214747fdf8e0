package storesim

import (
	"errors"
	"strconv"
	"strings"
)

// currency is how one store locale writes money and stock. Each product keeps
// one currency for its life, so a page never mixes formats.
type currency struct {
	code    string
	digits  int    // ISO 4217 minor digits
	locale  string // og:locale and <html lang>
	lang    string // key into the phrase tables
	group   string // thousands separator
	decimal string
	indian  bool // lakh grouping: 1,29,999
	prefix  string
	suffix  string
	whole   bool // prices are generated without minor units (SEK, JPY, INR)
	lo, hi  int64
}

// currencies is immutable after init; the index is stored per product.
var currencies = [...]currency{
	{code: "USD", digits: 2, locale: "en-US", lang: "en", group: ",", decimal: ".", prefix: "$", lo: 5, hi: 2500},
	{code: "EUR", digits: 2, locale: "de-DE", lang: "de", group: ".", decimal: ",", suffix: "\u00a0€", lo: 5, hi: 2500},
	{code: "GBP", digits: 2, locale: "en-GB", lang: "en", group: ",", decimal: ".", prefix: "£", lo: 4, hi: 2000},
	{code: "SEK", digits: 2, locale: "sv-SE", lang: "sv", group: "\u00a0", decimal: ",", suffix: "\u00a0kr", whole: true, lo: 49, hi: 24999},
	{code: "JPY", digits: 0, locale: "ja-JP", lang: "ja", group: ",", decimal: ".", prefix: "¥", whole: true, lo: 300, hi: 280000},
	{code: "INR", digits: 2, locale: "en-IN", lang: "en", group: ",", decimal: ".", prefix: "₹", indian: true, whole: true, lo: 199, hi: 149999},
}

func currencyIndex(code string) (int, bool) {
	for i := range currencies {
		if currencies[i].code == code {
			return i, true
		}
	}
	return 0, false
}

func (c *currency) scale() int64 {
	s := int64(1)
	for range c.digits {
		s *= 10
	}
	return s
}

// format writes an amount the way a shopper in the locale reads it. Minor
// units are left out when they are zero in the whole-unit currencies, as
// stores in those markets do ("1 299 kr", "₹1,299").
func (c *currency) format(minor int64) string {
	var b strings.Builder
	b.Grow(24)
	b.WriteString(c.prefix)
	sc := c.scale()
	whole, frac := minor/sc, minor%sc
	c.groupDigits(&b, strconv.FormatInt(whole, 10))
	if c.digits > 0 && (frac != 0 || !c.whole) {
		b.WriteString(c.decimal)
		f := strconv.FormatInt(frac, 10)
		for len(f) < c.digits {
			f = "0" + f
		}
		b.WriteString(f)
	}
	b.WriteString(c.suffix)
	return b.String()
}

func (c *currency) groupDigits(b *strings.Builder, d string) {
	if !c.indian {
		for i, r := range d {
			if i > 0 && (len(d)-i)%3 == 0 {
				b.WriteString(c.group)
			}
			b.WriteRune(r)
		}
		return
	}
	// Indian grouping: the last three digits, then pairs.
	if len(d) <= 3 {
		b.WriteString(d)
		return
	}
	head, tail := d[:len(d)-3], d[len(d)-3:]
	for i, r := range head {
		if i > 0 && (len(head)-i)%2 == 0 {
			b.WriteString(c.group)
		}
		b.WriteRune(r)
	}
	b.WriteString(c.group)
	b.WriteString(tail)
}

// decimal writes an amount as a plain decimal string ("1299.99", "1299"),
// the form structured data and the control API use.
func (c *currency) decimalString(minor int64) string {
	if c.digits == 0 {
		return strconv.FormatInt(minor, 10)
	}
	sc := c.scale()
	f := strconv.FormatInt(minor%sc, 10)
	for len(f) < c.digits {
		f = "0" + f
	}
	return strconv.FormatInt(minor/sc, 10) + "." + f
}

var (
	errBadPrice = errors.New("price must be a positive decimal like 12.34")
	errTooMany  = errors.New("price has more decimals than the currency allows")
)

// parseDecimal reads "12.34" into minor units of c; it rejects signs,
// exponents and more decimals than the currency has.
func (c *currency) parseDecimal(s string) (int64, error) {
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || len(whole) > 12 || (hasDot && frac == "") {
		return 0, errBadPrice
	}
	if len(frac) > c.digits {
		return 0, errTooMany
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, errBadPrice
			}
		}
	}
	for len(frac) < c.digits {
		frac += "0"
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac, 10, 64)
	}
	v := w*c.scale() + f
	if v <= 0 {
		return 0, errBadPrice
	}
	return v, nil
}
