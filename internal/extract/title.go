package extract

import (
	"bytes"
	"strings"
	"unicode"
)

// titleSeparators split a page title into the product name and the store.
var titleSeparators = []string{" | ", " - ", " – ", " — ", " :: ", " · ", " » ", " / ", ": "}

// pickTitle chooses the product name: structured names first (they are the
// product's own name), then the h1 that best matches the <title>, then
// og:title and <title> with the store's name removed.
func pickTitle(p *page, structured []facts, host string) (string, string, *textRange) {
	sites := siteNames(p, host)
	h1 := mainH1(p, sites)
	if h1 == nil {
		// No h1: anchor positions on where the structured name is shown.
		for _, f := range structured {
			if h1 = findShown(p, f.title); h1 != nil {
				break
			}
		}
	}
	for _, f := range structured {
		if f.title != "" && f.strategy != SourceMeta && !isGeneric(f.title, sites) {
			name := stripSite(f.title, sites)
			// The page's heading may present the name with more words (brand
			// first, an edition): when it contains the structured name, it is
			// what the shopper reads.
			if h1 != nil {
				ht := cleanText(string(p.vis[h1.start:h1.end]))
				hn, nn := normWords(ht), normWords(name)
				if len(ht) <= 300 && len(hn) > len(nn) && len(nn) >= 4 && strings.Contains(hn, nn) {
					return ht, "h1", h1
				}
				if len(ht) <= 300 && abbreviates(name, ht, normWords(p.titleTag+" "+p.metaValue("og:title"))) {
					return ht, "h1", h1
				}
			}
			return name, f.strategy, h1
		}
	}
	if h1 != nil {
		if t := cleanText(string(p.vis[h1.start:h1.end])); len(t) >= 2 {
			return stripSite(t, sites), "h1", h1
		}
	}
	if t := p.metaValue("og:title", "twitter:title"); t != "" && !isGeneric(t, sites) {
		return stripSite(cleanText(t), sites), "og:title", h1
	}
	return stripSite(p.titleTag, sites), "title", h1
}

// mainH1 picks the product's h1: not hidden or in a related block, and the
// one sharing most words with <title>/og:title when there are several.
func mainH1(p *page, sites []string) *textRange {
	ref := normWords(p.titleTag + " " + p.metaValue("og:title"))
	refSet := map[string]bool{}
	for _, w := range strings.Fields(ref) {
		refSet[w] = true
	}
	best, bestScore := -1, -1.0
	for i, h := range p.h1s {
		if h.flags&(fRelated|fHidden) != 0 || h.end <= h.start {
			continue
		}
		text := string(p.vis[h.start:h.end])
		words := strings.Fields(normWords(text))
		if len(words) == 0 || isGeneric(text, sites) {
			continue // empty, or a logo in an h1
		}
		hit := 0
		for _, w := range words {
			if refSet[w] {
				hit++
			}
		}
		s := float64(hit) + 0.01*float64(min(len(words), 20))
		if s > bestScore {
			best, bestScore = i, s
		}
	}
	if best < 0 {
		return nil
	}
	return &p.h1s[best]
}

// siteNames are the store's names as a title suffix may spell them.
func siteNames(p *page, host string) []string {
	var out []string
	for _, k := range []string{"og:site_name", "application-name", "apple-mobile-web-app-title", "twitter:site"} {
		if v := normWords(p.metaValue(k)); v != "" {
			out = append(out, v)
		}
	}
	h := strings.TrimPrefix(strings.ToLower(host), "www.")
	if i := strings.IndexByte(h, '.'); i > 0 {
		out = append(out, h[:i])
	}
	if h != "" {
		out = append(out, normWords(h))
	}
	return out
}

