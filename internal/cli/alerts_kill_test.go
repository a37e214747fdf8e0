package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/alert"
	"github.com/shelfwatch/shelfwatch/internal/config"
	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/notify"
	"github.com/shelfwatch/shelfwatch/internal/price"
	"github.com/shelfwatch/shelfwatch/internal/secret"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// migratedSide opens and migrates serve's database before serve runs, with
// the default workspace serve would create: for tests that set up rows
// first and start a process after.
func migratedSide(t *testing.T, c config.Config) (*db.DB, *store.Store, *store.Workspace) {
	t.Helper()
	d, err := db.Open(t.Context(), db.Options{URL: c.DatabaseURL, DataDir: c.DataDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if err := d.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	side := store.New(d)
	ws, err := side.EnsureWorkspace(t.Context(), defaultWorkspaceSlug, "Default workspace")
	if err != nil {
		t.Fatal(err)
	}
	return d, side, ws
}

// stallingHook holds the first request open until released (the process
// is killed meanwhile) and accepts the rest, counting each delivery id.
type stallingHook struct {
	srv      *httptest.Server
	inFlight chan string   // the stalled request's delivery id
	release  chan struct{} // lets the stalled request end (with a 503)

	mu       sync.Mutex
	stalled  bool
	accepted map[string]int
}

func newStallingHook(t *testing.T) *stallingHook {
	h := &stallingHook{inFlight: make(chan string, 1), release: make(chan struct{}), accepted: map[string]int{}}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(notify.HeaderDelivery)
		h.mu.Lock()
		first := !h.stalled
		h.stalled = true
		h.mu.Unlock()
		if first {
			h.inFlight <- id
			<-h.release
			w.WriteHeader(http.StatusServiceUnavailable) // the sender is dead by now
			return
		}
		h.mu.Lock()
		h.accepted[id]++
		h.mu.Unlock()
	}))
	t.Cleanup(func() {
		select {
		case <-h.release:
		default:
			close(h.release)
		}
		h.srv.Close()
	})
	return h
}

func (h *stallingHook) count() (total int, ids map[string]int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ids = map[string]int{}
	for k, v := range h.accepted {
		ids[k], total = v, total+v
	}
	return total, ids
}

// The process killed (SIGKILL) while a notification is being delivered,
// then restarted: the notification is still delivered, exactly once. The
// dead attempt's lease and the lost job are what the restart must get
// past; time passing (the lease running out) is simulated by moving the
// lease into the past.
func TestAlertSurvivesKillDuringDelivery(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			sim := startStore(t, 1)
			c := e2eConfig(t, engine)
			d, side, ws := migratedSide(t, c)
			p := &store.Product{URL: sim.URL(1), CanonicalURL: sim.URL(1), Domain: "127.0.0.1"}
			w := &store.Watch{}
			if _, err := side.CreateWatchForURL(t.Context(), ws.ID, p, w); err != nil {
				t.Fatal(err)
			}
			hook := newStallingHook(t)
			keys, err := secret.ParseKeys(testSecretKey)
			if err != nil {
				t.Fatal(err)
			}
			ch := &store.Channel{WorkspaceID: ws.ID, Kind: store.ChannelWebhook, Name: "hook", Enabled: true}
			if err := side.CreateChannel(t.Context(), ch, func(id int64) (string, error) {
				b, _ := json.Marshal(notify.ChannelSecret{URL: hook.srv.URL, SigningSecret: "whsec_kill_test_secret"})
				return keys.Seal(string(b), notify.AAD(id))
			}, nil); err != nil {
				t.Fatal(err)
			}
			if err := side.CreateRule(t.Context(), &store.AlertRule{WorkspaceID: ws.ID, WatchID: &w.ID,
				Rule: alert.Rule{Kind: alert.AnyDrop}, ChannelIDs: []int64{ch.ID}}); err != nil {
				t.Fatal(err)
			}

			args := []string{"serve", "--listen", "127.0.0.1:0", "--data-dir", c.DataDir, "--database-url", c.DatabaseURL,
				"--allow-private-networks", "--fetch-rate", "600"}
			cmd := exec.Command(os.Args[0], args...)
			cmd.Env = append(os.Environ(), "SHELFWATCH_TEST_AS_CLI=1")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				_ = cmd.Process.Kill()
				if t.Failed() {
					t.Logf("killed process's log:\n%s", stderr.String())
				}
			})
			waitFor(t, "the first check", func() bool {
				got, err := side.GetProduct(t.Context(), p.ID)
				return err == nil && got.PriceMinor != nil
			})
			truth, _ := sim.Product(1)
			minor, _ := price.Price{Amount: truth.Price, Currency: truth.Currency}.Minor()
			if err := sim.SetPrice(1, price.Format(minor*8/10, truth.Currency)); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Write.ExecContext(t.Context(), `UPDATE products SET next_check_at = $1`, time.Now().UnixMilli()); err != nil {
				t.Fatal(err)
			}
			var stalledID string
			select {
			case stalledID = <-hook.inFlight:
			case <-time.After(time.Minute):
				t.Fatalf("no delivery started\n%s", stderr.String())
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			close(hook.release)

			ns, err := side.ListNotifications(t.Context(), ws.ID, store.FindNotifications{})
			if err != nil {
				t.Fatal(err)
			}
			if len(ns) != 1 || ns[0].Status == store.NotificationSent || ns[0].IdempotencyKey != stalledID {
				t.Fatalf("after the kill: %+v (stalled %s)", ns, stalledID)
			}
			// Time passes: the dead attempt's lease runs out and the
			// notification is overdue.
			past := time.Now().Add(-10 * time.Minute).UnixMilli()
			if _, err := d.Write.ExecContext(t.Context(), `UPDATE notifications SET lease_until = $1, next_attempt_at = $1`, past); err != nil {
				t.Fatal(err)
			}

			_, stop := startServe(t, c) // the restart
			defer func() {
				if err := stop(); err != nil {
					t.Errorf("stop: %v", err)
				}
			}()
			waitFor(t, "the delivery after the restart", func() bool { n, _ := hook.count(); return n >= 1 })
			time.Sleep(time.Second) // a duplicate, if any, would arrive now
			n, ids := hook.count()
			if n != 1 || ids[stalledID] != 1 {
				t.Fatalf("accepted %d deliveries %v, want exactly one of %s", n, ids, stalledID)
			}
			waitFor(t, "the notification marked sent", func() bool {
				ns, err := side.ListNotifications(context.WithoutCancel(t.Context()), ws.ID, store.FindNotifications{Status: store.NotificationSent})
				return err == nil && len(ns) == 1
			})
		})
	}
}
