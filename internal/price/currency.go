package price

import (
	"sort"
	"strings"
	"unicode"

	"github.com/bojanz/currency"
)

// Token flags.
const (
	// weak tokens are short or common words ("Le", "KM", "Ft", "DT") and
	// lone letters: they count only when written next to the amount.
	weak uint8 = 1 << iota
	// noBoundary tokens may touch letters (CJK text has no spaces: "日本円").
	noBoundary
	// upperOnly tokens match only as written ("DEM", not "dem").
	upperOnly
)

// legacyCodes are withdrawn ISO codes still seen on old pages; they name no
// current currency, so Currency stays "".
var legacyCodes = []string{"ATS", "BEF", "CYP", "DEM", "EEK", "ESP", "FIM", "FRF", "GRD", "IEP", "ITL",
	"LTL", "LUF", "LVL", "MTL", "NLG", "SIT", "SKK", "VAL", "VEF", "ZWD", "ZWL", "ZMK", "SLL", "STD",
	"MRO", "CUC", "TVD", "BYR", "RUR", "TRL", "YUM", "ROL", "GHC", "MZM", "SDD", "TMM", "AZM", "XEU"}

// tokenDef is one way of writing a currency in price text.
type tokenDef struct {
	text  string
	code  string   // the ISO 4217 code it means without hints, "" if none
	alts  []string // other codes it is also written for ("$": CAD, AUD…)
	flags uint8
}

// Codes that share a symbol. The first code of each list is the default
// ("" when there is none: "kr" alone does not say which krone).
var (
	dollarCodes = []string{"USD", "CAD", "AUD", "NZD", "MXN", "ARS", "CLP", "COP", "UYU", "SGD", "HKD",
		"TWD", "JMD", "TTD", "BSD", "BBD", "BZD", "BMD", "KYD", "XCD", "FJD", "SBD", "LRD", "NAD", "GYD",
		"SRD", "CUP", "DOP", "BND", "WST", "TOP", "NIO", "BOB", "ZWG", "BRL"}
	kroneCodes  = []string{"", "SEK", "NOK", "DKK", "ISK"}
	yenCodes    = []string{"", "JPY", "CNY"}
	francCodes  = []string{"", "CHF", "XOF", "XAF", "XPF", "CDF", "GNF", "RWF", "BIF", "DJF", "KMF"}
	rupeeCodes  = []string{"", "INR", "PKR", "LKR", "NPR", "MUR", "SCR"}
	poundCodes  = []string{"GBP", "EGP", "LBP", "SYP", "SDG", "SSP", "GIP", "FKP", "SHP"}
	rialCodes   = []string{"", "IRR", "SAR", "OMR", "QAR", "YER"}
	dinarCodes  = []string{"", "KWD", "BHD", "JOD", "IQD", "LYD", "TND", "DZD", "RSD", "MKD"}
	dirhamCodes = []string{"", "AED", "MAD"}
	rubleCodes  = []string{"RUB", "BYN"}
	cfaCodes    = []string{"", "XOF", "XAF"}
	birrCodes   = []string{"", "ETB", "BYN"}
	pesoCodes   = []string{"PHP", "CUP"}
	yuanCodes   = []string{"CNY", "TWD", "HKD"}
	wonCodes    = []string{"KRW", "KPW"}
	leuCodes    = []string{"RON", "MDL"}
	florinCodes = []string{"", "AWG", "ANG", "XCG"}
	lempCodes   = []string{"", "HNL", "ALL", "MDL", "LSL"}
	kinaCodes   = []string{"", "PGK", "MMK", "LAK", "ZMW", "MWK"}
	bolCodes    = []string{"", "VES", "BOB"}
)

func shared(text string, codes []string, flags uint8) tokenDef {
	return tokenDef{text: text, code: codes[0], alts: codes[1:], flags: flags}
}

func fixed(text, code string, flags uint8) tokenDef {
	return tokenDef{text: text, code: code, flags: flags}
}

