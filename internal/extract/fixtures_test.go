package extract

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Fixtures are small synthetic pages written for these tests (testdata/).
var fixtureCases = []struct {
	file, url                      string
	price, currency, title, source string
	avail                          Availability
}{
	{"oos-english.html", "https://harbor.example/p/tote", "19.99", "USD", "Canvas Tote Bag", SourceVisible, OutOfStock},
	{"preorder-jsonld.html", "https://spielwelt.example.de/nebula", "59", "EUR", "Nebula Board Game", SourceJSONLD, PreOrder},
	{"backorder-visible.html", "https://woodhouse.example.co.uk/oak-table", "45.00", "GBP", "Oak Side Table", SourceVisible, BackOrder},
	{"sale-vs-list.html", "https://peak.example/shoe", "79.00", "USD", "Trail Running Shoe", SourceVisible, InStock},
	{"variants-jsonld.html", "https://wool.example/sweater", "89.00", "USD", "Merino Sweater", SourceJSONLD, InStock},
	{"shopify.html", "https://northern-pantry.example/products/maple", "29.99", "CAD", "Maple Syrup Gift Box", SourcePlatform, InStock},
	{"woocommerce.html", "https://toepferei.example.de/tasse", "19.50", "EUR", "Keramiktasse Blau", SourceVisible, InStock},
	{"magento.html", "https://zaini.example.it/zaino-30l", "149.9", "EUR", "Zaino Trekking 30L", SourcePlatform, InStock},
	{"prestashop.html", "https://kubki.example.pl/kubek", "129", "PLN", "Kubek termiczny 450 ml", SourceVisible, InStock},
	{"malformed-jsonld.html", "https://lumen.example/lamp", "64.50", "USD", "Brass Desk Lamp", SourceJSONLD, InStock},
	{"no-structured.html", "https://greennest.example/planters", "29.50", "USD", "Ceramic Planter Set", SourceVisible, InStock},
	{"unit-instalment.html", "https://emporio.example.com.br/cafe", "79.90", "BRL", "Café Torrado em Grãos 1kg", SourceVisible, InStock},
	{"related-decoys.html", "https://kitchenkart.example.in/bottle", "449", "INR", "Steel Water Bottle 1L", SourceVisible, InStock},
	{"microdata-offers.html", "https://maison.example/sandal", "80.00", "USD", "Suede Sandal", SourceMicrodata, InStock},
	{"vat-disagreement.html", "https://www.etsy.example/es/listing/1/felpudo", "53.11", "EUR", "Felpudo pintado a mano", SourceVisible, InStock},
	{"jsonld-related-first.html", "https://grainworks.example/p/walnut-board", "68.00", "USD", "Walnut Cutting Board", SourceJSONLD, InStock},
	{"split-cents.html", "https://tienda.example.com.ar/licuadora", "1234.99", "ARS", "Licuadora 600W", SourceVisible, InStock},
	{"sfcc.html", "https://northfield.example/hoodie.html", "44.80", "USD", "Fleece Hoodie", SourceVisible, InStock},
	{"bigcommerce.html", "https://hearth.example/skillet", "45.00", "USD", "Cast Iron Skillet 12\"", SourceVisible, InStock},
	{"vtex.html", "https://loja.example.com.br/tenis/p", "299.90", "BRL", "Tênis Corrida Leve", SourceVisible, InStock},
	{"no-h1.html", "https://loomhouse.example.co.uk/duvet", "85.00", "GBP", "Linen Duvet Cover", SourceVisible, InStock},
	{"oos-no-price.html", "https://www.amazon.example.in/dp/X", "", "INR", "Smartphone X 128 GB", SourceNone, OutOfStock},
	{"regular-vs-sale.html", "https://cosy.example.com.au/products/throw", "79.00", "AUD", "Wool Throw Blanket", SourceMeta, InStock},
	{"ex-vat.html", "https://outilpro.example.fr/perceuse", "150.00", "EUR", "Perceuse sans fil 18V", SourceVisible, InStock},
	{"marketplace-buybox.html", "https://www.amazon.example/dp/B000", "15.49", "USD", "Organic Green Tea, 100 Count", SourceVisible, InStock},
	{"label-blocks.html", "https://yard.example/hose", "44.00", "USD", "Garden Hose 25 m", SourceVisible, InStock},
	{"latin1.html", "https://kuechenwelt.example.de/muehle", "49.90", "EUR", "Kaffeemühle Retro", SourceVisible, InStock},
	{"oos-finnish.html", "https://eratukku.example.fi/p/retkikeitin", "34.90", "EUR", "Retkikeitin Titaani 750 ml", SourceVisible, OutOfStock},
	{"preorder-japanese.html", "https://omocha.example.jp/item/fuji-500", "3850", "JPY", "木製パズル 富士山 500ピース", SourceVisible, PreOrder},
	{"oos-structured.html", "https://atelier.example.fr/lampe", "129.00", "EUR", "Lampe de bureau Arc", SourceJSONLD, OutOfStock},
}

