package price

import (
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusCase is one real price string from ../shared/corpus.
type corpusCase struct {
	Input            *flexString `json:"input"`
	CurrencyHint     *flexString `json:"currency_hint"`
	ExpectedAmount   *flexString `json:"expected_amount"`
	ExpectedCurrency *flexString `json:"expected_currency"`
	DecimalSeparator *flexString `json:"decimal_separator"`
	XFail            bool        `json:"xfail"`
	NotChecked       bool        `json:"currency_not_checked"`
}

// flexString reads a JSON string or number ("12.99" or 12.99) as text, so
// a data set that writes amounts as numbers still loads.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexString(n.String())
	return nil
}

func str(f *flexString) *string {
	if f == nil {
		return nil
	}
	s := string(*f)
	return &s
}

// corpusPath finds price_strings.json: $SHELFWATCH_PRICE_STRINGS, else the
// "shared" directory next to the repository root.
func corpusPath(t *testing.T) string {
	if p := os.Getenv("SHELFWATCH_PRICE_STRINGS"); p != "" {
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(dir), "shared", "corpus", "price_strings.json")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return filepath.Join("..", "..", "..", "shared", "corpus", "price_strings.json")
		}
		dir = parent
	}
}

func loadCorpus(t *testing.T) []corpusCase {
	p := corpusPath(t)
	b, err := os.ReadFile(p)
	if os.IsNotExist(err) {
		msg := fmt.Sprintf("price corpus not found at %s; SKIPPING", p)
		fmt.Println(msg)
		t.Skip(msg)
	}
	if err != nil {
		t.Fatal(err)
	}
	var cases []corpusCase
	err = json.Unmarshal(b, &cases)
	if err != nil {
		// Also accept {"cases": [...]}: an object whose one list is the data.
		var obj map[string]json.RawMessage
		if json.Unmarshal(b, &obj) == nil {
			for _, v := range obj {
				if json.Unmarshal(v, &cases) == nil && len(cases) > 0 {
					return cases
				}
			}
		}
		t.Fatalf("%s: %v", p, err)
	}
	return cases
}

// sameAmount compares decimal strings numerically ("12.990" == "12.99").
func sameAmount(got string, want *string) bool {
	if want == nil {
		return got == ""
	}
	if got == "" {
		return false
	}
	a, ok1 := new(big.Rat).SetString(got)
	b, ok2 := new(big.Rat).SetString(strings.TrimSpace(*want))
	return ok1 && ok2 && a.Cmp(b) == 0
}

// sameToken compares raw currency tokens, ignoring case, surrounding space
// and an abbreviation's final dot ("руб." == "руб", "Rs." == "Rs").
func sameToken(got string, want *string) bool {
	norm := func(s string) string {
		return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
	}
	if want == nil {
		return got == ""
	}
	return norm(got) == norm(*want)
}

func TestPriceStrings(t *testing.T) {
	cases := loadCorpus(t)
	var n, amountOK, curOK, xn, xAmountOK, xCurOK int
	for _, fc := range cases {
		c := struct {
			Input, CurrencyHint, ExpectedAmount, ExpectedCurrency, DecimalSeparator *string
			XFail, NotChecked                                                       bool
		}{str(fc.Input), str(fc.CurrencyHint), str(fc.ExpectedAmount), str(fc.ExpectedCurrency),
			str(fc.DecimalSeparator), fc.XFail, fc.NotChecked}
		in := ""
		if c.Input != nil {
			in = *c.Input
		}
		h := Hints{}
		if c.CurrencyHint != nil {
			// The hint is text from a nearby element ("Pris NOK 1 999,00",
			// "€"), not an ISO code.
			h.CurrencyText = *c.CurrencyHint
		}
		if c.DecimalSeparator != nil {
			h.Decimal = *c.DecimalSeparator
		}
		p, err := Parse(in, h)
		got := p.Amount
		if err != nil {
			got = ""
		}
		aOK := sameAmount(got, c.ExpectedAmount)
		cOK := c.NotChecked || sameToken(p.Token, c.ExpectedCurrency)
		if c.XFail {
			if !aOK || !cOK {
				t.Logf("xfail miss %q: got %q %q, want %s %s", in, got, p.Token, deref(c.ExpectedAmount), deref(c.ExpectedCurrency))
			}
			xn++
			if aOK {
				xAmountOK++
			}
			if cOK {
				xCurOK++
			}
			continue
		}
		n++
		if aOK {
			amountOK++
		}
		if cOK {
			curOK++
		}
		if !aOK || !cOK {
			t.Logf("miss %q hint=%q: got amount %q token %q currency %q, want %s %s",
				in, deref(c.CurrencyHint), got, p.Token, p.Currency, deref(c.ExpectedAmount), deref(c.ExpectedCurrency))
		}
	}
	fmt.Printf("price-strings: amount %d/%d, currency %d/%d\n", amountOK, n, curOK, n)
	fmt.Printf("price-strings xfail: amount %d/%d, currency %d/%d\n", xAmountOK, xn, xCurOK, xn)
	if n > 0 && float64(amountOK) < 0.97*float64(n) {
		t.Errorf("amount accuracy %d/%d is below 97%%", amountOK, n)
	}
}

func deref(s *string) string {
	if s == nil {
		return "null"
	}
	return fmt.Sprintf("%q", *s)
}
