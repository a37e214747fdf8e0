package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func FuzzExtract(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b, "https://shop.example.com/p/1")
		}
	}
	for _, s := range []string{
		"", "<", "<script type=application/ld+json>{", `<script type="application/ld+json">[{"@graph":[{"@type":"Product","offers":[null,{"price":1e400}]}]}]</script>`,
		`<div itemscope itemtype=Product><div itemprop=offers itemscope><meta itemprop=price content=-1>`,
		`<span class=price>$ 1.2.3,4</span><h1>x</h1><del><del><del>`, "<h1>" + strings.Repeat("<div class=price>", 600),
		`<script>var meta = {"product":{"variants":[{"price":"1e99999"}]}};</script>`, "<html lang=İİ><body>İSTANBUL ÉPUISÉ</body>",
	} {
		f.Add([]byte(s), "http://x/")
	}
	f.Fuzz(func(t *testing.T, html []byte, u string) {
		o := Extract(html, u, Options{Rules: []Rule{{Domain: "shop.example.com", Price: ".price", Title: "h1"}}})
		if o.Confidence < 0 || o.Confidence > 1 {
			t.Fatalf("confidence %v", o.Confidence)
		}
		switch o.Availability {
		case InStock, OutOfStock, PreOrder, BackOrder, Unknown:
		default:
			t.Fatalf("availability %q", o.Availability)
		}
		if o.Price != "" {
			if _, ok := plainDecimal(o.Price); !ok {
				t.Fatalf("price %q is not a canonical decimal", o.Price)
			}
			if o.Source == SourceNone || o.Source == "" {
				t.Fatalf("price %q without a source", o.Price)
			}
		}
		if o.Currency != "" && !isISO(o.Currency) {
			t.Fatalf("currency %q", o.Currency)
		}
	})
}
