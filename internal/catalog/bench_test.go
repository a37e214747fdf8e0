package catalog

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// A full sitemap (50,000 URLs with image titles), gzip-compressed as
// stores publish them.
func BenchmarkParseSitemap(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">`)
	for i := range 50_000 {
		fmt.Fprintf(&sb, "<url><loc>https://shop.example/products/item-%d-blue-widget</loc><lastmod>2026-03-01T10:00:00Z</lastmod>"+
			"<image:image><image:loc>https://cdn.example/%d.jpg</image:loc><image:title>Blue Widget No. %d</image:title></image:image></url>\n", i, i, i)
	}
	sb.WriteString("</urlset>")
	body := gz(b, sb.String())
	b.SetBytes(int64(sb.Len()))
	b.ReportAllocs()
	for b.Loop() {
		sm, err := ParseSitemap(bytes.NewReader(body), DefaultMaxDocBytes, DefaultMaxURLs, false)
		if err != nil || len(sm.URLs) != 50_000 {
			b.Fatal(len(sm.URLs), err)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	m := NewMatcher([]string{"lego technic", "zeppelin", "rtx 4090"}, []string{"refurbished", "used"})
	b.ReportAllocs()
	for b.Loop() {
		m.Match("LEGO® Technic Bugatti Chiron 42083 – Limited Edition", "https://shop.example/products/lego-technic-bugatti-chiron-42083")
	}
}
