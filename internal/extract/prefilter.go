package extract

import (
	"bytes"
	"io"
)

// Markers of script bodies the extractor reads (see embedKind); every other
// script or style body is dropped before tokenizing.
var keepScriptMarkers = [][]byte{
	[]byte("ShopifyAnalytics"), []byte("var meta = "), []byte("prestashop"),
}

// dropNames are the elements whose bodies the extractor never reads (a
// script is kept when it is JSON or a platform embed: see keepBody).
var dropNames = [...]string{"script", "style", "svg", "noscript", "template"}

// dropScriptBodies returns html with the bodies of scripts, styles, inline
// SVG, noscript and template elements the extractor never reads cut out.
// Those bodies are often half of a page and the tokenizer's script state
// machine is its slowest path; one sweep over the '<' bytes to find them is
// much cheaper. JSON-LD, JSON and platform embeds are kept. The reader
// serves slices of html; nothing is copied.
func dropScriptBodies(html []byte) *segReader {
	r, _ := dropScriptBodiesCSS(html)
	return r
}

// dropScriptBodiesCSS is dropScriptBodies that also returns the class names
// the page's <style> blocks strike through (see cssStruckClasses).
func dropScriptBodiesCSS(html []byte) (*segReader, map[string]bool) {
	var struck map[string]bool
	var segs [][]byte
	last := 0 // html[last:] not yet kept
	for i := 0; i < len(html); {
		// One sweep over '<': the byte after it picks the candidates.
		// Lower-case tags only: that is how pages write them, and an
		// upper-case one is simply tokenized as usual.
		k := bytes.IndexByte(html[i:], '<')
		if k < 0 || i+k+1 >= len(html) {
			break
		}
		j := i + k
		name := ""
		switch html[j+1] {
		case 's', 'n', 't':
			for _, n := range dropNames {
				if len(html)-j-1 >= len(n) && string(html[j+1:j+1+len(n)]) == n {
					name = n
					break
				}
			}
		}
		if name == "" {
			i = j + 1
			continue
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
		if html[bodyStart-2] == '/' {
			i = bodyStart // <svg … />
			continue
		}
		end := indexFrom(html, bodyStart, "</"+name)
		if end < 0 {
			break
		}
		if name == "style" {
			struck = cssStruckClasses(html[bodyStart:end], struck)
		}
		if !keepBody(html[j:bodyStart], html[bodyStart:end], name) {
			segs = append(segs, html[last:bodyStart])
			last = end
		}
		i = end
	}
	return &segReader{segs: append(segs, html[last:])}, struck
}

// segReader reads the kept segments in order without joining them: the
// tokenizer copies into its own buffer anyway.
type segReader struct{ segs [][]byte }

// bytes joins the segments left to read into a new buffer (bytes.Join
// does not zero it first).
func (r *segReader) bytes() []byte {
	if len(r.segs) == 1 {
		return bytes.Clone(r.segs[0])
	}
	return bytes.Join(r.segs, nil)
}

// size is the number of bytes left to read.
func (r *segReader) size() int {
	n := 0
	for _, s := range r.segs {
		n += len(s)
	}
	return n
}

func (r *segReader) Read(p []byte) (int, error) {
	for len(r.segs) > 0 && len(r.segs[0]) == 0 {
		r.segs = r.segs[1:]
	}
	if len(r.segs) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.segs[0])
	r.segs[0] = r.segs[0][n:]
	return n, nil
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
	if name != "script" {
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
