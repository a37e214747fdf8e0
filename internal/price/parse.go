package price

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bojanz/currency"
)

// normalize maps the many spaces, digits and dashes of web text to ASCII
// and drops invisible characters, so the scanner sees one spelling.
//
// Only the first maxText bytes are read: price text is short, and the cap
// bounds the work any input can cause.
func normalize(text string) []rune {
	if len(text) > maxText {
		text = text[:maxText]
	}
	out := make([]rune, 0, len(text))
	for _, r := range text {
		switch {
		case r >= '0' && r <= '9':
		case r >= '٠' && r <= '٩': // Arabic-Indic digits
			r = '0' + (r - '٠')
		case r >= '۰' && r <= '۹': // Extended Arabic-Indic (Persian)
			r = '0' + (r - '۰')
		case r >= '०' && r <= '९': // Devanagari
			r = '0' + (r - '०')
		case r >= '０' && r <= '９': // fullwidth
			r = '0' + (r - '０')
		case r == '٫' || r == '．' || r == '·': // "£1·99", an old British decimal point
			r = '.'
		case r == '٬' || r == '，':
			r = ','
		case r == '’' || r == 'ʼ' || r == '′' || r == '´' || r == 'ʹ':
			r = '\''
		case r == '–' || r == '—' || r == '−' || r == '‒' || r == '‐' || r == '‑':
			r = '-'
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u200e' || r == '\u200f' ||
			r == '\ufeff' || r == '\u00ad' || r == '\u061c' || r == '\u2060' || r == '\u202a' ||
			r == '\u202b' || r == '\u202c' || r == '\u202d' || r == '\u202e' || r == '\u2066' ||
			r == '\u2067' || r == '\u2068' || r == '\u2069':
			continue
		case r == utf8RuneError:
			continue
		case unicode.IsSpace(r) || unicode.Is(unicode.Zs, r):
			r = ' '
		}
		out = append(out, r)
	}
	return out
}

const utf8RuneError = '\uFFFD'

const maxText = 64 << 10

// candidate is a number with what surrounds it.
type candidate struct {
	number
	before, after, inside int  // index into hits, -1 when none
	glued                 bool // touches a word ("S24", "500g") or a count ("4 x")
	inParens              bool // "(You save $15.01)", "(40.94 inc VAT)"
	demoted               bool // a saving or a discount: "Save $5", "-5 €"
	rank                  int
}

// setRank orders candidates, lowest first: not a saving, outside
// parentheses, not glued to a word, next to a currency.
func (c *candidate) setRank(hits []tokenHit) {
	c.rank = 0
	if c.demoted {
		c.rank += 8
	}
	if c.inParens {
		c.rank += 4
	}
	if c.glued {
		c.rank += 2
	}
	if !c.strongAdjacent(hits) {
		c.rank++
	}
}

