package extract

import (
	"sort"
	"strings"
)

// Stock phrases as shoppers read them, lower-case. Out-of-stock phrases are
// matched first: "ej i lager" must not count as "i lager".
var (
	cueOut = []string{
		"out of stock", "sold out", "currently unavailable", "temporarily unavailable", "no longer available", "not available",
		"unavailable", "notify me when available", "email me when available", "notify when available",
		"agotado", "agotada", "sin stock", "sin existencias", "no disponible", "sem estoque", "esgotado", "esgotada", "indisponível",
		"produto indisponível", "rupture de stock", "épuisé", "épuisée", "en rupture", "indisponible", "plus disponible",
		"ausverkauft", "nicht verfügbar", "nicht auf lager", "nicht lieferbar", "derzeit nicht", "esaurito", "esaurita",
		"non disponibile", "uitverkocht", "niet op voorraad", "niet beschikbaar", "niet leverbaar", "slutsåld", "slutsålt",
		"ej i lager", "slut i lager", "tillfälligt slut", "tükendi", "stokta yok", "stoc epuizat", "indisponibil",
		"stoc indisponibil", "niedostępny", "wyprzedany", "brak w magazynie", "vyprodáno", "udsolgt", "utsolgt",
		"out-of-stock", "sold-out", "discontinued", "no longer sold", "this listing has ended", "listing has ended",
		"listing was ended", "bidding has ended", "nicht vorrätig", "bientôt disponible", "prochainement disponible",
		"avise-me quando", "avise me quando", "avísame cuando", "niet leverbaar", "tijdelijk niet", "non più disponibile",
		"vyprodáno", "není skladem", "nedostupné", "nie ma w magazynie", "brak towaru", "elfogyott", "nincs készleten",
		"在庫切れ", "在庫なし", "品切れ", "売り切れ", "販売終了", "품절", "일시품절", "缺货", "售罄", "无货", "已售完",
		"loppuunmyyty", "no featured offers available", "see all buying options", "ei varastossa", "tilapäisesti loppu", "tilapäisesti loppu varastosta", "нет в наличии", "товар закончился", "распродано", "нет на складе", "немає в наявності", "розпродано", "已下架", "暂时缺货", "缺貨", "售完", "在庫切れです", "ikke på lager", "midlertidigt udsolgt", "stoc epuizat", "εξαντλήθηκε", "μη διαθέσιμο", "εκτός αποθέματος", "stok habis", "habis", "stok kosong", "غير متوفر", "نفذت الكمية", "نفدت الكمية", "غير متاح", "אזל מהמלאי", "לא במלאי", "สินค้าหมด", "ไม่มีสินค้า", "หมดสต็อก", "hết hàng", "tạm hết hàng", "produkt niedostępny", "chwilowo niedostępny", "nincs raktáron", "nedostupné", "nie je skladom", "vypredané",
	}
	cueIn = []string{
		"in stock", "en stock", "en existencia", "disponible", "auf lager", "lieferbar", "sofort lieferbar", "disponibile",
		"in magazzino", "em estoque", "disponível", "op voorraad", "i lager", "finns i lager", "stokta var", "stokta",
		"in stoc", "left in stock", "available now", "ready to ship", "ships today", "ready for dispatch", "på lager",
		"in-stock", "low stock", "limited stock", "few left", "almost gone", "selling fast", "últimas unidades",
		"pocas unidades", "nur noch", "sofort verfügbar", "vorrätig", "disponibilità immediata", "ultimi pezzi",
		"últimas peças", "direct leverbaar", "leverbaar", "få kvar", "son ürünler", "skladem", "dostępny", "na stanie",
		"raktáron", "在庫あり", "有货", "现货", "재고 있음",
		"в наличии", "є в наявності", "в наявності", "varastossa", "na skladě", "na sklade", "på lager", "tersedia", "stok tersedia", "còn hàng", "متوفر", "במלאי", "มีสินค้า", "διαθέσιμο", "σε απόθεμα",
	}
	cuePre = []string{
		"pre-order", "preorder", "pre order", "précommande", "pré-commande", "precommande", "vorbestellen", "vorbestellung",
		"preordina", "pre-ordina", "pré-venda", "pre-venta", "preventa", "reserva ya", "förhandsboka", "ön sipariş", "voorbestellen",
		"předobjednávka", "przedsprzedaż", "予約受付中", "予約する", "予約商品", "예약판매", "预售",
		"précommander", "prenota", "prenotalo", "pré-venda", "ön siparişe", "предзаказ", "передзамовлення", "ennakkotilaa", "ennakkotilaus", "forudbestil", "forhåndsbestill", "przedsprzedaż", "předprodej", "precomandă", "προπαραγγελία", "pra-pesan", "طلب مسبق", "הזמנה מוקדמת", "สั่งจองล่วงหน้า", "đặt trước", "予約販売", "予約受付", "사전예약", "预订", "預購",
	}
	cueBack = []string{
		"backorder", "backordered", "back-order", "back-ordered", "back order", "on order", "bajo pedido", "sob encomenda", "sur commande", "auf bestellung",
		"nachbestellbar", "in bestelling", "su ordinazione", "beställningsvara", "available to order", "お取り寄せ",
		"nachbestellt", "wird nachgeliefert", "im zulauf", "en réapprovisionnement", "réapprovisionnement en cours", "in nachbestellung", "backorder only", "под заказ",
	}
)

type cueHit struct {
	avail  Availability
	phrase string
	off    int
	score  float64
	where  string
}

type cueEntry struct {
	phrase string
	avail  Availability
}

