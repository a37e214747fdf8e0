// Copyright 2010 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in golang.org/x/net's LICENSE file.

package extract

// tokenizer is golang.org/x/net/html's Tokenizer (v0.62.0, token.go) ported
// to read from one byte slice, for scan: the same states, the same tokens,
// the same raw bytes and text, so extraction reads a page exactly as before.
// What it leaves out is what scan never used and what made the original
// slow for us: the buffered io.Reader (a bounds-and-refill check on every
// byte), and the attribute list with its per-attribute key copy and
// duplicate map (scan parses attributes from Raw itself). Runs of plain
// bytes (text, quoted values, script bodies) are skipped with IndexByte.
// FuzzTokenizer and TestTokenizerPages hold it to x/net/html's token
// stream (type, Raw, Text); see docs/decisions.md.

import (
	"bytes"

	"golang.org/x/net/html"
)

type tokenizer struct {
	buf []byte
	// buf[rawStart:rawEnd] is the current token; buf[dataStart:dataEnd]
	// its text or tag name.
	rawStart, rawEnd   int
	dataStart, dataEnd int
	eof                bool // the original's z.err != nil (io.EOF)
	tt                 html.TokenType
	// rawTag is the lower-case "script" in "</script>" that closes the next
	// token, when that token is raw text or RCDATA.
	rawTag     string
	textIsRaw  bool
	convertNUL bool
	// nattr and lastValEnd stand for the original's saved attribute list in
	// readStartTag's self-closing test: how many attributes were saved and
	// where the last one's value ends. Duplicate keys are not saved, so
	// they are tracked only when a tag ends in "/>" (see readStartTag).
	nattr      int
	lastValEnd int
	keys       [][2]int // saved keys, only while re-reading such a tag
	saveKeys   bool
	valStart   int // the attribute value being read: buf[valStart:valEnd]
	valEnd     int
}

func newTokenizer(b []byte) *tokenizer { return &tokenizer{buf: b} }

func (z *tokenizer) readByte() byte {
	if z.rawEnd >= len(z.buf) {
		z.eof = true
		return 0
	}
	c := z.buf[z.rawEnd]
	z.rawEnd++
	return c
}

// Raw returns the current token's bytes as written.
func (z *tokenizer) Raw() []byte { return z.buf[z.rawStart:z.rawEnd] }

// Text returns a text token's text: newlines normalised, NULs in raw text
// replaced, and character references decoded outside raw text. Like the
// original it works in place, so the buffer must be scan's own copy.
func (z *tokenizer) Text() []byte {
	if z.tt != html.TextToken {
		return nil
	}
	s := z.buf[z.dataStart:z.dataEnd]
	z.dataStart = z.rawEnd
	z.dataEnd = z.rawEnd
	s = convertNewlines(s)
	if z.convertNUL && bytes.IndexByte(s, 0) >= 0 {
		s = bytes.ReplaceAll(s, []byte("\x00"), []byte("\ufffd"))
	}
	if !z.textIsRaw && bytes.IndexByte(s, '&') >= 0 {
		s = []byte(html.UnescapeString(string(s)))
	}
	return s
}

// convertNewlines converts "\r" and "\r\n" in s to "\n", in place.
func convertNewlines(s []byte) []byte {
	i := bytes.IndexByte(s, '\r')
	if i < 0 {
		return s
	}
	for ; i < len(s); i++ {
		if s[i] != '\r' {
			continue
		}
		src := i + 1
		if src >= len(s) || s[src] != '\n' {
			s[i] = '\n'
			continue
		}
		dst := i
		for src < len(s) {
			if s[src] == '\r' {
				if src+1 < len(s) && s[src+1] == '\n' {
					src++
				}
				s[dst] = '\n'
			} else {
				s[dst] = s[src]
			}
			src++
			dst++
		}
		return s[:dst]
	}
	return s
}

func (z *tokenizer) skipWhiteSpace() {
	if z.eof {
		return
	}
	for {
		c := z.readByte()
		if z.eof {
			return
		}
		switch c {
		case ' ', '\n', '\r', '\t', '\f':
		default:
			z.rawEnd--
			return
		}
	}
}

