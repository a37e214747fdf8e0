package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// visCand is a price shown on the page, with the context that tells a buy-box
// price from a list, per-unit, instalment, coupon or related product's price.
type visCand struct {
	loose, structured       bool // loose: a short text, not a price element; structured: itemprop/data price
	listLike                bool // the highest of several prices in one block: probably the list price
	end                     int
	amount, currency, token string
	text                    string
	where                   string
	start                   int
	flags                   uint32
	score                   float64
	why                     []string
	decoy                   bool // struck, per-unit, instalment, coupon, shipping or related
	labelled                bool // "Sale Price £18.36", "Price: $12": a label names it the price to pay
	inRange                 bool // one end of a range ("£19.99 – £49.99")
	nearTitle               bool // within 1,500 characters of text of the product's title
}

// Labels right before an amount that name it the price to pay.
var lblPriceBefore = []string{"price", "sale price", "our price", "your price", "special price", "deal price", "offer price",
	"now", "sale", "precio", "prix", "preis", "prezzo", "preço", "prijs", "pris", "cena", "fiyat", "цена", "ціна",
	"价格", "售价", "京东价", "販売価格", "価格", "税込", "판매가", "할인가"}

// Context labels, matched in the lower-cased text just before or after a
// price. They are general shop vocabulary in the languages covered.
var (
	lblList = []string{"list price", "was:", "was ", "m.r.p", "mrp", "rrp", "uvp", "statt", "antes", "de:", " de r$", "plp",
		"precio anterior", "prix barré", "ancien prix", "before", "typical price", "regular:", "reg.", "original price",
		"compare at", "valor original", "prezzo di listino", "prezzo consigliato", "ord.pris", "ordinarie pris", "nypris",
		"listenpreis", "unverbindliche", "adviesprijs", "normaal", "piyasa fiyatı", "pvpr",
		"通常価格", "定価", "参考価格", "希望小売価格", "原价", "市场价", "划线价", "原價", "정가", "소비자가", "старая цена", "была",
		"poprzednia cena", "cena regularna", "původní cena", "eredeti ár", "preț vechi", "pret vechi", "tidigare pris", "före:"}
	// EU "lowest price in the last 30 days" (Omnibus) references, shown
	// beside the price: a former price, not the one to pay.
	lblOmnibus = []string{"lowest price", "najniższa cena", "niedrigster preis", "niedrigste preis", "prix le plus bas", "precio más bajo",
		"prezzo più basso", "laagste prijs", "nejnižší cena", "najnižšia cena", "legalacsonyabb ár", "cel mai mic preț", "cel mai mic pret",
		"lägsta pris", "laveste pris", "laveste pris", "preço mais baixo", "najniža cijena", "najnižja cena", "alhaisin hinta",
		"χαμηλότερη τιμή", "най-ниска цена", "zemākā cena", "mažiausia kaina", "madalaim hind", "en düşük fiyat"}
	lblSave   = []string{"save", "you save", "up to", "立减", "直降", "至高", "最高减", "减", "满", "省", "优惠", "补贴", "返现", "節省", "할인금액", "économisez", "ahorra", "ahorras", "sparen", "sparar", "du sparar", "economize", "economia", "risparmi", "bespaar", "tasarruf", "off", "desconto de", "descuento de"}
	lblCoupon = []string{"bez dph", "excl. vat", "excl vat", "ex vat", "ex. vat", "hors taxe", "prix ht", "sin iva", "senza iva", "without vat", "excluding vat", "net price", "nettopreis", "zzgl.", "indirim", "sepette", "get it for", "best price", "with coupon", "coupon", "cupom", "cupón", "code", "bank offer", "with card", "cashback", "voucher", "gutschein", "promo"}
	// Prices for members, card holders, subscribers or with a coupon: not
	// what a shopper with no membership, card or code pays.
	lblMemberBefore = []string{"member price", "members price", "member's price", "members' price", "member", "clubcard", "club price",
		"prime price", "prime member", "subscribe", "subscription price", "card price", "with card", "cardholder", "loyalty price",
		"plus price", "plus价", "plus会员", "会员专享", "到手价", "券后", "用券", "会员价", "会員価格", "멤버십", "kartą", "картой", "по карте", "mit karte", "avec la carte",
		"con tarjeta", "app price", "in-app"}
	lblMemberAfter = []string{"clubcard", "with membership", "for prime members", "z kartą", "für mitglieder", "pour les membres",
		"för medlemmar", "with loyalty card", "member price", "members price", "for members", "member-only", "with card", "with prime",
		"after coupon", "with coupon", "coupon price", "with code", "with promo", "when you subscribe", "with subscribe", "картой",
		"по карте", "с картой", "c картой", "用券", "券后", "会员价", "mit karte", "avec la carte", "con tarjeta", "in app", "in-app"}
	// Other sellers' offers and comparison tables beside the buy box.
	lblOtherOffers = []string{"other sellers", "more buying choices", "buying options", "new & used", "new and used", "used from",
		"used & new", "weitere angebote", "angebote ab", "other offers", "more offers", "offers from", "autres vendeurs", "offres à partir",
		"otros vendedores", "altri venditori", "outros vendedores", "andere verkopers", "övriga säljare", "compare with similar",
		"vergleichen mit"}
	// A label that says the price is the one without membership or card.
	lblNonMember  = []string{"non-member", "non member", "nonmember", "without card", "без"}
	lblShip       = []string{"shipping", "delivery", "envío", "envio", "livraison", "frete", "versand", "livrare", "transport", "spedizione", "verzending", "frakt", "kargo", "fee", "taxa de entrega"}
	lblInstBefore = []string{"x de", "x ", "x\u00a0", "emi", "em até", "ou ", "cuotas de", "rate da", "mensualités", "per month", "a month", "monthly", "from", "starting at", "desde", "ab ", "à partir", "a partir",
		"payments of", "payment of", "installments of", "instalments of", "pagos de", "parcelas de", "mensualités de", "rates of", "rate of", "raten à", "raten von", "taksit", "as low as"}
	lblInstAfter = []string{"em até", "em ate", "no cartão", "no cartao", "parcelado", "en hasta", "/mo", "/ mo", "per month", "a month", "/month", "mensual", "al mes", "por mes", "/mês", "por mês", "sem juros", "com juros", "monthly", "emi", "cuotas", "parcelas", "/luna", "lei/luna", "pro monat", "/monat", "par mois", "/mois", "al mese", "/mese", "per maand", "/mån", "i månaden", "/ay", "aylık", "x ", "interest"}
	lblUnitAfter = []string{"/kg", "/ kg", "/100", "/ 100", "/g", "/ g", "/l", "/ l", "/ml", "/ ml", "/unit", "/ unit", "/count", "/ count", "/pack", "/ pack", "/stk", "/st", "/ea", "/ ea", "/each", "/oz", "/ oz", "/lb", "/ lb", "/m²", "/m2", "/ m", "/fl oz", "per kg", "per 100", "per unit", "per count", "per item", "per ounce", "per oz", "per lb", "per litre", "per liter", "le kg", "le litre", "pro kg", "pro 100", "por kg", "al kg", "per stuk", "/st.",
		"je kg", "je 100", "je liter", "je l ", "/1 kg", "/1kg", "/ 1 kg", "/1 l", "/ 1 l", "al litro", "il kg", "le l ", "per l "}
	// A total that includes delivery ("1 314,99 zł z dostawą") is not the item's price.
	lblWithShipping = []string{"z dostawą", "with delivery", "incl. shipping", "including shipping", "inkl. versand",
		"con envío", "avec livraison", "com frete", "con spedizione", "inkl. frakt", "kargo dahil"}
	lblFree = []string{"free", "gratis", "grátis", "gratuit", "kostenlos", "gratuita", "gratuito", "ücretsiz", "fri frakt", "gratuite"}
	// Tax-exclusive prices shown beside the price a consumer pays.
	lblExTaxAfter = []string{"ht", "h.t", "hors tax", "excl", "ex vat", "ex. vat", "exc vat", "exc. vat", "+ vat", "+vat", "plus vat",
		"zzgl", "exkl", "netto", "sans tva", "sin iva", "+ iva", "+iva", "senza iva", "iva esclusa", "kdv hariç", "fără tva",
		"fara tva", "sem impostos", "before tax", "pre-tax", "pretax", "ex gst", "ex. gst", "+ gst", "ex moms", "exkl moms"}
	// Labels after a price that mark it as the headline cash price
	// (Brazilian stores show "R$ 1.559,99 à vista no PIX" above the card price).
	lblCashAfter  = []string{"à vista", "a vista", "no pix", "via pix", "no boleto", "al contado", "de contado"}
	lblUnitBefore = []string{"per kg", "per 100", "unit price", "price per", "prix au kg", "precio por", "grundpreis", "prezzo al", "jämförpris", "preço por", "birim fiyat", "/kg", "per unit"}
)