// parse implements Parse.
func parse(text string, h Hints) (Price, error) {
	s := normalize(text)
	var hitBuf [8]tokenHit
	hits := findTokens(s, hitBuf[:0])

	var dec rune
	if d := strings.TrimSpace(h.Decimal); d != "" {
		dec = []rune(d)[0]
	}
	// "35€ 99" reads as 35.99 only when it is the text's one euro sign:
	// in "99 € 79 €" the sign ends each price.
	oneEuro := countRune(s, '€') == 1
	var candBuf [8]candidate
	cands := candBuf[:0]
	depth := 0
	for i := 0; i < len(s); {
		r := s[i]
		switch r {
		case '(', '[', '（':
			depth++
		case ')', ']', '）':
			if depth > 0 {
				depth--
			}
		}
		lead := (r == '.' || r == ',') && (i == 0 || !isLetter(s[i-1]) && !isDigit(s[i-1])) && !inToken(hits, i)
		if lead {
			j := i
			for j < len(s) && s[j] == r {
				j++
			}
			// ",99 €" is cents; ",5" or ",500" is more likely a list.
			lead = j < len(s) && isDigit(s[j]) && (r == '.' || (j == i+1 && digitsEnd(s, j) == j+2))
		}
		if !isDigit(r) && !lead {
			i++
			continue
		}
		m := scanNumber(s, i, oneEuro)
		if m.end <= i { // cannot happen; guards the loop
			i++
			continue
		}
		i = m.end
		if dec != 0 {
			m.useDecimal(dec)
		}
		if !m.valid || m.percent || notAmount(s, m.start, m.end) || mixedRun(s, m.start, m.end) {
			continue
		}
		c := candidate{number: m, before: -1, after: -1, inside: -1, inParens: depth > 0}
		c.place(s, hits)
		var wb [48]byte
		switch w := wordBefore(s, &c, hits, wb[:0]); {
		case notPriceWords[string(w)], countAfter(s, &c):
			continue
		case savingWords[string(w)], c.negative(s, hits), extraAfter(s, &c, hits):
			c.demoted = true
		}
		c.setRank(hits)
		cands = append(cands, c)
	}

	linkRanges(s, cands, hits)
	best := -1
	for k := range cands {
		if best < 0 || cands[k].rank < cands[best].rank {
			best = k
		}
	}

	var p Price
	var tok *tokenHit
	if best >= 0 {
		tok = chooseToken(s, hits, &cands[best])
	} else {
		tok = firstStrong(hits)
		if tok == nil && len(hits) == 1 && strings.TrimSpace(string(s)) == string(s[hits[0].start:hits[0].end]) {
			tok = &hits[0] // the text is only a currency: "so'm"
		}
	}
	var def *tokenDef
	if tok != nil {
		p.Token = string(s[tok.start:tok.end])
		def = tok.def
		// "kr 199 SEK", or "$" in the text and "CAD" in the hint text: the
		// code says which.
		if len(def.alts) > 0 && hintCode(h.Currency) == "" {
			if t := compatibleCode(hits, def); t != nil {
				h.Currency = t.def.code
			} else if h.CurrencyText != "" {
				if t, _ := hintToken(h.CurrencyText); t != nil && len(t.def.alts) == 0 && def.compatible(t.def.code) {
					h.Currency = t.def.code
				}
			}
		}
	} else if h.CurrencyText != "" {
		if t, hs := hintToken(h.CurrencyText); t != nil {
			p.Token = string(hs[t.start:t.end])
			def = t.def
		}
	}
	if def != nil || hintCode(h.Currency) != "" {
		p.Currency = resolve(def, h)
	}

	if best < 0 {
		if isFree(s) {
			p.Amount = "0"
			return p, nil
		}
		return p, ErrNoPrice
	}
	c := &cands[best]
	if c.ambiguous && contextDigits(p.Currency, h) == 3 {
		// "12,500 DT", "KD 1.250": stores selling in three-decimal
		// currencies show all three decimals, whatever the locale.
		c.decimalAt = c.n - 1
	}
	p.Amount = c.amount(s)
	return p, nil
}

// inToken reports whether s[i] belongs to a currency token ("B/.1").
func inToken(hits []tokenHit, i int) bool {
	k := sort.Search(len(hits), func(k int) bool { return hits[k].end > i })
	return k < len(hits) && hits[k].start <= i
}

// contextDigits returns the decimals of the price's currency, or of the
// currency of the country the hints point at when the text names none
// ("12,500" on a .tn page), or -1.
func contextDigits(code string, h Hints) int {
	if code != "" {
		return Digits(code)
	}
	for _, c := range hintCountries(h) {
		if cur, ok := currency.ForCountryCode(c); ok {
			return Digits(cur)
		}
	}
	return -1
}

