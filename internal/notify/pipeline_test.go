package notify_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/shelfwatch/shelfwatch/internal/alert"
	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/fetch"
	"github.com/shelfwatch/shelfwatch/internal/jobs"
	"github.com/shelfwatch/shelfwatch/internal/notify"
	"github.com/shelfwatch/shelfwatch/internal/secret"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// hook is a webhook receiver that fails the first failN requests with 503
// and then records each delivery (by its idempotency key).
type hook struct {
	srv   *httptest.Server
	mu    sync.Mutex
	failN int
	fails int
	got   map[string]int
	body  []notify.WebhookBody
}

func newHook(t *testing.T, failN int) *hook {
	h := &hook{failN: failN, got: map[string]int{}}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.fails < h.failN {
			h.fails++
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		var wb notify.WebhookBody
		_ = json.NewDecoder(bytes.NewReader(b)).Decode(&wb)
		h.got[r.Header.Get(notify.HeaderDelivery)]++
		h.body = append(h.body, wb)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) deliveries() (total int, distinct int, bodies []notify.WebhookBody) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, n := range h.got {
		total += n
	}
	return total, len(h.got), append([]notify.WebhookBody(nil), h.body...)
}

type pipeline struct {
	st     *store.Store
	d      *db.DB
	ws     int64
	p      *store.Product
	watch  *store.Watch
	hook   *hook
	ch     *store.Channel
	runner *jobs.Runner
	clock  int64 // Unix ms of the last check see recorded
}

const testMaxAttempts = 5

func newPipeline(t *testing.T, eng db.Engine, failN int, target int64) *pipeline {
	t.Helper()
	ctx := t.Context()
	d := dbtest.Open(t, eng)
	st := store.New(d)
	ws, err := st.EnsureWorkspace(ctx, "w", "W")
	if err != nil {
		t.Fatal(err)
	}
	p := &store.Product{CanonicalURL: "https://shop.example/p/1", URL: "https://shop.example/p/1"}
	w := &store.Watch{}
	if _, err := st.CreateWatchForURL(ctx, ws.ID, p, w); err != nil {
		t.Fatal(err)
	}
	keys, err := secret.New(bytes.Repeat([]byte{7}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	h := newHook(t, failN)
	ch := &store.Channel{WorkspaceID: ws.ID, Kind: store.ChannelWebhook, Name: "hook", Enabled: true}
	err = st.CreateChannel(ctx, ch, func(id int64) (string, error) {
		b, _ := json.Marshal(notify.ChannelSecret{URL: h.srv.URL, SigningSecret: "k"})
		return keys.Seal(string(b), notify.AAD(id))
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rule := &store.AlertRule{WorkspaceID: ws.ID, WatchID: &w.ID, Rule: alert.Rule{Kind: alert.PriceAtOrBelow, TargetMinor: target}, ChannelIDs: []int64{ch.ID}}
	if err := st.CreateRule(ctx, rule); err != nil {
		t.Fatal(err)
	}

	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError}))
	deliverer := &notify.Deliverer{Store: st, Keys: keys, Outbound: fetch.Options{AllowPrivateNetworks: true}, UserAgent: "shelfwatch/test", Logger: logger,
		// The real schedule (30 s, doubling) is unit-tested; here attempts
		// follow each other quickly so the test runs the whole life.
		Backoff:     func(int, time.Duration) time.Duration { return 10 * time.Millisecond },
		MaxAttempts: testMaxAttempts, SweepEvery: time.Second, SweepGrace: time.Millisecond}
	runner := startDelivery(ctx, t, st, deliverer, logger)
	return &pipeline{st: st, d: d, ws: ws.ID, p: p, watch: w, hook: h, ch: ch, runner: runner}
}

// see records a check that saw price (minor units, EUR, in stock).
func (pl *pipeline) see(t *testing.T, price int64) *store.CheckOutcome {
	t.Helper()
	if pl.clock == 0 {
		pl.clock = 1_800_000_000_000
	}
	pl.clock += 60_000
	out, err := pl.st.RecordCheck(t.Context(), store.CheckResult{ProductID: pl.p.ID, At: pl.clock, Kind: store.CheckSeen, Outcome: "ok",
		Observation: &store.Observation{Title: "Headphones", Currency: "EUR", PriceMinor: &price, Availability: store.InStock}})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (pl *pipeline) notifications(t *testing.T) []store.Notification {
	ns, err := pl.st.ListNotifications(t.Context(), pl.ws, store.FindNotifications{})
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

// waitSent waits until n notifications are sent and returns them.
func (pl *pipeline) waitSent(t *testing.T, n int) []store.Notification {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ns := pl.notifications(t)
		sent := 0
		for _, x := range ns {
			if x.Status == store.NotificationSent {
				sent++
			}
		}
		if sent == n && len(ns) == n {
			return ns
		}
		if time.Now().After(deadline) {
			t.Fatalf("want %d sent notifications, have %+v", n, ns)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestTargetCrossingDeliversExactlyOnce(t *testing.T) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			pl := newPipeline(t, eng, 0, 10000) // target €100.00
			pl.see(t, 12000)
			pl.see(t, 9500) // crosses: one notification
			pl.waitSent(t, 1)
			pl.see(t, 9500)  // the same price again: nothing (not even an event)
			pl.see(t, 9400)  // lower, still fired: nothing
			pl.see(t, 10100) // inside the 2 % band
			pl.see(t, 9900)  // not re-armed: nothing
			pl.see(t, 10500) // leaves the band: re-armed
			pl.see(t, 9000)  // fires again
			ns := pl.waitSent(t, 2)
			total, distinct, bodies := pl.hook.deliveries()
			if total != 2 || distinct != 2 {
				t.Fatalf("receiver got %d deliveries (%d distinct), want 2", total, distinct)
			}
			if bodies[0].NewPrice == nil || bodies[0].NewPrice.Minor != 9500 || bodies[1].NewPrice.Minor != 9000 ||
				bodies[0].Target == nil || bodies[0].Target.Minor != 10000 || bodies[0].Type != string(alert.PriceAtOrBelow) {
				t.Fatalf("bodies %+v", bodies)
			}
			for _, n := range ns {
				if n.Attempts != 1 || n.SentAt == nil || n.LastError != "" {
					t.Fatalf("notification %+v", n)
				}
			}
			// Give a stray duplicate job time to show up: still 2.
			time.Sleep(200 * time.Millisecond)
			if total, _, _ := pl.hook.deliveries(); total != 2 {
				t.Fatalf("%d deliveries after settling", total)
			}
		})
	}
}

func TestReceiverFailingThreeTimesGetsOneDelivery(t *testing.T) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			pl := newPipeline(t, eng, 3, 10000)
			pl.see(t, 12000)
			pl.see(t, 9000)
			ns := pl.waitSent(t, 1)
			if ns[0].Attempts != 4 {
				t.Fatalf("sent after %d attempts, want 4", ns[0].Attempts)
			}
			if total, distinct, _ := pl.hook.deliveries(); total != 1 || distinct != 1 {
				t.Fatalf("receiver got %d deliveries, want 1", total)
			}
		})
	}
}

