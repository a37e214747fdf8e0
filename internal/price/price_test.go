package price

import (
	"errors"
	"math"
	"strings"
	"testing"
)

type parseCase struct {
	in       string
	h        Hints
	amount   string // "" means ErrNoPrice
	currency string
	token    string
}

var parseCases = []parseCase{
	// Grouping and decimal separators.
	{"1,234.56", Hints{}, "1234.56", "", ""},
	{"$1,234.56", Hints{}, "1234.56", "USD", "$"},
	{"1.234,56 €", Hints{}, "1234.56", "EUR", "€"},
	{"1 234,56 €", Hints{}, "1234.56", "EUR", "€"},
	{"1\u00a0234,56\u00a0€", Hints{}, "1234.56", "EUR", "€"},
	{"1\u202f234,56 €", Hints{}, "1234.56", "EUR", "€"},
	{"CHF 1'234.50", Hints{}, "1234.5", "CHF", "CHF"},
	{"CHF 1’234.–", Hints{}, "1234", "CHF", "CHF"},
	{"12€99", Hints{}, "12.99", "EUR", "€"},
	{"1.235€99", Hints{}, "1235.99", "EUR", "€"},
	{"35€ 99", Hints{}, "35.99", "EUR", "€"},
	{"35 € 99", Hints{}, "35.99", "EUR", "€"},
	{"1,235€ 99", Hints{}, "1235.99", "EUR", "€"},
	{"35€ 999", Hints{}, "35", "EUR", "€"},
	{"99 € 79 €", Hints{}, "99", "EUR", "€"},
	{"12,50 € 99", Hints{}, "12.5", "EUR", "€"},
	{"₹1,23,456", Hints{}, "123456", "INR", "₹"},
	{"₹ 12,34,567.50", Hints{}, "1234567.5", "INR", "₹"},
	{"1.849, 99 lei", Hints{}, "1849.99", "RON", "lei"},
	{"130, 38 zł", Hints{}, "130.38", "PLN", "zł"},
	{"392. 00", Hints{}, "392", "", ""},
	{"12,-", Hints{}, "12", "", ""},
	{"12,- €", Hints{}, "12", "EUR", "€"},
	{"12.–", Hints{}, "12", "", ""},
	{"105. –", Hints{}, "105", "", ""},
	{"199:-", Hints{}, "199", "", ""},
	{".75 €", Hints{}, "0.75", "EUR", "€"},
	{"$..75", Hints{}, "0.75", "USD", "$"},
	{"1.11000000000000009770", Hints{}, "1.1100000000000000977", "", ""},
	{"0,500 €", Hints{}, "0.5", "EUR", "€"},
	{"1234.567", Hints{}, "1234.567", "", ""},
	{"12.990", Hints{}, "12990", "", ""},
	// Three digits after one separator: grouping unless the currency has
	// three decimals.
	{"1.234", Hints{Locale: "de"}, "1234", "", ""},
	{"1.234 €", Hints{Locale: "de_DE"}, "1234", "EUR", "€"},
	{"173.000", Hints{Currency: "COP"}, "173000", "COP", ""},
	{"$ 173.000", Hints{Host: "tienda.co"}, "173000", "COP", "$"},
	{"$699,000", Hints{}, "699000", "USD", "$"},
	{"45,900 DT", Hints{}, "45.9", "TND", "DT"},
	{"45,900 DT", Hints{Locale: "fr_TN"}, "45.9", "TND", "DT"},
	{"1 299,000 DT", Hints{}, "1299", "TND", "DT"},
	{"12,500", Hints{Currency: "TND"}, "12.5", "TND", ""},
	{"KD 12.500", Hints{}, "12.5", "KWD", "KD"},
	{"BHD 1,250", Hints{Locale: "en"}, "1.25", "BHD", "BHD"},
	{"999.000 DT", Hints{Locale: "fr_TN"}, "999", "TND", "DT"},
	{"999,000 TND Taxe incluse", Hints{}, "999", "TND", "TND"},
	{"1199.000", Hints{Currency: "TND"}, "1199", "TND", ""},
	{"12,500", Hints{Host: "www.mytek.tn"}, "12.5", "", ""},
	{"12,500", Hints{Locale: "ar_KW"}, "12.5", "", ""},
	{"12,500", Hints{Host: "shop.de"}, "12500", "", ""},
	{"12.500 ₫", Hints{}, "12500", "VND", "₫"},
	{"Rp 235.000", Hints{}, "235000", "IDR", "Rp"},
	// Symbols and codes.
	{"US$:12.99", Hints{}, "12.99", "USD", "US$"},
	{"$ 11.99", Hints{}, "11.99", "USD", "$"},
	{"$5", Hints{Host: "shop.com.au"}, "5", "AUD", "$"},
	{"$5", Hints{Host: "www.example.ca"}, "5", "CAD", "$"},
	{"$5", Hints{Locale: "es_MX"}, "5", "MXN", "$"},
	{"$5", Hints{Currency: "CAD"}, "5", "CAD", "$"},
	{"$5", Hints{Currency: "EUR"}, "5", "USD", "$"}, // the visible symbol wins over an incompatible hint
	{"R$ 1.299,90", Hints{}, "1299.9", "BRL", "R$"},
	{"R$ 139,99 R$ 135,99", Hints{}, "139.99", "BRL", "R$"},
	{"Rs. 1,299", Hints{Host: "www.amazon.in"}, "1299", "INR", "Rs"},
	{"Rs 1,299", Hints{}, "1299", "", "Rs"},
	{"Rs.499", Hints{Currency: "INR"}, "499", "INR", "Rs"},
	{"INR 2,499", Hints{}, "2499", "INR", "INR"},
	{"EUR 19,90", Hints{}, "19.9", "EUR", "EUR"},
	{"£14.99", Hints{}, "14.99", "GBP", "£"},
	{"£1·99", Hints{}, "1.99", "GBP", "£"},
	{"¥500", Hints{Locale: "ja"}, "500", "JPY", "¥"},
	{"¥500", Hints{Currency: "CNY"}, "500", "CNY", "¥"},
	{"¥500", Hints{}, "500", "", "¥"},
	{"3,500円", Hints{}, "3500", "JPY", "円"},
	{"税込1,980円 送料500円", Hints{}, "1980", "JPY", "円"},
	{"ポイント10倍 1,980円", Hints{}, "1980", "JPY", "円"},
	{"49,99 zł", Hints{}, "49.99", "PLN", "zł"},
	{"199 kr", Hints{Host: "www.bokus.se"}, "199", "SEK", "kr"},
	{"199 kr", Hints{Locale: "nb_NO"}, "199", "NOK", "kr"},
	{"199,- kr.", Hints{Locale: "da"}, "199", "DKK", "kr"},
	{"199 kr", Hints{}, "199", "", "kr"},
	{"SEK 199", Hints{}, "199", "SEK", "SEK"},
	{"29,000 DT", Hints{Host: "www.mytek.tn"}, "29", "TND", "DT"},
	{"TND 29.900", Hints{}, "29.9", "TND", "TND"},
	{"1.299,90 TL", Hints{}, "1299.9", "TRY", "TL"},
	{"₺1.299,90", Hints{}, "1299.9", "TRY", "₺"},
	{"CHF 49.90", Hints{}, "49.9", "CHF", "CHF"},
	{"Fr. 49.90", Hints{Host: "shop.ch"}, "49.9", "CHF", "Fr."},
	{"1.849,99 lei", Hints{}, "1849.99", "RON", "lei"},
	{"RON 99", Hints{}, "99", "RON", "RON"},
	{"1 299 ₽", Hints{}, "1299", "RUB", "₽"},
	{"349 руб.", Hints{}, "349", "RUB", "руб."},
	{"1 299 ₴", Hints{}, "1299", "UAH", "₴"},
	{"1 299 грн", Hints{}, "1299", "UAH", "грн"},
	{"5 290 Kč", Hints{}, "5290", "CZK", "Kč"},
	{"12 990 Ft", Hints{}, "12990", "HUF", "Ft"},
	{"AED 1,299", Hints{}, "1299", "AED", "AED"},
	{"1,299 د.إ", Hints{}, "1299", "AED", "د.إ"},
	{"₩39,000", Hints{}, "39000", "KRW", "₩"},
	{"₫ 450.000", Hints{}, "450000", "VND", "₫"},
	{"฿1,290", Hints{}, "1290", "THB", "฿"},
	{"₱1,299.00", Hints{}, "1299", "PHP", "₱"},
	{"S/ 49.90", Hints{}, "49.9", "PEN", "S/"},
	{"S/.49.90", Hints{}, "49.9", "PEN", "S/."},
	{"B/.1", Hints{}, "1", "PAB", "B/."},
	{"$ SGD4.90", Hints{}, "4.9", "SGD", "SGD"},
	{"CA$12", Hints{}, "12", "CAD", "CA$"},
	{"R8,499", Hints{}, "8499", "ZAR", "R"},
	{"LE 299", Hints{}, "299", "EGP", "LE"},
	{"Le 299", Hints{}, "299", "SLE", "Le"},
	// A known decimal separator.
	{"140.000", Hints{Decimal: "."}, "140", "", ""},
	{"140,000", Hints{Decimal: ","}, "140", "", ""},
	{"1,234", Hints{Decimal: "."}, "1234", "", ""},
	{"1.234.567,8", Hints{Decimal: "."}, "1234.5678", "", ""},
	{"140€33", Hints{Decimal: "€"}, "140.33", "EUR", "€"},
	{"1250€ 600", Hints{Decimal: "€"}, "1250", "EUR", "€"},
	// Hints without a token.
	{"19.99", Hints{Currency: "usd"}, "19.99", "USD", ""},
	{"5 799,00", Hints{CurrencyText: "Pris NOK 1 999,00"}, "5799", "NOK", "NOK"},
	{"2.85", Hints{CurrencyText: "Savings: $0.90"}, "2.85", "USD", "$"},
	{"1 200", Hints{CurrencyText: "Цена, р."}, "1200", "RUB", "р."},
	{"1 200", Hints{CurrencyText: "Le prix"}, "1200", "", ""},
	{"3,20 €", Hints{CurrencyText: "$"}, "3.2", "EUR", "€"},
	{"$12", Hints{CurrencyText: "Prices in CAD"}, "12", "CAD", "$"},
	{"12,99", Hints{Currency: "€"}, "12.99", "EUR", ""},
	{"12,99", Hints{Currency: "EURO"}, "12.99", "EUR", ""},
	{"12,99", Hints{Currency: "$"}, "12.99", "", ""},
	{"12,99", Hints{Currency: "BGN"}, "12.99", "BGN", ""},
	{"C$ 120", Hints{Currency: "NIO"}, "120", "NIO", "C$"},
	{"CDN$ 29.99", Hints{}, "29.99", "CAD", "CDN$"},
	// Choosing the number.
	{"2 x 9,99 €", Hints{}, "9.99", "EUR", "€"},
	{"Size L 29.99", Hints{}, "29.99", "", ""},
	{"1.5L 19.99", Hints{}, "19.99", "", ""},
	{"AED 8000 (USD 2179)", Hints{}, "8000", "AED", "AED"},
	{"Save 20% now 15,99 €", Hints{}, "15.99", "EUR", "€"},
	{"Our Price 344.99 - 444.99", Hints{}, "344.99", "", ""},
	{"15.08.2017", Hints{}, "", "", ""},
	{"Galaxy S24 $799", Hints{}, "799", "USD", "$"},
	{"SKU 123456 $19.99", Hints{}, "19.99", "USD", "$"},
	{"4 x 12,99", Hints{}, "12.99", "", ""},
	{"10 - 20 €", Hints{}, "10", "EUR", "€"},
	{"349 до 399 руб.", Hints{}, "349", "RUB", "руб."},
	{"19.99 (save $5.00)", Hints{}, "19.99", "USD", "$"},
	{"Save $5.00 $19.99", Hints{}, "19.99", "USD", "$"},
	{"$5 off $19.99", Hints{}, "19.99", "USD", "$"},
	{"-5,00 € 19,99 €", Hints{}, "19.99", "EUR", "€"},
	{"You save $15.01", Hints{}, "15.01", "USD", "$"},
	{"Was £39.99 Now £29.99", Hints{}, "29.99", "GBP", "£"},
	{"UVP 29,99 € 19,99 €", Hints{}, "19.99", "EUR", "€"},
	{"MRP ₹7,999 ₹2,640", Hints{}, "2640", "INR", "₹"},
	{"Was $20", Hints{}, "20", "USD", "$"},
	{"29.99 + $4.99 shipping", Hints{}, "29.99", "USD", "$"},
	{"$4.99 shipping", Hints{}, "4.99", "USD", "$"},
	{"CAD $12.99", Hints{}, "12.99", "CAD", "CAD"},
	{"$ 12.99 CAD", Hints{}, "12.99", "CAD", "CAD"},
	{"kr 199 SEK", Hints{}, "199", "SEK", "kr"},
	{"GBP £12.99", Hints{}, "12.99", "GBP", "£"},
	{"Free Shipping on Orders $49+.", Hints{}, "", "USD", "$"},
	{"Qty: 2 19,99 €", Hints{}, "19.99", "EUR", "€"},
	{"Цена: уточняйте (мин. заказ: 1 )", Hints{}, "", "", ""},
	{",99 €", Hints{}, "0.99", "EUR", "€"},
	{"40% OFF", Hints{}, "", "", ""},
	{"15/08/2017 19,99", Hints{}, "19.99", "", ""},
	{"2024-01-15 19.99", Hints{}, "19.99", "", ""},
	{"1/2 price", Hints{}, "", "", ""},
	{"$15.95/mo", Hints{}, "15.95", "USD", "$"},
	// Units are no currencies.
	{"500 g", Hints{}, "500", "", ""},
	{"12 km", Hints{}, "12", "", ""},
	{"6 ft", Hints{}, "6", "", ""},
	{"da 12,99", Hints{}, "12.99", "", ""},
	{"1 L", Hints{}, "1", "", "L"},
	// Counts and identifiers are no prices.
	{"Only 3 left", Hints{}, "", "", ""},
	{"5 in stock", Hints{}, "", "", ""},
	{"20 in store", Hints{}, "20", "", ""},
	{"$12.99 month", Hints{}, "12.99", "USD", "$"},
	{"4.5 out of 5 stars", Hints{}, "", "", ""},
	{"$19.99 (123 reviews)", Hints{}, "19.99", "USD", "$"},
	{"Size 42 - 59,95 €", Hints{}, "59.95", "EUR", "€"},
	{"3 Stück 12,99 €", Hints{}, "12.99", "EUR", "€"},
	{"Art.-Nr. 12345 12,99", Hints{}, "12.99", "", ""},
	// Free.
	{"Free!", Hints{}, "0", "", ""},
	{"gratis", Hints{}, "0", "", ""},
	{"Gratuit", Hints{}, "0", "", ""},
	{"kostenlos", Hints{}, "0", "", ""},
	{"Grátis", Hints{Currency: "BRL"}, "0", "BRL", ""},
	{"Free shipping", Hints{}, "", "", ""},
	{"gluten-free", Hints{}, "", "", ""},
	// No price.
	{"", Hints{}, "", "", ""},
	{"Not Available", Hints{}, "", "", ""},
	{"Type of Transfer *", Hints{CurrencyText: "$"}, "", "USD", "$"},
	{"so'm", Hints{}, "", "UZS", "so'm"},
	// Other digits.
	{"٣٬٥٠٠ ر.س", Hints{}, "3500", "SAR", "ر.س"},
	{"１，２３４円", Hints{}, "1234", "JPY", "円"},
}