// place finds the tokens next to the number and ranks it: next to a
// currency beats free-standing, and either beats a number glued to a word
// ("S24", "500g") or followed by "x" ("4 x 12,99").
func (c *candidate) place(s []rune, hits []tokenHit) {
	// Between a currency and its number: spaces, a colon ("US$:12.99"),
	// an abbreviation's dot ("Rs.1,299", "Kr. 3.495,00").
	p := c.start
	for p > 0 && (s[p-1] == ' ' || s[p-1] == ':' || (s[p-1] == '.' && p-1 > 0 && isLetter(s[p-2]))) {
		p--
	}
	q := c.end
	for q < len(s) && s[q] == ' ' {
		q++
	}
	// hits are in text order: look only at the last one starting before
	// the number and those from its start on.
	first := sort.Search(len(hits), func(k int) bool { return hits[k].start >= c.start })
	if k := first - 1; k >= 0 {
		t := &hits[k]
		ok := p <= t.end && t.end <= c.start
		if ok && t.lone && t.end != c.start && !onlyThis(s, c, t) {
			ok = false
		}
		// "5 $19.99": a symbol touching the previous number is not this
		// one's.
		if ok && t.end != c.start && t.start > 0 && isDigit(s[t.start-1]) {
			ok = false
		}
		// "Lenovo T210": a lone letter glued to a bare whole number in a
		// text with other words is a model name; "R199.99", "R1,299" or
		// "R199" alone are prices.
		if ok && t.lone && t.end == c.start && c.n == 1 && !c.leadingDot && !onlyThis(s, c, t) {
			ok = false
		}
		if ok {
			c.before = k
		}
	}
	for k := first; k < len(hits); k++ {
		t := &hits[k]
		if t.end <= c.end {
			c.inside = k
			continue
		}
		if t.start == q || t.start == c.end {
			ok := !(t.lone && t.start != c.end && !onlyThis(s, c, t))
			if ok && t.start != c.end && startsNumber(s, t.end) {
				ok = false
			}
			// "5G phones", "18L x 25W": a lone letter glued after a
			// number is a unit or a name unless the text is only that.
			if ok && t.lone && t.start == c.end && !onlyThis(s, c, t) {
				ok = false
			}
			if ok {
				c.after = k
			}
		}
		break
	}
	gluedBefore := c.start > 0 && glueLetter(s[c.start-1]) && (c.before < 0 || hits[c.before].end != c.start || hits[c.before].lone)
	gluedAfter := c.end < len(s) && glueLetter(s[c.end]) && (c.after < 0 || hits[c.after].start != c.end || hits[c.after].lone)
	c.glued = gluedBefore || gluedAfter || multiplier(s, c.end)
}

// glueLetter reports a letter that makes a number touching it part of a
// word. Scripts written without spaces (Chinese, Japanese, Thai) put
// numbers against letters as a matter of course: "税込1,980円".
func glueLetter(r rune) bool {
	return isLetter(r) && !unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Thai)
}

func (c *candidate) strongAdjacent(hits []tokenHit) bool {
	strong := func(k int) bool { return k >= 0 && !hits[k].weak }
	return strong(c.before) || strong(c.after) || strong(c.inside)
}

// notPriceWords, written just before a number, make it a threshold, a
// quantity or an identifier: "orders over $49", "Qty: 2", "мин. заказ: 1",
// "Size 42", "SKU 12345".
var notPriceWords = map[string]bool{
	"over": true, "above": true, "orders": true, "order": true, "spend": true, "exceeding": true,
	"qty": true, "quantity": true, "menge": true, "anzahl": true, "pcs": true, "minimum": true,
	"min": true, "мин": true, "заказ": true, "количество": true, "кол-во": true, "ilość": true,
	"množství": true, "cantidad": true, "quantité": true, "quantità": true, "hoeveelheid": true,
	"size": true, "größe": true, "gr": true, "taille": true, "talla": true, "taglia": true,
	"rozmiar": true, "velikost": true, "размер": true, "sku": true, "art": true, "art-nr": true,
	"artikelnummer": true, "item": true, "model": true, "modell": true, "ref": true, "code": true,
	"ean": true, "isbn": true, "mpn": true, "upc": true, "gtin": true, "nr": true, "no": true,
	"id": true, "version": true, "артикул": true, "код": true,
}