// skipTo moves past the next c at or after rawEnd and returns true, or to
// the end of the input (eof) and returns false.
func (z *tokenizer) skipTo(c byte) bool {
	if z.rawEnd >= len(z.buf) {
		z.eof = true
		return false
	}
	k := bytes.IndexByte(z.buf[z.rawEnd:], c)
	if k < 0 {
		z.rawEnd = len(z.buf)
		z.eof = true
		return false
	}
	z.rawEnd += k + 1
	return true
}

// readRawOrRCDATA reads until the next "</foo>", where "foo" is z.rawTag.
func (z *tokenizer) readRawOrRCDATA() {
	if z.rawTag == "script" {
		z.readScript()
		z.textIsRaw = true
		z.rawTag = ""
		return
	}
	for {
		if !z.skipTo('<') {
			break
		}
		c := z.readByte()
		if z.eof {
			break
		}
		if c != '/' {
			z.rawEnd--
			continue
		}
		if z.readRawEndTag() || z.eof {
			break
		}
	}
	z.dataEnd = z.rawEnd
	// A textarea's or title's RCDATA can contain escaped entities.
	z.textIsRaw = z.rawTag != "textarea" && z.rawTag != "title"
	z.rawTag = ""
}

// readRawEndTag attempts to read "</foo>" (the "</" already read), and
// backs up to reconsume it when it succeeds.
func (z *tokenizer) readRawEndTag() bool {
	for i := 0; i < len(z.rawTag); i++ {
		c := z.readByte()
		if z.eof {
			return false
		}
		if c != z.rawTag[i] && c != z.rawTag[i]-('a'-'A') {
			z.rawEnd--
			return false
		}
	}
	c := z.readByte()
	if z.eof {
		return false
	}
	switch c {
	case ' ', '\n', '\r', '\t', '\f', '/', '>':
		z.rawEnd -= 3 + len(z.rawTag)
		return true
	}
	z.rawEnd--
	return false
}

// readScript reads until the next </script> tag, following the byzantine
// rules for escaping/hiding the closing tag.
func (z *tokenizer) readScript() {
	defer func() {
		z.dataEnd = z.rawEnd
	}()
	var c byte

scriptData:
	if !z.skipTo('<') {
		return
	}
	goto scriptDataLessThanSign

scriptDataLessThanSign:
	c = z.readByte()
	if z.eof {
		return
	}
	switch c {
	case '/':
		goto scriptDataEndTagOpen
	case '!':
		goto scriptDataEscapeStart
	}
	z.rawEnd--
	goto scriptData

scriptDataEndTagOpen:
	if z.readRawEndTag() || z.eof {
		return
	}
	goto scriptData

scriptDataEscapeStart:
	c = z.readByte()
	if z.eof {
		return
	}
	if c == '-' {
		goto scriptDataEscapeStartDash
	}
	z.rawEnd--
	goto scriptData

scriptDataEscapeStartDash:
	c = z.readByte()
	if z.eof {
		return
	}
	if c == '-' {
		goto scriptDataEscapedDashDash
	}
	z.rawEnd--
	goto scriptData

scriptDataEscaped:
	c = z.readByte()
	if z.eof {
		return
	}
	switch c {
	case '-':
		goto scriptDataEscapedDash
	case '<':
		goto scriptDataEscapedLessThanSign
	}
	goto scriptDataEscaped

scriptDataEscapedDash:
	c = z.readByte()
	if z.eof {
		return
	}
	switch c {
	case '-':
		goto scriptDataEscapedDashDash
	case '<':
		goto scriptDataEscapedLessThanSign
	}
	goto scriptDataEscaped

scriptDataEscapedDashDash:
	c = z.readByte()
	if z.eof {
		return
	}
	switch c {
	case '-':
		goto scriptDataEscapedDashDash
	case '<':
		goto scriptDataEscapedLessThanSign
	case '>':
		goto scriptData
	}
	goto scriptDataEscaped

scriptDataEscapedLessThanSign:
	c = z.readByte()
	if z.eof {
		return
	}
	if c == '/' {
		goto scriptDataEscapedEndTagOpen
	}
	if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
		goto scriptDataDoubleEscapeStart
	}
	z.rawEnd--
	goto scriptData

