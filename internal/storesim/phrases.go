package storesim

// phrases are the buy-box words a shopper reads, per page language. The
// chrome around them (menus, reviews, footer) is in English on every page,
// as on many international storefronts.
type phrases struct {
	home, addToCart, preorderBtn, soldOutBtn string
	stock                                    map[Availability]string
	perUnit                                  string // "{amount} / 100 g"
	instalment                               string // "or 4 payments of {amount}"
	was                                      string
}

var phraseTable = map[string]phrases{
	"en": {
		home: "Home", addToCart: "Add to cart", preorderBtn: "Pre-order now", soldOutBtn: "Notify me when available",
		stock: map[Availability]string{
			InStock: "In stock – ready to ship", OutOfStock: "Out of stock",
			PreOrder: "Pre-order – ships in 3 weeks", BackOrder: "On backorder – ships in 4–6 weeks",
		},
		perUnit: "per 100 g", instalment: "or 4 interest-free payments of", was: "Was",
	},
	"de": {
		home: "Startseite", addToCart: "In den Warenkorb", preorderBtn: "Jetzt vorbestellen", soldOutBtn: "Benachrichtigen, wenn verfügbar",
		stock: map[Availability]string{
			InStock: "Auf Lager – sofort lieferbar", OutOfStock: "Ausverkauft",
			PreOrder: "Vorbestellung – Versand in 3 Wochen", BackOrder: "Nachbestellbar – Versand in 4–6 Wochen",
		},
		perUnit: "pro 100 g", instalment: "oder 4 Raten von", was: "Statt",
	},
	"sv": {
		home: "Hem", addToCart: "Lägg i varukorgen", preorderBtn: "Förhandsboka", soldOutBtn: "Bevaka",
		stock: map[Availability]string{
			InStock: "I lager", OutOfStock: "Slut i lager",
			PreOrder: "Förhandsboka – skickas om 3 veckor", BackOrder: "Beställningsvara – skickas om 4–6 veckor",
		},
		perUnit: "jämförpris per 100 g", instalment: "eller 4 räntefria betalningar på", was: "Ord.pris",
	},
	"ja": {
		home: "ホーム", addToCart: "カートに入れる", preorderBtn: "予約する", soldOutBtn: "入荷お知らせ",
		stock: map[Availability]string{
			InStock: "在庫あり", OutOfStock: "在庫切れ", PreOrder: "予約受付中", BackOrder: "お取り寄せ",
		},
		perUnit: "100gあたり", instalment: "分割払い 4回 各", was: "通常価格",
	},
}
