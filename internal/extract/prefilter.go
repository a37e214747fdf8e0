package extract

import "bytes"

// Markers of script bodies the extractor reads (see embedKind); every other
// script or style body is dropped before tokenizing.
var keepScriptMarkers = [][]byte{
	[]byte("ShopifyAnalytics"), []byte("var meta = "), []byte("prestashop"),
}

// dropScriptBodies returns html with the bodies of scripts and styles the
// extractor never reads cut out. Those bodies are often half of a page and
// the tokenizer's script state machine is its slowest path; one bytes.Index
// sweep to find them is much cheaper. JSON-LD, JSON and platform embeds are
// kept. The result aliases html when nothing was dropped.
func dropScriptBodies(html []byte) []byte {
	var out []byte
	last := 0 // html[last:] not yet copied
	nextScript, nextStyle := -2, -2
	for i := 0; i < len(html); {
		// Lower-case tags only: that is how pages write them, and an upper-case
		// one is simply tokenized as usual.
		if nextScript != -1 && nextScript < i {
			nextScript = indexFrom(html, i, "<script")
		}
		if nextStyle != -1 && nextStyle < i {
			nextStyle = indexFrom(html, i, "<style")
		}
		j, name := nextScript, "script"
		if j < 0 || nextStyle >= 0 && nextStyle < j {
			j, name = nextStyle, "style"
		}
		if j < 0 {
			break
		}
		if !isTagEnd(html, j+1+len(name)) {
			i = j + 1
			continue
		}
		gt := bytes.IndexByte(html[j:], '>')
		if gt < 0 {
			break
		}
		bodyStart := j + gt + 1
		end := indexFrom(html, bodyStart, "</"+name)
		if end < 0 {
			break
		}
		if !keepBody(html[j:bodyStart], html[bodyStart:end], name) {
			if out == nil {
				out = make([]byte, 0, len(html))
			}
			out = append(out, html[last:bodyStart]...)
			last = end
		}
		i = end
	}
	if out == nil {
		return html
	}
	return append(out, html[last:]...)
}

func indexFrom(b []byte, from int, s string) int {
	if from > len(b) {
		return -1
	}
	if k := bytes.Index(b[from:], []byte(s)); k >= 0 {
		return from + k
	}
	return -1
}

func isTagEnd(b []byte, i int) bool {
	if i >= len(b) {
		return false
	}
	switch b[i] {
	case ' ', '>', '\t', '\n', '\r', '\f', '/':
		return true
	}
	return false
}

func keepBody(startTag, body []byte, name string) bool {
	if name == "style" {
		return false
	}
	if bytes.Contains(startTag, []byte("json")) || bytes.Contains(startTag, []byte("JSON")) || bytes.Contains(startTag, []byte("magento-init")) {
		return true
	}
	// Platform globals open their script (ShopifyAnalytics, var meta,
	// var prestashop); looking only at the head keeps this cheap on pages
	// with megabytes of bundled JavaScript.
	head := body[:min(len(body), 2048)]
	for _, m := range keepScriptMarkers {
		if bytes.Contains(head, m) {
			return true
		}
	}
	return false
}
