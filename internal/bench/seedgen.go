package bench

import (
	"fmt"
	"math"
	"math/rand"
	"sort"
	"strings"

	"github.com/shelfwatch/shelfwatch/internal/store"
)

// The seed generator's model of a catalog: many stores (domains) of very
// different sizes, each in one country and currency, selling products whose
// prices mostly sit still. Per product, a volatility class sets how often
// the price moves (Poisson): most products change a few times a year, some
// weekly, a few (repricers) several times a day. Moves are list-price drifts
// or sales that end by returning to the list price; independently, products
// go out of stock for spells of days. History is change-only: a row when
// price, currency or availability changes, on an hourly check's time.

type tld struct {
	suffix, currency string
	weight           int
	rate             float64 // units of currency per USD
	exponent         int     // minor-unit digits
}

var tlds = []tld{
	{".com", "USD", 30, 1, 2}, {".co.uk", "GBP", 12, 0.79, 2}, {".de", "EUR", 14, 0.93, 2},
	{".fr", "EUR", 8, 0.93, 2}, {".nl", "EUR", 4, 0.93, 2}, {".it", "EUR", 4, 0.93, 2},
	{".es", "EUR", 4, 0.93, 2}, {".ca", "CAD", 4, 1.37, 2}, {".com.au", "AUD", 3, 1.52, 2},
	{".jp", "JPY", 5, 150, 0}, {".se", "SEK", 2, 10.5, 2}, {".ch", "CHF", 2, 0.89, 2},
	{".pl", "PLN", 2, 4.0, 2}, {".in", "INR", 2, 84, 2}, {".com.br", "BRL", 2, 5.6, 2},
}

var (
	storeWords1 = []string{"north", "urban", "alpine", "harbor", "maple", "copper", "blue", "green", "cedar", "summit",
		"river", "stone", "bright", "little", "grand", "metro", "coastal", "prairie", "golden", "silver", "red", "iron",
		"oak", "pine", "lunar", "solar", "swift", "true", "wild", "happy"}
	storeWords2 = []string{"outfitters", "electronics", "home", "books", "gear", "supply", "market", "store", "shop",
		"kitchen", "sports", "tools", "toys", "audio", "digital", "living", "goods", "depot", "works", "emporium"}
	brands = []string{"Acme", "Nordlys", "Vantor", "Kestrel", "Orbis", "Helio", "Marlowe", "Tamsin", "Quill",
		"Brightwave", "Solenne", "Arden", "Corvid", "Fjell", "Lumo", "Pavo", "Rook", "Sable", "Tern", "Umber",
		"Zephyr", "Halcyon", "Norte", "Alder", "Boreal", "Cinder", "Drift", "Ember", "Flint", "Grove"}
	lines = []string{"Pro", "Lite", "Max", "Air", "Plus", "Classic", "Sport", "Studio", "Go", "Ultra", "Mini", "Core"}
)

type category struct {
	noun     string
	low, top float64 // USD
}

var categories = []category{
	{"Wireless Headphones", 30, 400}, {"Coffee Grinder", 20, 300}, {"Running Shoes", 50, 200},
	{"Hiking Backpack", 30, 250}, {"LED Desk Lamp", 15, 120}, {"27\" 4K Monitor", 150, 900},
	{"Cordless Drill", 40, 350}, {"Chef's Knife", 20, 250}, {"Board Game", 15, 80},
	{"Espresso Machine", 80, 1500}, {"Robot Vacuum", 120, 900}, {"Smartwatch", 80, 700},
	{"Hardcover Novel", 10, 35}, {"Yoga Mat", 15, 120}, {"Air Fryer", 50, 300},
	{"Mechanical Keyboard", 40, 250}, {"2-Person Tent", 60, 800}, {"Electric Bike", 900, 4000},
	{"Bluetooth Speaker", 25, 400}, {"Stand Mixer", 150, 700},
}

// volatility classes: share of products, price moves per day.
var classes = []struct {
	share, perDay float64
	small         bool // repricer: small moves, no sales
}{
	{0.55, 0.04, false}, // a few times a year
	{0.33, 0.15, false}, // about weekly
	{0.10, 0.45, false}, // every other day
	{0.02, 2.0, true},   // repricers: several times a day
}

type seedDomain struct {
	name     string
	tld      tld
	platform int
}

// seedProduct is one generated product with its change-only history.
type seedProduct struct {
	url, domain, title, brand, sku, currency string
	rows                                     []store.PricePoint
}

// generator makes a deterministic catalog from a seed.
type generator struct {
	r       *rand.Rand
	domains []seedDomain
	zipf    *rand.Zipf
	now     int64
	days    int
	slab    []int64
}

func newGenerator(seed uint64, now int64, historyDays int) *generator {
	r := rand.New(rand.NewSource(int64(seed)))
	g := &generator{r: r, now: now, days: historyDays}
	totalW := 0
	for _, t := range tlds {
		totalW += t.weight
	}
	seen := map[string]bool{}
	for len(g.domains) < 5000 {
		w := r.Intn(totalW)
		var t tld
		for _, c := range tlds {
			if w < c.weight {
				t = c
				break
			}
			w -= c.weight
		}
		name := storeWords1[r.Intn(len(storeWords1))] + storeWords2[r.Intn(len(storeWords2))]
		if r.Intn(3) == 0 {
			name += fmt.Sprint(r.Intn(100))
		}
		name += t.suffix
		if seen[name] {
			continue
		}
		seen[name] = true
		g.domains = append(g.domains, seedDomain{name: name, tld: t, platform: r.Intn(4)})
	}
	// A few big stores hold many products; most stores few.
	g.zipf = rand.NewZipf(r, 1.1, 8, uint64(len(g.domains)-1))
	return g
}

