package extract

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMoreRules covers, on small synthetic pages in testdata/traps, the
// rules for cents in a superscript after a split whole part, classes struck
// by the page's own CSS, a unit after the currency ("€/kg"), structured
// prices before VAT, a pre-order buy button against a structured InStock,
// German backorder phrases, and capitals-only structured names; each with a
// trap the rule must leave alone.
func TestMoreRules(t *testing.T) {
	for _, c := range []struct {
		name, url, price string
		avail            Availability
		title            string // "" when not checked
	}{
		{"split-sup-symbol", "https://www.yardworks.example.com/p/blower-40v", "154.95", InStock, ""},
		{"css-rule-struck", "https://www.kochwelt.example.de/p/pfanne-28", "49.90", InStock, ""},
		{"css-rule-descendant", "https://www.maisonthe.example.fr/p/theiere", "34.00", InStock, ""},
		{"unit-after-currency", "https://www.matbutiken.example.se/p/kaffe-450", "44.90", InStock, ""},
		{"vat-excluded-jsonld", "https://www.atelier-lumiere.example.fr/p/lampe", "129.00", InStock, ""},
		{"vat-excluded-far", "https://www.officebits.example.co.uk/p/organiser", "20.00", InStock, ""},
		{"preorder-button-instock", "https://disques-lune.example.fr/products/coffret", "89.00", PreOrder, ""},
		{"preorder-elsewhere-instock", "https://dockside.example.co.uk/products/harbour-mug", "18.00", InStock, ""},
		{"backorder-de-avail", "https://www.bergsport.example.at/p/rucksack-30", "129.00", BackOrder, ""},
		{"title-abbrev-caps", "https://www.phonehub.example.com/p/zen-12-pro", "899.00", InStock,
			"Zen Phone 12 Pro Smartphone (256 GB, Midnight Black)"},
		{"title-caps-kept", "https://www.summit.example.com/p/alpine-shell", "240.00", InStock, "ALPINE SHELL JACKET M BLUE"},
	} {
		b, err := os.ReadFile(filepath.Join("testdata", "traps", c.name+".html"))
		if err != nil {
			t.Fatal(err)
		}
		o := Extract(b, c.url, Options{})
		want := &c.price
		if !samePrice(o.Price, want) || o.Availability != c.avail || c.title != "" && o.Title != c.title {
			t.Errorf("%s: got %q %s %q, want %q %s %q\n%s", c.name, o.Price, o.Availability, o.Title, c.price, c.avail, c.title, dumpEvidence(o))
		}
	}
}

func TestCSSStruckClasses(t *testing.T) {
	css := []byte(`.a{color:red}.old,.was-p{text-decoration:line-through}span.x.y{text-decoration-line: LINE-THROUGH}
.grid .cell{text-decoration:line-through}.h:hover{text-decoration:line-through}#id{text-decoration:line-through}
@media(max-width:1px){.m{text-decoration:line-through}}.n{text-decoration:none}.z{content:"line-through"}`)
	got := cssStruckClasses(css, nil)
	for _, k := range []string{"old", "was-p", "x", "y", "m"} {
		if !got[k] {
			t.Errorf("%s not struck: %v", k, got)
		}
	}
	for _, k := range []string{"a", "grid", "cell", "h", "id", "n", "z"} {
		if got[k] {
			t.Errorf("%s struck: %v", k, got)
		}
	}
}
