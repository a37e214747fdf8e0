package monitor

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/fetch"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// fakeShop is a Fetcher over in-memory pages with ETag semantics, counting
// requests; gate, when set, holds each fetch until it is closed.
type fakeShop struct {
	mu       sync.Mutex
	pages    map[string][]byte
	fetches  map[string]int
	outcome  map[string]fetch.Outcome // forced outcome per URL
	gate     chan struct{}
	inFlight chan string
}

func newFakeShop() *fakeShop {
	return &fakeShop{pages: map[string][]byte{}, fetches: map[string]int{}, outcome: map[string]fetch.Outcome{}}
}

func (f *fakeShop) set(url string, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pages[url] = body
}

func (f *fakeShop) count(url string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fetches[url]
}

func (f *fakeShop) Fetch(ctx context.Context, req fetch.Request) (*fetch.Result, error) {
	if f.inFlight != nil {
		f.inFlight <- req.URL
	}
	if f.gate != nil {
		<-f.gate
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fetches[req.URL]++
	if o, ok := f.outcome[req.URL]; ok {
		return &fetch.Result{Outcome: o, Err: fmt.Errorf("forced %s", o)}, nil
	}
	body, ok := f.pages[req.URL]
	if !ok {
		return &fetch.Result{Outcome: fetch.OutcomeHTTPError, Status: 404, Err: fmt.Errorf("HTTP 404")}, nil
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	if req.ETag == etag {
		return &fetch.Result{Outcome: fetch.OutcomeNotModified, Status: 304, FinalURL: req.URL, ETag: etag, BodyHash: req.PrevBodyHash}, nil
	}
	return &fetch.Result{Outcome: fetch.OutcomeOK, Status: 200, FinalURL: req.URL, Body: body, ETag: etag,
		BodyHash: hex.EncodeToString(sum[:]), Duration: time.Millisecond}, nil
}

// fakeConfirmer records the products it was asked to confirm.
type fakeConfirmer struct {
	mu  sync.Mutex
	ids []int64
}

func (c *fakeConfirmer) EnqueueTx(context.Context, *sql.Tx, int64) (bool, error) { return false, nil }
func (c *fakeConfirmer) Enqueue(_ context.Context, id int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ids = append(c.ids, id)
	return nil
}

type fixture struct {
	st   *store.Store
	shop *fakeShop
	ws   int64
	// skew moves the monitor's clock ahead of the real one: due() jumps a
	// minute, while the real clock still runs for the domain slots.
	skew time.Duration
}

func (f *fixture) now() time.Time { return time.Now().Add(f.skew) }

func newFixture(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	ws, err := st.EnsureWorkspace(t.Context(), "w", "W")
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, shop: newFakeShop(), ws: ws.ID, skew: time.Minute}
}

func (f *fixture) add(t *testing.T, i int, price string) *store.Product {
	t.Helper()
	u := fmt.Sprintf("https://shop%d.example/p/%d", i%2, i)
	f.shop.set(u, productPage(fmt.Sprintf("Product %d", i), price, "EUR", "InStock"))
	p := &store.Product{URL: u, CanonicalURL: u}
	if _, err := f.st.CreateWatchForURL(t.Context(), f.ws, p, &store.Watch{}); err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fixture) monitor(t *testing.T, owner string, conf Confirmer) *Monitor {
	t.Helper()
	m, err := New(Options{Store: f.st, Fetcher: f.shop, Owner: owner, DefaultRatePerMin: 6000, Confirmer: conf,
		Now: f.now})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// due makes every product due again, as if its interval had passed.
func (f *fixture) due(t *testing.T) {
	t.Helper()
	f.skew += time.Minute
	if _, err := f.st.DB().Write.ExecContext(t.Context(), `UPDATE products SET next_check_at = $1`, f.now().UnixMilli()); err != nil {
		t.Fatal(err)
	}
}

func runOnce(t *testing.T, m *Monitor) int {
	t.Helper()
	n, err := m.RunOnce(t.Context(), t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func forEngines(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			fn(t, store.New(dbtest.Open(t, eng)))
		})
	}
}

func kinds(evs []store.Event) []string {
	out := []string{}
	for _, e := range evs {
		out = append(out, e.Kind)
	}
	return out
}

func TestPipeline(t *testing.T) {
	forEngines(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		var ps []*store.Product
		for i := range 3 {
			ps = append(ps, f.add(t, i, fmt.Sprintf("%d.99", 10+i)))
		}
		m := f.monitor(t, "w1", nil)
		if n := runOnce(t, m); n != 3 {
			t.Fatalf("claimed %d, want 3", n)
		}
		for i, p := range ps {
			got, err := st.GetProduct(t.Context(), p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Title != fmt.Sprintf("Product %d", i) || got.PriceMinor == nil || *got.PriceMinor != int64(1099+100*i) ||
				got.Currency != "EUR" || got.Availability != store.InStock || got.LastCheckedAt == nil || got.LeaseOwner != "" {
				t.Errorf("product %d after the first check: %+v", i, got)
			}
			if got.NextCheckAt <= f.now().UnixMilli() {
				t.Errorf("product %d not rescheduled", i)
			}
		}
		if n := runOnce(t, m); n != 0 {
			t.Fatalf("claimed %d products that are not due", n)
		}

		// Product 0 drops in price, product 1 sells out, product 2 stays.
		f.shop.set(ps[0].URL, productPage("Product 0", "9.49", "EUR", "InStock"))
		f.shop.set(ps[1].URL, productPage("Product 1", "11.99", "EUR", "OutOfStock"))
		for range 2 { // the second round sees nothing new (304s)
			f.due(t)
			runOnce(t, m)
		}
		want := map[int][]string{0: {store.EventPriceChanged}, 1: {store.EventOutOfStock}, 2: {}}
		for i, p := range ps {
			hist, err := st.ListPriceHistory(t.Context(), p.ID, store.FindHistory{})
			if err != nil {
				t.Fatal(err)
			}
			evs, err := st.ListEvents(t.Context(), p.ID, 10)
			if err != nil {
				t.Fatal(err)
			}
			if wantRows := 1 + len(want[i]); len(hist) != wantRows || !slices.Equal(kinds(evs), want[i]) {
				t.Errorf("product %d: %d history rows, events %v; want %d, %v", i, len(hist), kinds(evs), wantRows, want[i])
			}
			if got, _ := st.GetProduct(t.Context(), p.ID); got.LastOutcome != string(fetch.OutcomeNotModified) {
				t.Errorf("product %d: last outcome %q, want not_modified on the last round", i, got.LastOutcome)
			}
		}
		d, err := st.GetDomain(t.Context(), "shop0.example")
		if err != nil || d.Checks != 6 || d.Successes != 6 {
			t.Errorf("domain health %+v %v", d, err)
		}
	})
}

func TestFailingProduct(t *testing.T) {
	forEngines(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		p := f.add(t, 1, "5.00")
		f.shop.outcome[p.URL] = fetch.OutcomeTimeout
		m := f.monitor(t, "w1", nil)
		for range store.FailingAfter {
			runOnce(t, m)
			f.due(t)
		}
		got, _ := st.GetProduct(t.Context(), p.ID)
		evs, _ := st.ListEvents(t.Context(), p.ID, 10)
		if got.Status != store.StatusFailing || !slices.Equal(kinds(evs), []string{store.EventProductFailing}) {
			t.Fatalf("status %s events %v", got.Status, kinds(evs))
		}
		f.shop.outcome[p.URL] = fetch.OutcomeBlocked
		runOnce(t, m)
		got, _ = st.GetProduct(t.Context(), p.ID)
		if got.ConsecutiveFailures != store.FailingAfter || got.LastOutcome != "blocked" {
			t.Fatalf("a bot wall counted as a page failure: %+v", got)
		}
	})
}