// symbolTokens are the ways currencies are written besides their ISO codes.
// Longer tokens win over their prefixes ("US$" over "$", "руб." over "руб").
// An abbreviation's dot is part of the token only where it is customary
// ("руб.", "лв."), not for "Rs" or "kr", whose dot is often left out.
var symbolTokens = []tokenDef{
	shared("$", dollarCodes, 0),
	fixed("US$", "USD", 0), fixed("U$S", "USD", 0), fixed("USD$", "USD", 0),
	fixed("CA$", "CAD", 0), shared("C$", []string{"CAD", "NIO"}, 0), fixed("CAD$", "CAD", 0), fixed("CAN$", "CAD", 0), fixed("CDN$", "CAD", 0),
	fixed("AU$", "AUD", 0), fixed("A$", "AUD", 0), fixed("AUD$", "AUD", 0),
	fixed("NZ$", "NZD", 0), fixed("NZD$", "NZD", 0), fixed("HK$", "HKD", 0), fixed("NT$", "TWD", 0),
	fixed("S$", "SGD", 0), fixed("SG$", "SGD", 0), fixed("SGD$", "SGD", 0),
	fixed("MX$", "MXN", 0), fixed("Mex$", "MXN", 0), fixed("AR$", "ARS", 0), fixed("CL$", "CLP", 0),
	fixed("CO$", "COP", 0), fixed("COL$", "COP", 0), fixed("R$", "BRL", 0), fixed("RD$", "DOP", 0),
	fixed("J$", "JMD", 0), fixed("TT$", "TTD", 0), fixed("Bds$", "BBD", 0), fixed("BZ$", "BZD", 0),
	fixed("BN$", "BND", 0), shared("B$", []string{"BSD", "BND"}, 0), fixed("CUC$", "", 0), fixed("MOP$", "MOP", 0),
	fixed("Z$", "", 0), fixed("N$", "NAD", 0), fixed("$U", "UYU", 0), fixed("WS$", "WST", 0),
	fixed("T$", "TOP", 0), fixed("EC$", "XCD", 0), fixed("FJ$", "FJD", 0), fixed("G$", "GYD", 0),
	fixed("SI$", "SBD", 0), fixed("L$", "LRD", 0), fixed("$b", "BOB", 0), fixed("CV$", "CVE", 0),

	fixed("€", "EUR", 0), fixed("euro", "EUR", weak), fixed("euros", "EUR", weak),
	shared("£", poundCodes, 0), shared("￡", poundCodes, 0), fixed("stg", "GBP", weak),
	fixed("GB£", "GBP", 0), fixed("E£", "EGP", 0), fixed("LE", "EGP", weak), fixed("L.E.", "EGP", weak),
	fixed("LB£", "LBP", 0), fixed("SY£", "SYP", 0), fixed("£E", "EGP", 0),
	shared("¥", yenCodes, 0), shared("￥", yenCodes, 0), fixed("JP¥", "JPY", 0), fixed("CN¥", "CNY", 0),
	fixed("円", "JPY", noBoundary), shared("元", yuanCodes, noBoundary), fixed("圆", "CNY", noBoundary),
	fixed("人民币", "CNY", noBoundary), fixed("RMB", "CNY", 0), fixed("NTD", "TWD", 0),
	shared("₩", wonCodes, 0), fixed("원", "KRW", noBoundary),
	fixed("₹", "INR", 0), fixed("र", "INR", weak), fixed("रु", "NPR", weak), fixed("रू", "NPR", weak),
	shared("Rs", rupeeCodes, 0), shared("₨", rupeeCodes, 0),
	shared("Re", rupeeCodes, weak),
	fixed("රු", "LKR", 0), fixed("SLRs", "LKR", 0), fixed("MRs", "MUR", 0), fixed("NRs", "NPR", 0),
	fixed("Rp", "IDR", 0), fixed("RM", "MYR", weak),
	shared("₱", pesoCodes, 0), fixed("PHP", "PHP", weak), fixed("฿", "THB", 0), fixed("บาท", "THB", 0),
	fixed("₫", "VND", 0), fixed("đ", "VND", weak), fixed("VNĐ", "VND", 0), fixed("vnđ", "VND", 0),
	fixed("₪", "ILS", 0), fixed("NIS", "ILS", weak), fixed("ש״ח", "ILS", 0), fixed("ש\"ח", "ILS", 0),
	fixed("ש'ח", "ILS", 0), fixed("₺", "TRY", 0), fixed("TL", "TRY", weak), fixed("YTL", "TRY", weak),
	fixed("₴", "UAH", 0), fixed("грн", "UAH", 0), fixed("грн.", "UAH", 0), fixed("hrn", "UAH", weak),
	fixed("₽", "RUB", 0), shared("руб", rubleCodes, 0), shared("руб.", rubleCodes, 0),
	shared("рубль", rubleCodes, 0), shared("рубля", rubleCodes, 0), shared("рублей", rubleCodes, 0),
	shared("р.", rubleCodes, weak), shared("р", rubleCodes, weak), fixed("RUR", "RUB", upperOnly),
	shared("Br", birrCodes, weak), shared("ብር", birrCodes, 0),
	fixed("zł", "PLN", 0), fixed("zl", "PLN", weak), fixed("Kč", "CZK", 0), fixed("Ft", "HUF", weak),
	shared("lei", leuCodes, 0), fixed("leu", "RON", weak), fixed("лв", "BGN", weak), fixed("лв.", "BGN", weak),
	fixed("kn", "HRK", weak), fixed("BGN", "BGN", 0), fixed("ден", "MKD", weak),
	fixed("дин", "RSD", weak), fixed("дин.", "RSD", weak), fixed("din", "RSD", weak), fixed("din.", "RSD", weak),
	fixed("KM", "BAM", weak), fixed("Lek", "ALL", weak), fixed("Lekë", "ALL", weak),
	shared("kr", kroneCodes, 0),
	fixed("Skr", "SEK", 0), fixed("Nkr", "NOK", 0), fixed("Dkr", "DKK", 0), fixed("Ikr", "ISK", 0),
	fixed("CHF", "CHF", 0), fixed("SFr.", "CHF", 0), shared("Fr.", francCodes, weak), shared("Fr", francCodes, weak), shared("fr.", francCodes, weak),
	shared("₣", francCodes, 0), shared("CFA", cfaCodes, weak), shared("FCFA", cfaCodes, 0), shared("F.CFA", cfaCodes, 0),
	fixed("FBu", "BIF", weak), fixed("Fdj", "DJF", weak), fixed("FRw", "RWF", weak), fixed("RF", "RWF", weak),
	fixed("FG", "GNF", weak), fixed("KSh", "KES", weak), fixed("Ksh", "KES", weak), fixed("USh", "UGX", weak),
	fixed("TSh", "TZS", weak), fixed("₦", "NGN", 0), fixed("GH₵", "GHS", 0), fixed("₵", "GHS", 0),
	fixed("Nfk", "ERN", weak), fixed("ናቕፋ", "ERN", 0), fixed("Kz", "AOA", weak), fixed("MT", "MZN", weak),
	fixed("MK", "MWK", weak), fixed("ZK", "ZMW", weak), fixed("Le", "SLE", weak), fixed("R", "ZAR", weak),
	shared("P", []string{"", "BWP", "PHP"}, weak), fixed("Q", "GTQ", weak), shared("L", lempCodes, weak),
	shared("K", kinaCodes, weak),
	fixed("Nu", "BTN", weak), fixed("Nu.", "BTN", weak), fixed("Rf", "MVR", weak), fixed("ރ.", "MVR", 0),
	fixed("৳", "BDT", 0), fixed("Tk", "BDT", weak), fixed("টকা", "BDT", 0), fixed("Ks", "MMK", weak),
	fixed("₭", "LAK", 0), fixed("៛", "KHR", 0), fixed("₮", "MNT", 0), fixed("₸", "KZT", 0),
	fixed("тңг", "KZT", 0), fixed("тңг.", "KZT", 0), fixed("тг", "KZT", weak),
	fixed("₼", "AZN", 0), fixed("ман.", "AZN", weak), fixed("₾", "GEL", 0), fixed("ლ", "GEL", weak),
	fixed("֏", "AMD", 0), fixed("դր.", "AMD", 0), fixed("դր", "AMD", 0), fixed("сом", "KGS", weak),
	fixed("сўм", "UZS", weak), fixed("so'm", "UZS", weak), fixed("soʻm", "UZS", weak), fixed("сум", "UZS", weak),
	fixed("₲", "PYG", 0), fixed("Gs", "PYG", weak), fixed("₡", "CRC", 0),
	fixed("S/", "PEN", 0), fixed("S/.", "PEN", 0), fixed("S'", "PEN", weak), fixed("B/.", "PAB", 0),
	shared("Bs", bolCodes, weak), shared("Bs.", bolCodes, weak), fixed("Bs.S", "VES", weak), fixed("Bs.F", "VES", weak),
	fixed("VT", "VUV", weak), shared("ƒ", florinCodes, 0), shared("Afl.", florinCodes, weak),
	shared("Afl", florinCodes, weak), fixed("₿", "", 0), fixed("BTC", "", 0), fixed("¢", "", 0),
	fixed("PTE", "", weak|upperOnly), fixed("₠", "", 0), fixed("₧", "", 0), fixed("₤", "", 0),
	shared("﷼", rialCodes, 0), fixed("ریال", "IRR", 0), shared("ريال", rialCodes, 0), fixed("تومان", "", 0),
	fixed("د.إ", "AED", 0), fixed("د.إ.", "AED", 0), fixed("Dhs", "AED", weak),
	fixed("DH", "MAD", weak), fixed("Dh", "MAD", weak), fixed("د.م.", "MAD", 0), fixed("د.م", "MAD", 0),
	shared("درهم", dirhamCodes, 0), fixed("ر.س", "SAR", 0), fixed("ر.س.", "SAR", 0), fixed("SR", "SAR", weak),
	fixed("ر.ق", "QAR", 0), fixed("ر.ق.", "QAR", 0), fixed("QR", "QAR", weak), fixed("د.ك", "KWD", 0),
	fixed("د.ك.", "KWD", 0), fixed("KD", "KWD", weak), fixed("د.ب", "BHD", 0), fixed("د.ب.", "BHD", 0),
	fixed("BD", "BHD", weak), fixed("ر.ع", "OMR", 0), fixed("ر.ع.", "OMR", 0), fixed("د.أ", "JOD", 0),
	fixed("د.أ.", "JOD", 0), fixed("د.ا", "JOD", 0), fixed("JD", "JOD", weak), fixed("د.ع", "IQD", 0),
	fixed("د.ع.", "IQD", 0), fixed("د.ل", "LYD", 0), fixed("د.ل.", "LYD", 0), fixed("LD", "LYD", weak),
	fixed("د.ت", "TND", 0), fixed("د.ت.", "TND", 0), fixed("DT", "TND", weak), fixed("د.ج", "DZD", 0),
	fixed("د.ج.", "DZD", 0), fixed("دج", "DZD", 0), fixed("DA", "DZD", weak), fixed("ج.م", "EGP", 0),
	fixed("ج.م.", "EGP", 0), fixed("جنيه", "EGP", 0), fixed("ل.ل", "LBP", 0), fixed("ل.ل.", "LBP", 0),
	fixed("ل.س", "SYP", 0), fixed("ل.س.", "SYP", 0), fixed("ر.ي", "YER", 0), fixed("ر.ي.", "YER", 0),
	shared("دينار", dinarCodes, 0), fixed("؋", "AFN", 0), fixed("Af", "AFN", weak),
	fixed("FrCD", "CDF", 0), fixed("MURs", "MUR", 0), fixed("MTn", "MZN", weak), fixed("NPRs", "NPR", 0),
	fixed("PKRs", "PKR", 0), fixed("SRe", "SCR", weak), fixed("Ssh", "SOS", weak), fixed("Ar", "MGA", weak),
	fixed("Db", "STN", weak), fixed("FC", "CDF", weak), fixed("CF", "KMF", weak),
	fixed("ZWL$", "ZWG", 0), fixed("Dinara", "RSD", weak), fixed("динар", "RSD", weak),
	fixed("UM", "MRU", weak), fixed("MRf", "MVR", weak), fixed("YR", "YER", weak), fixed("CFP", "XPF", weak),
	fixed("FR", "RWF", weak), fixed("SL Re", "LKR", 0), fixed("नेरू", "NPR", 0), fixed("Bs.F.", "VES", weak),
	fixed("T", "TMT", weak), fixed("৲", "BDT", 0), fixed("૱", "INR", 0), fixed("௹", "INR", 0),
	fixed("Ptas", "", weak), fixed("Pta", "", weak), fixed("Pts", "", weak), fixed("DM", "", weak),
	fixed("D-Mark", "", 0), fixed("öS", "", weak), fixed("fl.", "", weak), fixed("mk.", "", weak),
	fixed("Δρχ.", "", 0), fixed("Δρ.", "", 0), fixed("IR£", "", 0), fixed("Lm", "", weak), fixed("Sk", "", weak),
	fixed("₢", "", 0), fixed("₯", "", 0), fixed("₰", "", 0), fixed("₳", "", 0), fixed("₷", "", 0), fixed("₶", "", 0),
	fixed("ℳ", "", 0), fixed("Ekr", "", 0), fixed("kroon", "", weak), fixed("litų", "", weak),
	fixed("UF", "CLF", weak), fixed("Lt", "", weak), fixed("Ls", "", weak), fixed("Pt", "", weak),
	fixed("tolarjev", "", weak), fixed("Sucre", "", weak), fixed("ރ", "MVR", weak), fixed("G", "HTG", weak),
	fixed("D", "GMD", weak), fixed("F", "", weak), fixed("HRK", "HRK", 0), fixed("ID", "IQD", weak),
}

