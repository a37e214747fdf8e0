package notify_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/alert"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/fetch"
	"github.com/shelfwatch/shelfwatch/internal/notify"
	"github.com/shelfwatch/shelfwatch/internal/secret"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// outcome is one call of the deliverer's Sent or Failed.
type outcome struct {
	id     int64
	ws     int64
	status string
}

// outcomes records the deliverer's callbacks.
type outcomes struct {
	mu   sync.Mutex
	seen []outcome
}

func (o *outcomes) add(n *store.Notification, status string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seen = append(o.seen, outcome{n.ID, n.WorkspaceID, status})
}

// waitFor waits until the callbacks recorded end with status and returns
// them all.
func (o *outcomes) waitFor(t *testing.T, status string) []outcome {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		o.mu.Lock()
		seen := append([]outcome(nil), o.seen...)
		o.mu.Unlock()
		if len(seen) > 0 && seen[len(seen)-1].status == status {
			return seen
		}
	}
	t.Fatalf("no %s callback", status)
	return nil
}

// The deliverer calls Sent when a notification is sent, and Failed for
// each failed attempt, dead at the last (live updates announce them).
func TestDelivererReportsOutcomes(t *testing.T) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		for _, tc := range []struct {
			name  string
			failN int
			want  []string
		}{
			{"sent", 0, []string{store.NotificationSent}},
			{"dead", 1 << 30, []string{store.NotificationFailed, store.NotificationDead}},
		} {
			t.Run(string(eng)+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				ctx := t.Context()
				st := store.New(dbtest.Open(t, eng))
				ws, err := st.EnsureWorkspace(ctx, "w", "W")
				if err != nil {
					t.Fatal(err)
				}
				p := &store.Product{CanonicalURL: "https://shop.example/p/1"}
				w := &store.Watch{}
				if _, err := st.CreateWatchForURL(ctx, ws.ID, p, w); err != nil {
					t.Fatal(err)
				}
				keys, err := secret.New(bytes.Repeat([]byte{7}, secret.KeySize))
				if err != nil {
					t.Fatal(err)
				}
				h := newHook(t, tc.failN)
				ch := &store.Channel{WorkspaceID: ws.ID, Kind: store.ChannelWebhook, Name: "hook", Enabled: true}
				if err := st.CreateChannel(ctx, ch, func(id int64) (string, error) {
					b, _ := json.Marshal(notify.ChannelSecret{URL: h.srv.URL, SigningSecret: "k"})
					return keys.Seal(string(b), notify.AAD(id))
				}, nil); err != nil {
					t.Fatal(err)
				}
				if err := st.CreateRule(ctx, &store.AlertRule{WorkspaceID: ws.ID, WatchID: &w.ID,
					Rule: alert.Rule{Kind: alert.AnyDrop}, ChannelIDs: []int64{ch.ID}}); err != nil {
					t.Fatal(err)
				}

				var got outcomes
				log := slog.New(slog.NewTextHandler(io.Discard, nil))
				dl := &notify.Deliverer{Store: st, Keys: keys, Outbound: fetch.Options{AllowPrivateNetworks: true}, UserAgent: "shelfwatch/test",
					Logger: log, Backoff: func(int, time.Duration) time.Duration { return 10 * time.Millisecond }, MaxAttempts: 2,
					Sent: func(n *store.Notification) { got.add(n, store.NotificationSent) },
					Failed: func(n *store.Notification, dead bool) {
						got.add(n, map[bool]string{false: store.NotificationFailed, true: store.NotificationDead}[dead])
					}}
				startDelivery(ctx, t, st, dl, log)
				for i, price := range []int64{12000, 9000} {
					if _, err := st.RecordCheck(ctx, store.CheckResult{ProductID: p.ID, At: 1_800_000_000_000 + int64(i)*60_000, Kind: store.CheckSeen,
						Outcome: "ok", Observation: &store.Observation{Currency: "EUR", PriceMinor: &price, Availability: store.InStock}}); err != nil {
						t.Fatal(err)
					}
				}

				seen := got.waitFor(t, tc.want[len(tc.want)-1])
				if len(seen) != len(tc.want) {
					t.Fatalf("callbacks %+v, want statuses %v", seen, tc.want)
				}
				ns, err := st.ListNotifications(ctx, ws.ID, store.FindNotifications{})
				if err != nil || len(ns) != 1 {
					t.Fatalf("notifications %+v, %v", ns, err)
				}
				for i, s := range seen {
					if s != (outcome{ns[0].ID, ws.ID, tc.want[i]}) {
						t.Fatalf("callback %d: %+v, want notification %d of workspace %d %s", i, s, ns[0].ID, ws.ID, tc.want[i])
					}
				}
				if ns[0].Status != tc.want[len(tc.want)-1] {
					t.Fatalf("the notification is %s after the %s callback", ns[0].Status, tc.want[len(tc.want)-1])
				}
			})
		}
	}
}