scriptDataEscapedEndTagOpen:
	if z.readRawEndTag() || z.eof {
		return
	}
	goto scriptDataEscaped

scriptDataDoubleEscapeStart:
	z.rawEnd--
	for i := 0; i < len("script"); i++ {
		c = z.readByte()
		if z.eof {
			return
		}
		if c != "script"[i] && c != "SCRIPT"[i] {
			z.rawEnd--
			goto scriptDataEscaped
		}
	}
	c = z.readByte()
	if z.eof {
		return
	}
	switch c {
	case ' ', '\n', '\r', '\t', '\f', '/', '>':
		goto scriptDataDoubleEscaped
	}
	z.rawEnd--
	goto scriptDataEscaped

scriptDataDoubleEscaped:
	c = z.readByte()
	if z.eof {
		return
	}
	switch c {
	case '-':
		goto scriptDataDoubleEscapedDash
	case '<':
		goto scriptDataDoubleEscapedLessThanSign
	}
	goto scriptDataDoubleEscaped

scriptDataDoubleEscapedDash:
	c = z.readByte()
	if z.eof {
		return
	}
	switch c {
	case '-':
		goto scriptDataDoubleEscapedDashDash
	case '<':
		goto scriptDataDoubleEscapedLessThanSign
	}
	goto scriptDataDoubleEscaped

scriptDataDoubleEscapedDashDash:
	c = z.readByte()
	if z.eof {
		return
	}
	switch c {
	case '-':
		goto scriptDataDoubleEscapedDashDash
	case '<':
		goto scriptDataDoubleEscapedLessThanSign
	case '>':
		goto scriptData
	}
	goto scriptDataDoubleEscaped

scriptDataDoubleEscapedLessThanSign:
	c = z.readByte()
	if z.eof {
		return
	}
	if c == '/' {
		goto scriptDataDoubleEscapeEnd
	}
	z.rawEnd--
	goto scriptDataDoubleEscaped

scriptDataDoubleEscapeEnd:
	if z.readRawEndTag() {
		z.rawEnd += len("</script>")
		goto scriptDataEscaped
	}
	if z.eof {
		return
	}
	goto scriptDataDoubleEscaped
}

// readComment reads a comment after its "<!--". Comment text is never
// read, so only the token's end matters.
func (z *tokenizer) readComment() {
	var dashCount int
	beginning := true
	for {
		c := z.readByte()
		if z.eof {
			return
		}
		switch c {
		case '-':
			dashCount++
			continue
		case '>':
			if dashCount >= 2 || beginning {
				return
			}
		case '!':
			if dashCount >= 2 {
				c = z.readByte()
				if z.eof {
					return
				} else if c == '>' {
					return
				} else if c == '-' {
					dashCount = 1
					beginning = false
					continue
				}
			}
		}
		dashCount = 0
		beginning = false
	}
}

// readUntilCloseAngle reads until the next ">".
func (z *tokenizer) readUntilCloseAngle() {
	z.skipTo('>')
}

// readMarkupDeclaration reads a token starting with "<!": a comment, a
// doctype or a bogus comment (CDATA is not allowed: a bogus comment too,
// as in the original with AllowCDATA off).
func (z *tokenizer) readMarkupDeclaration() html.TokenType {
	z.dataStart = z.rawEnd
	var c [2]byte
	for i := 0; i < 2; i++ {
		c[i] = z.readByte()
		if z.eof {
			return html.CommentToken
		}
	}
	if c[0] == '-' && c[1] == '-' {
		z.readComment()
		return html.CommentToken
	}
	z.rawEnd -= 2
	if z.readDoctype() {
		return html.DoctypeToken
	}
	z.readUntilCloseAngle()
	return html.CommentToken
}

// readDoctype attempts to read a doctype declaration after "<!".
func (z *tokenizer) readDoctype() bool {
	const s = "DOCTYPE"
	for i := 0; i < len(s); i++ {
		c := z.readByte()
		if z.eof {
			// Back up to read the fragment again; EOF is seen again then.
			z.rawEnd = z.dataStart
			z.eof = false
			return false
		}
		if c != s[i] && c != s[i]+('a'-'A') {
			z.rawEnd = z.dataStart
			return false
		}
	}
	if z.skipWhiteSpace(); z.eof {
		return true
	}
	z.readUntilCloseAngle()
	return true
}

