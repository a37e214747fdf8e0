package extract

import "bytes"

// cssStruckClasses reads a <style> body for rules that strike text through
// (".eski{text-decoration:line-through}", "span.old-p{text-decoration-line:
// line-through}") and adds their class names to set. Only selectors that are
// one compound (a class, optionally with a tag or other classes, no
// combinator, pseudo-class or attribute test) count: ".compare .price" strikes
// prices in one region only, and ".x:hover" only on hover. A later rule that
// sets the decoration back is not looked for; such pages are rare.
func cssStruckClasses(body []byte, set map[string]bool) map[string]bool {
	if !bytes.Contains(body, []byte("line-through")) {
		return set
	}
	for len(body) > 0 {
		// Each rule ends at a '}'; its block opens at the last '{' before
		// it (an @media block's rules are read as rules), and its selector
		// starts after the '{', '}' or ';' before that.
		cl := bytes.IndexByte(body, '}')
		if cl < 0 {
			break
		}
		open := bytes.LastIndexByte(body[:cl], '{')
		if open < 0 {
			body = body[cl+1:]
			continue
		}
		sel, decl := body[:open], body[open+1:cl]
		body = body[cl+1:]
		if k := bytes.LastIndexAny(sel, ";{}"); k >= 0 {
			sel = sel[k+1:]
		}
		if !strikesThrough(decl) {
			continue
		}
		for _, s := range bytes.Split(sel, []byte(",")) {
			s = bytes.TrimSpace(s)
			if len(s) < 2 || bytes.ContainsAny(s, " \t\n\r>+~:[*#()@") {
				continue
			}
			for i, part := range bytes.Split(s, []byte(".")) {
				if i == 0 || len(part) == 0 || len(part) > 60 {
					continue
				}
				if set == nil {
					set = make(map[string]bool)
				}
				if len(set) < 64 {
					set[string(part)] = true
				}
			}
		}
	}
	return set
}

// strikesThrough: a declaration block setting text-decoration or
// text-decoration-line to a value with line-through.
func strikesThrough(decl []byte) bool {
	for _, d := range bytes.Split(decl, []byte(";")) {
		c := bytes.IndexByte(d, ':')
		if c < 0 {
			continue
		}
		prop := bytes.ToLower(bytes.TrimSpace(d[:c]))
		if (bytes.Equal(prop, []byte("text-decoration")) || bytes.Equal(prop, []byte("text-decoration-line"))) &&
			bytes.Contains(bytes.ToLower(d[c+1:]), []byte("line-through")) {
			return true
		}
	}
	return false
}

// hasStruckClass reports a class token of list in the page's CSS-struck set.
func hasStruckClass(list []byte, set map[string]bool) bool {
	for _, f := range bytes.Fields(list) {
		if set[string(f)] {
			return true
		}
	}
	return false
}