func TestSuspiciousChangeIsConfirmed(t *testing.T) {
	forEngines(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		p := f.add(t, 1, "100.00")
		conf := &fakeConfirmer{}
		m := f.monitor(t, "w1", conf)
		runOnce(t, m)
		// A 90 % drop: held until confirmed.
		f.shop.set(p.URL, productPage("Product 1", "10.00", "EUR", "InStock"))
		f.due(t)
		runOnce(t, m)
		got, _ := st.GetProduct(t.Context(), p.ID)
		evs, _ := st.ListEvents(t.Context(), p.ID, 10)
		if *got.PriceMinor != 10000 || got.PendingChange == "" || len(evs) != 0 || !slices.Equal(conf.ids, []int64{p.ID}) {
			t.Fatalf("after a suspicious change: price %d, pending %q, events %v, confirms %v", *got.PriceMinor, got.PendingChange, kinds(evs), conf.ids)
		}
		// The confirm job's work: claim the product and re-check it.
		w := &confirmWorker{m: m}
		if err := w.Work(t.Context(), &riverJob(p.ID).Job); err != nil {
			t.Fatal(err)
		}
		got, _ = st.GetProduct(t.Context(), p.ID)
		evs, _ = st.ListEvents(t.Context(), p.ID, 10)
		if *got.PriceMinor != 1000 || got.PendingChange != "" || got.LeaseOwner != "" || !slices.Equal(kinds(evs), []string{store.EventPriceChanged}) {
			t.Fatalf("after the confirm: price %d, pending %q, lease %q, events %v", *got.PriceMinor, got.PendingChange, got.LeaseOwner, kinds(evs))
		}
		// A small move is not suspicious.
		f.shop.set(p.URL, productPage("Product 1", "11.00", "EUR", "InStock"))
		f.due(t)
		runOnce(t, m)
		if got, _ = st.GetProduct(t.Context(), p.ID); *got.PriceMinor != 1100 || len(conf.ids) != 1 {
			t.Fatalf("small move: price %d, confirms %v", *got.PriceMinor, conf.ids)
		}
	})
}

