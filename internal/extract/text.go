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
	// A Builder hands its buffer over as the string: one allocation, no
	// copy of what can be a few hundred kilobytes of text.
	var sb strings.Builder
	sb.Grow(len(b))
	for i := 0; i < len(b); {
		// Runs of bytes that lower-case to themselves are written at once.
		k := i
		for k < len(b) && b[k] < utf8.RuneSelf && asciiLower[b[k]] == b[k] {
			k++
		}
		sb.Write(b[i:k])
		i = k
		if i >= len(b) {
			break
		}
		c := b[i]
		if c < utf8.RuneSelf {
			sb.WriteByte(asciiLower[c])
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if l := unicode.ToLower(r); l != r && r != utf8.RuneError && utf8.RuneLen(l) == n {
			sb.WriteRune(l)
		} else {
			sb.Write(b[i : i+n])
		}
		i += n
	}
	return sb.String()
}

// asciiLower maps A–Z to a–z and every other byte to itself.
var asciiLower = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if 'A' <= i && i <= 'Z' {
			t[i] = byte(i) + 'a' - 'A'
		}
	}
	return t
}()

// wordByte marks the bytes that continue a word (letters, digits, UTF-8).
var wordByte = func() (t [256]bool) {
	for i := range t {
		t[i] = 'a' <= i && i <= 'z' || 'A' <= i && i <= 'Z' || '0' <= i && i <= '9' || i >= 0x80
	}
	return t
}()

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
	return i < 0 || i >= len(s) || !wordByte[s[i]]
}