// visibleCandidates parses every price element and short numeric text on the
// page and scores it as the buy-box price.
func visibleCandidates(p *page, pr *pricer, h1 *textRange, lowerVis string) []visCand {
	var out []visCand
	for _, r := range p.prices {
		if r.start < 0 || r.end > len(p.vis) || r.start > r.end || r.start == r.end && r.label == "" {
			continue // out of range, or a <meta itemprop=price>: structured data, not shown
		}
		if r.flags&(fRelated|fHidden) != 0 {
			continue // another product's price: never the answer, not worth parsing
		}
		text := string(p.vis[r.start:r.end])
		if r.label != "" {
			text = r.label
		}
		var c visCand
		if r.content != "" && r.structured {
			a := pr.structAmount(r.content, "")
			if a == "" {
				continue
			}
			c.amount = a
			if pp, ok := pr.text(text, ""); ok && decEqual(pp.Amount, a) {
				c.currency, c.token = pp.Currency, pp.Token
			}
		} else {
			if strings.TrimSpace(text) == "" {
				continue
			}
			pp, ok := pr.text(splitCents(text, r.flags), "")
			if !ok {
				continue
			}
			if pp.Token == "" && !r.structured && !(r.flags&fPriceEl != 0 && bareAmount(text)) {
				continue // a bare number outside structured markup is not a price
			}
			if r.label != "" && !hasWordAny(strings.ToLower(r.label), priceWords) {
				continue // an aria-label that does not say it is a price
			}
			if r.flags&(fPriceEl|fInPrice) == 0 && !tokenNearNumber(text, pp.Token) {
				continue // loose text: "T210" in a name is not 210 of anything
			}
			c.amount, c.currency, c.token = pp.Amount, pp.Currency, pp.Token
		}
		c.text = clip(strings.ReplaceAll(strings.TrimSpace(text), "\n", " "), 80)
		c.where = r.desc
		c.start, c.end = r.start, r.end
		c.loose, c.structured = r.desc == "text" || r.label != "", r.structured
		c.flags = r.flags
		scoreCandidate(&c, lowerVis, r, p, h1)
		out = append(out, c)
	}
	for i := range out {
		out[i].inRange = rangeEnd(lowerVis, out[i].start, out[i].end)
	}
	regularBesideSale(out)
	splitBlocks(out)
	struckPairs(out, lowerVis)
	// The first real price after the product's title is, on most layouts,
	// the buy box's: it matters when class names say nothing (utility CSS,
	// obfuscated names).
	if h1 != nil {
		first := -1
		for i := range out {
			c := &out[i]
			if c.decoy || c.start < h1.end || c.start-h1.end > 2000 {
				continue
			}
			if first < 0 || c.start < out[first].start {
				first = i
			}
		}
		if first >= 0 {
			out[first].score += 1.5
			out[first].why = append(out[first].why, "first price after the title")
		}
	}
	return out
}

