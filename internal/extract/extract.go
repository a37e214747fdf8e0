package extract

import (
	"net/url"
	"strings"

	"github.com/shelfwatch/shelfwatch/internal/price"
)

// Extract reads a product page. pageURL is the page's own URL: it makes
// relative image links absolute and its country TLD hints the currency. It is
// pure and never panics; unusable input yields an Observation with
// Availability Unknown, no price and Confidence 0.
func Extract(html []byte, pageURL string, opt Options) Observation {
	base, _ := url.Parse(strings.TrimSpace(pageURL))
	host := ""
	if base != nil {
		host = base.Hostname()
	}
	p := scan(html)
	canon := firstNonEmpty(p.canonical, p.metaValue("og:url"))
	if host == "" || currencyFromHost(host) == "" {
		// A generic host (.com, or none at all): the canonical link may name a
		// country domain.
		if cu, err := url.Parse(canon); err == nil && cu.Hostname() != "" && (host == "" || currencyFromHost(cu.Hostname()) != "") {
			host = cu.Hostname()
		}
	}
	pr := &pricer{hints: price.Hints{
		Currency: strings.ToUpper(opt.Currency),
		Locale:   firstNonEmpty(p.metaValue("og:locale"), p.lang, opt.Locale),
		Host:     host,
	}}

	var srcs []facts
	if r := matchRule(opt.Rules, host); r != nil {
		if f, ok := fromRule(html, r, pr); ok {
			srcs = append(srcs, f)
		}
	}
	if f, ok := fromJSONLD(p.jsonld, pr, newPageRef(p, base, canon)); ok {
		srcs = append(srcs, f)
	}
	if f, ok := fromMicrodata(p.items, pr); ok {
		srcs = append(srcs, f)
	}
	if f, ok := fromMeta(p, pr); ok {
		srcs = append(srcs, f)
	}
	variant := ""
	if base != nil {
		variant = base.Query().Get("variant")
	}
	if f, ok := fromPlatform(p, pr, variant); ok {
		srcs = append(srcs, f)
	}
	if pr.hints.Currency == "" {
		for _, f := range srcs {
			if isISO(f.currency) {
				pr.hints.Currency = f.currency
				break
			}
		}
	}

	var o Observation
	title, titleSrc, h1 := pickTitle(p, srcs, host)
	o.Title = title
	o.Evidence = append(o.Evidence, Evidence{Strategy: titleSrc, Field: "title", Value: title, Where: "chosen"})
	lv := lowerSameLen(p.vis)
	vis := visibleCandidates(p, pr, h1, lv)
	resolvePrice(&o, srcs, vis, pr, host)
	resolveAvailability(&o, srcs, stockCues(p, lv, h1), cartControl(p, lv, h1))
	if o.Availability == OutOfStock && o.Source == SourceVisible && o.Confidence < 0.6 {
		// An out-of-stock page with no structured price: the amounts left on
		// it belong to other products or offers.
		o.Evidence = append(o.Evidence, Evidence{Strategy: "resolver", Field: "price", Value: o.Price, Where: "dropped: out of stock and only a weak visible price"})
		o.Price, o.Source, o.Confidence = "", SourceNone, 0.5
	}
	fillIdentity(&o, p, srcs, base)
	if o.Price == "" && o.Title == "" && o.Availability == Unknown {
		o.Confidence = 0 // nothing recognisable: not a product page, or not a page
	}
	return o
}

// fillIdentity sets image, brand and identifiers from the first strategy that has them.
func fillIdentity(o *Observation, p *page, srcs []facts, base *url.URL) {
	for _, f := range srcs {
		if o.Image == "" && f.image != "" {
			o.Image = absURL(base, f.image)
		}
		if o.Brand == "" {
			o.Brand = f.brand
		}
		if o.SKU == "" {
			o.SKU = f.sku
		}
		if o.GTIN == "" {
			o.GTIN = f.gtin
		}
		if o.MPN == "" {
			o.MPN = f.mpn
		}
		if len(o.Variants) == 0 && len(f.variants) > 0 {
			o.Variants = f.variants
		}
	}
	if o.Image == "" && p.imageSrc != "" {
		o.Image = absURL(base, p.imageSrc)
	}
	if c := firstNonEmpty(p.canonical, p.metaValue("og:url")); c != "" {
		if u := absURL(base, c); strings.HasPrefix(u, "http") {
			o.Canonical = u
		}
	}
	if o.Image != "" {
		o.Evidence = append(o.Evidence, Evidence{Strategy: "identity", Field: "image", Value: o.Image})
	}
}