func (g *generator) price(p float64) int64 {
	if p < 1 {
		p = 1
	}
	return int64(math.Round(p))
}

// product generates product i (0-based; it makes the URL unique).
func (g *generator) product(i int) seedProduct {
	r := g.r
	d := g.domains[g.zipf.Uint64()]
	cat := categories[r.Intn(len(categories))]
	brand := brands[r.Intn(len(brands))]
	model := fmt.Sprintf("%c%d", 'A'+rune(r.Intn(26)), 100+r.Intn(9900))
	title := fmt.Sprintf("%s %s %s %s", brand, lines[r.Intn(len(lines))], cat.noun, model)
	slug := strings.ToLower(strings.NewReplacer(" ", "-", "\"", "", "'", "").Replace(title))
	sku := fmt.Sprintf("%s-%07d", strings.ToUpper(brand[:3]), i)
	var url string
	switch d.platform {
	case 0:
		url = fmt.Sprintf("https://www.%s/products/%s-%d", d.name, slug, i)
	case 1:
		url = fmt.Sprintf("https://www.%s/dp/B0%08X", d.name, i)
	case 2:
		url = fmt.Sprintf("https://%s/p/%s/%s", d.name, slug, sku)
	default:
		url = fmt.Sprintf("https://shop.%s/product/%s-%d/", d.name, slug, i)
	}
	p := seedProduct{url: url, domain: d.name, title: title, brand: brand, sku: sku, currency: d.tld.currency}
	p.rows = g.history(d.tld, cat, i)
	return p
}

type change struct {
	at    int64
	kind  int // 0 move, 1 sale start, 2 sale end, 3 out of stock, 4 back in stock
	ratio float64
}

const hourMS = 3600_000

func (g *generator) history(t tld, cat category, i int) []store.PricePoint {
	r := g.r
	span := int64(g.days) * store.DayMS
	start := g.now - span
	if r.Float64() < 0.3 { // added during the window
		start += int64(r.Float64() * float64(span) * 0.95)
	}
	// The product's checks run hourly at its own offset.
	offset := int64(i*7919) % hourMS
	slot := func(at int64) int64 { return (at-offset)/hourMS*hourMS + offset + int64(r.Intn(900)) }

	u := r.Float64()
	cls := classes[len(classes)-1]
	for _, c := range classes {
		if u < c.share {
			cls = c
			break
		}
		u -= c.share
	}
	usd := math.Exp(math.Log(cat.low) + r.Float64()*(math.Log(cat.top)-math.Log(cat.low)))
	list := usd * t.rate * math.Pow(10, float64(t.exponent))
	if t.exponent == 2 && list > 500 { // x.99 pricing
		list = math.Round(list/100)*100 - 1
	} else if t.exponent == 0 {
		list = math.Round(list/10) * 10
	}

	var evs []change
	// Price moves: a Poisson process.
	for at := start; ; {
		at += int64(r.ExpFloat64() / cls.perDay * float64(store.DayMS))
		if at >= g.now {
			break
		}
		switch {
		case cls.small:
			evs = append(evs, change{at: at, ratio: 1 + (r.Float64()-0.5)*0.06})
		case r.Float64() < 0.35:
			end := at + int64((1+r.ExpFloat64()*4)*float64(store.DayMS))
			evs = append(evs, change{at: at, kind: 1, ratio: 1 - 0.1 - r.Float64()*0.25})
			if end < g.now {
				evs = append(evs, change{at: end, kind: 2})
			}
		default:
			evs = append(evs, change{at: at, ratio: 1 + (r.Float64()*0.14 - 0.05)})
		}
	}
	// Stock spells.
	for at := start; ; {
		at += int64(r.ExpFloat64() / 0.012 * float64(store.DayMS))
		if at >= g.now {
			break
		}
		evs = append(evs, change{at: at, kind: 3})
		back := at + int64((0.2+r.ExpFloat64()*4)*float64(store.DayMS))
		if back >= g.now {
			break
		}
		evs = append(evs, change{at: back, kind: 4})
		at = back
	}
	sort.Slice(evs, func(a, b int) bool { return evs[a].at < evs[b].at })

	avail := store.InStock
	if r.Float64() < 0.03 {
		avail = store.PreOrder
	}
	cur, onSale, hidden := list, false, false
	rows := make([]store.PricePoint, 0, len(evs)+1)
	last := int64(math.MinInt64)
	emit := func(at int64) {
		at = max(slot(at), last+1)
		if at >= g.now {
			return
		}
		var pp *int64
		if !hidden {
			if len(g.slab) == cap(g.slab) {
				g.slab = make([]int64, 0, 4096)
			}
			g.slab = append(g.slab, g.price(cur))
			pp = &g.slab[len(g.slab)-1]
		}
		row := store.PricePoint{ObservedAt: at, PriceMinor: pp, Currency: t.currency, Availability: avail}
		if n := len(rows); n > 0 && samePoint(rows[n-1], row) {
			return
		}
		rows = append(rows, row)
		last = at
	}
	emit(start)
	for _, e := range evs {
		switch e.kind {
		case 0:
			list *= e.ratio
			if !onSale {
				cur = list
			}
		case 1:
			onSale, cur = true, list*e.ratio
		case 2:
			onSale, cur = false, list
		case 3:
			avail, hidden = store.OutOfStock, r.Intn(10) == 0 // some pages hide the price
		case 4:
			avail, hidden = store.InStock, false
		}
		emit(e.at)
	}
	return rows
}

func samePoint(a, b store.PricePoint) bool {
	sameP := (a.PriceMinor == nil) == (b.PriceMinor == nil) && (a.PriceMinor == nil || *a.PriceMinor == *b.PriceMinor)
	return sameP && a.Currency == b.Currency && a.Availability == b.Availability
}
