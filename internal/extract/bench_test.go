package extract

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// benchPage builds a ~230 KB product page shaped like a real one, from the
// fixtures: JSON-LD in the head and again at the end of the body, large
// inline scripts and styles, a navigation menu, the product block, a long
// description, a related-products carousel and a footer.
func benchPage(tb testing.TB) []byte {
	product, err := os.ReadFile(filepath.Join("testdata", "related-decoys.html"))
	if err != nil {
		tb.Fatal(err)
	}
	if i := bytes.Index(product, []byte("<body>")); i >= 0 {
		product = bytes.TrimSuffix(bytes.TrimSpace(product[i+6:]), []byte("</body></html>"))
	}
	ld := []byte(`<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product","name":"Steel Water Bottle 1L",
"sku":"SWB-1","offers":{"@type":"Offer","price":"449","priceCurrency":"INR","availability":"https://schema.org/InStock"}}</script>`)
	var buf bytes.Buffer
	w := buf.WriteString
	w(`<!doctype html><html lang="en-IN"><head><meta charset="utf-8"><title>Steel Water Bottle 1L : Buy Online | Kitchenkart</title>`)
	w(`<meta property="og:title" content="Steel Water Bottle 1L"><meta property="og:image" content="/img/bottle.jpg">`)
	buf.Write(ld)
	w(`<style>`)
	for i := 0; i < 600; i++ {
		fmt.Fprintf(&buf, ".c%d{margin:0 %dpx;color:#%03x}", i, i%9, i%4096)
	}
	w(`</style>`)
	for k := 0; k < 6; k++ {
		w(`<script>(function(){var cfg={"endpoint":"/api/v1/cart","locale":"en-IN"};`)
		for i := 0; i < 300; i++ {
			fmt.Fprintf(&buf, "function f%d_%d(a,b){if(a<b){return '<div class=\"x\">'+a+'</div>'}return b*%d}", k, i, i)
		}
		w(`})();</script>`)
	}
	w(`</head><body><header class="site-header"><nav class="main-navigation"><ul>`)
	for i := 0; i < 400; i++ {
		fmt.Fprintf(&buf, `<li class="menu-item"><a href="/c/%d" class="menu-link">Category %d</a></li>`, i, i)
	}
	w(`</ul></nav></header><main class="product-page">`)
	buf.Write(product)
	w(`<div class="product-description"><h2>Description</h2>`)
	for i := 0; i < 120; i++ {
		w(`<p>Double-walled stainless steel keeps drinks cold for 24 hours and hot for 12. The powder-coated finish resists scratches, and the leak-proof lid fits most cup holders. Dishwasher safe.</p>`)
	}
	w(`</div><section class="related-products carousel"><h2>Customers also viewed</h2>`)
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&buf, `<div class="product-card"><a href="/p/%d"><img src="/img/%d.jpg" alt="Item %d"></a><span class="title">Item %d</span><span class="price">₹%d</span><s class="mrp">₹%d</s><button class="add-to-cart">Add to cart</button></div>`, i, i, i, i, 100+i*7, 200+i*9)
	}
	w(`</section></main><footer class="footer">`)
	for i := 0; i < 150; i++ {
		fmt.Fprintf(&buf, `<a href="/help/%d">Help topic %d</a> `, i, i)
	}
	w(`</footer>`)
	for buf.Len() < 228_000 {
		w(`<div class="spacer" data-x="1"><span>.</span></div>`)
	}
	buf.Write(ld)
	w(`</body></html>`)
	return buf.Bytes()
}

func BenchmarkExtract230K(b *testing.B) {
	page := benchPage(b)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		o := Extract(page, "https://bench.example/lamp", Options{})
		if o.Price == "" {
			b.Fatal("no price")
		}
	}
}

func BenchmarkScan230K(b *testing.B) {
	page := benchPage(b)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		scan(page)
	}
}

func BenchmarkCorpus(b *testing.B) {
	dir, entries := loadCorpus(b)
	var pages [][]byte
	var urls []string
	var total int64
	for _, e := range entries {
		p, err := os.ReadFile(filepath.Join(dir, "pages", e.ID+".html"))
		if err != nil {
			continue
		}
		pages = append(pages, p)
		urls = append(urls, e.URL)
		total += int64(len(p))
	}
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i, p := range pages {
			Extract(p, urls[i], Options{})
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(pages)), "µs/page")
}

// BenchmarkNaiveTokenizer is the floor: a bare x/net/html tokenizer pass
// over the same page, touching every token.
func BenchmarkNaiveTokenizer(b *testing.B) {
	page := benchPage(b)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		z := html.NewTokenizer(bytes.NewReader(page))
		for z.Next() != html.ErrorToken {
		}
	}
}

// BenchmarkPortTokenizer is scan's own tokenizer (tokenize.go) over the same
// page, whole, touching every token, for comparison with
// BenchmarkNaiveTokenizer (it copies the page first, as scan does).
func BenchmarkPortTokenizer(b *testing.B) {
	page := benchPage(b)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		z := newTokenizer(bytes.Clone(page))
		for z.Next() != html.ErrorToken {
		}
	}
}

// BenchmarkCorpusNaiveTokenizer is the bare tokenizer over the corpus pages,
// to compare with BenchmarkCorpus.
func BenchmarkCorpusNaiveTokenizer(b *testing.B) {
	dir, entries := loadCorpus(b)
	var pages [][]byte
	var total int64
	for _, e := range entries {
		if p, err := os.ReadFile(filepath.Join(dir, "pages", e.ID+".html")); err == nil {
			pages = append(pages, p)
			total += int64(len(p))
		}
	}
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, p := range pages {
			z := html.NewTokenizer(bytes.NewReader(p))
			for z.Next() != html.ErrorToken {
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(pages)), "µs/page")
}

// BenchmarkExtractVsTokenizer alternates Extract and a bare tokenizer pass
// over the same page and reports their time ratio: on a shared, noisy
// machine the ratio of interleaved runs is steadier than two benchmarks
// run one after the other.
func BenchmarkExtractVsTokenizer(b *testing.B) {
	page := benchPage(b)
	var ext, tok time.Duration
	for b.Loop() {
		t0 := time.Now()
		Extract(page, "https://bench.example/lamp", Options{})
		t1 := time.Now()
		z := html.NewTokenizer(bytes.NewReader(page))
		for z.Next() != html.ErrorToken {
		}
		t2 := time.Now()
		ext += t1.Sub(t0)
		tok += t2.Sub(t1)
	}
	b.ReportMetric(float64(ext.Microseconds())/float64(b.N), "µs-extract/op")
	b.ReportMetric(float64(tok.Microseconds())/float64(b.N), "µs-tokenizer/op")
	b.ReportMetric(float64(ext)/float64(tok), "x-tokenizer")
}