func scoreCandidate(c *visCand, lv string, r priceRange, p *page, h1 *textRange) {
	f := r.flags
	add := func(v float64, why string) {
		c.score += v
		c.why = append(c.why, why)
	}
	if f&fPriceEl != 0 {
		add(2, "price element")
	}
	if f&fInPrice != 0 && f&fPriceEl == 0 {
		add(1.5, "inside a price block")
	}
	if f&fSale != 0 {
		add(2, "sale/current class")
	}
	if f&fBuyBox != 0 {
		add(1.5, "buy box")
	}
	if r.structured {
		add(1, "itemprop/data price")
	}
	if f&fStruck != 0 {
		add(-7, "struck/list price")
		c.decoy = true
	}
	if f&fRelated != 0 {
		add(-8, "related/carousel region")
		c.decoy = true
	}
	if f&fUnit != 0 {
		// Weak on its own: "unitPrice" often means the price of one item;
		// a real per-unit price also says "/kg" or "per 100 g" (below).
		add(-2, "unit-price class")
	}
	if f&fInstal != 0 {
		add(-7, "instalment block")
		c.decoy = true
	}
	if f&fCoupon != 0 {
		add(-5, "coupon/savings/shipping block")
		c.decoy = true
	}
	if f&fOption != 0 {
		add(-4, "variant option")
	}
	if f&fH1 != 0 {
		add(-3, "inside the title")
	}
	// The label of this price is the text since the previous number: "List
	// Price: $39.00 $29.50" labels only the first.
	before := lv[max(0, r.start-40):r.start]
	cut := strings.LastIndexAny(before, "•|0123456789")
	before = before[max(0, cut+1):]
	if r.start < len(lv) && lv[r.start] == '\n' {
		before += "\n" // the price element opens a block
	}
	if k := strings.LastIndexByte(before, '\n'); k >= 0 {
		// Within the price's block; a label alone in the block just before
		// ("<td>List Price:</td><td>$39</td>") still counts, but not the
		// words after the previous price on its line ("£3.50 Clubcard
		// Price", "12 490 ₽ с картой"): they label that price.
		if own := strings.TrimSpace(before[k+1:]); own != "" {
			before = before[k+1:]
		} else if prev := before[:k]; len(strings.TrimSpace(prev)) <= 30 {
			if j := strings.LastIndexByte(prev, '\n'); j >= 0 || cut < 0 {
				before = prev[j+1:]
			} else {
				before = ""
			}
		}
	}
	after := lv[r.end:min(len(lv), r.end+24)]
	if k := strings.IndexByte(after, '\n'); k >= 0 {
		after = after[:k] // the label of a price is in its own block
	}
	near := before
	if len(near) > 20 {
		near = near[len(near)-20:]
	}
	// Labels inside the price text itself ("MRP ₹7,999", "Was: $20").
	if own := lv[r.start:r.end]; strings.IndexAny(own, "0123456789") > 0 {
		near += " " + own[:strings.IndexAny(own, "0123456789")]
	}
	switch {
	case hasWordAny(near, lblList):
		add(-6, "labelled list/was price")
		c.decoy = true
	case hasWordAny(near, lblCoupon):
		add(-5, "labelled coupon/best price")
		c.decoy = true
	case hasWordAny(near, lblSave) && !strings.Contains(near, "sale"):
		add(-5, "labelled savings")
		c.decoy = true
	case hasWordAny(near, lblShip):
		add(-5, "labelled shipping")
		c.decoy = true
	case omnibusBefore(lv[max(0, r.start-90):r.start]):
		add(-6, "lowest price of the last 30 days (reference)")
		c.decoy = true
	case hasWordAny(before, lblOtherOffers):
		add(-6, "labelled other sellers' offer")
		c.decoy = true
	case hasWordAny(near, lblMemberBefore) && !hasWordAny(near, lblNonMember):
		add(-5, "labelled member/card/coupon price")
		c.decoy = true
	}
	trimmed := strings.TrimRightFunc(near, func(r rune) bool { return !unicode.IsLetter(r) })
	if hasSuffixAny(trimmed, lblInstBefore) {
		add(-6, "instalment label")
		c.decoy = true
	}
	// What follows the amount: the rest of the price's own text ("€ HT",
	// "/kg") and the text after it.
	own := lv[r.start:r.end]
	if k := strings.LastIndexAny(own, "0123456789"); k >= 0 {
		after = own[k+1:] + " " + after
	}
	a := strings.TrimLeft(after, " ")
	if hasPrefixAny(a, lblInstAfter) || hasPrefixAny(a, lblUnitAfter) || hasPrefixAny(strings.TrimLeft(a, ")"), lblUnitAfter) ||
		hasPrefixAny(skipCurrency(a), lblUnitAfter) {
		add(-6, "per-unit/instalment suffix")
		c.decoy = true
	}
	// "+ $5.99 shipping": a fee, unless the shipping is free.
	if head := a[:min(len(a), 14)]; hasWordAny(head, lblShip) && !hasWordAny(lv[max(0, r.start-12):r.start]+" "+a[:min(len(a), 24)], lblFree) {
		add(-5, "shipping fee")
		c.decoy = true
	}
	if !c.decoy && isAddOn(lv, r.start, a) {
		add(-5, "add-on fee, protection plan, warranty or service")
		c.decoy = true
	}
	if hasWordAny(a[:min(len(a), 24)], lblWithShipping) {
		add(-5, "total with delivery")
		c.decoy = true
	}
	if hasWholeWordAny(a[:min(len(a), 16)], lblExTaxAfter) {
		add(-5, "tax-exclusive price")
		c.decoy = true
	}
	// The label after the amount, up to the next number; long enough for
	// Cyrillic ("1 199 ₽ c Ozon Картой": two bytes a letter, thin spaces).
	head := a[:min(len(a), 44)]
	if k := strings.IndexAny(head, "0123456789"); k >= 0 {
		head = head[:k]
	}
	if !c.decoy && (hasWordAny(head, lblMemberAfter) || cardLabel(head)) && !hasWordAny(head, lblNonMember) {
		add(-5, "member/card/coupon price")
		c.decoy = true
	}
	if !c.decoy && hasSuffixAny(strings.TrimRightFunc(near, func(r rune) bool { return !unicode.IsLetter(r) }), lblPriceBefore) &&
		!hasWordAny(near, lblUnitBefore) {
		add(1, "labelled as the price")
		c.labelled = true
	}
	if hasPrefixAny(a, lblCashAfter) {
		add(1.5, "cash/headline price label")
	}
	if hasWordAny(near, lblUnitBefore) || strings.HasSuffix(strings.TrimSpace(before), "(") {
		add(-3, "per-unit label")
	}
	// Where: the buy-box price follows the product title closely and precedes
	// the add-to-cart button; carousels before the title and lists far below
	// it are other products.
	if h1 != nil {
		d := r.start - h1.end
		switch {
		case d >= 0 && d <= 1500:
			add(3, "just after the title")
			c.nearTitle = true
		case d > 1500 && d <= 5000:
			add(1.5, "after the title")
		case d > 5000:
			add(-1, "far below the title")
		case d < 0 && d >= -400:
			add(1, "just before the title")
			c.nearTitle = true
		default:
			add(-2, "before the title")
		}
		if p.firstCart > h1.end && r.start < p.firstCart && r.start > h1.end {
			add(1, "before add-to-cart")
		}
	}
}

