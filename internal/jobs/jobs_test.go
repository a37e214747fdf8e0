package jobs_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/jobs"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

func TestPruneEventsRuns(t *testing.T) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			testPruneEventsRuns(t, eng)
		})
	}
}

func testPruneEventsRuns(t *testing.T, eng db.Engine) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d := dbtest.Open(t, eng)
	st := store.New(d)

	ws, err := st.EnsureWorkspace(ctx, "w", "W")
	if err != nil {
		t.Fatal(err)
	}
	p := &store.Product{CanonicalURL: "https://shop.example/p/1"}
	if _, err := st.CreateWatchForURL(ctx, ws.ID, p, &store.Watch{}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	old := &store.Event{ProductID: p.ID, Kind: "price_changed", At: now.Add(-100 * 24 * time.Hour).UnixMilli()}
	recent := &store.Event{ProductID: p.ID, Kind: "price_changed", At: now.Add(-time.Hour).UnixMilli()}
	for _, e := range []*store.Event{old, recent} {
		if err := st.AddEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}

	r, err := jobs.New(d, st, jobs.Options{Logger: testLogger(t)})
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
	if err := r.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}

	// The periodic job runs on start; poll until the old event is gone.
	deadline := time.Now().Add(30 * time.Second)
	for {
		evs, err := st.ListEvents(ctx, p.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 1 {
			if evs[0].ID != recent.ID {
				t.Fatalf("kept event %d, want the recent one %d", evs[0].ID, recent.ID)
			}
			return
		}
		if len(evs) == 0 {
			t.Fatal("the recent event was pruned too")
		}
		if time.Now().After(deadline) {
			t.Fatalf("old event still there after 30s: %+v", evs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// The web role builds a Runner it never starts; /readyz still pings it.
func TestPingWithoutStart(t *testing.T) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t, eng)
			r, err := jobs.New(d, store.New(d), jobs.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Ping(t.Context()); err != nil {
				t.Fatalf("Ping: %v", err)
			}
			if err := r.Stop(t.Context()); err != nil {
				t.Fatalf("Stop of a runner never started: %v", err)
			}
			if _, err := d.Write.ExecContext(t.Context(), "DROP TABLE river_queue"); err != nil {
				t.Fatal(err)
			}
			if err := r.Ping(t.Context()); err == nil {
				t.Fatal("Ping succeeded without River's tables")
			}
		})
	}
}