func matchesSite(part string, sites []string) bool {
	n := normWords(part)
	if n == "" {
		return true
	}
	flat := strings.ReplaceAll(n, " ", "")
	for _, s := range sites {
		sf := strings.ReplaceAll(s, " ", "")
		if sf == "" || len(sf) < 3 {
			continue
		}
		// The part must be mostly the store's name, so a product called
		// "Amazon Echo Dot" is not taken for the store.
		if strings.Contains(flat, sf) && len(flat) <= len(sf)+14 || strings.Contains(sf, flat) && len(flat) >= 4 {
			return true
		}
	}
	return false
}

// stripSite removes " | Store", " - Amazon.com", "Amazon.com: …" and
// "Buy … Online at …" wrappers.
func stripSite(t string, sites []string) string {
	t = cleanText(t)
	low := strings.ToLower(t)
	if strings.HasPrefix(low, "buy ") {
		for _, m := range []string{" online at ", " online in ", " online from ", " at best price", " online "} {
			if i := strings.Index(low, m); i > 4 {
				t, low = t[4:i], low[4:i]
				break
			}
		}
	}
	for range 3 {
		changed := false
		for _, sep := range titleSeparators {
			if i := strings.LastIndex(t, sep); i > 0 {
				if tail := t[i+len(sep):]; matchesSite(tail, sites) || isShopSlogan(tail) {
					t = strings.TrimSpace(t[:i])
					changed = true
					break
				}
			}
			if i := strings.Index(t, sep); i > 0 {
				if head := t[:i]; matchesSite(head, sites) {
					t = strings.TrimSpace(t[i+len(sep):])
					changed = true
					break
				}
			}
		}
		if !changed {
			break
		}
	}
	return t
}

// isGeneric reports a title that is only the store's name or a slogan.
func isGeneric(t string, sites []string) bool {
	n := normWords(t)
	if n == "" {
		return true
	}
	return matchesSite(n, sites) && len(strings.Fields(n)) <= 6
}

// findShown locates a product name in the visible text (first occurrence
// outside related and hidden blocks), standing in for the h1.
func findShown(p *page, name string) *textRange {
	name = cleanText(name)
	if len(name) < 6 {
		return nil
	}
	key := []byte(clip(name, 40))
	for from := 0; from < len(p.vis); {
		i := bytes.Index(p.vis[from:], key)
		if i < 0 {
			return nil
		}
		i += from
		if sp := spanAt(p.spans, i); sp.flags&(fRelated|fHidden) == 0 {
			return &textRange{start: i, end: min(len(p.vis), i+len(name))}
		}
		from = i + len(key)
	}
	return nil
}

// isShopSlogan recognises title segments that sell rather than name:
// "Buy Online at Best Price in India", "Free Shipping", "Shop Now".
func isShopSlogan(s string) bool {
	l := strings.ToLower(strings.TrimSpace(s))
	for _, p := range []string{"buy ", "shop ", "order ", "compra ", "compre ", "comprar ", "kaufen", "acheter", "acquista"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	for _, c := range []string{" online at ", "online shopping", "best price", "free shipping", "free delivery", "lowest price", "shop now", "buy online"} {
		if strings.Contains(l, c) {
			return true
		}
	}
	return false
}

// abbreviates reports a structured name that is a stock system's short code
// of the heading ("AERO BOOK 14 U7 32/1T" for "Aero Book 14 OLED Laptop (Core
// Ultra 7, 32GB RAM, 1TB SSD)"): written in capitals only, while the heading
// is in mixed case, longer, starts with the name's first two words, and is
// what the page's <title>/og:title (ref, normWords) also says.
func abbreviates(name, heading, ref string) bool {
	upper, lowerH := 0, false
	for _, r := range name {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsUpper(r) {
			upper++
		}
	}
	for _, r := range heading {
		if unicode.IsLower(r) {
			lowerH = true
			break
		}
	}
	if upper < 4 || !lowerH || len(heading) <= len(name) {
		return false
	}
	nw, hw := strings.Fields(normWords(name)), normWords(heading)
	if len(nw) < 3 || !strings.HasPrefix(hw+" ", nw[0]+" "+nw[1]+" ") || len(hw) < 12 {
		return false
	}
	return strings.Contains(ref, hw)
}
