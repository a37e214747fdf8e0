package cli

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/shelfwatch/shelfwatch/internal/config"
	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/jobs"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/sse"
)

// liveProcess is the part of a serve process that live updates need: the
// alerts' hooks over its store, and startLive's publisher and hub.
type liveProcess struct {
	st     *store.Store
	alerts *alerting
	lv     *live
}

func startLiveProcess(t *testing.T, c config.Config, d *db.DB, st *store.Store) *liveProcess {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	jobOpts := jobs.Options{Logger: log}
	a, err := newAlerting(c, st, log, prometheus.NewRegistry(), &jobOpts)
	if err != nil {
		t.Fatal(err)
	}
	runner, err := jobs.New(d, st, jobOpts) // not started: deliveries are not under test
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	lv := startLive(ctx, c, d, log)
	t.Cleanup(func() { cancel(); lv.stop() })
	a.start(st, runner, "", lv.pub)
	return &liveProcess{st: st, alerts: a, lv: lv}
}

// recordPrice records a check of product that saw price.
func recordPrice(t *testing.T, st *store.Store, product, at, price int64) {
	t.Helper()
	if _, err := st.RecordCheck(t.Context(), store.CheckResult{ProductID: product, At: at, Kind: store.CheckSeen, Outcome: "ok",
		Observation: &store.Observation{Title: "Thing", Currency: "EUR", PriceMinor: &price, Availability: store.InStock}}); err != nil {
		t.Fatal(err)
	}
}

func liveRecv(t *testing.T, msgs <-chan sse.Message, within time.Duration) sse.Message {
	t.Helper()
	select {
	case m := <-msgs:
		return m
	case <-time.After(within):
		t.Fatalf("no live message within %v", within)
	}
	return sse.Message{}
}

// What serve wires: a price change recorded by the process that checks
// (a worker on PostgreSQL) and a delivery's outcome reach the hub of the
// process that serves pages, each once.
func TestLiveUpdatesReachTheWebProcess(t *testing.T) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			c := testConfig(t, eng)
			d, st, ws := migratedSide(t, c)
			p := &store.Product{CanonicalURL: "https://shop.example/p/1"}
			if _, err := st.CreateWatchForURL(t.Context(), ws.ID, p, &store.Watch{}); err != nil {
				t.Fatal(err)
			}
			var checker, web *liveProcess
			if eng == db.SQLite {
				checker = startLiveProcess(t, c, d, st)
				web = checker
			} else {
				cw := c
				cw.Role = config.RoleWorker
				checker = startLiveProcess(t, cw, d, st)
				if checker.lv.hub != nil {
					t.Fatal("a worker-only process has a hub")
				}
				cweb := c
				cweb.Role = config.RoleWeb
				d2, st2, _ := migratedSide(t, cweb) // another pool: another process
				web = startLiveProcess(t, cweb, d2, st2)
			}
			msgs, stop := web.lv.hub.Subscribe()
			defer stop()

			dead := &store.Notification{ID: 41, WorkspaceID: ws.ID}
			if eng == db.Postgres {
				// Wait for the web process's LISTEN: announce until heard.
				for deadline := time.Now().Add(10 * time.Second); ; {
					checker.alerts.deliverer.Failed(dead, true)
					select {
					case <-msgs:
					case <-time.After(100 * time.Millisecond):
						if time.Now().After(deadline) {
							t.Fatal("the web process never heard the worker")
						}
						continue
					}
					break
				}
				for len(msgs) > 0 {
					<-msgs
				}
			}

			at := time.Now().UnixMilli()
			recordPrice(t, checker.st, p.ID, at, 1999) // the first price: no event
			start := time.Now()
			recordPrice(t, checker.st, p.ID, at+1000, 1499)
			if got, want := liveRecv(t, msgs, 2*time.Second), (sse.Message{Kind: sse.KindProduct, ProductID: p.ID}); got != want {
				t.Fatalf("got %+v, want %+v", got, want)
			}
			t.Logf("%s: price change → web process's hub in %v", eng, time.Since(start))

			sent := &store.Notification{ID: 42, WorkspaceID: ws.ID}
			checker.alerts.deliverer.Sent(sent)
			checker.alerts.deliverer.Failed(dead, true)
			checker.alerts.deliverer.Failed(sent, false)
			for _, want := range []sse.Message{
				{Kind: sse.KindNotification, WorkspaceID: ws.ID, ID: 42, Status: store.NotificationSent},
				{Kind: sse.KindNotification, WorkspaceID: ws.ID, ID: 41, Status: store.NotificationDead},
				{Kind: sse.KindNotification, WorkspaceID: ws.ID, ID: 42, Status: store.NotificationFailed},
			} {
				if got := liveRecv(t, msgs, 2*time.Second); got != want {
					t.Fatalf("got %+v, want %+v", got, want)
				}
			}
			select {
			case m := <-msgs:
				t.Fatalf("an extra message %+v (announced twice?)", m)
			case <-time.After(300 * time.Millisecond):
			}
		})
	}
}
