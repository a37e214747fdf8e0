package extract

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// cleanText unescapes entities left in structured values and collapses
// whitespace.
func cleanText(s string) string {
	if strings.IndexByte(s, '&') >= 0 {
		s = html.UnescapeString(s)
	}
	return strings.Join(strings.Fields(s), " ")
}

// lowerASCII lower-cases A–Z only, so byte offsets stay aligned with the
// original (strings.ToLower changes the length of some runes).
func lowerASCII(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return string(out)
}

// lowerSameLen lower-cases text, keeping every rune whose lower case has a
// different UTF-8 length as it is, so byte offsets stay aligned ("ÉPUISÉ" →
// "épuisé", "İ" unchanged).
func lowerSameLen(b []byte) string {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if l := unicode.ToLower(r); l != r && r != utf8.RuneError && utf8.RuneLen(l) == n {
			out = utf8.AppendRune(out, l)
		} else {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return string(out)
}

// normWords reduces a string to lower-case letters and digits separated by
// single spaces, for comparing titles.
func normWords(s string) string {
	var sb strings.Builder
	sp := true
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			sb.WriteRune(r)
			sp = false
		} else if !sp {
			sb.WriteByte(' ')
			sp = true
		}
	}
	return strings.TrimSpace(sb.String())
}

// isWordBoundary reports whether the byte at i (in s) is not a letter, so
// "disponible" does not match inside "indisponible".
func isWordBoundary(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return true
	}
	c := s[i]
	if c >= 0x80 {
		return false
	}
	return !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9')
}