func TestReceiverFailingForeverEndsDeadAndRetriesByHand(t *testing.T) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			pl := newPipeline(t, eng, 1<<30, 10000)
			pl.see(t, 12000)
			pl.see(t, 9000)
			var n store.Notification
			deadline := time.Now().Add(30 * time.Second)
			for {
				ns := pl.notifications(t)
				if len(ns) == 1 && ns[0].Status == store.NotificationDead {
					n = ns[0]
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("never dead: %+v", ns)
				}
				time.Sleep(20 * time.Millisecond)
			}
			if n.Attempts != testMaxAttempts || !strings.Contains(n.LastError, "503") {
				t.Fatalf("dead after %d attempts with %q, want %d and the 503", n.Attempts, n.LastError, testMaxAttempts)
			}
			// The receiver recovers; a manual retry delivers it once.
			pl.hook.mu.Lock()
			pl.hook.failN = 0
			pl.hook.mu.Unlock()
			if _, err := pl.st.RetryNotification(t.Context(), pl.ws, n.ID, func(tx *sql.Tx, n *store.Notification) error {
				_, err := pl.runner.InsertTx(t.Context(), tx, notify.DeliverArgs{NotificationID: n.ID}, &river.InsertOpts{Queue: notify.Queue})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			pl.waitSent(t, 1)
			if total, _, _ := pl.hook.deliveries(); total != 1 {
				t.Fatalf("%d deliveries after the manual retry", total)
			}
			// Retrying a sent notification is refused.
			if _, err := pl.st.RetryNotification(t.Context(), pl.ws, n.ID, func(*sql.Tx, *store.Notification) error { return nil }); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("retry of a sent notification: %v", err)
			}
			// Another workspace cannot see or retry it.
			other, _ := pl.st.EnsureWorkspace(t.Context(), "other", "Other")
			if _, err := pl.st.GetNotification(t.Context(), other.ID, n.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("other workspace: %v", err)
			}
		})
	}
}