func TestParse(t *testing.T) {
	for _, c := range parseCases {
		p, err := Parse(c.in, c.h)
		if c.amount == "" {
			if !errors.Is(err, ErrNoPrice) {
				t.Errorf("Parse(%q, %+v) = %+v, %v; want ErrNoPrice", c.in, c.h, p, err)
			}
		} else if err != nil || p.Amount != c.amount {
			t.Errorf("Parse(%q, %+v) amount = %q, %v; want %q", c.in, c.h, p.Amount, err, c.amount)
		}
		if p.Currency != c.currency || p.Token != c.token {
			t.Errorf("Parse(%q, %+v) currency = %q token %q; want %q %q", c.in, c.h, p.Currency, p.Token, c.currency, c.token)
		}
	}
}

func TestMinor(t *testing.T) {
	for _, c := range []struct {
		p     Price
		minor int64
		ok    bool
	}{
		{Price{Amount: "19.99", Currency: "USD"}, 1999, true},
		{Price{Amount: "500", Currency: "JPY"}, 500, true},
		{Price{Amount: "500.5", Currency: "JPY"}, 501, true},
		{Price{Amount: "500.49", Currency: "JPY"}, 500, true},
		{Price{Amount: "1.2345", Currency: "BHD"}, 1235, true},
		{Price{Amount: "1.2344", Currency: "BHD"}, 1234, true},
		{Price{Amount: "0.005", Currency: "EUR"}, 1, true},
		{Price{Amount: "0.004999", Currency: ""}, 0, true},
		{Price{Amount: "12", Currency: "XYZ"}, 1200, true},
		{Price{Amount: "92233720368547758.07", Currency: "USD"}, math.MaxInt64, true},
		{Price{Amount: "92233720368547758.08", Currency: "USD"}, 0, false},
		{Price{Amount: "92233720368547758.075", Currency: "USD"}, 0, false},
		{Price{Amount: "", Currency: "USD"}, 0, false},
		{Price{Amount: "1x", Currency: "USD"}, 0, false},
	} {
		m, ok := c.p.Minor()
		if m != c.minor || ok != c.ok {
			t.Errorf("%+v.Minor() = %d, %v; want %d, %v", c.p, m, ok, c.minor, c.ok)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		minor int64
		cur   string
		want  string
	}{
		{1999, "USD", "19.99"},
		{5, "EUR", "0.05"},
		{0, "EUR", "0.00"},
		{500, "JPY", "500"},
		{1234, "BHD", "1.234"},
		{-1999, "USD", "-19.99"},
		{1999, "", "19.99"},
		{math.MinInt64, "JPY", "-9223372036854775808"},
		{math.MaxInt64, "USD", "92233720368547758.07"},
	} {
		if got := Format(c.minor, c.cur); got != c.want {
			t.Errorf("Format(%d, %q) = %q; want %q", c.minor, c.cur, got, c.want)
		}
	}
}

func TestCurrencyFromSymbol(t *testing.T) {
	for _, c := range []struct {
		sym  string
		h    Hints
		want string
	}{
		{"US$", Hints{}, "USD"},
		{"$", Hints{}, "USD"},
		{"$", Hints{Host: "www.falabella.com.co"}, "COP"},
		{"$", Hints{Host: "https://www.example.com.au:443/p/1?x=y"}, "AUD"},
		{"$", Hints{Host: "shop.io"}, "USD"},
		{"$", Hints{Host: "www.kabum.com.br"}, "BRL"},
		{"£", Hints{Host: "www.argos.co.uk"}, "GBP"},
		{"lei", Hints{Host: "www.flanco.ro"}, "RON"},
		{"lei", Hints{Host: "shop.md"}, "MDL"},
		{"DT", Hints{Host: "www.mytek.tn"}, "TND"},
		{"Rs", Hints{Host: "www.amazon.in"}, "INR"},
		{"$", Hints{Host: "www.anyeluz.co"}, "COP"},
		{"$", Hints{Locale: "es_CO"}, "COP"},
		{"$", Hints{Locale: "en_US", Host: "shop.ca"}, "CAD"},
		{"kr", Hints{Host: "www.komplett.no"}, "NOK"},
		{"kr", Hints{Locale: "da-DK"}, "DKK"},
		{"¥", Hints{Host: "item.rakuten.co.jp"}, "JPY"},
		{"¥", Hints{Locale: "zh-CN"}, "CNY"},
		{"Rs", Hints{Host: "daraz.pk"}, "PKR"},
		{"£", Hints{Host: "souq.eg"}, "EGP"},
		{"£", Hints{}, "GBP"},
		{"kr", Hints{Host: "www.bokus.se"}, "SEK"},
		{"kr", Hints{}, ""},
		{"eur", Hints{}, "EUR"},
		{"zł", Hints{}, "PLN"},
		{"DT", Hints{}, "TND"},
		{"lei", Hints{}, "RON"},
		{"nonsense", Hints{}, ""},
	} {
		if got := CurrencyFromSymbol(c.sym, c.h); got != c.want {
			t.Errorf("CurrencyFromSymbol(%q, %+v) = %q; want %q", c.sym, c.h, got, c.want)
		}
	}
}

func TestDigits(t *testing.T) {
	for cur, want := range map[string]int{"USD": 2, "JPY": 0, "BHD": 3, "": 2, "XYZ": 2, "KWD": 3} {
		if got := Digits(cur); got != want {
			t.Errorf("Digits(%q) = %d; want %d", cur, got, want)
		}
	}
}

// checkInvariants is shared by the fuzz test.
func checkInvariants(t *testing.T, in string, p Price, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, ErrNoPrice) || p.Amount != "" {
			t.Fatalf("Parse(%q) = %+v, %v", in, p, err)
		}
		return
	}
	a := p.Amount
	if a == "" {
		t.Fatalf("Parse(%q): empty amount without error", in)
	}
	intPart, frac, hasDot := strings.Cut(a, ".")
	if intPart == "" || strings.Trim(intPart, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		t.Fatalf("Parse(%q): amount %q is not canonical", in, a)
	}
	if len(intPart) > 1 && intPart[0] == '0' {
		t.Fatalf("Parse(%q): amount %q has a leading zero", in, a)
	}
	if hasDot && (frac == "" || strings.HasSuffix(frac, "0")) {
		t.Fatalf("Parse(%q): amount %q has a bare or zero-padded fraction", in, a)
	}
	if p.Currency != "" && (len(p.Currency) != 3 || strings.ToUpper(p.Currency) != p.Currency) {
		t.Fatalf("Parse(%q): currency %q", in, p.Currency)
	}
	if m, ok := p.Minor(); ok {
		// Minor must be the amount rounded to the currency's digits: its
		// formatted form must agree with the amount on the kept digits.
		d := Digits(p.Currency)
		f := Format(m, p.Currency)
		if m < 0 {
			t.Fatalf("Parse(%q): negative minor %d", in, m)
		}
		fi, ff, _ := strings.Cut(f, ".")
		if len(ff) != d {
			t.Fatalf("Format(%d, %q) = %q", m, p.Currency, f)
		}
		want := intPart + (frac + strings.Repeat("0", d))[:d]
		got := fi + ff
		roundUp := len(frac) > d && frac[d] >= '5'
		if !roundUp && strings.TrimLeft(want, "0") != strings.TrimLeft(got, "0") {
			t.Fatalf("Parse(%q): amount %q but minor %d (%s)", in, a, m, f)
		}
	} else if len(intPart) < 15 {
		t.Fatalf("Parse(%q): amount %q does not fit minor units", in, a)
	}
}

