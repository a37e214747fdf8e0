package storesim

import (
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
)

// Options configure a Store. The zero value is a 1,000-product store on one
// host with seed 0 and no fault injection.
type Options struct {
	Products int      // number of products at start; 0 means 1,000
	Seed     uint64   // all content derives from it
	Hosts    int      // loopback addresses to spread products over (see the package comment); 0 or 1: one
	Layouts  []Layout // layout mix; empty means DefaultLayouts()
	TLS      bool     // serve HTTPS with a self-signed certificate made at Start
	// SitemapSize is the number of URLs per gzip sitemap (at most and by
	// default 50,000, the protocol's limit); tests set it lower.
	SitemapSize int
	Config      Config // initial fault injection and pacing
}

// Config is the part of the behaviour that can change while serving
// (POST /_sim/config).
type Config struct {
	LatencyMS     int     `json:"latency_ms"`      // added before every store response
	ErrorRate     float64 `json:"error_rate"`      // share of requests answered 500
	Status429Rate float64 `json:"status_429_rate"` // share answered 429 with Retry-After
	BlockRate     float64 `json:"block_rate"`      // share answered with a CAPTCHA-like bot wall (403)
	CrawlDelay    float64 `json:"crawl_delay"`     // seconds, written to robots.txt when > 0
	// NoValidators drops ETag and Last-Modified from pages, like stores
	// whose pages are never cacheable: every check is then a full fetch.
	NoValidators bool `json:"no_validators"`
}

// Errors from the Go and control APIs.
var (
	ErrNoProduct       = errors.New("no such product")
	ErrBadAvailability = errors.New("availability must be in_stock, out_of_stock, preorder or backorder")
)

// Validate reports the first invalid option.
func (o Options) Validate() error {
	switch {
	case o.Products < 0 || o.Products > 5_000_000:
		return fmt.Errorf("products must be between 0 and 5000000, got %d", o.Products)
	case o.Hosts < 0 || o.Hosts > 250:
		return fmt.Errorf("hosts must be between 1 and 250, got %d", o.Hosts)
	case o.SitemapSize < 0 || o.SitemapSize > 50_000:
		return fmt.Errorf("sitemap size must be at most 50000, got %d", o.SitemapSize)
	}
	for _, l := range o.Layouts {
		if !l.valid() {
			return fmt.Errorf("unknown layout %q", l)
		}
	}
	return o.Config.validate()
}

func (c Config) validate() error {
	for _, r := range []struct {
		name string
		v    float64
	}{{"error_rate", c.ErrorRate}, {"status_429_rate", c.Status429Rate}, {"block_rate", c.BlockRate}} {
		if !(r.v >= 0 && r.v <= 1) { // written so that NaN fails too
			return fmt.Errorf("%s must be between 0 and 1, got %g", r.name, r.v)
		}
	}
	if c.ErrorRate+c.Status429Rate+c.BlockRate > 1 {
		return errors.New("error_rate + status_429_rate + block_rate must not exceed 1")
	}
	if c.LatencyMS < 0 || c.LatencyMS > 60_000 {
		return fmt.Errorf("latency_ms must be between 0 and 60000, got %d", c.LatencyMS)
	}
	if !(c.CrawlDelay >= 0 && c.CrawlDelay <= 3600) {
		return fmt.Errorf("crawl_delay must be between 0 and 3600, got %g", c.CrawlDelay)
	}
	return nil
}

// Store is a running simulation. Its methods are safe for concurrent use.
type Store struct {
	opt     Options
	layouts []Layout
	chrome  *chrome

	mu         sync.RWMutex
	items      []item // items[id-1]
	cfg        Config
	ticks      uint64
	stockTicks uint64
	origins    []string // one per host once started: "http://127.0.0.2:8080"

	pages sync.Pool // *page
	reqN  atomic.Uint64
	stats stats

	started  atomic.Bool
	certPool *x509.CertPool // set by Start before it returns
	wg       sync.WaitGroup
}

// baseTime anchors generated Last-Modified times so that they are the same
// in every run with the same seed.
const baseTime = 1_780_000_000 // 2026-05-28

// New builds a store. Invalid options are clamped to the nearest valid value;
// call Options.Validate first to report them instead.
func New(o Options) *Store {
	if o.Products <= 0 {
		o.Products = 1000
	}
	o.Products = min(o.Products, 5_000_000)
	o.Hosts = min(max(o.Hosts, 1), 250)
	if o.SitemapSize <= 0 || o.SitemapSize > 50_000 {
		o.SitemapSize = 50_000
	}
	if o.Config.validate() != nil {
		o.Config = Config{}
	}
	st := &Store{opt: o, cfg: o.Config}
	for _, l := range o.Layouts {
		if l.valid() {
			st.layouts = append(st.layouts, l)
		}
	}
	if len(st.layouts) == 0 {
		st.layouts = DefaultLayouts()
	}
	st.items = make([]item, 0, o.Products)
	for id := 1; id <= o.Products; id++ {
		st.items = append(st.items, newItem(o.Seed, id, st.layouts, baseTime))
		st.items[id-1].etag = st.etagOf(&st.items[id-1])
	}
	st.chrome = newChrome(o.Seed, st.sampleCard)
	st.pages.New = func() any { return new(page) }
	return st
}