// startTagIn returns the one of ss that the tag name case-insensitively
// matches, or "".
func (z *tokenizer) startTagIn(ss ...string) string {
loop:
	for _, s := range ss {
		if z.dataEnd-z.dataStart != len(s) {
			continue loop
		}
		for i := 0; i < len(s); i++ {
			c := z.buf[z.dataStart+i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != s[i] {
				continue loop
			}
		}
		return s
	}
	return ""
}

func (z *tokenizer) readStartTag() html.TokenType {
	start := z.rawEnd
	z.readTag(true)
	if z.eof {
		return html.ErrorToken
	}
	// Several tags make the next token raw text; rawTag is the lower-cased
	// name, taken from the list rather than copied.
	c := z.buf[z.dataStart]
	if 'A' <= c && c <= 'Z' {
		c += 'a' - 'A'
	}
	switch c {
	case 'i':
		z.rawTag = z.startTagIn("iframe")
	case 'n':
		z.rawTag = z.startTagIn("noembed", "noframes", "noscript")
	case 'p':
		z.rawTag = z.startTagIn("plaintext")
	case 's':
		z.rawTag = z.startTagIn("script", "style")
	case 't':
		z.rawTag = z.startTagIn("textarea", "title")
	case 'x':
		z.rawTag = z.startTagIn("xmp")
	}
	// "<br/>" is self-closing, "<p a=/>" is not: the slash must not end the
	// last saved attribute's value.
	if z.buf[z.rawEnd-2] != '/' {
		return html.StartTagToken
	}
	if z.nattr > 0 {
		// The original saves an attribute only the first time its key is
		// seen: read the tag again, keeping keys, to find the last one saved.
		end := z.rawEnd
		z.rawEnd = start
		z.saveKeys = true
		z.keys = z.keys[:0]
		z.readTag(true)
		z.saveKeys = false
		z.rawEnd = end
	}
	if z.nattr == 0 || z.rawEnd-2 != z.lastValEnd-1 {
		return html.SelfClosingTagToken
	}
	return html.StartTagToken
}

// readTag reads a tag's name and attributes up to its ">"; the opening
// "<a" or "</a" has been read. With save (start tags), it counts the
// attributes the original would save and where the last one's value ends.
func (z *tokenizer) readTag(save bool) {
	z.nattr = 0
	z.readTagName()
	if z.skipWhiteSpace(); z.eof {
		return
	}
	for {
		c := z.readByte()
		if z.eof || c == '>' {
			break
		}
		z.rawEnd--
		ks := z.rawEnd
		z.readTagAttrKey()
		ke := z.rawEnd
		z.readTagAttrVal()
		if save && ks != ke && z.saveKey(ks, ke) {
			z.nattr++
			z.lastValEnd = z.valEnd
		}
		if z.skipWhiteSpace(); z.eof {
			break
		}
	}
}

// saveKey reports whether the key buf[ks:ke] is saved: always on the first
// reading, and only when no earlier key equals it (ASCII case folded) on
// the second.
func (z *tokenizer) saveKey(ks, ke int) bool {
	if !z.saveKeys {
		return true
	}
	k := z.buf[ks:ke]
	for _, o := range z.keys {
		if asciiEqualFold(z.buf[o[0]:o[1]], k) {
			return false
		}
	}
	z.keys = append(z.keys, [2]int{ks, ke})
	return true
}

func asciiEqualFold(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if asciiLower[a[i]] != asciiLower[b[i]] {
			return false
		}
	}
	return true
}

func (z *tokenizer) readTagName() {
	z.dataStart = z.rawEnd - 1
	for {
		c := z.readByte()
		if z.eof {
			z.dataEnd = z.rawEnd
			return
		}
		switch c {
		case ' ', '\n', '\r', '\t', '\f':
			z.dataEnd = z.rawEnd - 1
			return
		case '/', '>':
			z.rawEnd--
			z.dataEnd = z.rawEnd
			return
		}
	}
}