func TestFixtures(t *testing.T) {
	for _, c := range fixtureCases {
		t.Run(c.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", c.file))
			if err != nil {
				t.Fatal(err)
			}
			o := Extract(b, c.url, Options{})
			want := &c.price
			if c.price == "" {
				want = nil
			}
			if !samePrice(o.Price, want) || o.Currency != c.currency || o.Availability != c.avail || o.Title != c.title || o.Source != c.source {
				t.Errorf("got price %q %q avail %s title %q source %s; want %q %q %s %q %s\n%s",
					o.Price, o.Currency, o.Availability, o.Title, o.Source, c.price, c.currency, c.avail, c.title, c.source, dumpEvidence(o))
			}
			if o.Confidence <= 0 || o.Confidence > 1 {
				t.Errorf("confidence %v out of range", o.Confidence)
			}
		})
	}
}

func dumpEvidence(o Observation) string {
	var sb strings.Builder
	for _, e := range o.Evidence {
		fmt.Fprintf(&sb, "  %-10s %-12s %-20s %s\n", e.Strategy, e.Field, e.Value, e.Where)
	}
	return sb.String()
}

// TestStockCues: out-of-stock and in-stock phrases in the languages covered,
// on a page with a visible price and no structured data.
func TestStockCues(t *testing.T) {
	out := []string{"Out of stock", "Sold out", "Currently unavailable", "Agotado", "Sin stock", "Rupture de stock", "Épuisé",
		"Ausverkauft", "Nicht verfügbar", "Esaurito", "Non disponibile", "Esgotado", "Indisponível", "Uitverkocht",
		"Niet op voorraad", "Slutsåld", "Ej i lager", "Tükendi", "Stokta yok"}
	in := []string{"In stock", "En stock", "Auf Lager", "Disponibile", "Em estoque", "Op voorraad", "I lager", "Stokta var", "Only 2 left in stock"}
	pre := []string{"Pre-order", "Précommande", "Vorbestellen", "Preventa"}
	back := []string{"On backorder", "Bajo pedido", "Sob encomenda"}
	page := func(cue string) []byte {
		return []byte(`<html><head><title>Lamp</title></head><body><h1>Desk Lamp</h1><span class="price">€ 25,00</span>
<div class="availability">` + cue + `</div><script>var labels = {"soldOut":"Sold out","inStock":"In stock"};</script>
<div class="related-products"><span>Other lamp — Sold out</span></div></body></html>`)
	}
	check := func(cues []string, want Availability) {
		for _, cue := range cues {
			o := Extract(page(cue), "https://lamps.example.eu/desk", Options{})
			if o.Availability != want {
				t.Errorf("%q: got %s, want %s\n%s", cue, o.Availability, want, dumpEvidence(o))
			}
		}
	}
	check(out, OutOfStock)
	check(in, InStock)
	check(pre, PreOrder)
	check(back, BackOrder)
}

// Cues that must not count: hidden theme strings, scripts, other variants,
// related products, and negated phrases.
func TestStockCueTraps(t *testing.T) {
	for name, body := range map[string]string{
		"hidden":   `<span class="price">$10.00</span><div class="badge" hidden>Sold out</div><button class="add-to-cart">Add to cart</button>`,
		"display":  `<span class="price">$10.00</span><div style="display: none">Out of stock</div>`,
		"script":   `<span class="price">$10.00</span><script>if (!v.available) label = "Sold out";</script>`,
		"variant":  `<span class="price">$10.00</span><select><option>Size 8 - Sold out</option><option>Size 9</option></select><button>Add to cart</button>`,
		"related":  `<span class="price">$10.00</span><button>Add to cart</button><div class="recommendations"><p>Sold out</p></div>`,
		"template": `<span class="price">$10.00</span><template><p class="stock">Out of stock</p></template>`,
	} {
		page := `<html><body><h1>Desk Lamp</h1>` + body + `</body></html>`
		if o := Extract([]byte(page), "https://lamps.example/desk", Options{}); o.Availability != InStock {
			t.Errorf("%s: got %s, want in_stock\n%s", name, o.Availability, dumpEvidence(o))
		}
	}
}

