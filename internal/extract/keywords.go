package extract

// Keyword tables matched as substrings of lower-cased class, id and itemprop
// values. They are immutable and general (no store names); short words are
// spelled with their separators ("old-price", not "old") so that "bold" or
// "holder" do not match.
var (
	kwPrice  = []string{"price", "amount", "preco", "precio", "prix", "preis", "prezzo", "pris"}
	kwStruck = []string{"old-price", "oldprice", "old_price", "price-old", "priceold", "price_old", "price--old", "price__old",
		"was-price", "wasprice", "was_price", "price-was", "pricewas", "price__was", "price--was", "strike", "list-price",
		"listprice", "list_price", "mrp", "compare", "crossed", "regular-price", "regularprice", "regular_price",
		"price--regular", "price__regular", "original-price", "originalprice", "original_price", "rrp", "msrp",
		"line-through", "linethrough", "price-before", "pricebefore", "before-price", "previous", "full-price",
		"fullprice", "non-sale", "nonsale", "price-standard", "standard-price", "price-retail", "retail-price",
		"basisprice", "text-price", "price-from", "del-price", "price-del", "price--compare", "old-value"}
	kwSale = []string{"sale", "special", "final", "current", "price-now", "pricenow", "now-price", "topay", "to-pay",
		"ourprice", "our-price", "actual", "selling", "discounted", "main-price", "product-price", "productprice",
		"price-value", "price--main", "price__current", "buybox", "buy-box", "price-large", "price-big", "price-current"}
	kwRelated = []string{"related", "recommend", "carousel", "similar", "sponsor", "upsell", "up-sell", "cross-sell",
		"crosssell", "also-", "also_", "alsobought", "alsoviewed", "comparison", "recently", "viewed", "product-list",
		"productlist", "products-grid", "product-grid", "product-card", "productcard", "product-tile", "producttile",
		"bundle", "accessor", "minicart", "mini-cart", "cart-drawer", "footer", "megamenu", "mega-menu", "navigation",
		"slider", "swiper", "slick", "owl-", "sims-", "sp_detail", "suggest", "more-from", "morefrom", "you-may",
		"youmay", "complete-the", "frequently", "fbt", "x-sell", "xsell", "cross_sell", "up_sell", "upselling"}
	kwUnit   = []string{"unit-price", "unitprice", "unit_price", "price-per", "priceper", "per-unit", "perunit", "ppu", "price-unit", "base-price-unit", "baseprice-unit", "referenceprice"}
	kwInstal = []string{"instal", "installment", "parcel", "cuota", "financ", "monthly", "klarna", "afterpay", "affirm", "credit", "emi-", "-emi", "emi_", "_emi", "price-emi", "rate-luna"}
	kwCoupon = []string{"coupon", "voucher", "promo-code", "promocode", "bank-offer", "bankoffer", "best-price", "bestprice",
		"savings", "you-save", "yousave", "price-save", "save-", "-save", "discount-amount", "loyalty", "points", "shipping", "delivery", "cashback"}
	kwBuyBox = []string{"buybox", "buy-box", "buy_box", "product-info", "productinfo", "product_info", "product-main",
		"product-detail", "productdetail", "product_detail", "product__info", "product-single", "main-product",
		"product-summary", "entry-summary", "pdp", "product-essential", "product-view", "price-box", "purchase"}
	kwAvail   = []string{"availability", "stock", "inventory", "disponib", "lager", "voorraad", "estoque"}
	kwCartBtn = []string{"add-to-cart", "addtocart", "add_to_cart", "add-to-bag", "addtobag", "add_to_bag", "buy-now",
		"buynow", "buy_now", "add-to-basket", "addtobasket", "btn-cart", "product-form__submit", "single_add_to_cart",
		"tocart", "add2cart", "add-cart", "addcart"}
	// Exact class tokens that hide an element.
	hiddenClasses = []string{"hidden", "d-none", "hide", "is-hidden", "invisible", "display-none", "u-hidden", "visually-hidden-always"}
)

// Phrases on buttons that put the item in the cart, in the languages the
// extractor covers. Matched against lower-cased button text.
var cartPhrases = []string{
	"add to cart", "add to bag", "add to basket", "add to trolley", "buy now", "buy it now", "add to order",
	"añadir al carrito", "añadir a la cesta", "agregar al carrito", "añadir a la bolsa", "comprar",
	"ajouter au panier", "acheter", "in den warenkorb", "jetzt kaufen", "aggiungi al carrello", "acquista",
	"adicionar ao carrinho", "adicionar à sacola", "in winkelwagen", "in winkelmand", "toevoegen aan",
	"lägg i varukorgen", "köp", "sepete ekle", "satın al", "adauga in cos", "adaugă în coș", "dodaj do koszyka",
}