func FuzzParse(f *testing.F) {
	for _, c := range parseCases {
		f.Add(c.in, c.h.Currency, c.h.Locale, c.h.Host, c.h.CurrencyText+c.h.Decimal)
	}
	f.Add("1.234.567,89 € 1'234.5 $..75,333 12€99 ₹1,23,456", "", "", "", "")
	f.Fuzz(func(t *testing.T, in, cur, loc, host, ctext string) {
		h := Hints{Currency: cur, Locale: loc, Host: host, CurrencyText: ctext}
		if len(ctext) > 0 && len(ctext)%3 == 0 {
			h.Decimal = ctext[:1] // exercise the separator override too
		}
		p, err := Parse(in, h)
		checkInvariants(t, in, p, err)
		_ = CurrencyFromSymbol(in, h)
	})
}

func BenchmarkParse(b *testing.B) {
	inputs := []struct {
		s string
		h Hints
	}{
		{"$1,299.99", Hints{}},
		{"1.849, 99 lei", Hints{Host: "www.flanco.ro"}},
		{"Pris från 172 kr", Hints{Locale: "sv_SE"}},
		{"R$ 1.299,90 à vista", Hints{Currency: "BRL"}},
		{"173.000", Hints{Currency: "COP"}},
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		in := inputs[i%len(inputs)]
		if _, err := Parse(in.s, in.h); err != nil {
			b.Fatal(err)
		}
	}
}