// cueIndex holds the stock phrases by first byte, out-of-stock ones first in
// each bucket so that they claim their text before an in-stock phrase inside
// them ("ej i lager", "stokta yok"). Built once, never modified.
var cueIndex = func() (idx [256][]cueEntry) {
	for _, t := range []struct {
		list  []string
		avail Availability
	}{{cueOut, OutOfStock}, {cuePre, PreOrder}, {cueBack, BackOrder}, {cueIn, InStock}} {
	next:
		for _, ph := range t.list {
			for _, e := range idx[ph[0]] {
				if e.phrase == ph {
					continue next // listed twice: count it once
				}
			}
			idx[ph[0]] = append(idx[ph[0]], cueEntry{ph, t.avail})
		}
	}
	return idx
}()

// cueSlot maps the first two bytes of a phrase to 1 + its index in
// cueByPair (0: no phrase starts so), so that one table load rejects almost
// every word of the text. cueByPair holds the phrases in cueIndex order
// (out-of-stock first). Built once, never modified.
var cueSlot, cueByPair = func() (*[1 << 16]uint16, [][]cueEntry) {
	var slot [1 << 16]uint16
	var by [][]cueEntry
	for _, b := range cueIndex {
		for _, e := range b {
			k := uint16(e.phrase[0])<<8 | uint16(e.phrase[1])
			if slot[k] == 0 {
				by = append(by, nil)
				slot[k] = uint16(len(by))
			}
			by[slot[k]-1] = append(by[slot[k]-1], e)
		}
	}
	return &slot, by
}()

// stockCues finds stock phrases in visible text (never scripts or hidden
// elements) and scores each by where it sits: in an availability element, in
// the buy box near the title, in a button; cues in related-product blocks and
// variant pickers ("Size 9 - Sold out") are skipped. One pass over the text
// checks the phrases that can start at each word.
func stockCues(p *page, lv string, h1 *textRange) []cueHit {
	var hits []cueHit
	outEnd := -1 // end of the last out-of-stock phrase
	n := len(lv)
	for i := 0; i+1 < n; {
		c := lv[i]
		// CJK and Thai text has no spaces: phrases in three-byte scripts
		// (lead bytes ≥ 0xE0) match anywhere, as substrings. Other phrases
		// start a word: the loop visits word starts and three-byte
		// characters only, skipping the rest of each word.
		cjk := c >= 0xE0
		at := i
		switch {
		case cjk:
			i++
			for i < n && lv[i]&0xC0 == 0x80 {
				i++ // the character's continuation bytes
			}
		case wordByte[c]:
			i++
			for i < n && wordByte[lv[i]] && lv[i] < 0xE0 {
				i++
			}
		default:
			i++
			continue
		}
		slot := cueSlot[uint16(c)<<8|uint16(lv[at+1])]
		if slot == 0 {
			continue
		}
		for _, ce := range cueByPair[slot-1] {
			ph, av := ce.phrase, ce.avail
			if n-at < len(ph) || lv[at:at+len(ph)] != ph || !cjk && !isWordBoundary(lv, at+len(ph)) {
				continue
			}
			if av != OutOfStock && at < outEnd {
				continue
			}
			if av == OutOfStock {
				outEnd = max(outEnd, at+len(ph))
			}
			if h, ok := scoreCue(p, lv, h1, at, ph, av); ok {
				hits = append(hits, h)
			}
		}
	}
	sort.SliceStable(hits, func(a, b int) bool {
		if hits[a].score != hits[b].score {
			return hits[a].score > hits[b].score
		}
		return rankCueKind(hits[a].avail) > rankCueKind(hits[b].avail)
	})
	return hits
}

// rankCueKind breaks score ties: a specific state beats "in stock" printed
// elsewhere on the page.
func rankCueKind(a Availability) int {
	switch a {
	case OutOfStock:
		return 3
	case PreOrder, BackOrder:
		return 2
	}
	return 1
}

func scoreCue(p *page, lv string, h1 *textRange, i int, ph string, av Availability) (cueHit, bool) {
	sp := spanAt(p.spans, i)
	fl := sp.flags
	if fl&(fRelated|fHidden|fOption) != 0 {
		return cueHit{}, false
	}
	if fl&fVariant != 0 && av != InStock {
		return cueHit{}, false // another variant's state ("群青色 缺货")
	}
	// Negations just before an in-stock phrase ("not in stock", "back in stock").
	if av == InStock {
		pre := lv[max(0, i-6):i]
		for _, n := range []string{"not ", "back ", "no ", "non ", "niet ", "nicht ", "ej ", "sin "} {
			if strings.HasSuffix(pre, n) {
				return cueHit{}, false
			}
		}
	}
	next := len(lv)
	if k := spanIndex(p.spans, i); k+1 < len(p.spans) {
		next = p.spans[k+1].start
	}
	spanLen := next - sp.start
	h := cueHit{avail: av, phrase: ph, off: i, where: clip(strings.TrimSpace(lv[sp.start:min(next, sp.start+80)]), 80)}
	h.score = 1
	if fl&fAvail != 0 {
		h.score += 4
	}
	if fl&fBuyBox != 0 {
		h.score += 1
	}
	if fl&fButton != 0 {
		h.score += 2
	}
	if spanLen <= 60 {
		h.score += 1.5
	} else if spanLen > 250 {
		h.score -= 2
	}
	if h1 != nil {
		d := i - h1.end
		switch {
		case d >= 0 && d <= 3000:
			h.score += 2
		case d > 3000 && d <= 8000:
			h.score += 0.5
		case d < -2000 || d > 20000:
			h.score -= 1.5
		}
	}
	return h, true
}
func spanIndex(spans []textSpan, off int) int {
	i := sort.Search(len(spans), func(i int) bool { return spans[i].start > off })
	return i - 1
}

func spanAt(spans []textSpan, off int) textSpan {
	if i := spanIndex(spans, off); i >= 0 {
		return spans[i]
	}
	return textSpan{}
}