// Add-ons sold beside the product: fees, protection plans, warranties,
// insurance, installation, gift wrapping. Their amount is not the product's.
var lblAddOn = []string{"fee", "fees", "protection", "protect ", "protect promise", "applecare", "care+", "warranty", "warranties",
	"insurance", "assurance", "versicherung", "garantieverlängerung", "extension de garantie", "estensione garanzia",
	"installation", "montage", "installazione", "instalación", "instalação", "gift box", "gift wrap", "gift-wrap",
	"giftwrap", "geschenk", "emballage cadeau", "paquet cadeau", "confezione regalo", "envoltorio", "embrulho", "cadeauverpakking",
	"presentförpackning", "handling", "service plan", "care plan", "bezorgkosten", "verzendkosten"}

// lblAddOnAfter: add-on words that label the amount before them.
var lblAddOnAfter = []string{"fee", "fees", "protect promise", "protection plan", "protection", "warranty", "insurance",
	"versicherung", "installation", "montage", "gift box", "gift wrap", "geschenk", "emballage cadeau", "paquet cadeau",
	"confezione regalo", "envoltorio", "cadeauverpakking", "presentförpackning", "handling"}

// isAddOn reports an add-on's price: a "+" right before the amount ("+ ₹69
// Protect Promise Fee", "installation +€49"), or add-on words on the same
// line just before it ("Geek Squad Protection $59.99") or just after it
// ("€3,00 Geschenkverpackung"). lv is the lower-cased text, start the price's
// start, after the (lower-cased) text following the amount.
func isAddOn(lv string, start int, after string) bool {
	own := lv[start:min(len(lv), start+40)]
	if k := strings.IndexAny(own, "0123456789"); k >= 0 {
		own = own[:k]
	}
	line := lv[max(0, start-32):start] + own
	if k := strings.LastIndexAny(line, "\n0123456789•|"); k >= 0 {
		line = line[k+1:]
	}
	t := strings.TrimRightFunc(line, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsLetter(r) && r != '+' && r != '-' })
	if strings.HasSuffix(t, "+") {
		return true
	}
	if hasWordAny(line, lblAddOn) {
		return true
	}
	head := after
	if k := strings.IndexByte(head, '\n'); k >= 0 {
		head = head[:k]
	}
	// Words right after the amount only, up to the next number ("349,00 €
	// inkl. MwSt." is not one).
	head = head[:min(len(head), 28)]
	if k := strings.IndexAny(head, "0123456789"); k >= 0 {
		head = head[:k]
	}
	return hasWordAny(head, lblAddOnAfter)
}