// sampleCard names a real product for a carousel card, so card links lead
// somewhere.
func (st *Store) sampleCard(r *rand.Rand) (int, string, string) {
	it := &st.items[r.IntN(len(st.items))]
	return it.id, it.title, it.slug
}

// etagOf hashes what a page shows that can change; the version alone would
// do, the rest guards against a reused version after a restart.
func (st *Store) etagOf(it *item) string {
	h := fnv.New64a()
	var b [8]byte
	for _, v := range []uint64{st.opt.Seed, uint64(it.id), uint64(it.version), uint64(it.price), uint64(it.cur)} {
		binary.LittleEndian.PutUint64(b[:], v)
		_, _ = h.Write(b[:])
	}
	_, _ = h.Write([]byte(it.avail))
	_, _ = h.Write([]byte(it.title))
	return fmt.Sprintf(`"%x-%d"`, h.Sum64(), it.version)
}

// Len is the number of products; ids run from 1 to Len.
func (st *Store) Len() int {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return len(st.items)
}

// Product returns the current truth for id.
func (st *Store) Product(id int) (Product, bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	if id < 1 || id > len(st.items) {
		return Product{}, false
	}
	return st.productLocked(&st.items[id-1]), true
}

func (st *Store) productLocked(it *item) Product {
	c := &currencies[it.cur]
	p := Product{
		ID: it.id, Title: it.title, Price: c.decimalString(it.price), Currency: c.code, Availability: it.avail,
		Layout: it.layout, URL: st.urlLocked(it), ETag: it.etag, LastModified: it.modified, Version: it.version,
	}
	if it.list > it.price {
		p.ListPrice = c.decimalString(it.list)
	}
	return p
}

// URL is the absolute URL of product id once the store is started, and its
// path ("/p/12-slug") before.
func (st *Store) URL(id int) string {
	st.mu.RLock()
	defer st.mu.RUnlock()
	if id < 1 || id > len(st.items) {
		return ""
	}
	return st.urlLocked(&st.items[id-1])
}

func (st *Store) urlLocked(it *item) string {
	return st.originLocked(it.id) + "/p/" + itoa(it.id) + "-" + it.slug
}

func (st *Store) originLocked(id int) string {
	if len(st.origins) == 0 {
		return ""
	}
	return st.origins[id%len(st.origins)]
}

// Origins are the base URLs the store listens on, one per host, after Start.
func (st *Store) Origins() []string {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return append([]string(nil), st.origins...)
}

// SetPrice changes the price of id ("12.34", in its currency's decimals). A
// price below the product's original price shows as a sale with the original
// struck through.
func (st *Store) SetPrice(id int, price string) error {
	return st.Update(id, price, "")
}

// SetAvailability changes the stock state of id.
func (st *Store) SetAvailability(id int, a Availability) error {
	return st.Update(id, "", a)
}

