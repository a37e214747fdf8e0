package monitor

import (
	"fmt"
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/extract"
)

// productPage is a small product page with JSON-LD, as many stores serve.
func productPage(title, price, currency, availability string) []byte {
	return fmt.Appendf(nil, `<!doctype html><html><head><title>%[1]s | Shop</title>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product","name":%[1]q,
"sku":"SKU-1","offers":{"@type":"Offer","price":%[2]q,"priceCurrency":%[3]q,"availability":"https://schema.org/%[4]s"}}</script>
</head><body><h1>%[1]s</h1><p class="price">%[2]s %[3]s</p></body></html>`, title, price, currency, availability)
}

func TestProductPageExtracts(t *testing.T) {
	o := extract.Extract(productPage("Kettle", "19.99", "EUR", "InStock"), "https://shop.example/p/1", extract.Options{})
	if o.Title != "Kettle" || o.Price != "19.99" || o.Currency != "EUR" || o.Availability != extract.InStock || o.Confidence < LowConfidence {
		t.Fatalf("extracted %+v", o)
	}
}
