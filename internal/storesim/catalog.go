package storesim

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func (st *Store) serveRobots(w http.ResponseWriter, r *http.Request) {
	st.stats.robots.Add(1)
	cfg := st.Config()
	var b strings.Builder
	b.WriteString("# Simulated store: products may be crawled; the control API may not.\nUser-agent: *\nDisallow: /_sim/\nDisallow: /cart\nDisallow: /search\nAllow: /p/\n")
	if cfg.CrawlDelay > 0 {
		b.WriteString("Crawl-delay: " + strconv.FormatFloat(cfg.CrawlDelay, 'f', -1, 64) + "\n")
	}
	b.WriteString("\nSitemap: " + origin(r) + "/sitemap.xml\n")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}

// idSeq is the ids of the products on one host, without listing them: the
// i-th is first + i*step. A feed page over a million products stays cheap.
type idSeq struct{ first, step, n int }

func (q idSeq) at(i int) int { return q.first + i*q.step }

// hostIDsLocked returns the products that live on the host the request was
// made to. Before Start, on one host, or on the listen address, that is
// every product.
func (st *Store) hostIDsLocked(r *http.Request) idSeq {
	all := idSeq{first: 1, step: 1, n: len(st.items)}
	hosts := len(st.origins)
	if hosts <= 1 {
		return all
	}
	for k, o := range st.origins {
		if strings.HasSuffix(o, "://"+r.Host) {
			first := k // product id lives on origins[id % hosts]
			if first == 0 {
				first = hosts
			}
			n := 0
			if len(st.items) >= first {
				n = (len(st.items)-first)/hosts + 1
			}
			return idSeq{first: first, step: hosts, n: n}
		}
	}
	return all
}

func (st *Store) serveSitemapIndex(w http.ResponseWriter, r *http.Request) {
	st.stats.sitemap.Add(1)
	st.mu.RLock()
	ids := st.hostIDsLocked(r)
	size := st.opt.SitemapSize
	var mods []int64
	for start := 0; start < ids.n; start += size {
		var m int64
		for i := start; i < min(start+size, ids.n); i++ {
			m = max(m, st.items[ids.at(i)-1].modified)
		}
		mods = append(mods, m)
	}
	st.mu.RUnlock()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for i, m := range mods {
		fmt.Fprintf(&b, "<sitemap><loc>%s/sitemaps/products-%d.xml.gz</loc><lastmod>%s</lastmod></sitemap>\n", origin(r), i+1, time.Unix(m, 0).UTC().Format(time.RFC3339))
	}
	// Like most stores, a sitemap of the other pages sits beside the
	// product sitemaps: catalog discovery must not take them for products.
	fmt.Fprintf(&b, "<sitemap><loc>%s/sitemaps/site.xml</loc></sitemap>\n", origin(r))
	b.WriteString("</sitemapindex>\n")
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}

// serveSitemap writes products-N.xml.gz, gzip-compressed as a file (not as
// a Content-Encoding), the way sitemap generators publish them.
func (st *Store) serveSitemap(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("file") == "site.xml" {
		st.serveSiteSitemap(w, r)
		return
	}
	var n int
	if _, err := fmt.Sscanf(r.PathValue("file"), "products-%d.xml.gz", &n); err != nil || n < 1 ||
		r.PathValue("file") != "products-"+itoa(n)+".xml.gz" {
		st.stats.other.Add(1)
		http.NotFound(w, r)
		return
	}
	st.mu.RLock()
	ids := st.hostIDsLocked(r)
	size := st.opt.SitemapSize
	if n-1 > ids.n/size { // also keeps (n-1)*size from overflowing
		n = ids.n/size + 2
	}
	start := (n - 1) * size
	if start >= ids.n {
		st.mu.RUnlock()
		st.stats.other.Add(1)
		http.NotFound(w, r)
		return
	}
	type entry struct {
		id          int
		path, title string
		mod         int64
	}
	page := make([]entry, 0, min(size, ids.n-start))
	for i := start; i < min(start+size, ids.n); i++ {
		id := ids.at(i)
		it := &st.items[id-1]
		page = append(page, entry{id, "/p/" + itoa(id) + "-" + it.slug, it.title, it.modified})
	}
	st.mu.RUnlock()
	st.stats.sitemap.Add(1)
	w.Header().Set("Content-Type", "application/gzip")
	zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	o := origin(r)
	_, _ = zw.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">` + "\n"))
	for _, e := range page {
		// An image entry with its title, as Shopify's product sitemaps have.
		_, _ = fmt.Fprintf(zw, "<url><loc>%s%s</loc><lastmod>%s</lastmod><image:image><image:loc>%s/img/%d/1.webp</image:loc><image:title>%s</image:title></image:image></url>\n",
			o, e.path, time.Unix(e.mod, 0).UTC().Format(time.RFC3339), o, e.id, html.EscapeString(e.title))
	}
	_, _ = zw.Write([]byte("</urlset>\n"))
	_ = zw.Close()
}

