package storesim

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// Availability is a product's stock state, named as the extractor names it.
type Availability string

// Availability values.
const (
	InStock    Availability = "in_stock"
	OutOfStock Availability = "out_of_stock"
	PreOrder   Availability = "preorder"
	BackOrder  Availability = "backorder"
)

func (a Availability) valid() bool {
	return a == InStock || a == OutOfStock || a == PreOrder || a == BackOrder
}

func (a Availability) schemaURL() string {
	switch a {
	case OutOfStock:
		return "https://schema.org/OutOfStock"
	case PreOrder:
		return "https://schema.org/PreOrder"
	case BackOrder:
		return "https://schema.org/BackOrder"
	}
	return "https://schema.org/InStock"
}

// Product is the simulated truth for one product: what a correct extractor
// must read from its page.
type Product struct {
	ID           int          `json:"id"`
	Title        string       `json:"title"`
	Price        string       `json:"price"` // decimal, e.g. "1299.99"; "1299" for JPY
	Currency     string       `json:"currency"`
	Availability Availability `json:"availability"`
	ListPrice    string       `json:"list_price,omitempty"` // struck price when on sale
	Layout       Layout       `json:"layout"`
	URL          string       `json:"url"`
	ETag         string       `json:"etag"`
	LastModified int64        `json:"last_modified"` // Unix seconds
	Version      int          `json:"version"`
}

// decoy is the extra, non-payable amount shown near a price on some pages.
type decoy uint8

const (
	decoyNone decoy = iota
	decoyUnit
	decoyInstalment
)

// item is the stored state of one product. Variant fields pick which
// pre-rendered blocks its page uses; they never change.
type item struct {
	id       int
	title    string
	slug     string
	brand    string
	sku      string
	category int
	cur      uint8
	layout   Layout
	decoy    decoy
	unitQty  int64 // grams (or millilitres) in the pack, for the per-unit decoy
	price    int64 // minor units
	base     int64 // the original price: a lower price is shown as a sale
	list     int64 // struck list price, 0 when not on sale
	avail    Availability
	rating   int // tenths of a star
	reviews  int
	pick     [8]uint8 // indexed by the pick* constants
	version  int
	modified int64 // Unix seconds
	etag     string
}

var (
	adjectives = []string{"Classic", "Ultralight", "Compact", "Premium", "Essential", "Vintage", "Modular", "Ergonomic",
		"Wireless", "Organic", "Insulated", "Foldable", "Heavy-Duty", "Slim", "Waterproof", "Handmade", "Smart", "Cordless"}
	nouns = [][]string{
		{"Espresso Grinder", "Chef's Knife", "Dutch Oven", "Kettle", "Cutting Board", "Stand Mixer", "Pour-Over Set"},
		{"Trail Backpack", "Tent", "Sleeping Bag", "Headlamp", "Water Filter", "Camp Stove", "Trekking Poles"},
		{"Headphones", "Bluetooth Speaker", "Mechanical Keyboard", "Webcam", "USB-C Hub", "Monitor Arm", "Desk Lamp"},
		{"Wool Sweater", "Rain Jacket", "Running Shoe", "Linen Shirt", "Leather Belt", "Beanie", "Denim Jacket"},
		{"Yoga Mat", "Kettlebell", "Foam Roller", "Jump Rope", "Resistance Bands", "Cycling Gloves", "Gym Bag"},
		{"Green Tea", "Coffee Beans", "Olive Oil", "Dark Chocolate", "Honey", "Granola", "Hot Sauce"},
	}
	categoryNames = []string{"Kitchen", "Outdoor", "Electronics", "Clothing", "Fitness", "Pantry"}
	brands        = []string{"Northwind", "Aldergrove", "Kestrel & Co", "Lumio", "Fjellstad", "Harbor Goods", "Tanaka Works", "Verde", "Oakline", "Brightfield"}
	qualifiers    = []string{"", "", "2-Pack", "Large", "XL", "Pro", "Mini", "Set of 4", "Gen 2", "500 g", "1 L", "Travel Edition"}
	colours       = []string{"", "", "Black", "Slate Blue", "Forest Green", "Sand", "Graphite", "Rust"}
)

// productRand gives product id its own stream: a product's generated state
// depends only on the seed and its id, so adding products later, or building
// a store with more products, never changes the existing ones.
func productRand(seed uint64, id int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, uint64(id)*0x9E3779B97F4A7C15+1))
}

func newItem(seed uint64, id int, layouts []Layout, baseTime int64) item {
	r := productRand(seed, id)
	it := item{id: id, category: r.IntN(len(nouns))}
	cat := nouns[it.category]
	parts := []string{adjectives[r.IntN(len(adjectives))], cat[r.IntN(len(cat))]}
	if q := qualifiers[r.IntN(len(qualifiers))]; q != "" {
		parts = append(parts, q)
	}
	if c := colours[r.IntN(len(colours))]; c != "" {
		parts = append(parts, "–", c)
	}
	it.brand = brands[r.IntN(len(brands))]
	it.title = it.brand + " " + strings.Join(parts, " ")
	it.slug = slugify(it.title)
	it.sku = "SW-" + strconv.Itoa(100000+id)
	it.cur = uint8(r.IntN(len(currencies)))
	it.layout = layouts[r.IntN(len(layouts))]
	c := &currencies[it.cur]
	it.price = randomPrice(r, c)
	it.base = it.price
	if r.IntN(10) < 3 {
		// On sale: the original price is 10–50 % above and shown struck.
		it.base = roundPrice(c, it.price*int64(110+r.IntN(41))/100)
		if it.base > it.price {
			it.list = it.base
		}
	}
	switch n := r.IntN(10); {
	case n < 4 && it.category == len(nouns)-1: // per-unit prices are for groceries
		it.decoy = decoyUnit
		it.unitQty = []int64{250, 500, 750, 1000}[r.IntN(4)]
	case n >= 7:
		it.decoy = decoyInstalment
	}
	switch n := r.IntN(100); {
	case n < 70:
		it.avail = InStock
	case n < 85:
		it.avail = OutOfStock
	case n < 93:
		it.avail = PreOrder
	default:
		it.avail = BackOrder
	}
	it.rating = 30 + r.IntN(21)
	it.reviews = r.IntN(2400)
	for i := range it.pick {
		it.pick[i] = uint8(r.IntN(256))
	}
	it.modified = baseTime - int64(r.IntN(90*86400))
	it.version = 1
	return it
}

// randomPrice draws a price with the endings stores use (.99, .49, .00, or
// whole units ending in 9 in whole-unit currencies).
func randomPrice(r *rand.Rand, c *currency) int64 {
	whole := c.lo + r.Int64N(c.hi-c.lo)
	// Log-ish spread: most products are cheap.
	if r.IntN(3) > 0 {
		whole = c.lo + r.Int64N((c.hi-c.lo)/10+1)
	}
	return roundPrice(c, whole*c.scale())
}

func roundPrice(c *currency, minor int64) int64 {
	sc := c.scale()
	whole := minor / sc
	if c.whole {
		if whole >= 100 {
			whole = whole/10*10 + 9
		}
		return max(whole*sc, sc)
	}
	switch whole % 3 {
	case 0:
		return whole*sc + 99*sc/100
	case 1:
		return whole*sc + 49*sc/100
	}
	return max(whole*sc, sc)
}

func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
