package extract

import (
	"bytes"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"
)

// toUTF8 decodes pages declared in a legacy charset (windows-1252,
// ISO-8859-2, Shift_JIS…) that are not valid UTF-8, so titles and currency
// signs ("€" is 0x80 in windows-1252) come out right. Valid UTF-8 is returned
// as is, whatever the declaration says: mislabelled pages are common.
func toUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	cs := declaredCharset(b[:min(len(b), 4096)])
	if cs == "" {
		cs = "windows-1252" // what browsers assume for undeclared legacy pages
	}
	enc, err := htmlindex.Get(cs)
	if err != nil {
		return b
	}
	if name, _ := htmlindex.Name(enc); name == "utf-8" {
		return b
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return b
	}
	return out
}

// declaredCharset finds <meta charset=…> or a Content-Type meta's charset=.
func declaredCharset(head []byte) string {
	l := bytes.ToLower(head)
	i := bytes.Index(l, []byte("charset="))
	if i < 0 {
		return ""
	}
	v := l[i+len("charset="):]
	v = bytes.TrimLeft(v, `"' `)
	end := bytes.IndexAny(v, `"'; />`)
	if end < 0 {
		end = len(v)
	}
	return string(v[:end])
}
