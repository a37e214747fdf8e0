package monitor

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/fetch"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// breakerFetcher reports a breaker state with every result.
type breakerFetcher struct {
	Fetcher
	state string
}

func (b breakerFetcher) Fetch(ctx context.Context, req fetch.Request) (*fetch.Result, error) {
	res, err := b.Fetcher.Fetch(ctx, req)
	if res != nil {
		res.BreakerState = b.state
	}
	return res, err
}

// RunUntilIdle drains the frontier through many small pipelined batches:
// every product is checked and recorded once, OnChecked sees each record,
// the domains' health counts every check, with the fetcher's breaker state.
func TestRunUntilIdleRecordsEveryCheck(t *testing.T) {
	forEngines(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		const n = 20
		for i := range n {
			f.add(t, i, "5.00")
		}
		var mu sync.Mutex
		seen := map[int64]int{}
		m, err := New(Options{Store: st, Fetcher: breakerFetcher{f.shop, "half-open"}, Owner: "w1", Concurrency: 3, Batch: 4,
			DefaultRatePerMin: 600000, Now: f.now, OnChecked: func(c Checked) {
				mu.Lock()
				defer mu.Unlock()
				seen[c.ProductID]++
				if c.Outcome != string(fetch.OutcomeOK) || !c.Changed || c.Began.IsZero() {
					t.Errorf("checked %+v", c)
				}
			}})
		if err != nil {
			t.Fatal(err)
		}
		claimed, err := m.RunUntilIdle(t.Context())
		if err != nil || claimed != n {
			t.Fatalf("RunUntilIdle = %d, %v; want %d", claimed, err, n)
		}
		if len(seen) != n {
			t.Fatalf("OnChecked saw %d products, want %d", len(seen), n)
		}
		for id, k := range seen {
			if k != 1 {
				t.Errorf("product %d checked %d times", id, k)
			}
		}
		var left int
		if err := st.DB().Read.QueryRowContext(t.Context(),
			`SELECT COUNT(*) FROM products WHERE last_checked_at IS NULL OR lease_owner <> ''`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left != 0 {
			t.Errorf("%d products unchecked or still leased", left)
		}
		doms, err := st.ListDomains(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		var checks int64
		for _, d := range doms {
			checks += d.Checks
			if d.BreakerState != "half-open" {
				t.Errorf("domain %s breaker state %q, want half-open", d.Domain, d.BreakerState)
			}
		}
		if checks != n {
			t.Errorf("domain health counts %d checks, want %d", checks, n)
		}
		if again, err := m.RunUntilIdle(t.Context()); again != 0 || err != nil {
			t.Errorf("second RunUntilIdle = %d, %v; want nothing due", again, err)
		}
	})
}

// A batch takes only the slots of a slow domain that fall within half a
// lease; its other products are released unchecked and stay due.
func TestSlotsBeyondHalfTheLeaseAreReleased(t *testing.T) {
	forEngines(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		for i := range 3 {
			f.add(t, 2*i, "5.00") // all on shop0.example
		}
		if err := st.SetDomainSettings(t.Context(), store.Domain{Domain: "shop0.example", RatePerMin: 1}); err != nil {
			t.Fatal(err)
		}
		m, err := New(Options{Store: st, Fetcher: f.shop, Owner: "w1", Concurrency: 3, Batch: 3, Lease: time.Minute,
			DefaultRatePerMin: 60, Now: f.now})
		if err != nil {
			t.Fatal(err)
		}
		m.setRate("shop0.example", 1) // as learnt from an earlier reservation
		if n := runOnce(t, m); n != 3 {
			t.Fatalf("claimed %d, want 3", n)
		}
		var checked, leased, due int
		if err := st.DB().Read.QueryRowContext(t.Context(), `SELECT
			SUM(CASE WHEN last_checked_at IS NOT NULL THEN 1 ELSE 0 END),
			SUM(CASE WHEN lease_owner <> '' THEN 1 ELSE 0 END),
			SUM(CASE WHEN next_check_at <= $1 THEN 1 ELSE 0 END) FROM products`, f.now().UnixMilli()).Scan(&checked, &leased, &due); err != nil {
			t.Fatal(err)
		}
		if checked != 1 || leased != 0 || due != 2 {
			t.Errorf("checked %d, leased %d, due %d; want 1 slot used, 2 released and due", checked, leased, due)
		}
	})
}
