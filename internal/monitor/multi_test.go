package monitor

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/fetch"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/storesim"
)

// countingFetcher records when each URL was fetched, across monitors.
type countingFetcher struct {
	Fetcher
	mu    *sync.Mutex
	times map[string][]time.Time
}

func (c countingFetcher) Fetch(ctx context.Context, req fetch.Request) (*fetch.Result, error) {
	c.mu.Lock()
	c.times[req.URL] = append(c.times[req.URL], time.Now())
	c.mu.Unlock()
	return c.Fetcher.Fetch(ctx, req)
}

// Three workers (as three processes would, each with its own fetcher and
// owner) share one database and one store domain: every due product is
// checked exactly once per round, and together they keep to the domain's
// rate.
func TestWorkersShareTheFrontier(t *testing.T) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			testWorkersShare(t, eng)
		})
	}
}

func testWorkersShare(t *testing.T, eng db.Engine) {
	const products, ratePerMin = 24, 600 // one request per 100 ms
	sim := storesim.New(storesim.Options{Products: products, Seed: 3})
	simCtx, stopSim := context.WithCancel(context.Background())
	defer func() { stopSim(); sim.Wait() }()
	if _, err := sim.Start(simCtx, "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	st := store.New(dbtest.Open(t, eng))
	ws, err := st.EnsureWorkspace(t.Context(), "w", "W")
	if err != nil {
		t.Fatal(err)
	}
	for id := 1; id <= products; id++ {
		p := &store.Product{URL: sim.URL(id), CanonicalURL: sim.URL(id), Domain: "127.0.0.1"}
		if _, err := st.CreateWatchForURL(t.Context(), ws.ID, p, &store.Watch{}); err != nil {
			t.Fatal(err)
		}
	}

	var mu sync.Mutex
	times := map[string][]time.Time{}
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	for w := range 3 {
		fc, err := fetch.New(fetch.Options{AllowedCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
			DefaultRatePerMinute: ratePerMin})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = fc.Close() }()
		m, err := New(Options{Store: st, Fetcher: countingFetcher{fc, &mu, times}, Owner: fmt.Sprintf("worker-%d", w),
			Concurrency: 3, DefaultRatePerMin: ratePerMin, Poll: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() { _ = m.Run(ctx) })
	}
	defer func() { cancel(); wg.Wait() }()

	count := func(where string) int {
		var k int
		if err := st.DB().Read.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM products WHERE `+where).Scan(&k); err != nil {
			t.Fatal(err)
		}
		return k
	}
	// A round is over when every product was fetched and every check is
	// recorded (no lease left): a record landing after the next round's
	// "time passes" would push its product out of that round.
	fetched := func(round int) bool {
		mu.Lock()
		defer mu.Unlock()
		if len(times) < products {
			return false
		}
		for _, ts := range times {
			if len(ts) < round {
				return false
			}
		}
		return count(`lease_owner <> ''`) == 0
	}
	for round := 1; round <= 2; round++ {
		if round > 1 {
			// Time passes: every product is due again.
			if _, err := st.DB().Write.ExecContext(t.Context(), `UPDATE products SET next_check_at = $1`, time.Now().UnixMilli()); err != nil {
				t.Fatal(err)
			}
		}
		deadline := time.Now().Add(time.Minute)
		for !fetched(round) {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: not every product was fetched", round)
			}
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond) // a duplicate would show by now
		mu.Lock()
		for u, ts := range times {
			if len(ts) != round {
				t.Errorf("round %d: %s fetched %d times", round, u, len(ts))
			}
		}
		mu.Unlock()
	}

	// Politeness across workers: no second holds more than rate/60 requests
	// to the domain, give or take two for the window's edges and scheduling
	// delays between taking a slot and calling Fetch (without the shared
	// slot, three workers would make up to 30 a second).
	var all []time.Time
	mu.Lock()
	for _, ts := range times {
		all = append(all, ts...)
	}
	mu.Unlock()
	slices.SortFunc(all, func(a, b time.Time) int { return a.Compare(b) })
	for i := range all {
		j := i
		for j < len(all) && all[j].Sub(all[i]) < time.Second {
			j++
		}
		if n := j - i; n > ratePerMin/60+2 {
			t.Fatalf("%d requests to one domain within a second (rate %d/min)", n, ratePerMin)
		}
	}
	if left := count(`last_checked_at IS NULL OR lease_owner <> ''`); left != 0 {
		t.Errorf("%d products unchecked or still leased", left)
	}
}