// Update changes price and/or availability (empty values are left as they
// are) in one step: one new version, one new ETag.
func (st *Store) Update(id int, price string, a Availability) error {
	if a != "" && !a.valid() {
		return ErrBadAvailability
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if id < 1 || id > len(st.items) {
		return ErrNoProduct
	}
	it := &st.items[id-1]
	newPrice := it.price
	if price != "" {
		v, err := currencies[it.cur].parseDecimal(price)
		if err != nil {
			return err
		}
		newPrice = v
	}
	newAvail := it.avail
	if a != "" {
		newAvail = a
	}
	if newPrice == it.price && newAvail == it.avail {
		return nil // nothing a shopper would see changed: keep the ETag
	}
	it.price, it.avail = newPrice, newAvail
	st.touchLocked(it)
	return nil
}

// touchLocked gives a changed item a new version, sale state, ETag and a
// Last-Modified strictly after the previous one (HTTP dates have one-second
// resolution; two changes in one second must still differ).
func (st *Store) touchLocked(it *item) {
	it.list = 0
	if it.base > it.price {
		it.list = it.base
	}
	it.version++
	it.modified = max(time.Now().Unix(), it.modified+1)
	it.etag = st.etagOf(it)
}

// Add appends n generated products and returns their ids.
func (st *Store) Add(n int) []int {
	ids, _ := st.AddProducts(make([]NewProduct, n)...) // zero specs are always valid
	return ids
}

// NewProduct describes a product to add. Empty fields are generated from the
// seed and the new id, as for the initial products.
type NewProduct struct {
	Title        string       `json:"title"`
	Price        string       `json:"price"`    // in the currency's decimals
	Currency     string       `json:"currency"` // USD, EUR, GBP, SEK, JPY or INR
	Availability Availability `json:"availability"`
	Layout       Layout       `json:"layout"`
}

// AddProducts appends products (catalog tests add ones with titles their
// keyword filters match) and returns their ids. Either all are added or,
// when one is invalid, none.
func (st *Store) AddProducts(specs ...NewProduct) ([]int, error) {
	for i, sp := range specs {
		if err := sp.validate(); err != nil {
			return nil, fmt.Errorf("product %d: %w", i+1, err)
		}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	now := time.Now().Unix()
	ids := make([]int, 0, len(specs))
	for _, sp := range specs {
		id := len(st.items) + 1
		it := newItem(st.opt.Seed, id, st.layouts, baseTime)
		sp.apply(&it)
		it.modified = now
		it.etag = st.etagOf(&it)
		st.items = append(st.items, it)
		ids = append(ids, id)
	}
	return ids, nil
}

func (sp NewProduct) validate() error {
	if len(sp.Title) > 200 || strings.ContainsFunc(sp.Title, unicode.IsControl) {
		return errors.New("title must be at most 200 characters, without control characters")
	}
	if sp.Availability != "" && !sp.Availability.valid() {
		return ErrBadAvailability
	}
	if sp.Layout != "" && !sp.Layout.valid() {
		return fmt.Errorf("unknown layout %q", sp.Layout)
	}
	if sp.Currency != "" {
		if _, ok := currencyIndex(sp.Currency); !ok {
			return fmt.Errorf("currency %q is not simulated (USD, EUR, GBP, SEK, JPY, INR)", sp.Currency)
		}
	}
	if sp.Price != "" {
		var it item
		sp.apply(&it)
		if _, err := currencies[it.cur].parseDecimal(sp.Price); err != nil {
			return err
		}
	}
	return nil
}

// apply overrides the generated fields of it; sp is valid.
func (sp NewProduct) apply(it *item) {
	if sp.Title != "" {
		it.title = sp.Title
		it.slug = slugify(sp.Title)
		if it.slug == "" {
			it.slug = "product"
		}
	}
	if sp.Currency != "" {
		ci, _ := currencyIndex(sp.Currency)
		if uint8(ci) != it.cur {
			it.cur = uint8(ci)
			c := &currencies[ci]
			it.price = roundPrice(c, c.lo*c.scale())
			it.base, it.list = it.price, 0
		}
	}
	if sp.Price != "" {
		it.price, _ = currencies[it.cur].parseDecimal(sp.Price)
		it.base, it.list = it.price, 0
	}
	if sp.Availability != "" {
		it.avail = sp.Availability
	}
	if sp.Layout != "" {
		it.layout = sp.Layout
	}
}

// Config returns the current fault-injection settings.
func (st *Store) Config() Config {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.cfg
}

// SetConfig replaces the fault-injection settings.
func (st *Store) SetConfig(c Config) error {
	if err := c.validate(); err != nil {
		return err
	}
	st.mu.Lock()
	st.cfg = c
	st.mu.Unlock()
	return nil
}

// Tick changes the price of a share (0..1) of the products, chosen at random
// from the seed and the tick count, and returns their ids. Prices move by
// −30 % … +25 %, never to the same value.
func (st *Store) Tick(share float64) []int {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.ticks++
	n := int(share*float64(len(st.items)) + 0.5)
	n = min(max(n, 0), len(st.items))
	r := rand.New(rand.NewPCG(st.opt.Seed^0x71C4, st.ticks))
	ids := make([]int, 0, n)
	for _, ix := range r.Perm(len(st.items))[:n] {
		it := &st.items[ix]
		c := &currencies[it.cur]
		p := roundPrice(c, it.price*int64(70+r.IntN(56))/100)
		if p == it.price {
			p = it.price + c.scale()
		}
		it.price = p
		st.touchLocked(it)
		ids = append(ids, it.id)
	}
	slices.Sort(ids)
	return ids
}

// TickStock changes the stock of a share (0..1) of the products, chosen at
// random like Tick: in stock becomes out of stock, any other state in stock.
// It returns their ids.
func (st *Store) TickStock(share float64) []int {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.stockTicks++
	n := min(max(int(share*float64(len(st.items))+0.5), 0), len(st.items))
	r := rand.New(rand.NewPCG(st.opt.Seed^0x570C, st.stockTicks))
	ids := make([]int, 0, n)
	for _, ix := range r.Perm(len(st.items))[:n] {
		it := &st.items[ix]
		if it.avail == InStock {
			it.avail = OutOfStock
		} else {
			it.avail = InStock
		}
		st.touchLocked(it)
		ids = append(ids, it.id)
	}
	slices.Sort(ids)
	return ids
}

// CertPool holds the certificate of a TLS store once Start has returned,
// for clients that must trust it; nil otherwise.
func (st *Store) CertPool() *x509.CertPool { return st.certPool }
