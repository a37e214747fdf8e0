package extract

// Keyword tables matched against class, id and itemprop values after they
// are split into words (separators and camelCase: "BasePriceBlock--list" →
// "base price block list"). A keyword matches at the start of a word, so
// "points" does not match "breakpoints" and "old" does not match "bold"; a
// trailing space makes it a whole word. They are immutable and general (no
// store names).
var (
	kwPrice  = []string{"price", "amount", "preco", "precio", "prix", "preis", "prezzo", "pris ", "pret "}
	kwStruck = []string{"old", "was ", "strike", "list price", "listprice", "mrp", "compare", "crossed", "original price", "originalprice", "rrp", "msrp", "line through", "linethrough",
		"price before", "pricebefore", "before price", "previous", "full price", "fullprice", "non sale", "nonsale",
		"retail price", "retailprice", "suggested", "text price", "del ", "price was", "pricewas",
		"origin price", "originprice", "org price", "prc org", "price org", "price origin", "was price", "wasprice", "before price",
		"original ", "price original", "deleted ", "price deleted", "lowest price", "lowestprice", "omnibus",
		// "former/previous/before" in the languages covered (Coolblue's
		// sales-price__former-price, precio-antes, Preis vorher, prix ancien).
		"former", "antes ", "vorher", "ancien", "prima ", "anterior", "altpreis", "alter preis", "preis alt", "voorheen", "tidigare"}
	// A "regular price" class marks the price shown when the item is not on
	// sale (Shopify's price__regular) as often as the struck one beside a
	// sale price (PrestaShop's regular-price): decided by its neighbours.
	kwRegular = []string{"regular price", "regularprice", "price regular"}
	kwSale    = []string{"sale", "special", "final", "current", "now ", "price now", "to pay", "topay", "pricetopay", "ourprice",
		"our price", "actual", "selling", "discounted", "main price", "product price", "productprice", "price value",
		"buybox", "buy box", "price large", "price big", "deal price", "dealprice", "offer price", "offerprice", "sales price", "selected",
		"prc dsc", "price dsc", "dsc price", "new price", "price new", "newprice"}
	kwRelated = []string{"related", "recommend", "carousel", "similar", "sponsor", "upsell", "up sell", "cross sell",
		"crosssell", "also ", "alsobought", "alsoviewed", "comparison", "recently", "product list", "productlist",
		"products grid", "product grid", "product card", "productcard", "product tile", "producttile", "bundle",
		"accessor", "minicart", "mini cart", "cart drawer", "footer", "megamenu", "mega menu", "navigation", "swiper",
		"slick", "owl ", "sims ", "sp detail", "suggest", "more from", "morefrom", "you may", "youmay", "complete the",
		"frequently", "fbt ", "xsell", "upselling", "others", "warranty", "warranties", "insurance", "assurance",
		"protection plan", "addon", "add on", "garanti", "extended warranty", "service plan", "care plan", "gift wrap",
		"nav ", "navbar", "shortcut", "keyboard", "recs ", "other sellers", "othersellers", "offer listing", "offerlisting",
		"olp ", "mbc ", "aod ", "more buying", "morebuying", "buying choices", "buying options", "other offers", "otheroffers",
		"more offers", "moreoffers", "offers link", "all offers", "alloffers", "marketplace offers"}
	kwUnit   = []string{"unit price", "unitprice", "price per", "priceper", "per unit", "perunit", "ppu ", "price unit", "base price unit"}
	kwInstal = []string{"instal", "parcel", "cuota", "financ", "monthly", "klarna", "afterpay", "affirm", "credit", "emi "}
	kwCoupon = []string{"coupon", "voucher", "promo code", "promocode", "bank offer", "bankoffer", "best price", "bestprice",
		"savings", "you save", "yousave", "save", "discount amount", "loyalty", "points", "shipping", "delivery", "cashback",
		"subscribe", "subscription", "sns ", "used ", "approx", "converted", "member price", "trade in", "tradein",
		// Tax-exclusive prices where shops show tax-inclusive ones (VAT
		// countries); "without tax" is the normal price in the US, so not here.
		"without vat", "excl vat", "ex vat", "net price", "netto", "bez dph", "price ht", "prix ht"}
	kwBuyBox = []string{"buybox", "buy box", "product info", "productinfo", "product main", "product detail", "productdetail",
		"product single", "main product", "product summary", "entry summary", "pdp", "product essential", "product view",
		"price box", "purchase", "product form"}
	kwAvail   = []string{"availability", "avail ", "stock", "inventory", "disponib", "lager", "voorraad", "estoque", "in stock", "out of stock"}
	kwCartBtn = []string{"add to cart", "addtocart", "add to bag", "addtobag", "buy now", "buynow", "add to basket",
		"addtobasket", "btn cart", "product form submit", "single add to cart", "tocart", "add2cart", "add cart", "addcart"}
	// Exact class tokens that hide an element.
	hiddenClasses = []string{"hidden", "d-none", "hide", "is-hidden", "invisible", "display-none", "u-hidden"}
)

type kwEntry struct {
	k    string
	head uint32 // k's bytes 1..4 packed, to reject most words without comparing strings
	mask uint32
	flag uint32
}

// pack4 packs up to four bytes of s starting at i (zero-padded).
func pack4(s string, i int) uint32 {
	var v uint32
	for k := 0; k < 4; k++ {
		v <<= 8
		if i+k < len(s) {
			v |= uint32(s[i+k])
		}
	}
	return v
}

// kwOption names variant pickers: swatches list each option's price.
var kwOption = []string{"swatch", "option list", "variant picker", "variant selector", "size selector", "size picker"}

// kwIndex holds the keyword tables indexed by first byte; built once, never
// modified.
var kwIndex = func() (idx [256][]kwEntry) {
	for _, t := range []struct {
		kws  []string
		flag uint32
	}{
		{kwPrice, fPriceEl}, {kwStruck, fStruck}, {kwRegular, fRegular}, {kwSale, fSale}, {kwRelated, fRelated}, {kwUnit, fUnit},
		{kwInstal, fInstal}, {kwCoupon, fCoupon}, {kwBuyBox, fBuyBox}, {kwAvail, fAvail}, {kwCartBtn, fCartBtn | fButton},
		{kwOption, fOption},
	} {
		for _, k := range t.kws {
			n := min(len(k)-1, 4)
			mask := uint32(0xFFFFFFFF) << (8 * (4 - n))
			if n == 0 {
				mask = 0
			}
			idx[k[0]] = append(idx[k[0]], kwEntry{k: k, head: pack4(k, 1) & mask, mask: mask, flag: t.flag})
		}
	}
	return idx
}()

// Phrases on buttons that put the item in the cart, in the languages the
// extractor covers. Matched against lower-cased button text.
var cartPhrases = []string{
	"add to cart", "add to bag", "add to basket", "add to trolley", "buy now", "buy it now", "add to order",
	"añadir al carrito", "añadir a la cesta", "añadir al carro", "agregar al carrito", "añadir a la bolsa", "comprar",
	"ajouter au panier", "acheter", "in den warenkorb", "jetzt kaufen", "aggiungi al carrello", "acquista",
	"adicionar ao carrinho", "adicionar à sacola", "in winkelwagen", "in winkelmand", "toevoegen aan",
	"lägg i varukorgen", "köp", "sepete ekle", "satın al", "adauga in cos", "adaugă în coș", "dodaj do koszyka",
	"do košíku", "kosárba", "カートに入れる", "장바구니", "加入购物车",
}