// countWords, just after a number, make it a count: "3 left", "5 in
// stock", "4.5 out of 5 stars", "(123 reviews)".
var countWords = map[string]bool{
	"left": true, "available": true, "items": true, "item": true, "reviews": true,
	"review": true, "ratings": true, "rating": true, "stars": true, "star": true, "sold": true,
	"pcs": true, "pieces": true, "units": true, "people": true, "customers": true, "days": true,
	"day": true, "hours": true, "minutes": true, "years": true, "year": true, "months": true,
	"month": true, "weeks": true, "шт": true, "ks": true, "kusů": true, "stück": true,
	"stk": true, "szt": true, "pz": true, "uds": true, "unidades": true, "bewertungen": true,
	"avis": true, "reseñas": true, "recensioni": true, "opinie": true, "hodnocení": true,
	"отзывов": true, "отзыва": true, "отзыв": true, "товаров": true, "tage": true, "jours": true,
	"días": true, "dias": true, "giorni": true, "dni": true, "дней": true, "дня": true,
}

// countAfter reports a countWords word written right after a number that
// has no currency: "$12.99 month" stays a price.
func countAfter(s []rune, c *candidate) bool {
	if c.after >= 0 || c.before >= 0 || c.inside >= 0 {
		return false
	}
	q := c.end
	for q < len(s) && s[q] == ' ' {
		q++
	}
	if q == c.end && c.decimalAt < 0 && !c.ambiguous && c.n == 1 {
		// "3left" is no spelling anyone uses; "5in" may be inches.
		return false
	}
	var buf [48]byte
	w, e := lowerWord(s, q, buf[:0])
	switch string(w) {
	case "in", "out":
		// "5 in stock", "4.5 out of 5"; not "20 in store".
		for e < len(s) && s[e] == ' ' {
			e++
		}
		next, _ := lowerWord(s, e, buf[len(w):len(w)])
		switch string(next) {
		case "stock", "lager", "stoc", "magazzino", "of":
			return true
		}
		return false
	}
	return countWords[string(w)]
}

// lowerWord appends the lower-cased word at s[i] to buf (nothing when it
// is longer than 12 letters) and returns the index after it.
func lowerWord(s []rune, i int, buf []byte) ([]byte, int) {
	e := i
	for e < len(s) && isLetter(s[e]) {
		e++
	}
	if e-i > 12 {
		return buf, e
	}
	for _, r := range s[i:e] {
		buf = utf8AppendRune(buf, unicode.ToLower(r))
	}
	return buf, e
}

// savingWords, just before a number, mark a saving or a former price, not
// the price to pay: "Save $5", "Was £39.99", "UVP 29,99 €".
var savingWords = map[string]bool{
	"was": true, "reg": true, "regular": true, "rrp": true, "msrp": true, "mrp": true, "uvp": true,
	"statt": true, "anstatt": true, "avant": true, "antes": true, "zamiast": true, "было": true,
	"původně": true, "invece": true,
	"save": true, "saving": true, "savings": true, "spar": true, "sparen": true, "sparst": true,
	"ersparnis": true, "économisez": true, "économie": true, "ahorra": true, "ahorras": true,
	"ahorro": true, "risparmi": true, "risparmio": true, "economize": true, "economia": true,
	"oszczędzasz": true, "oszczędność": true, "ušetříte": true, "úspora": true, "экономия": true,
	"скидка": true, "korting": true, "besparing": true, "discount": true, "rabatt": true,
}

// wordBefore appends to buf, in lower case, the word written just before
// the number (and its currency): "Qty: 2" → "qty".
func wordBefore(s []rune, c *candidate, hits []tokenHit, buf []byte) []byte {
	p := c.start
	if c.before >= 0 {
		p = hits[c.before].start
	}
	for p > 0 && (s[p-1] == ' ' || s[p-1] == ':' || s[p-1] == '.') {
		p--
	}
	e := p
	for p > 0 && e-p <= 12 && (isLetter(s[p-1]) || s[p-1] == '-') {
		p--
	}
	for p < e && s[p] == '-' {
		p++
	}
	if e-p < 2 || e-p > 12 || (p > 0 && isLetter(s[p-1])) {
		return buf
	}
	for _, r := range s[p:e] {
		buf = utf8AppendRune(buf, unicode.ToLower(r))
	}
	return buf
}

