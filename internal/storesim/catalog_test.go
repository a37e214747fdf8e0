package storesim

import (
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, url string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
	return rec
}

func TestRobots(t *testing.T) {
	st := New(Options{Products: 5, Config: Config{CrawlDelay: 2}})
	rec := get(t, st.Handler(), "http://shop.test/robots.txt")
	body := rec.Body.String()
	for _, want := range []string{"User-agent: *", "Disallow: /_sim/", "Allow: /p/", "Crawl-delay: 2", "Sitemap: http://shop.test/sitemap.xml"} {
		if !strings.Contains(body, want) {
			t.Errorf("robots.txt lacks %q:\n%s", want, body)
		}
	}
	if err := st.SetConfig(Config{}); err != nil {
		t.Fatal(err)
	}
	if body := get(t, st.Handler(), "http://shop.test/robots.txt").Body.String(); strings.Contains(body, "Crawl-delay") {
		t.Errorf("crawl delay 0 still written:\n%s", body)
	}
}

// TestSitemaps: the index points at gzip sitemaps of at most SitemapSize
// URLs, with lastmod, and together they list every product exactly once.
func TestSitemaps(t *testing.T) {
	st := New(Options{Products: 2345, Seed: 1, SitemapSize: 1000})
	h := st.Handler()
	var idx struct {
		Sitemaps []struct {
			Loc     string `xml:"loc"`
			LastMod string `xml:"lastmod"`
		} `xml:"sitemap"`
	}
	if err := xml.Unmarshal(get(t, h, "http://shop.test/sitemap.xml").Body.Bytes(), &idx); err != nil {
		t.Fatal(err)
	}
	if len(idx.Sitemaps) != 4 || idx.Sitemaps[3].Loc != "http://shop.test/sitemaps/site.xml" {
		t.Fatalf("%d sitemaps for 2345 products at 1000 each, want 3 and the site sitemap: %+v", len(idx.Sitemaps), idx.Sitemaps)
	}
	var site struct {
		URLs []struct {
			Loc string `xml:"loc"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal(get(t, h, idx.Sitemaps[3].Loc).Body.Bytes(), &site); err != nil {
		t.Fatal(err)
	}
	if len(site.URLs) < 5 {
		t.Errorf("site sitemap lists %d pages", len(site.URLs))
	}
	for _, u := range site.URLs {
		if strings.Contains(u.Loc, "/p/") {
			t.Errorf("site sitemap lists a product: %s", u.Loc)
		}
	}
	seen := map[string]bool{}
	for _, sm := range idx.Sitemaps[:3] {
		if sm.LastMod == "" || !strings.HasSuffix(sm.Loc, ".xml.gz") {
			t.Errorf("sitemap entry %+v", sm)
		}
		rec := get(t, h, sm.Loc)
		zr, err := gzip.NewReader(rec.Body)
		if err != nil {
			t.Fatalf("%s: %v", sm.Loc, err)
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		var set struct {
			URLs []struct {
				Loc     string `xml:"loc"`
				LastMod string `xml:"lastmod"`
				Title   string `xml:"http://www.google.com/schemas/sitemap-image/1.1 image>title"`
			} `xml:"url"`
		}
		if err := xml.Unmarshal(raw, &set); err != nil {
			t.Fatal(err)
		}
		for _, u := range set.URLs {
			var id int
			if _, err := fmt.Sscanf(u.Loc, "http://shop.test/p/%d-", &id); err != nil {
				t.Fatalf("%s: %v", u.Loc, err)
			}
			if p, _ := st.Product(id); u.Title != p.Title {
				t.Errorf("%s: image title %q, want the product's %q", u.Loc, u.Title, p.Title)
			}
		}
		if len(set.URLs) > 1000 {
			t.Errorf("%s has %d URLs", sm.Loc, len(set.URLs))
		}
		for _, u := range set.URLs {
			if seen[u.Loc] || u.LastMod == "" {
				t.Errorf("duplicate or undated %s", u.Loc)
			}
			seen[u.Loc] = true
		}
	}
	for id := 1; id <= st.Len(); id++ {
		if !seen["http://shop.test"+st.URL(id)] {
			t.Fatalf("product %d (%s) missing from the sitemaps", id, st.URL(id))
		}
	}
	if len(seen) != st.Len() {
		t.Errorf("%d URLs in sitemaps, %d products", len(seen), st.Len())
	}
	if rec := get(t, h, "http://shop.test/sitemaps/products-4.xml.gz"); rec.Code != 404 {
		t.Errorf("sitemap past the end: %d", rec.Code)
	}
}

type feedPage struct {
	Products []feedProduct `json:"products"`
}

// TestProductsJSON pages like Shopify: 30 a page by default, limit up to
// 250, an empty list past the end; new products appear at the end.
func TestProductsJSON(t *testing.T) {
	st := New(Options{Products: 75, Seed: 2})
	h := st.Handler()
	read := func(q string) feedPage {
		rec := get(t, h, "http://shop.test/products.json"+q)
		if rec.Code != 200 {
			t.Fatalf("%s: %d", q, rec.Code)
		}
		var f feedPage
		if err := json.Unmarshal(rec.Body.Bytes(), &f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	ids := map[int]bool{}
	for page, want := range map[int]int{1: 30, 2: 30, 3: 15, 4: 0} {
		f := read("?page=" + itoa(page))
		if len(f.Products) != want {
			t.Errorf("page %d: %d products, want %d", page, len(f.Products), want)
		}
		for _, p := range f.Products {
			truth, _ := st.Product(p.ID)
			if ids[p.ID] || p.Title != truth.Title || p.Variants[0].Price != truth.Price || !strings.HasSuffix(p.URL, st.URL(p.ID)) {
				t.Errorf("page %d: %+v vs truth %+v", page, p, truth)
			}
			ids[p.ID] = true
		}
	}
	if len(ids) != 75 {
		t.Errorf("%d distinct products over the pages, want 75", len(ids))
	}
	if f := read("?limit=250"); len(f.Products) != 75 {
		t.Errorf("limit=250: %d products", len(f.Products))
	}
	st.Add(2)
	if f := read("?page=3"); len(f.Products) != 17 || f.Products[16].ID != 77 {
		t.Errorf("after adding 2 products page 3 has %d", len(f.Products))
	}
	if f := read("?page=9223372036854775807&limit=250"); len(f.Products) != 0 {
		t.Errorf("huge page: %d products", len(f.Products))
	}
	if rec := get(t, h, "http://shop.test/sitemaps/products-9223372036854775807.xml.gz"); rec.Code != 404 {
		t.Errorf("huge sitemap number: %d", rec.Code)
	}
	if rec := get(t, h, "http://shop.test/products.json?page=x"); rec.Code != 400 {
		t.Errorf("bad page: %d", rec.Code)
	}
}
