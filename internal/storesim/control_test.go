package storesim

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/extract"
)

func call(t *testing.T, h http.Handler, method, url, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestControlAPI: a change through the API is what the next page shows,
// with a new ETag, and what GET returns.
func TestControlAPI(t *testing.T) {
	st := New(Options{Products: 30, Seed: 9})
	h := st.Handler()
	for id := 1; id <= 30; id++ {
		before, _ := st.Product(id)
		b1, url := fetchPage(t, st, id)
		price := "17"
		if before.Currency != "JPY" {
			price = "17.25"
		}
		rec := call(t, h, "POST", "http://shop.test/_sim/products/"+itoa(id), `{"price":"`+price+`","availability":"backorder"}`)
		if rec.Code != 200 {
			t.Fatalf("POST product %d: %d %s", id, rec.Code, rec.Body)
		}
		var after Product
		if err := json.Unmarshal(call(t, h, "GET", "http://shop.test/_sim/products/"+itoa(id), "").Body.Bytes(), &after); err != nil {
			t.Fatal(err)
		}
		if !samePrice(after.Price, price) || after.Availability != BackOrder || after.ETag == before.ETag || after.Version != before.Version+1 {
			t.Fatalf("product %d after change: %+v (before %+v)", id, after, before)
		}
		b2, _ := fetchPage(t, st, id)
		o := extract.Extract(b2, url, extract.Options{})
		if !samePrice(o.Price, price) || o.Availability != extract.BackOrder || o.Currency != before.Currency {
			t.Errorf("product %d page after change: %q %q %s", id, o.Price, o.Currency, o.Availability)
		}
		if string(b1) == string(b2) {
			t.Errorf("product %d: page unchanged", id)
		}
	}
	for _, c := range []struct {
		path, body string
		code       int
	}{
		{"/_sim/products/999", `{"price":"1.00"}`, 404},
		{"/_sim/products/1", `{"price":"-1"}`, 422},
		{"/_sim/products/1", `{"price":"1.234"}`, 422},
		{"/_sim/products/1", `{"availability":"maybe"}`, 422},
		{"/_sim/products/1", `{"availabilty":"in_stock"}`, 400},
		{"/_sim/config", `{"error_rate":2}`, 422},
		{"/_sim/tick", `{}`, 422},
		{"/_sim/products", `{"count":0}`, 422},
	} {
		if rec := call(t, h, "POST", "http://shop.test"+c.path, c.body); rec.Code != c.code {
			t.Errorf("POST %s %s: %d, want %d (%s)", c.path, c.body, rec.Code, c.code, rec.Body)
		}
	}
}

func TestControlAddTickStats(t *testing.T) {
	st := New(Options{Products: 200, Seed: 4})
	h := st.Handler()
	rec := call(t, h, "POST", "http://shop.test/_sim/products", `{"count":3}`)
	var added struct{ Products []Product }
	if err := json.Unmarshal(rec.Body.Bytes(), &added); err != nil || rec.Code != 201 || len(added.Products) != 3 || added.Products[2].ID != 203 {
		t.Fatalf("add: %d %s", rec.Code, rec.Body)
	}
	before := map[int]Product{}
	for id := 1; id <= st.Len(); id++ {
		before[id], _ = st.Product(id)
	}
	rec = call(t, h, "POST", "http://shop.test/_sim/tick", `{"changed_share":0.1}`)
	var tick struct {
		Changed int   `json:"changed"`
		IDs     []int `json:"ids"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &tick); err != nil || tick.Changed != 20 || len(tick.IDs) != 20 {
		t.Fatalf("tick: %s", rec.Body)
	}
	changed := map[int]bool{}
	for _, id := range tick.IDs {
		changed[id] = true
	}
	for id := 1; id <= st.Len(); id++ {
		p, _ := st.Product(id)
		if moved := p.Price != before[id].Price; moved != changed[id] {
			t.Errorf("product %d: price moved %v, listed as changed %v", id, moved, changed[id])
		}
	}
	fetchPage(t, st, 1)
	call(t, h, "GET", "http://shop.test/robots.txt", "")
	var s Stats
	if err := json.Unmarshal(call(t, h, "GET", "http://shop.test/_sim/stats", "").Body.Bytes(), &s); err != nil {
		t.Fatal(err)
	}
	if s.Pages != 1 || s.Robots != 1 || s.Control != 3 || s.Total != 5 {
		t.Errorf("stats %+v", s)
	}
}

// TestFaultInjection: each injected failure has its own status and count;
// robots.txt and the control API are never failed.
func TestFaultInjection(t *testing.T) {
	st := New(Options{Products: 10, Seed: 1})
	h := st.Handler()
	url := "http://shop.test" + st.URL(1)
	for _, c := range []struct {
		cfg  string
		code int
		body string
	}{
		{`{"error_rate":1}`, 500, ""},
		{`{"error_rate":0,"status_429_rate":1}`, 429, ""},
		{`{"status_429_rate":0,"block_rate":1}`, 403, "Verify you are human"},
	} {
		if rec := call(t, h, "POST", "http://shop.test/_sim/config", c.cfg); rec.Code != 200 {
			t.Fatalf("config %s: %d %s", c.cfg, rec.Code, rec.Body)
		}
		rec := call(t, h, "GET", url, "")
		if rec.Code != c.code || !strings.Contains(rec.Body.String(), c.body) {
			t.Errorf("%s: %d, want %d", c.cfg, rec.Code, c.code)
		}
		if c.code == 429 && rec.Header().Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		if rec := call(t, h, "GET", "http://shop.test/robots.txt", ""); rec.Code != 200 {
			t.Errorf("%s: robots.txt %d", c.cfg, rec.Code)
		}
	}
	// A share: about that share fails, reproducibly.
	if rec := call(t, h, "POST", "http://shop.test/_sim/config", `{"block_rate":0,"error_rate":0.25}`); rec.Code != 200 {
		t.Fatal(rec.Body)
	}
	failed := 0
	for range 400 {
		if call(t, h, "GET", url, "").Code == 500 {
			failed++
		}
	}
	if failed < 60 || failed > 140 {
		t.Errorf("%d of 400 failed at error_rate 0.25", failed)
	}
	s := st.Stats()
	if s.Errors != uint64(1+failed) || s.Status429 != 1 || s.Blocked != 1 {
		t.Errorf("stats %+v", s)
	}
}

// TestLatency: the configured delay comes before a store response, and a
// client that gives up does not hold the handler (fake clock: synctest).
func TestLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := New(Options{Products: 3, Config: Config{LatencyMS: 300}})
		h := st.Handler()
		start := time.Now()
		if rec := call(t, h, "GET", "http://shop.test"+st.URL(1), ""); rec.Code != 200 {
			t.Fatalf("page: %d", rec.Code)
		}
		if d := time.Since(start); d != 300*time.Millisecond {
			t.Errorf("page took %v with 300 ms latency", d)
		}
		start = time.Now()
		if rec := call(t, h, "GET", "http://shop.test/_sim/stats", ""); rec.Code != 200 || time.Since(start) != 0 {
			t.Errorf("control API delayed or failed: %d after %v", rec.Code, time.Since(start))
		}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start = time.Now()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "http://shop.test"+st.URL(1), nil).WithContext(ctx))
		if d := time.Since(start); d != 100*time.Millisecond || rec.Body.Len() != 0 {
			t.Errorf("cancelled request returned after %v with %d bytes", d, rec.Body.Len())
		}
	})
}

// TestAddChosenProducts: a catalog test can add products with the titles
// its keyword filters look for; their pages and feeds show them.
func TestAddChosenProducts(t *testing.T) {
	st := New(Options{Products: 10, Seed: 4})
	h := st.Handler()
	rec := call(t, h, "POST", "http://shop.test/_sim/products",
		`{"products":[{"title":"Limited Edition Espresso Grinder","price":"1299.5","currency":"EUR","availability":"preorder","layout":"visible"},{"title":"Plain Mug"}]}`)
	if rec.Code != 201 {
		t.Fatalf("add: %d %s", rec.Code, rec.Body)
	}
	p, _ := st.Product(11)
	if p.Title != "Limited Edition Espresso Grinder" || p.Price != "1299.50" || p.Currency != "EUR" || p.Layout != LayoutVisible ||
		!strings.HasSuffix(p.URL, "/p/11-limited-edition-espresso-grinder") {
		t.Fatalf("added product %+v", p)
	}
	body, url := fetchPage(t, st, 11)
	if o := extract.Extract(body, url, extract.Options{}); o.Title != p.Title || !samePrice(o.Price, "1299.50") || o.Currency != "EUR" || o.Availability != extract.PreOrder {
		t.Errorf("added product's page reads %q %q %q %s", o.Title, o.Price, o.Currency, o.Availability)
	}
	if feed := get(t, h, "http://shop.test/products.json?limit=250").Body.String(); !strings.Contains(feed, "Plain Mug") {
		t.Error("feed lacks an added product")
	}
	for _, body := range []string{
		`{"products":[{"title":"A","currency":"CHF"}]}`,
		`{"products":[{"title":"A","currency":"JPY","price":"10.5"}]}`,
		`{"products":[{"title":"ok"},{"availability":"soon"}]}`,
		`{"count":2,"products":[{"title":"A"}]}`,
	} {
		if rec := call(t, h, "POST", "http://shop.test/_sim/products", body); rec.Code != 422 {
			t.Errorf("%s: %d, want 422", body, rec.Code)
		}
	}
	if st.Len() != 12 {
		t.Errorf("%d products after rejected adds, want 12 (no partial writes)", st.Len())
	}
}

func TestTickStock(t *testing.T) {
	st := New(Options{Products: 100, Seed: 4})
	before := map[int]Availability{}
	for id := 1; id <= 100; id++ {
		p, _ := st.Product(id)
		before[id] = p.Availability
	}
	rec := call(t, st.Handler(), "POST", "http://shop.test/_sim/tick", `{"stock_share":0.2}`)
	var out struct {
		StockIDs []int `json:"stock_ids"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.StockIDs) != 20 {
		t.Fatalf("tick: %d %s", rec.Code, rec.Body)
	}
	flipped := map[int]bool{}
	for _, id := range out.StockIDs {
		flipped[id] = true
	}
	for id := 1; id <= 100; id++ {
		p, _ := st.Product(id)
		if changed := p.Availability != before[id]; changed != flipped[id] {
			t.Errorf("product %d: %s → %s, listed %v", id, before[id], p.Availability, flipped[id])
		}
		if flipped[id] && (before[id] == InStock) != (p.Availability == OutOfStock) {
			t.Errorf("product %d: %s → %s", id, before[id], p.Availability)
		}
	}
}