// negative reports a sign before the number or its currency: a discount
// ("-5 €", "-$5.00") or an extra ("+ $4.99"), not the price. "10-20" is a
// range.
func (c *candidate) negative(s []rune, hits []tokenHit) bool {
	p := c.start
	if c.before >= 0 && hits[c.before].end <= c.start {
		p = hits[c.before].start
	}
	if p >= 2 && s[p-1] == ' ' && s[p-2] == '+' {
		p-- // "+ $4.99"
	}
	if p < 1 || (s[p-1] != '-' && s[p-1] != '+') {
		return false
	}
	return p < 2 || s[p-2] == ' ' || s[p-2] == '('
}

// extraWords, after a number, mark a discount or a charge on top of the
// price: "$5 off", "$4.99 shipping".
var extraWords = map[string]bool{"off": true, "shipping": true, "delivery": true, "postage": true,
	"versand": true, "porto": true, "livraison": true, "envio": true, "envío": true, "frete": true,
	"доставка": true, "fee": true, "deposit": true, "pfand": true}

// extraAfter reports an extraWords word after the number and its currency.
func extraAfter(s []rune, c *candidate, hits []tokenHit) bool {
	q := c.end
	if c.after >= 0 {
		q = hits[c.after].end
	}
	for q < len(s) && s[q] == ' ' {
		q++
	}
	var buf [48]byte
	w, _ := lowerWord(s, q, buf[:0])
	return extraWords[string(w)]
}

// notAmount reports numbers in dates and fractions: "15/08/2017", "1/2",
// "24/7", "2024-01-15".
func notAmount(s []rune, start, end int) bool {
	if end+1 < len(s) && s[end] == '/' && isDigit(s[end+1]) {
		return true
	}
	if start >= 2 && s[start-1] == '/' && isDigit(s[start-2]) {
		return true
	}
	// An ISO date: four digits, then -dd-dd; or the parts after them.
	dashNum := func(i int) int { // "-d" or "-dd" at i: index after it, or -1
		if i < len(s) && s[i] == '-' {
			if j := digitsEnd(s, i+1); j > i+1 && j <= i+3 {
				return j
			}
		}
		return -1
	}
	if end-start == 4 && allDigits(s[start:end]) {
		if j := dashNum(end); j > 0 && dashNum(j) > 0 {
			return true
		}
	}
	for k, i := 0, start; k < 2; k++ {
		// walk back over "-dd" parts to a four-digit year
		if i < 2 || s[i-1] != '-' || !isDigit(s[i-2]) {
			break
		}
		b := i - 1
		for b > 0 && isDigit(s[b-1]) {
			b--
		}
		if i-1-b == 4 && dashNum(i-1) > 0 {
			return true
		}
		i = b
	}
	return false
}

func utf8AppendRune(b []byte, r rune) []byte { return utf8.AppendRune(b, r) }

func countRune(s []rune, r rune) int {
	n := 0
	for _, c := range s {
		if c == r {
			n++
		}
	}
	return n
}