// cardLabel: "with <store> Card", "mit XY-Karte", "con tarjeta Z", "с картой
// Ozon" right after an amount: the card holders' price.
func cardLabel(head string) bool {
	w := strings.Index(head, "with ")
	for _, p := range []string{"mit ", "avec ", "con ", "com ", "met ", "med ", "z ", "с ", "c "} {
		if k := strings.Index(head, p); k >= 0 && isWordBoundary(head, k-1) && (w < 0 || k < w) {
			w = k
		}
	}
	if w < 0 || w > 12 {
		return false
	}
	for _, card := range []string{"card", "karte", "carte", "tarjeta", "cartão", "kaart", "kort", "karta", "kartą", "картой", "карты"} {
		if k := strings.Index(head[w:], card); k >= 0 && k <= 32 {
			return true
		}
	}
	return false
}

// rangeEnd reports a price that starts or ends a range: a dash, "to" or "~"
// joins it to another amount.
func rangeEnd(lv string, start, end int) bool {
	isJoin := func(t string) bool {
		for _, j := range []string{"–", "—", "-", "~", "to", "bis", "à", "a", "até", "～", "至"} {
			if t == j {
				return true
			}
		}
		return false
	}
	after := strings.TrimSpace(lv[end:min(len(lv), end+24)])
	if k := strings.IndexAny(after, "0123456789"); k > 0 {
		if t := strings.TrimSpace(after[:k]); len(t) <= 8 {
			// "– £49.99": the joiner, then maybe a currency sign.
			for _, w := range strings.Fields(t) {
				if isJoin(w) {
					return true
				}
			}
			if t != "" && isJoin(strings.TrimRightFunc(t, func(r rune) bool {
				return !unicode.IsLetter(r) && r != '–' && r != '—' && r != '-' && r != '~' && r != '～'
			})) {
				return true
			}
		}
	}
	before := strings.TrimSpace(lv[max(0, start-12):start])
	if fs := strings.Fields(before); len(fs) > 0 {
		last := fs[len(fs)-1]
		if isJoin(last) {
			k := strings.LastIndex(before, last)
			return strings.ContainsAny(before[:k], "0123456789")
		}
	}
	return false
}