func TestDomainRule(t *testing.T) {
	page := []byte(`<html><head><title>Widget</title><script type="application/ld+json">{"@type":"Product","name":"Widget","offers":{"price":"10.00","priceCurrency":"USD"}}</script></head>
<body><h1>Widget</h1><div id="real"><b class="amt">$8.00</b></div><p class="st">Sold out</p><img class="hero" src="/w.png"></body></html>`)
	rules := []Rule{{Domain: "other.example", Price: ".nope"}, {Domain: "shop.example", Price: "#real .amt", Availability: "p.st", Image: "img.hero"}}
	o := Extract(page, "https://www.shop.example/widget", Options{Rules: rules})
	if o.Price != "8" || o.Source != SourceRule || o.Availability != OutOfStock || o.Image != "https://www.shop.example/w.png" {
		t.Errorf("got %q %s %s %q\n%s", o.Price, o.Source, o.Availability, o.Image, dumpEvidence(o))
	}
	// A malformed selector must not panic or break the other strategies.
	o = Extract(page, "https://shop.example/widget", Options{Rules: []Rule{{Domain: "shop.example", Price: "div[[["}}})
	if o.Price != "10.00" {
		t.Errorf("bad selector: got %q", o.Price)
	}
}

func TestTitleSuffixes(t *testing.T) {
	for in, want := range map[string]string{
		"Canvas Tote | Harbor Goods":                                           "Canvas Tote",
		"Amazon.com: Gorilla Tape, Black : Tools":                              "Gorilla Tape, Black : Tools",
		"Buy Ceramic Planter Set Online at Best Price | Nest":                  "Ceramic Planter Set",
		"Steel Bottle - Buy Online - Kitchenkart":                              "Steel Bottle",
		"Moto G54 - Buy Moto G54 online at best price in India - Flipkart.com": "Moto G54",
		"Amazon Echo Dot (5th Gen) - Amazon.com":                               "Amazon Echo Dot (5th Gen)",
		"Trail Shoe – Peak Sports":                                             "Trail Shoe",
	} {
		sites := []string{"harbor goods", "amazon", "nest", "kitchenkart", "peak sports", "flipkart"}
		if got := stripSite(in, sites); got != want {
			t.Errorf("stripSite(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAvailabilityForms(t *testing.T) {
	for in, want := range map[string]Availability{
		"http://schema.org/InStock": InStock, "https://schema.org/OutOfStock": OutOfStock, "InStock": InStock,
		"LimitedAvailability": InStock, "PreOrder": PreOrder, "https://schema.org/BackOrder": BackOrder,
		"SoldOut": OutOfStock, "Discontinued": OutOfStock, "En stock": InStock, "Agotado": OutOfStock, "Nicht auf Lager": OutOfStock, "schema:InStock": InStock, "in_stock": InStock, "out of stock": OutOfStock,
	} {
		if got, ok := parseAvailability(in); !ok || got != want {
			t.Errorf("%q: got %s %v, want %s", in, got, ok, want)
		}
	}
}

func TestRepairJSON(t *testing.T) {
	for _, in := range []string{
		`{"a":1,}`,
		"{\"name\":\"two\nlines\"}",
		`<!-- {"a":[1,2,],} -->`,
		`<![CDATA[{"a":1}]]>`,
		`{"a":1}{"b":2}`,
		`{"a":"it\'s"}`,
		"{\"a\":\"tab\there\"}",
		`{"a":{"b":1}`,
		`{"name":"Laptop 15.6" Full HD","price":"10"}`,
	} {
		if vals := decodeLenient([]byte(in)); len(vals) == 0 {
			t.Errorf("%q: nothing decoded", in)
		}
	}
	if vals := decodeLenient([]byte(`{"name":"Pan 12" wide","offers":{"price":"9.50"}}`)); len(vals) != 1 || str(vals[0].(map[string]any)["name"]) != `Pan 12" wide` {
		t.Errorf("inner quote: got %v", vals)
	}
	if vals := decodeLenient([]byte(`{"a":1}{"b":2}`)); len(vals) != 2 {
		t.Errorf("concatenated objects: got %d values", len(vals))
	}
}