func allDigits(r []rune) bool {
	for _, c := range r {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

// startsNumber reports a digit, or ".5", at s[i].
func startsNumber(s []rune, i int) bool {
	return i < len(s) && (isDigit(s[i]) || (s[i] == '.' && i+1 < len(s) && isDigit(s[i+1])))
}

// multiplier reports "x" or "×" and a number after a count: "4 x 12,99".
func multiplier(s []rune, i int) bool {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i >= len(s) || (s[i] != 'x' && s[i] != 'X' && s[i] != '×') {
		return false
	}
	i++
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return startsNumber(s, i)
}

// linkRanges gives the first number of a range ("10 - 20 €") the currency
// of the second.
func linkRanges(s []rune, cands []candidate, hits []tokenHit) {
	for k := len(cands) - 2; k >= 0; k-- {
		a, b := &cands[k], &cands[k+1]
		if a.strongAdjacent(hits) || !b.strongAdjacent(hits) {
			continue
		}
		if !rangeBetween(s[a.end:b.start]) {
			continue
		}
		if b.after >= 0 && !hits[b.after].weak {
			a.after = b.after
		} else if b.before >= 0 && !hits[b.before].weak {
			a.before = b.before
		} else {
			a.after = b.inside
		}
		a.setRank(hits)
	}
}

// rangeWords join the two ends of a price range.
var rangeWords = map[string]bool{"-": true, "~": true, "to": true, "bis": true, "à": true, "a": true,
	"до": true, "do": true, "až": true, "tot": true, "till": true, "al": true, "ate": true, "até": true}

// rangeBetween reports text between two numbers that makes them a range:
// "10 - 20 €", "349 до 399 руб".
func rangeBetween(gap []rune) bool {
	var buf [16]byte
	w := buf[:0]
	for _, r := range gap {
		if r == ' ' {
			continue
		}
		if len(w) >= 12 {
			return false
		}
		w = utf8AppendRune(w, unicode.ToLower(r))
	}
	return rangeWords[string(w)]
}

// onlyThis reports whether the text holds nothing but the number and
// token t, so that a lone letter ("1 P") can only be the currency.
func onlyThis(s []rune, c *candidate, t *tokenHit) bool {
	for i, r := range s {
		if (i >= t.start && i < t.end) || (i >= c.start && i < c.end) {
			continue
		}
		if isLetter(r) || isDigit(r) {
			return false
		}
	}
	return true
}

// chooseToken picks the currency token for the chosen number: a strong one
// next to it, any strong one, then a weak one next to it.
func chooseToken(s []rune, hits []tokenHit, c *candidate) *tokenHit {
	pick := func(weakOK bool) *tokenHit {
		var b, a *tokenHit
		if c.inside >= 0 && (weakOK || !hits[c.inside].weak) {
			return &hits[c.inside]
		}
		if c.before >= 0 && (weakOK || !hits[c.before].weak) {
			b = &hits[c.before]
		}
		if c.after >= 0 && (weakOK || !hits[c.after].weak) {
			a = &hits[c.after]
		}
		switch {
		case b != nil && a != nil:
			// "$ 12 USD": a dollar code says which dollar.
			if b.def.isDollar() && a.def.code != "" && len(a.def.alts) == 0 && b.def.compatible(a.def.code) {
				return a
			}
			return b
		case b != nil:
			return b
		}
		return a
	}
	if t := pick(false); t != nil {
		return withCode(s, hits, t)
	}
	if t := firstStrong(hits); t != nil {
		return t
	}
	return pick(true)
}

// withCode prefers a dollar code written just before "$": "CAD $12.99",
// "COP $ 173.000".
func withCode(s []rune, hits []tokenHit, t *tokenHit) *tokenHit {
	if !t.def.isDollar() {
		return t
	}
	p := t.start
	for p > 0 && s[p-1] == ' ' {
		p--
	}
	// The hit ending at p, if any: hits are in text order.
	k := sort.Search(len(hits), func(k int) bool { return hits[k].end >= p })
	if k < len(hits) && hits[k].end == p && hits[k].start < t.start {
		c := &hits[k]
		if len(c.def.alts) == 0 && t.def.compatible(c.def.code) {
			return c
		}
	}
	return t
}

// compatibleCode finds a strong token naming one currency that def may
// stand for.
func compatibleCode(hits []tokenHit, def *tokenDef) *tokenHit {
	for k := range hits {
		t := &hits[k]
		if !t.weak && len(t.def.alts) == 0 && def.compatible(t.def.code) {
			return t
		}
	}
	return nil
}

func firstStrong(hits []tokenHit) *tokenHit {
	for k := range hits {
		if !hits[k].weak {
			return &hits[k]
		}
	}
	return nil
}

// hintToken finds a currency token in hint text: a strong one anywhere, a
// weak one next to a number or standing alone.
func hintToken(text string) (*tokenHit, []rune) {
	s := normalize(text)
	hits := findTokens(s, nil)
	if t := firstStrong(hits); t != nil {
		return t, s
	}
	trimmed := strings.TrimSpace(string(s))
	for k := range hits {
		t := &hits[k]
		if trimmed == string(s[t.start:t.end]) {
			return t, s
		}
		p := t.start
		for p > 0 && s[p-1] == ' ' {
			p--
		}
		q := t.end
		for q < len(s) && s[q] == ' ' {
			q++
		}
		if (p > 0 && isDigit(s[p-1])) || (q < len(s) && isDigit(s[q])) {
			return t, s
		}
	}
	// A label holds its currency anywhere ("Цена, р."), but an ASCII word
	// alone ("Le", "DA") is too often just a word.
	for k := range hits {
		t := &hits[k]
		if !t.lone && !plainWord(s[t.start:t.end]) {
			return t, s
		}
	}
	return nil, s
}

func plainWord(r []rune) bool {
	for _, c := range r {
		if c > unicode.MaxASCII || !unicode.IsLetter(c) {
			return false
		}
	}
	return true
}

// amount renders the number as a canonical decimal string.
func (c *candidate) amount(s []rune) string {
	var b strings.Builder
	fracFrom := c.n
	if c.decimalAt >= 0 {
		fracFrom = c.decimalAt
	}
	started := false
	for i := 0; i < fracFrom; i++ {
		for k := c.g[i][0]; k < c.g[i][1]; k++ {
			if !started && s[k] == '0' {
				continue
			}
			started = true
			b.WriteRune(s[k])
		}
	}
	if !started {
		b.WriteByte('0')
	}
	// Trailing zeros of the fraction carry no value.
	last := int32(-1)
	lastGroup := -1
	for i := fracFrom; i < c.n; i++ {
		for k := c.g[i][0]; k < c.g[i][1]; k++ {
			if s[k] != '0' {
				last, lastGroup = k, i
			}
		}
	}
	if lastGroup >= 0 {
		b.WriteByte('.')
		for i := fracFrom; i <= lastGroup; i++ {
			for k := c.g[i][0]; k < c.g[i][1]; k++ {
				b.WriteRune(s[k])
				if i == lastGroup && k == last {
					break
				}
			}
		}
	}
	return b.String()
}

// freeWords say a price is zero.
var freeWords = []string{"free", "gratis", "gratuit", "gratuite", "gratuito", "gratuita", "grátis",
	"kostenlos", "kostenfrei", "umsonst", "zdarma", "ingyenes", "ücretsiz", "bedava", "darmowy",
	"darmowa", "ilmainen", "бесплатно", "безкоштовно", "безплатно", "miễn phí", "免费", "無料", "무료",
	"مجاني", "gratuït", "δωρεάν", "gratuitamente"}

// notFreeNext are words that make "free" describe something else than the
// price ("free shipping").
var notFreeNext = map[string]bool{"shipping": true, "delivery": true, "returns": true,
	"return": true, "trial": true, "gift": true, "sample": true, "versand": true, "lieferung": true,
	"livraison": true, "envío": true, "envio": true, "frete": true, "spedizione": true,
	"verzending": true, "dostawa": true, "доставка": true, "frakt": true, "fragt": true,
	"toimitus": true, "kargo": true, "doprava": true, "szállítás": true, "ship": true,
	"shipment": true, "postage": true, "p&p": true, "of": true, "from": true, "with": true, "for": true}

// isFree reports a "free"-like word standing as the price.
func isFree(s []rune) bool {
	low := strings.ToLower(string(s))
	for _, w := range freeWords {
		for off := 0; off < len(low); {
			i := strings.Index(low[off:], w)
			if i < 0 {
				break
			}
			i += off
			j := i + len(w)
			off = j
			if r, _ := utf8.DecodeLastRuneInString(low[:i]); i > 0 && (isLetter(r) || r == '-') {
				continue
			}
			rest := low[j:]
			if rest != "" && isLetter(firstRune(rest)) {
				continue
			}
			if notFreeNext[nextWord(rest)] {
				continue
			}
			return true
		}
	}
	return false
}

// nextWord returns the first word of s, without surrounding punctuation;
// "" when it is longer than a word should be.
func nextWord(s string) string {
	s = strings.TrimLeft(s, " .,:;!?()")
	e := strings.IndexAny(s, " .,:;!?()")
	if e < 0 {
		e = len(s)
	}
	if e > 40 {
		return ""
	}
	return s[:e]
}

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}