func TestRunDrainsAndReleases(t *testing.T) {
	forEngines(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		for i := range 6 {
			f.add(t, i, "1.00")
		}
		f.shop.gate = make(chan struct{})
		f.shop.inFlight = make(chan string, 10)
		m, err := New(Options{Store: st, Fetcher: f.shop, Owner: "w1", Concurrency: 2, Batch: 6, DefaultRatePerMin: 6000,
			Now: f.now})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- m.Run(ctx) }()
		var started []string
		for range 2 {
			select {
			case u := <-f.shop.inFlight:
				started = append(started, u)
			case <-time.After(30 * time.Second):
				t.Fatal("no fetch started")
			}
		}
		cancel() // SIGTERM: the two in-flight checks finish, the rest is released
		close(f.shop.gate)
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("Run did not return")
		}
		rows, err := st.DB().Read.QueryContext(t.Context(), `SELECT url, last_checked_at IS NOT NULL, lease_owner FROM products`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		checked := 0
		for rows.Next() {
			var u, owner string
			var ok bool
			if err := rows.Scan(&u, &ok, &owner); err != nil {
				t.Fatal(err)
			}
			if owner != "" {
				t.Errorf("%s still leased to %q", u, owner)
			}
			if ok {
				checked++
				if !slices.Contains(started, u) {
					t.Errorf("%s checked after the stop", u)
				}
			}
		}
		if checked != 2 {
			t.Errorf("%d checks recorded, want the 2 in flight", checked)
		}
	})
}

func TestOutlier(t *testing.T) {
	tests := []struct {
		v, median int64
		want      bool
	}{
		{100, 100, false}, {150, 100, false}, {151, 100, true}, {50, 100, false}, {49, 100, true},
		{0, 100, true}, {5, 0, true}, {0, 0, false},
	}
	for _, tc := range tests {
		if got := outlier(tc.v, tc.median); got != tc.want {
			t.Errorf("outlier(%d, %d) = %v, want %v", tc.v, tc.median, got, tc.want)
		}
	}
}

func TestKindOf(t *testing.T) {
	want := map[fetch.Outcome]store.CheckKind{
		fetch.OutcomeOK: store.CheckSeen, fetch.OutcomeNotModified: store.CheckUnchanged, fetch.OutcomeUnchanged: store.CheckUnchanged,
		fetch.OutcomeBlocked: store.CheckRefused, fetch.OutcomeDisallowed: store.CheckRefused,
		fetch.OutcomeBreakerOpen: store.CheckSkipped, fetch.OutcomeNoProxy: store.CheckSkipped,
		fetch.OutcomeHTTPError: store.CheckFailed, fetch.OutcomeTimeout: store.CheckFailed, fetch.OutcomeSSRF: store.CheckFailed,
	}
	for o, k := range want {
		if got := kindOf(o); got != k {
			t.Errorf("kindOf(%s) = %d, want %d", o, got, k)
		}
	}
}

// A product added while Run waits is checked as soon as Wake is called,
// not at the next poll (an hour away here).
func TestWakeChecksNewProductAtOnce(t *testing.T) {
	forEngines(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		f.skew = 0 // a new product is due at the real now
		m, err := New(Options{Store: st, Fetcher: f.shop, Owner: "w1", DefaultRatePerMin: 6000, Poll: time.Hour, Now: f.now})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- m.Run(ctx) }()
		defer func() { cancel(); <-done }()
		time.Sleep(100 * time.Millisecond) // Run found nothing and waits
		p := f.add(t, 1, "3.00")
		m.Wake()
		deadline := time.Now().Add(10 * time.Second)
		for {
			got, err := st.GetProduct(t.Context(), p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.LastCheckedAt != nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the new product was not checked after Wake")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

func TestInterleaveDomains(t *testing.T) {
	var batch []store.Product
	for i, d := range []string{"a", "a", "a", "b", "c", "c"} {
		batch = append(batch, store.Product{ID: int64(i + 1), Domain: d})
	}
	var got []int64
	for _, p := range interleaveDomains(batch) {
		got = append(got, p.ID)
	}
	if want := []int64{1, 4, 5, 2, 6, 3}; !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}
