package extract

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
)

// decodeLenient decodes a JSON-LD script body into its top-level values. Real
// pages carry HTML comments and CDATA markers around the JSON, raw newlines and
// control characters inside strings, trailing commas and several objects
// written one after another; when the strict decode fails, the body is
// repaired once and decoded again, keeping every value that decodes.
func decodeLenient(raw []byte) []any {
	raw = bytes.TrimSpace(raw)
	if vals, ok := decodeAll(raw); ok {
		return vals
	}
	vals, _ := decodeAll(repairJSON(raw))
	return vals
}

// decodeAll decodes consecutive JSON values separated by whitespace, commas
// or semicolons. ok is false when any part failed.
func decodeAll(b []byte) (vals []any, ok bool) {
	for len(b) > 0 {
		b = bytes.TrimLeft(b, " \t\r\n,;")
		if len(b) == 0 {
			break
		}
		if b[0] != '{' && b[0] != '[' {
			return vals, false
		}
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			if err == io.EOF {
				break
			}
			return vals, false
		}
		vals = append(vals, v)
		off := d.InputOffset()
		if off <= 0 || off > int64(len(b)) {
			break
		}
		b = b[off:]
	}
	return vals, true
}

// repairJSON fixes the common hand-written JSON-LD mistakes in one pass.
func repairJSON(b []byte) []byte {
	b = stripWrappers(b)
	out := make([]byte, 0, len(b)+16)
	inStr, depth := false, 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inStr {
			switch {
			case c == '\\':
				if i+1 < len(b) {
					n := b[i+1]
					switch n {
					case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
						out = append(out, c, n)
					case 'u':
						if i+5 < len(b) && isHex4(b[i+2:i+6]) {
							out = append(out, c, n)
						} else {
							out = append(out, '\\', '\\', 'u')
						}
					case '\n', '\r':
						// a line continuation: drop both
					default:
						// invalid escape such as \' or \$: keep the character
						out = append(out, n)
					}
					i++
				}
			case c == '"':
				// A quote that does not end the value ("12" Pizza Pan", an inch
				// mark) is text: escape it.
				j := i + 1
				for j < len(b) && isSpace(b[j]) {
					j++
				}
				if j < len(b) && !strings.ContainsRune(",}]:", rune(b[j])) {
					out = append(out, '\\', '"')
					continue
				}
				inStr = false
				out = append(out, c)
			case c == '\n':
				out = append(out, '\\', 'n')
			case c == '\r':
				out = append(out, '\\', 'r')
			case c == '\t':
				out = append(out, '\\', 't')
			case c < 0x20:
				out = append(out, ' ')
			default:
				out = append(out, c)
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
			out = append(out, c)
		case ',':
			// drop trailing commas: ", }" and ", ]"
			j := i + 1
			for j < len(b) && isSpace(b[j]) {
				j++
			}
			if j < len(b) && (b[j] == '}' || b[j] == ']') {
				continue
			}
			out = append(out, c)
		case '{', '[':
			depth++
			out = append(out, c)
		case ']':
			depth--
			out = append(out, c)
		case '}':
			depth--
			out = append(out, c)
			// "}{" or "} {": objects written back to back inside an array
			j := i + 1
			for j < len(b) && isSpace(b[j]) {
				j++
			}
			if j < len(b) && b[j] == '{' && depth > 0 {
				out = append(out, ',')
			}
		default:
			out = append(out, c)
		}
	}
	if inStr {
		out = append(out, '"')
	}
	return closeOpen(out)
}

// stripWrappers removes HTML comment and CDATA markers around or inside the body.
func stripWrappers(b []byte) []byte {
	for _, m := range [][]byte{[]byte("<!--"), []byte("-->"), []byte("<![CDATA["), []byte("]]>"), []byte("//<![CDATA["), []byte("//]]>")} {
		if bytes.Contains(b, m) {
			b = bytes.ReplaceAll(b, m, nil)
		}
	}
	return bytes.TrimSpace(b)
}

// closeOpen appends the brackets a truncated body is missing.
func closeOpen(out []byte) []byte {
	var stack []byte
	inStr := false
	for i := 0; i < len(out); i++ {
		c := out[i]
		if inStr {
			if c == '\\' {
				i++
			} else if c == '"' {
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '{':
			stack = append(stack, '}')
		case '[':
			stack = append(stack, ']')
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	for i := len(stack) - 1; i >= 0; i-- {
		out = append(out, stack[i])
	}
	return out
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }
