package extract

import "testing"

// TestStockCuesMoreLanguages: stock phrases in more languages, on a page
// with a visible price and no structured data, with the same phrases as
// traps in another variant's option, a related-products carousel and a
// script (which must not count).
func TestStockCuesMoreLanguages(t *testing.T) {
	cases := []struct {
		cue  string
		want Availability
	}{
		{"Loppuunmyyty", OutOfStock}, {"Ei varastossa", OutOfStock}, {"Tilapäisesti loppu", OutOfStock},
		{"Нет в наличии", OutOfStock}, {"Товар закончился", OutOfStock}, {"Распродано", OutOfStock},
		{"품절", OutOfStock}, {"일시품절", OutOfStock}, {"在庫切れ", OutOfStock}, {"売り切れ", OutOfStock}, {"在庫なし", OutOfStock},
		{"缺货", OutOfStock}, {"无货", OutOfStock}, {"售罄", OutOfStock}, {"该商品已下架", OutOfStock},
		{"Niedostępny", OutOfStock}, {"Produkt niedostępny", OutOfStock}, {"Brak w magazynie", OutOfStock}, {"Wyprzedany", OutOfStock},
		{"Vyprodáno", OutOfStock}, {"Není skladem", OutOfStock}, {"Udsolgt", OutOfStock}, {"Ikke på lager", OutOfStock},
		{"Utsolgt", OutOfStock}, {"Stoc epuizat", OutOfStock}, {"Indisponibil", OutOfStock}, {"Εξαντλήθηκε", OutOfStock},
		{"Μη διαθέσιμο", OutOfStock}, {"Stok habis", OutOfStock}, {"Habis", OutOfStock}, {"غير متوفر", OutOfStock},
		{"نفذت الكمية", OutOfStock}, {"Elfogyott", OutOfStock}, {"Nincs készleten", OutOfStock}, {"Немає в наявності", OutOfStock},
		{"אזל מהמלאי", OutOfStock}, {"สินค้าหมด", OutOfStock}, {"Hết hàng", OutOfStock},
		{"予約受付中", PreOrder}, {"予約する", PreOrder}, {"Pre-order", PreOrder}, {"Vorbestellen", PreOrder},
		{"Précommander", PreOrder}, {"Reserva ya", PreOrder}, {"Prenota", PreOrder}, {"Pré-venda", PreOrder},
		{"Förhandsboka", PreOrder}, {"Ön sipariş", PreOrder},
		{"Backordered", BackOrder}, {"Nachbestellt", BackOrder}, {"En réapprovisionnement", BackOrder},
		{"В наличии", InStock}, {"Varastossa", InStock}, {"Na skladě", InStock}, {"Còn hàng", InStock}, {"Tersedia", InStock},
	}
	for _, c := range cases {
		// The traps say the opposite of the main product's state.
		trap := "Sold out"
		if c.want == OutOfStock {
			trap = "In stock"
		}
		page := `<html><head><title>Lamp</title></head><body><h1>Desk Lamp</h1><span class="price">€ 25,00</span>
<select name="size"><option>Large — ` + trap + `</option><option selected>Small</option></select>
<div class="product-availability">` + c.cue + `</div>
<script>var i18n = {"soldOut":"` + c.cue + `","pre":"Pre-order"};</script>
<div class="related-products carousel"><div class="product-card">Floor Lamp <span class="price">€ 90,00</span> <span>` + trap + `</span></div></div></body></html>`
		o := Extract([]byte(page), "https://lamps.example.eu/desk", Options{})
		if o.Availability != c.want {
			t.Errorf("%q: got %s, want %s\n%s", c.cue, o.Availability, c.want, dumpEvidence(o))
		}
	}
}

// Stock phrases of other products and other variants must not flip the
// main product, in the new languages too.
func TestStockCueScopeMoreLanguages(t *testing.T) {
	for name, body := range map[string]string{
		"variant-ru":  `<span class="price">1 990 ₽</span><ul class="sizes"><li class="swatch">42 — Нет в наличии</li><li class="swatch is-selected">44</li></ul><button class="add-to-cart">В корзину</button>`,
		"related-fi":  `<span class="price">29,90 €</span><button class="add-to-cart">Lisää ostoskoriin</button><section class="recommendations"><p>Loppuunmyyty</p></section>`,
		"script-ja":   `<span class="price">¥1,980</span><button class="add-to-cart">カートに入れる</button><script>var s = "在庫切れ";</script>`,
		"carousel-zh": `<span class="price">¥199</span><button class="add-to-cart">加入购物车</button><div class="swiper"><div>另一件商品 缺货</div></div>`,
		"option-pl":   `<span class="price">129 zł</span><select><option>XL - Wyprzedany</option><option>M</option></select><button>Dodaj do koszyka</button>`,
	} {
		page := `<html><body><h1>Desk Lamp</h1>` + body + `</body></html>`
		if o := Extract([]byte(page), "https://lamps.example/desk", Options{}); o.Availability != InStock {
			t.Errorf("%s: got %s, want in_stock\n%s", name, o.Availability, dumpEvidence(o))
		}
	}
}

// Stock states shown on controls and against structured data, in the new
// languages.
func TestStockCuePlacesMoreLanguages(t *testing.T) {
	for name, c := range map[string]struct {
		body string
		want Availability
	}{
		"ko-disabled-button": {`<span class="price">39,000원</span><button class="btn-buy" disabled>품절</button>`, OutOfStock},
		"ja-preorder-button": {`<span class="price">¥3,850</span><button class="cart">予約する</button>`, PreOrder},
		"ru-jsonld-instock-visible-oos": {`<script type="application/ld+json">{"@type":"Product","name":"Desk Lamp","offers":{"price":"1990","priceCurrency":"RUB","availability":"https://schema.org/InStock"}}</script>
<span class="price">1 990 ₽</span><div class="product-availability">Нет в наличии</div><button class="notify">Сообщить о поступлении</button>`, OutOfStock},
		"el-instock-description-mentions-soldout": {`<span class="price">24,90 €</span><button class="add-to-cart">Προσθήκη στο καλάθι</button>
<div class="description"><p>Το προϊόν κυκλοφορεί σε περιορισμένη ποσότητα και όταν εξαντλήθηκε την προηγούμενη φορά, η επαναφορά πήρε δύο μήνες. Κατασκευασμένο από ανακυκλωμένο αλουμίνιο με ματ φινίρισμα, ιδανικό για γραφείο και σπίτι, με εγγύηση δύο ετών και δωρεάν επιστροφές εντός τριάντα ημερών από την αγορά.</p></div>`, InStock},
		"th-oos":       {`<span class="price">฿590</span><div class="stock-status">สินค้าหมด</div>`, OutOfStock},
		"vi-oos":       {`<span class="price">390.000₫</span><div class="tinh-trang stock">Tình trạng: Hết hàng</div>`, OutOfStock},
		"he-oos":       {`<span class="price">₪129</span><div class="stock">אזל מהמלאי</div>`, OutOfStock},
		"fr-backorder": {`<span class="price">49,00 €</span><div class="availability">En réapprovisionnement</div><button class="add-to-cart">Ajouter au panier</button>`, BackOrder},
		"de-backorder": {`<span class="price">49,00 €</span><div class="lieferstatus availability">Nachbestellt – Lieferung in 3 Wochen</div><button class="add-to-cart">In den Warenkorb</button>`, BackOrder},
	} {
		page := `<html><body><h1>Desk Lamp</h1>` + c.body + `</body></html>`
		if o := Extract([]byte(page), "https://lamps.example/desk", Options{}); o.Availability != c.want {
			t.Errorf("%s: got %s, want %s\n%s", name, o.Availability, c.want, dumpEvidence(o))
		}
	}
}