// wordCodes are ISO codes that are also common words or brands ("ALL",
// "TOP", "AMD"): like weak tokens they count only next to the amount.
var wordCodes = map[string]bool{
	"ALL": true, "AMD": true, "BOB": true, "CUP": true, "GEL": true, "MAD": true, "MOP": true,
	"PEN": true, "SOS": true, "TOP": true, "TRY": true, "CVE": true, "LAK": true, "MRU": true,
	"NIO": true, "PAB": true, "SLE": true, "STN": true, "TMT": true, "VES": true, "XAG": true,
	"XAU": true, "XPT": true, "XPD": true, "XTS": true, "XXX": true, "XDR": true, "XSU": true,
	"XUA": true, "BOV": true, "CHE": true, "CHW": true, "CLF": true, "COU": true, "MXV": true,
	"USN": true, "UYI": true, "UYW": true, "BAM": true, "NPR": true, "SVC": true, "CRC": true,
	"XBA": true, "XBB": true, "XBC": true, "XBD": true,
}

// tokenTable is every token: symbolTokens, legacy codes, ISO codes.
// tokenIndex maps a token's first rune (lower case) to the tokens starting
// with it, longest first. symbolIndex maps a lower-cased token text to its
// first definition. All three are built once and never written after.
var (
	tokenTable  = allTokens()
	tokenIndex  = buildTokenIndex(tokenTable)
	symbolIndex = buildSymbolIndex(tokenTable)
)

