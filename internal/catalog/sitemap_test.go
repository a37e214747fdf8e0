package catalog

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func gz(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const urlset = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc> https://shop.example/products/red-kettle </loc>
    <lastmod>2026-03-01T10:00:00+00:00</lastmod>
    <image:image><image:loc>https://cdn.example/k.jpg</image:loc><image:title>Red   Kettle &amp; Lid</image:title></image:image>
  </url>
  <url><loc>https://shop.example/products/toaster?x=1&y=2</loc><lastmod>2026-03-02</lastmod></url>
  <url><lastmod>2026-03-02</lastmod></url>
</urlset>`

func TestParseSitemap(t *testing.T) {
	t.Parallel()
	mar1 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC).UnixMilli()
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"plain", []byte(urlset)},
		{"gzip", gz(t, urlset)},
		{"bom", append([]byte("\xef\xbb\xbf"), urlset...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sm, err := ParseSitemap(bytes.NewReader(tc.body), DefaultMaxDocBytes, 100, true)
			if err != nil {
				t.Fatal(err)
			}
			if sm.Index || len(sm.URLs) != 2 {
				t.Fatalf("got %+v, want 2 URLs (the entry without <loc> dropped)", sm)
			}
			a, b := sm.URLs[0], sm.URLs[1]
			if a.Loc != "https://shop.example/products/red-kettle" || a.Title != "Red Kettle & Lid" || a.Lastmod == nil || *a.Lastmod != mar1 {
				t.Errorf("first entry %+v", a)
			}
			if b.Loc != "https://shop.example/products/toaster?x=1&y=2" || b.Title != "" || b.Lastmod == nil {
				t.Errorf("second entry (a stray & in the URL is tolerated) %+v", b)
			}
		})
	}
}

func TestParseSitemapIndex(t *testing.T) {
	t.Parallel()
	idx := `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
	<sitemap><loc>https://shop.example/sitemap_products_1.xml.gz</loc><lastmod>2026-01-01</lastmod></sitemap>
	<sitemap><loc>https://shop.example/sitemap_pages_1.xml</loc></sitemap></sitemapindex>`
	sm, err := ParseSitemap(strings.NewReader(idx), DefaultMaxDocBytes, 100, true)
	if err != nil {
		t.Fatal(err)
	}
	if !sm.Index || len(sm.Sitemaps) != 2 || len(sm.URLs) != 0 || sm.Sitemaps[0].Loc != "https://shop.example/sitemap_products_1.xml.gz" || sm.Sitemaps[0].Lastmod == nil {
		t.Errorf("index %+v", sm)
	}
}

func TestParseSitemapText(t *testing.T) {
	t.Parallel()
	sm, err := ParseSitemap(strings.NewReader("https://s.example/p/1\n\n  https://s.example/p/2  \n"), DefaultMaxDocBytes, 100, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(sm.URLs) != 2 || sm.URLs[1].Loc != "https://s.example/p/2" {
		t.Errorf("text sitemap %+v", sm)
	}
}

func TestParseSitemapLatin1(t *testing.T) {
	t.Parallel()
	doc := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><urlset><url><loc>https://s.example/p/1</loc><image:image><image:title>Cr\xe8me</image:title></image:image></url></urlset>"
	sm, err := ParseSitemap(bytes.NewReader(gz(t, doc)), DefaultMaxDocBytes, 100, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(sm.URLs) != 1 || sm.URLs[0].Title != "Crème" {
		t.Errorf("latin-1 sitemap %+v", sm)
	}
}

func TestParseSitemapErrors(t *testing.T) {
	t.Parallel()
	many := func(n int) string {
		var b strings.Builder
		b.WriteString("<urlset>")
		for i := range n {
			fmt.Fprintf(&b, "<url><loc>https://s.example/p/%d</loc></url>", i)
		}
		b.WriteString("</urlset>")
		return b.String()
	}
	for _, tc := range []struct {
		name     string
		body     []byte
		maxBytes int64
		maxURLs  int
		want     error
	}{
		{"empty", nil, 1000, 10, ErrNotSitemap},
		{"html page", []byte("<!doctype html><html><body>hi</body></html>"), 1000, 10, ErrNotSitemap},
		{"rss", []byte("<rss><channel></channel></rss>"), 1000, 10, ErrNotSitemap},
		{"text with junk", []byte("https://s.example/p/1\nnot a url\n"), 1000, 10, ErrNotSitemap},
		{"too many urls", []byte(many(11)), 1 << 20, 10, ErrTooManyURLs},
		{"too many text urls", []byte(strings.Repeat("https://s.example/p\n", 11)), 1 << 20, 10, ErrTooManyURLs},
		{"too large", []byte(many(100)), 500, 1000, ErrTooLarge},
		{"too large gzip bomb", gz(t, "<urlset>"+strings.Repeat(" ", 1<<20)+"</urlset>"), 64 << 10, 10, ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseSitemap(bytes.NewReader(tc.body), tc.maxBytes, tc.maxURLs, true)
			if !errors.Is(err, tc.want) {
				t.Errorf("error = %v, want %v", err, tc.want)
			}
		})
	}
	// Exactly at the caps is fine.
	doc := many(10)
	if _, err := ParseSitemap(strings.NewReader(doc), int64(len(doc)), 10, true); err != nil {
		t.Errorf("a document exactly at both caps: %v", err)
	}
	for _, bad := range []string{"<urlset><url><loc>https://s.example/p/1</loc></url>", "<urlset><url><loc>x</loc></url></urlset", "<urlset><</urlset>", "\x1f\x8bnot gzip"} {
		if _, err := ParseSitemap(strings.NewReader(bad), 1<<20, 10, true); err == nil {
			t.Errorf("malformed %q parsed without error", bad)
		}
	}
}

func FuzzParseSitemap(f *testing.F) {
	f.Add([]byte(urlset))
	f.Add(gz(f, urlset))
	f.Add([]byte(`<sitemapindex><sitemap><loc>https://s.example/a.xml</loc></sitemap></sitemapindex>`))
	f.Add([]byte("https://s.example/p/1\n"))
	f.Add([]byte("<urlset><url><loc>&amp;&bogus;<![CDATA[x]]></loc></url></urlset>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		sm, err := ParseSitemap(bytes.NewReader(body), 1<<20, 100, true)
		if err != nil {
			return
		}
		if sm.Index && len(sm.URLs) > 0 || !sm.Index && len(sm.Sitemaps) > 0 {
			t.Fatalf("mixed result %+v", sm)
		}
		if len(sm.URLs)+len(sm.Sitemaps) > 100 {
			t.Fatalf("%d entries past the cap", len(sm.URLs)+len(sm.Sitemaps))
		}
		for _, e := range append(sm.URLs, sm.Sitemaps...) {
			if e.Loc == "" {
				t.Fatalf("entry without loc: %+v", e)
			}
		}
	})
}