func hasAnyStr(s string, subs []string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// hasWordAny reports whether one of subs occurs in s starting at a word
// boundary ("fee" is a label, not the end of "kaffee").
func hasWordAny(s string, subs []string) bool {
	return anyOccurrence(s, subs, func(i int, x string) bool {
		// CJK labels ("到手价", "券后") have no word boundaries.
		return isWordBoundary(s, i-1) || !isLetterByte(x[0]) || x[0] >= 0xE0
	})
}

// hasWholeWordAny is hasWordAny with a word end too ("excl" but not "exclusive").
func hasWholeWordAny(s string, subs []string) bool {
	return anyOccurrence(s, subs, func(i int, x string) bool {
		return isWordBoundary(s, i-1) && (isWordBoundary(s, i+len(x)) || !isLetterByte(x[len(x)-1]))
	})
}

// anyOccurrence reports whether some occurrence of one of subs in s, at
// index i, satisfies ok.
func anyOccurrence(s string, subs []string, ok func(i int, x string) bool) bool {
	for _, x := range subs {
		for from := 0; from < len(s); {
			i := strings.Index(s[from:], x)
			if i < 0 {
				break
			}
			i += from
			if ok(i, x) {
				return true
			}
			from = i + 1
		}
	}
	return false
}

func hasPrefixAny(s string, ps []string) bool {
	for _, x := range ps {
		if strings.HasPrefix(s, x) {
			return true
		}
	}
	return false
}

// skipCurrency drops a currency sign or a short currency word at the start of
// s and the spaces after it, so that a unit after the currency is seen: "4,98
// €/kg", "2.10 eur / kg", "1,99 zł/kg", "12 kr/kg". A word is skipped only when
// a slash follows it ("€ le kg" keeps its "le kg").
func skipCurrency(s string) string {
	t := strings.TrimLeft(s, " ")
	i := 0
	for i < len(t) {
		r, n := utf8.DecodeRuneInString(t[i:])
		if r == '/' || r == ' ' || unicode.IsDigit(r) || r == utf8.RuneError {
			break
		}
		if !unicode.IsLetter(r) && !unicode.Is(unicode.Sc, r) && r != '.' {
			break
		}
		i += n
		if i > 6 {
			return s
		}
	}
	if i == 0 {
		return s
	}
	rest := strings.TrimLeft(t[i:], " ")
	if !unicode.Is(unicode.Sc, []rune(t[:i])[0]) && !strings.HasPrefix(rest, "/") {
		return s
	}
	return rest
}

// hasSuffixAny reports whether s ends with one of ps as a whole word
// ("48 x" but not "rolex").
func hasSuffixAny(s string, ps []string) bool {
	for _, x := range ps {
		x = strings.TrimRight(x, " \u00a0")
		if strings.HasSuffix(s, x) && isWordBoundary(s, len(s)-len(x)-1) {
			return true
		}
	}
	return false
}

// splitCents joins prices whose cents sit in their own element ("$12<sup>99</sup>",
// seen here as "$12 99") inside a price element.
func splitCents(text string, fl uint32) string {
	if fl&(fPriceEl|fInPrice) == 0 {
		if len(text) <= 24 {
			return joinDecimal(strings.TrimSpace(text)) // "$ 349 . 99"
		}
		return text
	}
	t := joinDecimal(strings.TrimSpace(text))
	if t != strings.TrimSpace(text) {
		return t
	}
	sp := strings.LastIndexByte(t, ' ')
	if sp <= 0 || len(t)-sp-1 < 2 {
		return text
	}
	tail := t[sp+1:]
	n := 0
	for n < len(tail) && tail[n] >= '0' && tail[n] <= '9' {
		n++
	}
	if n != 2 || strings.IndexAny(tail[n:], "0123456789") >= 0 {
		return text
	}
	head := t[:sp]
	last := head[len(head)-1]
	if last < '0' || last > '9' {
		return text
	}
	// The whole part may be grouped ("$ 1.234 99", "R$ 12,345 67"): the
	// decimal mark is then the other separator.
	dec := "."
	if i := strings.LastIndexAny(head, ".,"); i >= 0 {
		if len(head)-i-1 != 3 {
			return text // "12.5 99": not a grouped whole part
		}
		if head[i] == '.' {
			dec = ","
		}
	}
	return head + dec + tail
}

// tokenNearNumber reports whether the currency token sits next to a digit
// ("$12", "12 kr", "Rs. 99"), as in a price rather than in a product name.
func tokenNearNumber(text, token string) bool {
	if token == "" {
		return false
	}
	lt, ltok := strings.ToLower(text), strings.ToLower(token)
	for from := 0; from < len(lt); {
		i := strings.Index(lt[from:], ltok)
		if i < 0 {
			return false
		}
		i += from
		// Spaces of any width (thin and narrow no-break spaces) between
		// the token and the number do not part them.
		pre := strings.TrimRightFunc(lt[max(0, i-9):i], unicode.IsSpace)
		post := strings.TrimLeftFunc(lt[i+len(ltok):min(len(lt), i+len(ltok)+9)], unicode.IsSpace)
		if strings.ContainsAny(pre[max(0, len(pre)-3):], "0123456789") || strings.ContainsAny(post[:min(len(post), 3)], "0123456789") {
			if !isASCIIWord(ltok) || alphaTokenOK(lt, i, ltok) {
				return true
			}
		}
		from = i + len(ltok)
	}
	return false
}

func isLetterByte(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80 }

func isASCIIWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if !('a' <= s[i] && s[i] <= 'z') {
			return false
		}
	}
	return s != ""
}