func lowerRunes(s string) []rune {
	r := []rune(s)
	for i, c := range r {
		r[i] = unicode.ToLower(c)
	}
	return r
}

type indexedToken struct {
	low     []rune
	def     *tokenDef
	code    bool // an ISO code: weak unless written in capitals
	anyCase bool // written in lower case in the table: any case matches
	lone    bool // a single letter ("R", "P"): must touch the amount
}

func allTokens() []tokenDef {
	defs := make([]tokenDef, 0, len(symbolTokens)+200)
	defs = append(defs, symbolTokens...)
	seen := map[string]bool{}
	for _, d := range symbolTokens {
		seen[d.text] = true
	}
	for _, c := range legacyCodes {
		if !seen[c] {
			seen[c] = true
			defs = append(defs, fixed(c, "", weak|upperOnly))
		}
	}
	for _, c := range currency.GetCurrencyCodes() {
		if seen[c] {
			continue
		}
		f := uint8(0)
		if wordCodes[c] {
			f = weak
		}
		defs = append(defs, fixed(c, c, f))
	}
	return defs
}

func buildTokenIndex(defs []tokenDef) map[rune][]indexedToken {
	idx := map[rune][]indexedToken{}
	for i := range defs {
		d := &defs[i]
		low := lowerRunes(d.text)
		isCode := len(d.text) == 3 && d.text == strings.ToUpper(d.text) && currency.IsValid(d.text)
		lone := len(low) == 1 && unicode.IsLetter(low[0]) && d.flags&noBoundary == 0
		idx[low[0]] = append(idx[low[0]], indexedToken{low: low, def: d, code: isCode,
			anyCase: d.text == strings.ToLower(d.text), lone: lone})
	}
	for _, list := range idx {
		sort.SliceStable(list, func(a, b int) bool { return len(list[a].low) > len(list[b].low) })
	}
	return idx
}