func (z *tokenizer) readTagAttrKey() {
	start := z.rawEnd
	for {
		c := z.readByte()
		if z.eof {
			return
		}
		switch c {
		case '=':
			if start+1 == z.rawEnd {
				// An equals sign before the name begins is part of the name.
				continue
			}
			fallthrough
		case ' ', '\n', '\r', '\t', '\f', '/', '>':
			z.rawEnd--
			return
		}
	}
}

func (z *tokenizer) readTagAttrVal() {
	z.valStart = z.rawEnd
	z.valEnd = z.rawEnd
	if z.skipWhiteSpace(); z.eof {
		return
	}
	c := z.readByte()
	if z.eof {
		return
	}
	if c == '/' {
		return
	}
	if c != '=' {
		z.rawEnd--
		return
	}
	if z.skipWhiteSpace(); z.eof {
		return
	}
	quote := z.readByte()
	if z.eof {
		return
	}
	switch quote {
	case '>':
		z.rawEnd--
		return
	case '\'', '"':
		z.valStart = z.rawEnd
		if !z.skipTo(quote) {
			z.valEnd = z.rawEnd
			return
		}
		z.valEnd = z.rawEnd - 1
		return
	default:
		z.valStart = z.rawEnd - 1
		for {
			c := z.readByte()
			if z.eof {
				z.valEnd = z.rawEnd
				return
			}
			switch c {
			case ' ', '\n', '\r', '\t', '\f':
				z.valEnd = z.rawEnd - 1
				return
			case '>':
				z.rawEnd--
				z.valEnd = z.rawEnd
				return
			}
		}
	}
}

// Next scans the next token and returns its type.
func (z *tokenizer) Next() html.TokenType {
	z.rawStart = z.rawEnd
	z.dataStart = z.rawEnd
	z.dataEnd = z.rawEnd
	if z.eof {
		z.tt = html.ErrorToken
		return z.tt
	}
	if z.rawTag != "" {
		if z.rawTag == "plaintext" {
			z.rawEnd = len(z.buf)
			z.eof = true
			z.dataEnd = z.rawEnd
			z.textIsRaw = true
		} else {
			z.readRawOrRCDATA()
		}
		if z.dataEnd > z.dataStart {
			z.tt = html.TextToken
			z.convertNUL = true
			return z.tt
		}
	}
	z.textIsRaw = false
	z.convertNUL = false

loop:
	for {
		if !z.skipTo('<') {
			break loop
		}
		// Is the '<' part of a tag, comment or doctype, or of the text?
		c := z.readByte()
		if z.eof {
			break loop
		}
		var tokenType html.TokenType
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
			tokenType = html.StartTagToken
		case c == '/':
			tokenType = html.EndTagToken
		case c == '!' || c == '?':
			tokenType = html.CommentToken
		default:
			z.rawEnd--
			continue
		}
		// Text before the tag is a token of its own.
		if x := z.rawEnd - len("<a"); z.rawStart < x {
			z.rawEnd = x
			z.dataEnd = x
			z.tt = html.TextToken
			return z.tt
		}
		switch tokenType {
		case html.StartTagToken:
			z.tt = z.readStartTag()
			return z.tt
		case html.EndTagToken:
			c = z.readByte()
			if z.eof {
				break loop // the "</" is text
			}
			if c == '>' {
				// "</>" is no token: an empty comment.
				z.tt = html.CommentToken
				return z.tt
			}
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
				z.readTag(false)
				if z.eof {
					z.tt = html.ErrorToken
				} else {
					z.tt = html.EndTagToken
				}
				return z.tt
			}
			z.rawEnd--
			z.readUntilCloseAngle()
			z.tt = html.CommentToken
			return z.tt
		case html.CommentToken:
			if c == '!' {
				z.tt = z.readMarkupDeclaration()
				return z.tt
			}
			z.rawEnd--
			z.readUntilCloseAngle()
			z.tt = html.CommentToken
			return z.tt
		}
	}
	if z.rawStart < z.rawEnd {
		z.dataEnd = z.rawEnd
		z.tt = html.TextToken
		return z.tt
	}
	z.tt = html.ErrorToken
	return z.tt
}