// Letters inside words and product codes are no currency tokens; a model
// number does not group with the price after it.
func TestParseNotTokens(t *testing.T) {
	for _, c := range []struct{ in, amount, currency, token string }{
		{"$32.97$32.97", "32.97", "USD", "$"},
		{"US$32.97US$32.97", "32.97", "USD", "US$"},
		{"+ Sacoche Lenovo T210", "210", "", ""},
		{"- Pricey compared to other 5G phones", "5", "", ""},
		{"B0G6KD54ZK", "", "", ""},
		{"18L x 25W", "18", "", ""},
		{"Lenovo T210 319 kr", "319", "", "kr"},
		{"R199.99", "199.99", "ZAR", "R"},
		{"R1,299", "1299", "ZAR", "R"},
		{"R199", "199", "ZAR", "R"},
		{"KD54", "54", "KWD", "KD"},
		{"EUR29.66", "29.66", "EUR", "EUR"},
		{"税込1,980円", "1980", "JPY", "円"},
		{"价格1980元起", "1980", "CNY", "元"},
	} {
		p, err := Parse(c.in, Hints{})
		if c.amount == "" {
			if err == nil && p.Amount != "" {
				t.Errorf("%q: got %q %q, want no price", c.in, p.Amount, p.Token)
			}
			continue
		}
		if p.Amount != c.amount || p.Currency != c.currency || p.Token != c.token {
			t.Errorf("%q: got %q %q %q, want %q %q %q", c.in, p.Amount, p.Currency, p.Token, c.amount, c.currency, c.token)
		}
	}
}