func buildSymbolIndex(defs []tokenDef) map[string]*tokenDef {
	m := map[string]*tokenDef{}
	for i := range defs {
		low := string(lowerRunes(defs[i].text))
		if _, ok := m[low]; !ok {
			m[low] = &defs[i]
		}
	}
	return m
}

// tokenHit is a currency token found in the text.
type tokenHit struct {
	start, end int
	def        *tokenDef
	weak       bool
	lone       bool
}

func isLetter(r rune) bool { return unicode.IsLetter(r) || unicode.Is(unicode.M, r) }

// matchToken returns the longest token starting at s[i], if any. Among
// tokens of one length, one written exactly as in the text wins over a
// case variant ("LE" is the Egyptian pound, "Le" the leone).
func matchToken(s []rune, i int) (tokenHit, bool) {
	var best tokenHit
	found := false
	for _, t := range tokenIndex[unicode.ToLower(s[i])] {
		n := len(t.low)
		if found && n < best.end-best.start {
			break
		}
		if i+n > len(s) || !foldEqual(s[i:i+n], t.low) {
			continue
		}
		if t.def.flags&noBoundary == 0 {
			if isLetter(t.low[0]) && i > 0 && isLetter(s[i-1]) {
				continue
			}
			if isLetter(t.low[n-1]) && i+n < len(s) && isLetter(s[i+n]) {
				continue
			}
		}
		got := s[i : i+n]
		exact := runesEqual(got, t.def.text)
		w := t.def.flags&weak != 0
		switch {
		case t.def.flags&upperOnly != 0:
			if !exact {
				continue
			}
		case t.anyCase:
		case t.code:
			// "Eur." in "Ph. Eur." is no currency; "pln" after a
			// number is.
			if !allUpper(got) {
				w = true
			}
		default:
			if !sameCaseVariant(got, t.def.text) {
				continue
			}
		}
		if !found || exact {
			best = tokenHit{start: i, end: i + n, def: t.def, weak: w, lone: t.lone}
			found = true
		}
		if exact {
			break
		}
	}
	return best, found
}

