package extract

import (
	"os"
	"path/filepath"
	"testing"
)

// priceTrap is a small page in a real layout: the price a shopper without
// coupon, card or membership pays next to struck list prices, member and
// coupon prices, other sellers' offers and other variants.
type priceTrap struct {
	name, url string // the page is testdata/traps/<name>.html
	price     string // "" means no price
	avail     Availability
}

var priceTraps = []priceTrap{
	// 1. List prices struck through by CSS only.
	{"css-origin-price", "https://shop.example.com/p/1", "59.99", InStock},
	{"css-prc-org-dsc", "https://www.magaza.example.com.tr/p/2", "1899", InStock},
	{"css-old-new", "https://bolt.example.ro/p/3", "279.99", InStock},
	{"css-compare-at", "https://goods.example.com/products/mug", "24.00", InStock},
	{"css-was-now-id", "https://outdoor.example.co.uk/p/tent", "149.00", InStock},
	{"css-strike-aria", "https://tienda.example.mx/p/licuadora", "999.00", InStock},
	{"unmarked-pair-with-badge", "https://tech.example.com/p/ssd", "84.99", InStock},
	{"jsonld-original-buybox-sale", "https://sport.example.com/p/shoe", "84.00", InStock},
	{"jsonld-og-original-sale", "https://atelier.example.de/p/linen-shirt", "55.30", InStock},
	{"css-strike-only-style", "https://gear.example.com/p/mouse-x9", "39.99", InStock},
	{"regular-beside-current", "https://agd.example.pl/czajnik", "99.00", InStock},
	{"badge-before-pair", "https://borse.example.it/zaino", "59.90", InStock},
	{"omnibus-pl", "https://audio.example.pl/sluchawki", "349.00", InStock},
	{"omnibus-de-before", "https://berg.example.de/wanderschuh", "149.95", InStock},
	{"original-text-class", "https://www.marketplace.example.com/item/1005.html", "42.17", InStock},
	{"deleted-class", "https://www.mall.example.com.my/rice-cooker.html", "129.00", InStock},
	{"jp-regular-label", "https://shop.example.jp/item/kettle", "3480", InStock},
	// 2. Coupon, card and member prices.
	{"coupon-price-zh", "https://item.shop.example.cn/100", "5999.00", InStock},
	{"coupon-after-nospace-zh", "https://item.shop.example.cn/200", "899.00", InStock},
	{"card-price-ru", "https://www.market.example.ru/product/42", "13290", InStock},
	{"clubcard-price", "https://groceries.example.co.uk/products/coffee", "4.50", InStock},
	{"member-price", "https://store.example.com/p/vitamins", "11.99", InStock},
	{"subscribe-save", "https://www.amazon.example/dp/B0X", "54.99", InStock},
	{"after-coupon-en", "https://deals.example.com/p/vac", "299.99", InStock},
	{"prime-badge", "https://www.amazon.example/dp/B4", "27.99", InStock},
	// 3. Other sellers and comparison tables.
	{"other-offers-de", "https://www.haendler.example.de/p/kopfhoerer", "89.99", InStock},
	{"oos-other-sellers", "https://www.amazon.example/dp/B1", "", OutOfStock},
	{"more-buying-choices", "https://www.amazon.example/dp/B2", "39.99", InStock},
	{"oos-buying-options", "https://www.amazon.example/dp/B3", "", OutOfStock},
	{"other-offers-link", "https://www.werkzeug.example.de/p/bohrschrauber", "94.99", InStock},
	// 4. Variants.
	{"variant-url-noprice", "https://www.beauty.example.com/p/serum?variant=222", "36.00", InStock},
	{"shopify-variant-url", "https://fern.example.com/products/ceramic-planter?variant=1002", "36.00", InStock},
	{"variant-chip-noprice", "https://www.oel.example.de/p/olivenoel-nativ", "16.50", InStock},
	{"variant-group-swatch", "https://knit.example.com/p/merino-beanie", "34.00", InStock},
	{"variant-weak-buybox", "https://parfums.example.fr/p/ambre", "72.00", InStock},
	{"variant-selected-chip", "https://www.oel.example.de/p/olivenoel", "16.50", InStock},
	{"variant-url-sku", "https://www.beauty.example.com/p/serum?variant=222", "36.00", InStock},
	{"variant-offers-buybox", "https://perfume.example.fr/p/eau", "72.00", InStock},
	{"woo-range-selected", "https://teashop.example.co.uk/product/tin", "34.99", InStock},
	{"woo-range-none", "https://teashop.example.co.uk/product/jar", "12.50", InStock},
	{"aggregate-range-buybox", "https://www.loftandco.example.co.uk/p/harlow-velvet-sofa", "1599.00", InStock},
	// 5. Add-on fees, protection plans, shipping and gift wrap beside the price.
	{"addon-fee-in", "https://www.shop.example.in/p/neckband", "1499", InStock},
	{"addon-fee-us", "https://www.electronics.example.com/p/ultrabook-15", "649.00", InStock},
	{"addon-fee-de", "https://www.kaffee.example.de/p/barista-pro", "349.00", InStock},
	// 6. Prices split across elements (superscript cents, dollars/cents spans).
	{"split-sup-cents", "https://www.home.example.com/p/robot-vacuum", "349.99", InStock},
	{"split-dollars-cents", "https://www.kitchen.example.com/p/mixer", "349.99", InStock},
	{"split-sup-eu", "https://www.tv.example.de/p/fernseher", "1299.99", InStock},
	{"split-spans", "https://www.audio.example.com/p/headphones", "349.99", InStock},
	{"split-sibling-cents", "https://www.outdoor.example.com/p/grill", "349.99", InStock},
	{"split-spans-noclass", "https://www.outdoor.example.com/p/grill-2", "349.99", InStock},
	{"split-decimal-currency-fr", "https://www.maison.example.fr/p/bouilloire-inox", "39.90", InStock},
	{"split-decimal-currency-pl", "https://www.sklep.example.pl/p/odkurzacz-v8", "1299.99", InStock},
	// 7. Former prices named "former/previous/antes"; "1.299,-" without a sign.
	{"former-price-nl", "https://www.winkel.example.nl/product/wasmachine", "1299", InStock},
	{"former-tokens", "https://www.tienda.example.cl/p/cafetera", "149990", InStock},
	// 8. A structured price before VAT that the page never shows.
	{"vat-jsonld-hidden", "https://www.crafts.example.co.uk/listing/vase", "18.36", InStock},
	// 9. Card-holder prices labelled after the amount in the same element.
	{"card-after-ozon", "https://www.market.example.ru/product/cable", "1299", InStock},
	{"card-after-cyr", "https://www.market.example.ru/product/kettle", "2399", InStock},
	{"card-with-name-en", "https://www.grocer.example.com/p/coffee", "18.49", InStock},
	// 10. Stock cues of other variants.
	{"variant-oos-chip", "https://www.toko.example.co.id/p/ponsel-x", "3499000", InStock},
	{"variant-oos-zh", "https://item.shop.example.cn/300", "129.00", InStock},
	{"variant-oos-radio", "https://www.toko.example.co.id/p/ponsel-y", "3499000", InStock},
	// 11. Membership, coupon and subsidy amounts on a Chinese page.
	{"subsidy-zh", "https://item.shop.example.cn/400", "5999.00", InStock},
	{"subsidy-split-zh", "https://item.shop.example.cn/500", "5999.00", InStock},
	// 12. A WooCommerce default variation on sale.
	{"woo-variation-sale", "https://teashop.example.co.uk/product/caddy", "29.99", InStock},
	{"woo-variation-json", "https://teashop.example.co.uk/product/caddy-2", "29.99", InStock},
	{"woo-variation-rendered", "https://teashop.example.co.uk/product/caddy-3", "29.99", InStock},
	// 13. An unavailable Amazon page with a comparison table.
	{"amazon-oos-compare", "https://www.amazon.co.uk/dp/B0AIRFRY", "", OutOfStock},
	{"oos-compare-heading", "https://www.amazon.co.uk/dp/B0KETTLE1", "", OutOfStock},
	{"oos-compare-section", "https://www.amazon.co.uk/dp/B0KETTLE2", "", OutOfStock},
}

func TestPriceTraps(t *testing.T) {
	for _, c := range priceTraps {
		b, err := os.ReadFile(filepath.Join("testdata", "traps", c.name+".html"))
		if err != nil {
			t.Fatal(err)
		}
		o := Extract(b, c.url, Options{})
		want := &c.price
		if c.price == "" {
			want = nil
		}
		if !samePrice(o.Price, want) || (c.avail != "" && o.Availability != c.avail) {
			t.Errorf("%s: got %q %s, want %q %s\n%s", c.name, o.Price, o.Availability, c.price, c.avail, dumpEvidence(o))
		}
	}
}