// alphaTokenOK accepts a letter token ("kr", "lei", "rs", "dt") only as a
// word of its own next to the number: not inside a code such as "B0G6KD54ZK"
// or a name such as "Lenovo T210"; a one-letter token only in a short text.
func alphaTokenOK(lt string, i int, tok string) bool {
	if len(tok) == 1 && (len(strings.TrimSpace(lt)) > 12 || !strings.HasPrefix(strings.TrimSpace(lt), tok)) {
		return false // "R 299" but not "Stylo 3D"
	}
	ws, we := i, i+len(tok)
	for ws > 0 && lt[ws-1] != ' ' {
		ws--
	}
	for we < len(lt) && lt[we] != ' ' {
		we++
	}
	word := lt[ws:i] + lt[i+len(tok):we]
	for j := 0; j < len(word); j++ {
		if 'a' <= word[j] && word[j] <= 'z' {
			return false
		}
	}
	return true
}

// joinDecimal removes the spaces a split price leaves around its decimal
// mark: "$ 49 .99" and "32 . 97" (integer, separator and cents in their own
// elements) become "$ 49.99" and "32.97"; "1 199,000" is left alone.
func joinDecimal(t string) string {
	b := []byte(t)
	out := b[:0:0]
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == ' ' && i > 0 && i+1 < len(b) {
			prev, next := b[i-1], b[i+1]
			// "49 .99" / "32 . 97": digit, space, separator
			if isDigit(prev) && (next == '.' || next == ',') && i+2 < len(b) && (isDigit(b[i+2]) || b[i+2] == ' ' && i+3 < len(b) && isDigit(b[i+3])) {
				continue
			}
			// "32. 97": separator, space, one or two digits ending the number
			if n := len(out); n >= 2 && (out[n-1] == '.' || out[n-1] == ',') && isDigit(out[n-2]) && isDigit(next) {
				k := i + 1
				for k < len(b) && isDigit(b[k]) {
					k++
				}
				if k-i-1 <= 2 {
					continue
				}
			}
		}
		out = append(out, c)
	}
	return string(out)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// bareAmount: a price element holding only a number ("5 490,-", "1299.00"):
// the currency comes from the hints.
func bareAmount(text string) bool {
	t := strings.TrimSpace(text)
	digits := 0
	for _, r := range t {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '.' || r == ',' || r == '\'' || r == '’' || r == '-' || r == '–' || r == '\u00a0':
		default:
			return false
		}
	}
	return digits >= 2
}

// splitBlocks handles a price block showing several amounts in one element
// ("5.199,99 TL 4.299,99 TL"): the block is not one price, so it steps
// aside for its parts, and the highest part, where the others are lower, is
// the list price the shop crosses out with styling the markup does not name.
func splitBlocks(cs []visCand) {
	for i := range cs {
		c := &cs[i]
		if c.loose || c.decoy || c.structured {
			continue
		}
		var kids []int
		distinct := map[string]bool{}
		for j := range cs {
			k := &cs[j]
			if k.loose && k.start >= c.start && k.start < c.end {
				// A struck or member price among them still makes the
				// block one of several prices.
				distinct[k.amount] = true
				if !k.decoy {
					kids = append(kids, j)
				}
			}
		}
		if len(distinct) < 2 {
			continue
		}
		c.decoy = true
		c.score -= 5
		c.why = append(c.why, "a block of several prices")
		hi, lo := "", ""
		for _, j := range kids {
			if hi == "" || decLess(hi, cs[j].amount) {
				hi = cs[j].amount
			}
			if lo == "" || decLess(cs[j].amount, lo) {
				lo = cs[j].amount
			}
		}
		if lo == hi || !plausibleRatio(lo, hi) {
			continue // one shown price beside struck or member ones
		}
		for _, j := range kids {
			if decEqual(cs[j].amount, hi) {
				cs[j].score -= 3
				cs[j].listLike = true
				cs[j].why = append(cs[j].why, "highest of several prices in one block")
			}
		}
	}
}