func runesEqual(got []rune, text string) bool {
	k := 0
	for _, r := range text {
		if k >= len(got) || got[k] != r {
			return false
		}
		k++
	}
	return k == len(got)
}

func foldEqual(got, low []rune) bool {
	for k := range low {
		if unicode.ToLower(got[k]) != low[k] {
			return false
		}
	}
	return true
}

func allUpper(r []rune) bool {
	for _, c := range r {
		if unicode.IsLower(c) {
			return false
		}
	}
	return true
}

// sameCaseVariant accepts got when it is the table text, or the table text
// all in lower or all in upper case.
//
// Short Latin abbreviations keep their case: in lower case they are words
// and units ("g", "km", "ft", "le", "da"), not currencies.
func sameCaseVariant(got []rune, text string) bool {
	lower, upper, exact := !shortLatin(text), true, true
	k := 0
	for _, want := range text {
		if k >= len(got) {
			return false
		}
		if got[k] != want {
			exact = false
		}
		if got[k] != unicode.ToLower(want) {
			lower = false
		}
		if got[k] != unicode.ToUpper(want) {
			upper = false
		}
		k++
	}
	return exact || lower || upper
}

// shortLatin reports one or two ASCII letters, with an optional dot.
func shortLatin(text string) bool {
	t := strings.TrimSuffix(text, ".")
	return len(t) <= 2 && isASCIIAlpha(t)
}