// serveSiteSitemap lists the store's other pages — home, information pages,
// categories, blog posts — in one plain sitemap.
func (st *Store) serveSiteSitemap(w http.ResponseWriter, r *http.Request) {
	st.stats.sitemap.Add(1)
	o := origin(r)
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	paths := []string{"/", "/pages/about", "/pages/shipping-returns", "/blog/care-guide", "/blog/new-season"}
	for _, name := range categoryNames {
		paths = append(paths, "/c/"+slugify(name))
	}
	for _, p := range paths {
		b.WriteString("<url><loc>" + o + p + "</loc></url>\n")
	}
	b.WriteString("</urlset>\n")
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}

// feedProduct is the subset of Shopify's /products.json product that
// catalog discovery reads.
type feedProduct struct {
	ID        int           `json:"id"`
	Title     string        `json:"title"`
	Handle    string        `json:"handle"`
	Vendor    string        `json:"vendor"`
	Type      string        `json:"product_type"`
	URL       string        `json:"url"` // not in Shopify's feed; saves clients building it
	CreatedAt string        `json:"created_at"`
	UpdatedAt string        `json:"updated_at"`
	Variants  []feedVariant `json:"variants"`
}

type feedVariant struct {
	ID             int     `json:"id"`
	Title          string  `json:"title"`
	SKU            string  `json:"sku"`
	Price          string  `json:"price"`
	CompareAtPrice *string `json:"compare_at_price"`
	Available      bool    `json:"available"`
}

// serveFeed answers /products.json?page=N&limit=L like Shopify: 30 products
// a page by default, at most 250, an empty list past the end.
func (st *Store) serveFeed(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pageN, limit := 1, 30
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			st.stats.other.Add(1)
			http.Error(w, "page must be a positive integer", http.StatusBadRequest)
			return
		}
		pageN = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			st.stats.other.Add(1)
			http.Error(w, "limit must be a positive integer", http.StatusBadRequest)
			return
		}
		limit = min(n, 250)
	}
	st.stats.feed.Add(1)
	o := origin(r)
	out := struct {
		Products []feedProduct `json:"products"`
	}{Products: []feedProduct{}}
	st.mu.RLock()
	ids := st.hostIDsLocked(r)
	if start := (pageN - 1) * limit; pageN-1 <= ids.n/limit && start < ids.n {
		for i := start; i < min(start+limit, ids.n); i++ {
			id := ids.at(i)
			it := &st.items[id-1]
			c := &currencies[it.cur]
			ts := time.Unix(it.modified, 0).UTC().Format(time.RFC3339)
			v := feedVariant{ID: id*10 + 1, Title: "Default Title", SKU: it.sku, Price: c.decimalString(it.price), Available: it.avail == InStock || it.avail == BackOrder || it.avail == PreOrder}
			if it.list > it.price {
				s := c.decimalString(it.list)
				v.CompareAtPrice = &s
			}
			out.Products = append(out.Products, feedProduct{
				ID: id, Title: it.title, Handle: itoa(id) + "-" + it.slug, Vendor: it.brand, Type: categoryNames[it.category],
				URL: o + "/p/" + itoa(id) + "-" + it.slug, CreatedAt: ts, UpdatedAt: ts, Variants: []feedVariant{v},
			})
		}
	}
	st.mu.RUnlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}
