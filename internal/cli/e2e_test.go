package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/config"
	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/price"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/storesim"
)

// e2eConfig is testConfig with the fetcher allowed onto loopback (where
// storesim listens) and a rate that keeps the test short.
func e2eConfig(t *testing.T, engine db.Engine) config.Config {
	t.Helper()
	c, _, err := config.Load(serveCommand, []string{"--listen", "127.0.0.1:0", "--data-dir", t.TempDir(),
		"--database-url", dbtest.URL(t, engine), "--allow-private-networks", "--fetch-rate", "600", "--secret-key", testSecretKey},
		func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// startStore starts a storesim store on loopback for the test's duration.
func startStore(t *testing.T, products int) *storesim.Store {
	t.Helper()
	sim := storesim.New(storesim.Options{Products: products, Seed: 7})
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := sim.Start(ctx, "127.0.0.1:0"); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); sim.Wait() })
	return sim
}

// openSide opens serve's database beside it, to look at what the API does
// not show (events) and to make products due (time passing).
func openSide(t *testing.T, c config.Config) *store.Store {
	t.Helper()
	d, err := db.Open(t.Context(), db.Options{URL: c.DatabaseURL, DataDir: c.DataDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return store.New(d)
}

type apiWatch struct {
	ID      int64 `json:"id"`
	Product struct {
		ID            int64   `json:"id"`
		URL           string  `json:"url"`
		Title         string  `json:"title"`
		Price         *string `json:"price"`
		Currency      string  `json:"currency"`
		Availability  string  `json:"availability"`
		LastCheckedAt *string `json:"last_checked_at"`
	} `json:"product"`
}

func listWatches(t *testing.T, base string) []apiWatch {
	t.Helper()
	code, body := httpDo(t, "GET", base+"/api/v1/watches?limit=500", "")
	var list struct {
		Items []apiWatch `json:"items"`
	}
	if err := json.Unmarshal(body, &list); err != nil || code != http.StatusOK {
		t.Fatalf("GET watches: %d %s %v", code, body, err)
	}
	return list.Items
}

// waitFor polls cond every 100 ms for up to a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// The end-to-end promise: products added through the API are
// checked at once (price, title filled); after prices and stock change in
// the store, each change gives exactly one history row and the right event.
func TestEndToEndStoresim(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			const n = 6
			sim := startStore(t, n)
			c := e2eConfig(t, engine)
			base, stop := startServe(t, c)
			defer func() {
				if err := stop(); err != nil {
					t.Errorf("stop: %v", err)
				}
			}()
			side := openSide(t, c)

			byURL := map[string]int{}
			for id := 1; id <= n; id++ {
				u := sim.URL(id)
				byURL[u] = id
				if code, body := httpDo(t, "POST", base+"/api/v1/watches", fmt.Sprintf(`{"url":%q}`, u)); code != http.StatusCreated {
					t.Fatalf("POST %s: %d %s", u, code, body)
				}
			}
			checked := func(after map[int64]string) func() bool {
				return func() bool {
					for _, w := range listWatches(t, base) {
						lc := w.Product.LastCheckedAt
						if lc == nil || (after != nil && *lc == after[w.Product.ID]) {
							return false
						}
					}
					return true
				}
			}
			waitFor(t, "the first checks", checked(nil))
			last := map[int64]string{}
			productOf := map[int]int64{}
			for _, w := range listWatches(t, base) {
				id := byURL[w.Product.URL]
				truth, _ := sim.Product(id)
				productOf[id] = w.Product.ID
				last[w.Product.ID] = *w.Product.LastCheckedAt
				if w.Product.Title != truth.Title || w.Product.Price == nil || *w.Product.Price != truth.Price ||
					w.Product.Currency != truth.Currency || w.Product.Availability != string(truth.Availability) {
					t.Errorf("product %d (%s layout): got %q %v %s %s, want %q %s %s %s", id, truth.Layout,
						w.Product.Title, deref(w.Product.Price), w.Product.Currency, w.Product.Availability,
						truth.Title, truth.Price, truth.Currency, truth.Availability)
				}
			}
			if t.Failed() {
				t.FailNow()
			}

			// Products 1–3 drop 10 %, product 4 sells out (if it was for
			// sale), 5 and 6 stay as they are.
			want := map[int][]string{5: {}, 6: {}}
			for id := 1; id <= 3; id++ {
				truth, _ := sim.Product(id)
				minor, _ := price.Price{Amount: truth.Price, Currency: truth.Currency}.Minor()
				if err := sim.SetPrice(id, price.Format(minor*9/10, truth.Currency)); err != nil {
					t.Fatal(err)
				}
				want[id] = []string{store.EventPriceChanged}
			}
			truth4, _ := sim.Product(4)
			next4 := storesim.OutOfStock
			want[4] = []string{store.EventOutOfStock}
			if truth4.Availability == storesim.OutOfStock {
				next4, want[4] = storesim.InStock, []string{store.EventBackInStock}
			}
			if err := sim.SetAvailability(4, next4); err != nil {
				t.Fatal(err)
			}
			// Time passes: two rounds of checks, the second of which sees
			// nothing new.
			for round := range 2 {
				if _, err := side.DB().Write.ExecContext(t.Context(), `UPDATE products SET next_check_at = $1`, time.Now().UnixMilli()); err != nil {
					t.Fatal(err)
				}
				waitFor(t, fmt.Sprintf("round %d of checks", round+1), checked(last))
				for _, w := range listWatches(t, base) {
					last[w.Product.ID] = *w.Product.LastCheckedAt
				}
			}

			for id := 1; id <= n; id++ {
				pid := productOf[id]
				hist, err := side.ListPriceHistory(t.Context(), pid, store.FindHistory{})
				if err != nil {
					t.Fatal(err)
				}
				evs, err := side.ListEvents(t.Context(), pid, 100)
				if err != nil {
					t.Fatal(err)
				}
				var kinds []string
				for _, e := range evs {
					kinds = append(kinds, e.Kind)
				}
				if len(hist) != 1+len(want[id]) || !slices.Equal(kinds, want[id]) && !(len(kinds) == 0 && len(want[id]) == 0) {
					t.Errorf("product %d: %d history rows, events %v; want %d rows, %v", id, len(hist), kinds, 1+len(want[id]), want[id])
				}
				truth, _ := sim.Product(id)
				p, err := side.GetProduct(t.Context(), pid)
				if err != nil {
					t.Fatal(err)
				}
				if got := price.Format(deref64(p.PriceMinor), p.Currency); got != truth.Price || p.Availability != string(truth.Availability) {
					t.Errorf("product %d now %s %s, want %s %s", id, got, p.Availability, truth.Price, truth.Availability)
				}
				if p.LeaseOwner != "" {
					t.Errorf("product %d still leased by %s", id, p.LeaseOwner)
				}
			}
			_, metrics := httpDo(t, "GET", base+"/metrics", "")
			for _, m := range []string{`shelfwatch_checks_total{outcome="ok"}`, `shelfwatch_checks_total{outcome="not_modified"}`,
				"shelfwatch_price_history_rows_total 10"} {
				if !strings.Contains(string(metrics), m) {
					t.Errorf("metrics lack %s", m)
				}
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func deref64(v *int64) int64 {
	if v == nil {
		return -1
	}
	return *v
}