// findTokens lists the currency tokens in s, left to right, without overlaps.
func findTokens(s []rune, buf []tokenHit) []tokenHit {
	for i := 0; i < len(s); {
		if s[i] == ' ' || isDigit(s[i]) {
			i++
			continue
		}
		if h, ok := matchToken(s, i); ok && !inIdentifier(s, h.start, h.end) {
			buf = append(buf, h)
			i = h.end
			continue
		}
		i++
	}
	return buf
}

// CurrencyFromSymbol returns the ISO 4217 code a currency symbol or code
// stands for ("US$" → USD, "kr" with a .se host → SEK), or "" when unknown
// or unsettled.
func CurrencyFromSymbol(symbol string, h Hints) string {
	d, ok := symbolIndex[strings.ToLower(strings.TrimSpace(symbol))]
	if !ok {
		return ""
	}
	return resolve(d, h)
}

// resolve maps a token to an ISO code: the structured-data currency when it
// is compatible with the token, else the token's own code when it has only
// one, else the country of the host or locale, else the token's default.
func resolve(d *tokenDef, h Hints) string {
	hint := hintCode(h.Currency)
	if d == nil {
		return hint
	}
	if hint != "" && d.compatible(hint) {
		return hint
	}
	if len(d.alts) == 0 {
		return d.code
	}
	for _, c := range hintCountries(h) {
		if cur, ok := currency.ForCountryCode(c); ok && d.compatible(cur) {
			return cur
		}
	}
	return d.code
}

// hintCode reads a structured-data currency: an ISO code in any case, or
// a symbol with a single meaning ("€", "EURO", "US$") as some pages write.
func hintCode(c string) string {
	c = strings.TrimSpace(c)
	if c == "" {
		return ""
	}
	if u := strings.ToUpper(c); len(u) == 3 && currency.IsValid(u) {
		return u
	}
	if d, ok := symbolIndex[strings.ToLower(c)]; ok && len(d.alts) == 0 && d.code != "" {
		return d.code
	}
	return ""
}

// isDollar reports the bare "$".
func (d *tokenDef) isDollar() bool { return d.text == "$" }

func (d *tokenDef) compatible(code string) bool {
	if code == "" {
		return false
	}
	if d.code == code {
		return true
	}
	for _, a := range d.alts {
		if a == code {
			return true
		}
	}
	return false
}

// vanityTLDs are country TLDs mostly bought for their look, not the country.
var vanityTLDs = map[string]bool{
	"io": true, "ai": true, "tv": true, "me": true, "fm": true, "gg": true, "ly": true, "to": true,
	"cc": true, "ws": true, "sh": true, "so": true, "vc": true, "ac": true, "nu": true, "tk": true,
	"ml": true, "ga": true, "cf": true, "la": true, "am": true, "im": true, "st": true, "gd": true,
	"cx": true, "bz": true, "ms": true, "mu": true, "tm": true, "ps": true, "xyz": true,
}