func absURL(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil && base.Scheme != "" {
		u = base.ResolveReference(u)
	} else if u.Scheme == "" && strings.HasPrefix(ref, "//") {
		u.Scheme = "https"
	}
	return u.String()
}

func isISO(c string) bool { return len(c) == 3 && isUpperAlpha([]byte(c)) }

// pageRef is what identifies the page's own product among several: its
// headings and title, and its URLs.
type pageRef struct {
	names  []string   // normalized h1 texts, og:title, <title>
	paths  []string   // URL paths of the page and its canonical link
	query  url.Values // the page URL's query: the selected variant (?variant=123)
	picked []string   // normalized texts, skus and values of selected variant controls
}

// picks reports an offer or variant named like the selected variant control
// ("50 ml" for an offer named "50 ml" or a variant "Hydra Serum 50 ml", or
// its sku).
func (r pageRef) picks(m map[string]any) bool {
	if len(r.picked) == 0 {
		return false
	}
	for _, k := range []string{"sku", "name", "size", "color"} {
		nn := normWords(str(get(m, k)))
		if nn == "" {
			continue
		}
		for _, c := range r.picked {
			if nn == c || len(c) >= 2 && strings.HasSuffix(" "+nn, " "+c) {
				return true
			}
		}
	}
	return false
}

// selects reports an offer or variant that the page URL selects: its url
// has the page's path and a query the page URL carries (?variant=222), or
// its sku or gtin is a query value or the last path segment of the page.
func (r pageRef) selects(m map[string]any) bool {
	if u := str(get(m, "url")); u != "" && len(r.query) > 0 {
		if pu, err := url.Parse(u); err == nil && len(pu.Query()) > 0 && (len(pu.Path) <= 1 || r.matchesURL(u)) {
			all := true
			for k, vs := range pu.Query() {
				if len(vs) == 0 || r.query.Get(k) != vs[0] {
					all = false
					break
				}
			}
			if all {
				return true
			}
		}
	}
	for _, k := range []string{"sku", "gtin13", "gtin", "productID"} {
		id := str(get(m, k))
		if len(id) < 3 {
			continue
		}
		for _, vs := range r.query {
			for _, v := range vs {
				if strings.EqualFold(v, id) {
					return true
				}
			}
		}
		for _, p := range r.paths[:min(1, len(r.paths))] {
			if seg := p[strings.LastIndexByte(p, '/')+1:]; strings.EqualFold(seg, id) || strings.HasSuffix(strings.ToLower(seg), "-"+strings.ToLower(id)) {
				return true
			}
		}
	}
	return false
}

func newPageRef(p *page, base *url.URL, canon string) pageRef {
	var r pageRef
	for _, h := range p.h1s {
		if h.flags&(fRelated|fHidden) == 0 && h.end > h.start && h.end <= len(p.vis) {
			if n := normWords(string(p.vis[h.start:h.end])); n != "" {
				r.names = append(r.names, n)
			}
		}
	}
	for _, t := range []string{p.metaValue("og:title"), p.titleTag} {
		if n := normWords(t); n != "" {
			r.names = append(r.names, n)
		}
	}
	if base != nil && len(base.Path) > 1 {
		r.paths = append(r.paths, strings.TrimSuffix(base.Path, "/"))
	}
	if base != nil && base.RawQuery != "" {
		r.query = base.Query()
	}
	for _, t := range p.picked {
		if n := normWords(t); n != "" {
			r.picked = append(r.picked, n)
		}
	}
	if cu, err := url.Parse(canon); err == nil && len(cu.Path) > 1 {
		r.paths = append(r.paths, strings.TrimSuffix(cu.Path, "/"))
	}
	return r
}

// matchesName: the product name equals a heading, or a title contains it.
func (r pageRef) matchesName(nm string) bool {
	for _, n := range r.names {
		if n == nm || len(nm) >= 8 && strings.Contains(n, nm) {
			return true
		}
	}
	return false
}

func (r pageRef) matchesURL(u string) bool {
	if u == "" {
		return false
	}
	pu, err := url.Parse(u)
	if err != nil || len(pu.Path) <= 1 {
		return false
	}
	path := strings.TrimSuffix(pu.Path, "/")
	for _, p := range r.paths {
		if p == path {
			return true
		}
	}
	return false
}