// A notification whose job was lost (the process died after the commit,
// before River ran it, and its job is gone) is found by the sweeper and
// delivered once.
func TestSweeperDeliversALostNotification(t *testing.T) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			pl := newPipeline(t, eng, 0, 10000)
			pl.see(t, 12000)
			pl.see(t, 9000)
			pl.waitSent(t, 1)
			// Forge the lost case: a second notification committed without a job.
			err := pl.d.Tx(t.Context(), func(tx *sql.Tx) error {
				past := time.Now().Add(-time.Hour).UnixMilli()
				_, err := pl.st.InsertNotificationTx(t.Context(), tx, &store.Notification{WorkspaceID: pl.ws, IdempotencyKey: "lost-1",
					ChannelID: &pl.ch.ID, Kind: "price_at_or_below", Message: `{"Subject":"lost"}`, NextAttemptAt: &past})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			pl.waitSent(t, 2)
			if total, distinct, _ := pl.hook.deliveries(); total != 2 || distinct != 2 {
				t.Fatalf("%d deliveries (%d distinct), want 2", total, distinct)
			}
		})
	}
}

// A digest channel holds its notifications until its hour, then sends
// everything due in one message and marks each notification sent.
func TestDigestChannelSendsOneMessage(t *testing.T) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			pl := newPipeline(t, eng, 0, 10000)
			hour := 7
			pl.ch.DigestHour = &hour
			pl.ch.TimeZone = "Asia/Tokyo"
			if err := pl.st.UpdateChannel(t.Context(), pl.ch, nil, nil); err != nil {
				t.Fatal(err)
			}
			pl.see(t, 12000)
			pl.see(t, 9000) // fires: held until 07:00 Tokyo time
			ns := pl.notifications(t)
			if len(ns) != 1 || ns[0].NextAttemptAt == nil {
				t.Fatalf("notifications %+v", ns)
			}
			tokyo, _ := time.LoadLocation("Asia/Tokyo")
			at := time.UnixMilli(*ns[0].NextAttemptAt).In(tokyo)
			if at.Hour() != 7 || at.Minute() != 0 || !at.After(time.Now()) || at.Sub(time.Now()) > 24*time.Hour {
				t.Fatalf("held until %v, want the next 07:00 in Tokyo", at)
			}
			// Two more alerts of other rules wait for the same digest.
			for i, kind := range []string{"any_drop", "back_in_stock"} {
				err := pl.d.Tx(t.Context(), func(tx *sql.Tx) error {
					_, err := pl.st.InsertNotificationTx(t.Context(), tx, &store.Notification{WorkspaceID: pl.ws,
						IdempotencyKey: fmt.Sprintf("extra-%d", i), ChannelID: &pl.ch.ID, Kind: kind,
						Message: fmt.Sprintf(`{"Subject":"extra alert %d"}`, i), NextAttemptAt: ns[0].NextAttemptAt})
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			if total, _, _ := pl.hook.deliveries(); total != 0 {
				t.Fatalf("%d deliveries before the digest hour", total)
			}
			// The hour comes: move the schedule into the past and run the job.
			if _, err := pl.d.Write.ExecContext(t.Context(), `UPDATE notifications SET next_attempt_at = $1`, time.Now().Add(-time.Minute).UnixMilli()); err != nil {
				t.Fatal(err)
			}
			if _, err := pl.runner.Insert(t.Context(), notify.DeliverArgs{NotificationID: ns[0].ID}, &river.InsertOpts{Queue: notify.Queue}); err != nil {
				t.Fatal(err)
			}
			pl.waitSent(t, 3)
			time.Sleep(300 * time.Millisecond)
			total, _, bodies := pl.hook.deliveries()
			if total != 1 || bodies[0].Type != "digest" || !strings.Contains(bodies[0].Text, "extra alert 0") ||
				!strings.Contains(bodies[0].Text, "extra alert 1") || !strings.Contains(bodies[0].Text, "Target reached") {
				t.Fatalf("%d deliveries, first %+v", total, bodies)
			}
		})
	}
}

// startDelivery runs the delivery side on st for the test: a job queue
// with dl's workers, and the dispatcher in st's event hook.
func startDelivery(ctx context.Context, t *testing.T, st *store.Store, dl *notify.Deliverer, log *slog.Logger) *jobs.Runner {
	t.Helper()
	runner, err := jobs.New(st.DB(), st, jobs.Options{Logger: log, Register: dl.Register,
		Queues: map[string]river.QueueConfig{notify.Queue: notify.QueueConfig()}})
	if err != nil {
		t.Fatal(err)
	}
	dl.Jobs = runner
	disp := &notify.Dispatcher{Store: st, Jobs: runner}
	st.SetEventHook(func(ctx context.Context, tx *sql.Tx, evs []store.Event) error {
		_, err := disp.OnEvents(ctx, tx, evs)
		return err
	})
	if err := runner.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = runner.Stop(ctx)
	})
	return runner
}