// langCountry gives a country for languages spoken mainly in one country
// that uses an ambiguous symbol ("kr", "¥", "Rs").
var langCountry = map[string]string{
	"sv": "SE", "nb": "NO", "nn": "NO", "no": "NO", "da": "DK", "fo": "DK", "kl": "DK", "is": "IS",
	"ja": "JP", "zh": "CN", "ko": "KR", "hi": "IN", "mr": "IN", "gu": "IN", "ta": "IN", "te": "IN",
	"kn": "IN", "ml": "IN", "ur": "PK", "si": "LK", "ne": "NP", "fil": "PH", "tl": "PH", "ms": "MY",
	"id": "ID", "th": "TH", "vi": "VN", "ru": "RU", "be": "BY", "uk": "UA", "ro": "RO", "fa": "IR",
	"he": "IL", "tr": "TR", "pl": "PL", "cs": "CZ", "hu": "HU", "bg": "BG",
}

// hintCountries lists the countries the hints point at, most reliable
// first: the host's country TLD, the locale's region, its language.
func hintCountries(h Hints) []string {
	var out []string
	if c := hostCountry(h.Host); c != "" {
		out = append(out, c)
	}
	lang, region := splitLocale(h.Locale)
	if region != "" {
		out = append(out, region)
	}
	if c := langCountry[lang]; c != "" {
		out = append(out, c)
	}
	return out
}

// hostCountry returns the country of a host's country-code TLD, or "".
// A whole URL is accepted too.
func hostCountry(host string) string {
	host = strings.ToLower(strings.TrimSpace(host))
	if _, rest, ok := strings.Cut(host, "://"); ok {
		host = rest
	}
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		host = host[i+1:]
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	host = strings.TrimSuffix(host, ".")
	i := strings.LastIndexByte(host, '.')
	if i < 0 {
		return ""
	}
	tld := host[i+1:]
	if len(tld) != 2 || !isASCIIAlpha(tld) || vanityTLDs[tld] {
		return ""
	}
	switch tld {
	case "uk":
		return "GB"
	case "eu":
		return "DE" // any euro country
	}
	return strings.ToUpper(tld)
}

// splitLocale splits "pt_BR", "en-IN", "zh-Hant-TW" into a lower-case
// language and an upper-case region ("" when absent).
func splitLocale(loc string) (lang, region string) {
	loc = strings.TrimSpace(loc)
	if loc == "" {
		return "", ""
	}
	parts := strings.FieldsFunc(loc, func(r rune) bool { return r == '-' || r == '_' || r == '.' || r == '@' })
	if len(parts) == 0 {
		return "", ""
	}
	lang = strings.ToLower(parts[0])
	for _, p := range parts[1:] {
		if len(p) == 2 && isASCIIAlpha(p) {
			region = strings.ToUpper(p)
			break
		}
	}
	return lang, region
}

func isASCIIAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// inIdentifier reports a token of letters inside a run of letters and
// digits that mixes them more than "KD54" or "54KD" does: "B0G6KD54ZK" is a
// product code, not 54 dinars.
func inIdentifier(s []rune, start, end int) bool {
	if start >= end || !glueLetter(s[start]) || !glueLetter(s[end-1]) {
		return false
	}
	return mixedRun(s, start, end)
}

// mixedRun reports whether the run of letters and digits around s[start:end]
// alternates between them more than once ("B0G6KD54ZK", not "EUR29"). CJK
// text, written without spaces, does not count as letters here.
func mixedRun(s []rune, start, end int) bool {
	a, b := start, end
	for a > 0 && (glueLetter(s[a-1]) || isDigit(s[a-1])) {
		a--
	}
	for b < len(s) && (glueLetter(s[b]) || isDigit(s[b])) {
		b++
	}
	return alternations(s[a:start])+1+alternations(s[end:b]) > 2
}

// alternations counts the groups of letters and of digits in r.
func alternations(r []rune) int {
	n := 0
	for i := range r {
		if i == 0 || isDigit(r[i]) != isDigit(r[i-1]) {
			n++
		}
	}
	return n
}
