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
	}
	cueIn = []string{
		"in stock", "en stock", "en existencia", "disponible", "auf lager", "lieferbar", "sofort lieferbar", "disponibile",
		"in magazzino", "em estoque", "disponível", "op voorraad", "i lager", "finns i lager", "stokta var", "stokta",
		"in stoc", "left in stock", "available now", "ready to ship", "ships today", "ready for dispatch", "på lager",
	}
	cuePre = []string{
		"pre-order", "preorder", "pre order", "précommande", "pré-commande", "precommande", "vorbestellen", "vorbestellung",
		"preordina", "pre-ordina", "pré-venda", "pre-venta", "preventa", "reserva ya", "förhandsboka", "ön sipariş", "voorbestellen",
	}
	cueBack = []string{
		"backorder", "back-order", "back order", "on order", "bajo pedido", "sob encomenda", "sur commande", "auf bestellung",
		"nachbestellbar", "in bestelling", "su ordinazione", "beställningsvara", "available to order", "made to order",
	}
)

type cueHit struct {
	avail  Availability
	phrase string
	off    int
	score  float64
	where  string
}

// stockCues finds stock phrases in visible text (never scripts or hidden
// elements) and scores each by where it sits: in an availability element, in
// the buy box near the title, in a button; cues in related-product blocks and
// variant pickers ("Size 9 - Sold out") are skipped.
func stockCues(p *page, lv string, h1 *textRange) []cueHit {
	var hits []cueHit
	var outRanges [][2]int
	find := func(list []string, av Availability) {
		for _, ph := range list {
			from := 0
			for from < len(lv) {
				i := strings.Index(lv[from:], ph)
				if i < 0 {
					break
				}
				i += from
				from = i + len(ph)
				if !isWordBoundary(lv, i-1) || !isWordBoundary(lv, i+len(ph)) {
					continue
				}
				if av != OutOfStock && overlaps(outRanges, i, i+len(ph)) {
					continue
				}
				if av == OutOfStock {
					outRanges = append(outRanges, [2]int{i, i + len(ph)})
				}
				sp := spanAt(p.spans, i)
				fl := sp.flags
				if fl&(fRelated|fHidden|fOption) != 0 {
					continue
				}
				// Negations just before an in-stock phrase ("not in stock").
				if av == InStock {
					pre := lv[max(0, i-6):i]
					if strings.HasSuffix(pre, "not ") || strings.HasSuffix(pre, "back ") || strings.HasSuffix(pre, "no ") || strings.HasSuffix(pre, "non ") || strings.HasSuffix(pre, "niet ") || strings.HasSuffix(pre, "nicht ") || strings.HasSuffix(pre, "ej ") {
						continue
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
				hits = append(hits, h)
			}
		}
	}
	find(cueOut, OutOfStock)
	find(cuePre, PreOrder)
	find(cueBack, BackOrder)
	find(cueIn, InStock)
	sort.SliceStable(hits, func(a, b int) bool { return hits[a].score > hits[b].score })
	return hits
}

func overlaps(rs [][2]int, a, b int) bool {
	for _, r := range rs {
		if a < r[1] && r[0] < b {
			return true
		}
	}
	return false
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