// priceWords name a price in an aria-label, in the languages covered.
var priceWords = []string{"price", "cena", "preis", "prix", "precio", "preço", "prezzo", "prijs", "pris", "fiyat", "pret", "cost",
	"now", "current", "aktualna", "sale", "valor", "価格", "가격", "价格"}

// struckPairs handles two neighbouring prices with no markers, the higher
// first and a discount badge ("-35%", "35% off") right after them: the shop
// strikes the first with styling the markup does not name, so the lower one
// is the price to pay.
func struckPairs(cs []visCand, lv string) {
	for i := range cs {
		a := &cs[i]
		if a.decoy || a.start >= a.end {
			continue
		}
		for j := range cs {
			b := &cs[j]
			if j == i || b.decoy || b.start < a.end || b.start-a.end > 3 || b.start >= b.end {
				continue
			}
			if strings.TrimSpace(lv[a.end:b.start]) != "" || a.currency != b.currency || !decLess(b.amount, a.amount) || !plausibleRatio(b.amount, a.amount) {
				continue
			}
			tail := lv[b.end:min(len(lv), b.end+24)]
			if k := strings.IndexByte(tail, '\n'); k >= 0 {
				tail = tail[:k]
			}
			head := lv[max(0, a.start-16):a.start]
			if k := strings.LastIndexByte(head, '\n'); k >= 0 {
				head = head[k+1:]
			}
			if !discountBadge(tail) && !badgeBefore(head) {
				continue
			}
			a.decoy, a.listLike = true, true
			a.score -= 5
			a.why = append(a.why, "higher of two neighbouring prices with a discount badge: struck by styling")
			break
		}
	}
}

// discountBadge reports a percentage right after a pair of prices: "-35%",
// "35% off", "(−20 %)".
func discountBadge(t string) bool {
	k := strings.IndexByte(t, '%')
	if k <= 0 {
		return false
	}
	head := strings.TrimSpace(t[:k])
	return head != "" && isDigit(head[len(head)-1]) && len(head) <= 8
}

// regularBesideSale decides prices named "regular price": beside a lower
// price (within a short stretch of text) it is the struck list price; alone
// it is the price of an item not on sale (Shopify's price__regular).
func regularBesideSale(cs []visCand) {
	for i := range cs {
		c := &cs[i]
		if c.flags&fRegular == 0 || c.decoy {
			continue
		}
		for j := range cs {
			d := &cs[j]
			if j == i || d.decoy || d.flags&fRegular != 0 || d.start < c.start-200 || d.start > c.end+200 {
				continue
			}
			if d.currency == c.currency && decLess(d.amount, c.amount) && plausibleRatio(d.amount, c.amount) {
				c.score -= 7
				c.decoy = true
				c.why = append(c.why, "regular price beside a lower price")
				break
			}
		}
	}
}

// badgeBefore reports a discount badge just before a pair of prices:
// "-35% $129.99 $84.99".
func badgeBefore(t string) bool {
	t = strings.TrimSpace(t)
	return len(t) >= 2 && t[len(t)-1] == '%' && isDigit(t[len(t)-2]) && strings.ContainsAny(t, "-−")
}

// omnibusBefore reports an EU "lowest price in the last 30 days" label on
// the price's line, with nothing between it and the price but the count of
// days: "Najniższa cena z 30 dni przed obniżką: 129,00 zł".
func omnibusBefore(w string) bool {
	if k := strings.LastIndexByte(w, '\n'); k >= 0 {
		w = w[k+1:]
	}
	for _, ph := range lblOmnibus {
		i := strings.LastIndex(w, ph)
		if i < 0 {
			continue
		}
		rest := w[i+len(ph):]
		runs, run := 0, 0
		for j := 0; j < len(rest); j++ {
			if isDigit(rest[j]) {
				if run == 0 {
					runs++
				}
				run++
				if run > 3 {
					return false // an amount, not a count of days
				}
			} else {
				run = 0
			}
		}
		return runs <= 1
	}
	return false
}
