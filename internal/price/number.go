package price

// maxGroups bounds the digit groups of one number; longer runs are cut
// there, which keeps a number's state on the stack.
const maxGroups = 12

// number is one run of digits and separators found in the text, before
// the decimal separator is chosen.
type number struct {
	start, end int // rune span in the normalised text
	n          int // groups used
	g          [maxGroups][2]int32
	sep        [maxGroups]rune // sep[i] precedes group i; sep[0] is 0
	leadingDot bool            // ".75", "$..75": the first group is empty
	// term says how the number ended: 'd' a decimal part after "sep + space"
	// ("1.849, 99"), 's' a symbol used as the decimal point ("12€99").
	term      byte
	percent   bool // followed by '%': a discount, not a price
	decimalAt int  // index of the first fraction group, -1 for none
	// ambiguous: one '.' or ',' followed by exactly three digits ("1.234"),
	// read as grouping unless the currency has three decimals.
	ambiguous bool
	valid     bool
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func digitsEnd(s []rune, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

func (m *number) glen(i int) int { return int(m.g[i][1] - m.g[i][0]) }

func (m *number) add(a, b int, sep rune) bool {
	if m.n >= maxGroups {
		return false
	}
	m.g[m.n] = [2]int32{int32(a), int32(b)}
	m.sep[m.n] = sep
	m.n++
	return true
}

// onlySeps reports whether every separator so far is sep.
func (m *number) onlySeps(sep rune) bool {
	for i := 1; i < m.n; i++ {
		if m.sep[i] != sep {
			return false
		}
	}
	return true
}

// dashEnd matches the "no cents" endings "-", "–", " -" ("12,-", "105. –")
// at i and returns the index after them, or -1.
func dashEnd(s []rune, i int) int {
	if i < len(s) && s[i] == ' ' {
		i++
	}
	j := i
	for j < len(s) && s[j] == '-' {
		j++
	}
	if j == i || (j < len(s) && isDigit(s[j])) {
		return -1
	}
	return j
}

// isDecimalSymbol lists the currency symbols written as the decimal point
// ("12€99").
func isDecimalSymbol(r rune) bool { return r == '€' || r == '£' || r == '$' }

// spacedEuro matches " € 99", "€ 99", " €99" at i: an optional space, the
// euro sign, an optional space and exactly two digits. It returns the index
// after the digits, or -1.
func spacedEuro(s []rune, i int) int {
	if i < len(s) && s[i] == ' ' {
		i++
	}
	if i >= len(s) || s[i] != '€' {
		return -1
	}
	i++
	if i < len(s) && s[i] == ' ' {
		i++
	}
	k := digitsEnd(s, i)
	if k-i != 2 || (k < len(s) && (s[k] == '.' || s[k] == ',') && k+1 < len(s) && isDigit(s[k+1])) {
		return -1
	}
	return k
}

// scanNumber reads the number starting at s[i] (a digit, or the dots of
// ".75") and returns it with the index where scanning should resume.
func scanNumber(s []rune, i int, oneEuro bool) (m number) {
	m.start = i
	m.decimalAt = -1
	j := i
	if s[j] == '.' || s[j] == ',' {
		for j < len(s) && (s[j] == '.' || s[j] == ',') {
			j++
		}
		k := digitsEnd(s, j)
		m.leadingDot = true
		m.add(j, j, 0)
		m.add(j, k, '.')
		j = k
		// "$..75,333": grouped fraction digits.
		for j+1 < len(s) && s[j] == ',' && isDigit(s[j+1]) {
			k := digitsEnd(s, j+1)
			if k-(j+1) != 3 || !m.add(j+1, k, ',') {
				break
			}
			j = k
		}
		m.end = j
		m.finish(s)
		return m
	}
	k := digitsEnd(s, j)
	m.add(j, k, 0)
	j = k
loop:
	for j < len(s) {
		c := s[j]
		switch {
		case c == '.' || c == ',':
			if j+1 < len(s) && isDigit(s[j+1]) {
				k := digitsEnd(s, j+1)
				if !m.add(j+1, k, c) {
					break loop
				}
				j = k
				continue
			}
			// "1.849, 99 lei", "392. 00": a separator, one space and
			// exactly two digits is a decimal part written loosely.
			if j+2 < len(s) && s[j+1] == ' ' && isDigit(s[j+2]) {
				k := digitsEnd(s, j+2)
				lone := k >= len(s) || !((s[k] == '.' || s[k] == ',') && k+1 < len(s) && isDigit(s[k+1]))
				if k-(j+2) == 2 && lone && m.add(j+2, k, c) {
					m.term = 'd'
					j = k
					break loop
				}
			}
			if k := dashEnd(s, j+1); k >= 0 {
				j = k
			}
			break loop
		case c == ':':
			// Swedish "199:-".
			if k := dashEnd(s, j+1); k >= 0 && k > j+1 && s[j+1] == '-' {
				j = k
			}
			break loop
		case c == '\'' || c == ' ':
			// "35 € 99" with the text's only euro sign: the sign is the
			// decimal point, spaced out.
			if c == ' ' && oneEuro {
				if k := spacedEuro(s, j); k > 0 && m.groupingOK(m.n) && m.add(k-2, k, '€') {
					m.term = 's'
					j = k
					break loop
				}
			}
			// Swiss 1'234.50 and 1 234,56 group by threes only, and only
			// as the first kind of separator in the number.
			if j+1 >= len(s) || !isDigit(s[j+1]) {
				break loop
			}
			// "Lenovo T210 319 kr": a number glued to a word (a model
			// name) does not group across a space with the next one.
			if c == ' ' && m.start > 0 && glueLetter(s[m.start-1]) {
				break loop
			}
			k := digitsEnd(s, j+1)
			if k-(j+1) != 3 || !m.onlySeps(c) || m.glen(0) > 3 || m.glen(0) == 0 {
				break loop
			}
			if !m.add(j+1, k, c) {
				break loop
			}
			j = k
		case c == '€' && oneEuro:
			if k := spacedEuro(s, j); k > 0 && m.groupingOK(m.n) && m.add(k-2, k, '€') {
				m.term = 's'
				j = k
			}
			break loop
		case isDecimalSymbol(c):
			if j+1 < len(s) && isDigit(s[j+1]) {
				k := digitsEnd(s, j+1)
				if k-(j+1) == 2 && m.groupingOK(m.n) && m.add(j+1, k, c) {
					m.term = 's'
					j = k
				}
			}
			break loop
		default:
			break loop
		}
	}
	m.end = j
	m.finish(s)
	return m
}

// finish decides which separator, if any, is the decimal point.
func (m *number) finish(s []rune) {
	p := m.end
	for p < len(s) && s[p] == ' ' {
		p++
	}
	m.percent = p < len(s) && (s[p] == '%' || s[p] == '‰')
	m.valid = true
	switch {
	case m.leadingDot:
		m.decimalAt = 1
		return
	case m.term != 0:
		m.decimalAt = m.n - 1
		m.valid = m.groupingOK(m.n - 1)
		return
	}
	dots, commas := 0, 0
	for i := 1; i < m.n; i++ {
		switch m.sep[i] {
		case '.':
			dots++
		case ',':
			commas++
		}
	}
	last := m.sep[m.n-1]
	switch {
	case dots == 0 && commas == 0:
		// Only spaces or apostrophes, checked while scanning.
	case dots > 0 && commas > 0:
		// "1,234.56", "1.234,56": the last kind, written once, is decimal.
		if (last == '.' && dots == 1) || (last == ',' && commas == 1) {
			m.decimalAt = m.n - 1
			m.valid = m.groupingOK(m.n - 1)
		} else {
			m.valid = false
		}
	case dots+commas == 1:
		// One '.' or ','; spaces may precede it ("1 234,56").
		l := m.glen(m.n - 1)
		g0 := m.glen(0)
		switch {
		case l != 3, m.n > 2, g0 > 3, m.zeroLead(s):
			m.decimalAt = m.n - 1
			if m.n > 2 {
				m.valid = m.groupingOK(m.n - 1)
			}
		default:
			m.ambiguous = true
		}
	default:
		// The same separator several times: grouping ("1.234.567",
		// Indian "1,23,456"), or a date ("15.08.2017"), which is no price.
		if m.groupingOK(m.n) {
			break
		}
		if l := m.glen(m.n - 1); l <= 2 && m.groupingOK(m.n-1) {
			m.decimalAt = m.n - 1
			break
		}
		m.valid = false
	}
}

// zeroLead reports an integer part of only zeros ("0.500"), which cannot
// start a grouped number.
func (m *number) zeroLead(s []rune) bool {
	for i := m.g[0][0]; i < m.g[0][1]; i++ {
		if s[i] != '0' {
			return false
		}
	}
	return true
}

// groupingOK checks groups 1..upto-1 as thousands groups: the first group
// has 1-3 digits, the others 3, or 2 in the Indian lakh style with commas.
func (m *number) groupingOK(upto int) bool {
	if upto <= 1 {
		return true
	}
	if g0 := m.glen(0); g0 < 1 || g0 > 3 {
		return false
	}
	for i := 1; i < upto; i++ {
		l := m.glen(i)
		if l == 3 {
			continue
		}
		if l == 2 && m.sep[i] == ',' && i < upto-1 {
			continue
		}
		return false
	}
	return true
}

// useDecimal applies a known decimal separator: its last use starts the
// fraction and every other separator groups.
func (m *number) useDecimal(d rune) {
	if m.leadingDot || m.term == 's' {
		return
	}
	m.valid = true
	m.ambiguous = false
	m.decimalAt = -1
	for i := m.n - 1; i >= 1; i-- {
		if m.sep[i] == d {
			m.decimalAt = i
			return
		}
	}
	if m.term == 'd' && m.n > 1 {
		m.decimalAt = m.n - 1
	}
}
