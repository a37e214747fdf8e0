package history_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/history"
	"github.com/shelfwatch/shelfwatch/internal/jobs"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

func logger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func product(t *testing.T, ctx context.Context, st *store.Store) int64 {
	t.Helper()
	ws, err := st.EnsureWorkspace(ctx, "w", "W")
	if err != nil {
		t.Fatal(err)
	}
	p := &store.Product{CanonicalURL: "https://shop.example/p/1"}
	if _, err := st.CreateWatchForURL(ctx, ws.ID, p, &store.Watch{}); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// The jobs' work with an injected clock: the rollup covers the history, the
// prune keeps the retention period plus the row in force at its start, and
// partitions are made for the months ahead.
func TestJobs(t *testing.T) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			d := dbtest.Open(t, eng)
			st := store.New(d)
			id := product(t, ctx, st)
			now := noon().Add(400 * 24 * time.Hour) // months without partitions yet
			for i, daysAgo := range []int{300, 200, 150, 50, 1} {
				o := store.Observation{PriceMinor: new(int64(100 + i)), Currency: "EUR", Availability: store.InStock}
				if _, err := st.RecordObservation(ctx, id, o, now.Add(-time.Duration(daysAgo)*24*time.Hour).UnixMilli()); err != nil {
					t.Fatal(err)
				}
			}
			j := history.New(history.Options{Store: st, Retention: 120 * 24 * time.Hour, Logger: logger(t), Now: func() time.Time { return now }})
			if err := j.Partitions(ctx); err != nil {
				t.Fatal(err)
			}
			if d.Engine == db.Postgres {
				var n int
				if err := d.Read.QueryRowContext(ctx, `SELECT count(*) FROM pg_inherits WHERE inhparent = 'price_history'::regclass
					AND inhrelid::regclass::text = $1`, "price_history_p"+now.AddDate(0, store.PartitionsAhead, 0).UTC().Format("200601")).Scan(&n); err != nil || n != 1 {
					t.Errorf("partition %d months ahead of the clock: %d (%v)", store.PartitionsAhead, n, err)
				}
			}
			// Before any rollup nothing may be pruned.
			if err := j.Prune(ctx); err != nil {
				t.Fatal(err)
			}
			if n := rows(t, ctx, st, id); n != 5 {
				t.Fatalf("%d rows after pruning before any rollup, want 5", n)
			}
			if err := j.Rollup(ctx); err != nil {
				t.Fatal(err)
			}
			if w, err := st.RollupWatermark(ctx); err != nil || w != now.UnixMilli()-store.RollupLagMS {
				t.Errorf("watermark %d (%v), want the clock minus the lag", w, err)
			}
			if err := j.Prune(ctx); err != nil {
				t.Fatal(err)
			}
			// 300 and 200 days ago go; 150 stays (in force 120 days ago).
			if n := rows(t, ctx, st, id); n != 3 {
				t.Errorf("%d rows after pruning, want 3", n)
			}
			s, err := st.PriceSeries(ctx, id, now.Add(-365*24*time.Hour).UnixMilli(), now.UnixMilli())
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Days) != 300 || *s.Days[0].Close != 100 {
				t.Errorf("a year's chart after pruning has %d days from %v, want 300 from the first price", len(s.Days), s.Days)
			}
		})
	}
}

// noon is today's noon (UTC): a fixed clock well away from midnight, so
// "the days before the watermark's day" do not depend on the hour the test
// runs.
func noon() time.Time {
	return time.Now().UTC().Truncate(24 * time.Hour).Add(12 * time.Hour)
}

func rows(t *testing.T, ctx context.Context, st *store.Store, id int64) int {
	t.Helper()
	h, err := st.ListPriceHistory(ctx, id, store.FindHistory{})
	if err != nil {
		t.Fatal(err)
	}
	return len(h)
}

// Registered on a River runner, the rollup runs at start.
func TestRegisteredJobsRunAtStart(t *testing.T) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			d := dbtest.Open(t, eng)
			st := store.New(d)
			id := product(t, ctx, st)
			o := store.Observation{PriceMinor: new(int64(5)), Currency: "EUR", Availability: store.InStock}
			now := noon()
			if _, err := st.RecordObservation(ctx, id, o, now.Add(-48*time.Hour).UnixMilli()); err != nil {
				t.Fatal(err)
			}
			j := history.New(history.Options{Store: st, Retention: 400 * 24 * time.Hour, Logger: logger(t), Now: func() time.Time { return now }})
			r, err := jobs.New(d, st, jobs.Options{Logger: logger(t), Register: j.Register})
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				if err := r.Stop(ctx); err != nil {
					t.Errorf("stop: %v", err)
				}
			})
			deadline := time.Now().Add(30 * time.Second)
			for {
				w, err := st.RollupWatermark(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if w > 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("no rollup 30 s after start")
				}
				time.Sleep(50 * time.Millisecond)
			}
			s, err := st.PriceSeries(ctx, id, now.Add(-200*24*time.Hour).UnixMilli(), now.UnixMilli())
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Days) != 2 || s.Days[0].Changes != 1 {
				t.Errorf("rolled-up days %+v, want the day of the row and the day after", s.Days)
			}
		})
	}
}
