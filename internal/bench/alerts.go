package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/shelfwatch/shelfwatch/internal/alert"
	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/fetch"
	"github.com/shelfwatch/shelfwatch/internal/jobs"
	"github.com/shelfwatch/shelfwatch/internal/monitor"
	"github.com/shelfwatch/shelfwatch/internal/notify"
	"github.com/shelfwatch/shelfwatch/internal/price"
	"github.com/shelfwatch/shelfwatch/internal/secret"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/storesim"
)

// AlertLatency is the alerts phase: how long from the transaction that
// committed a price drop (and, in it, the notification) to the webhook
// receiving it.
type AlertLatency struct {
	Drops         int     `json:"drops"`         // prices the store dropped
	Notifications int     `json:"notifications"` // written and delivered
	P50MS         float64 `json:"p50_ms"`
	P95MS         float64 `json:"p95_ms"`
	MaxMS         float64 `json:"max_ms"`
}

// goalAlertP95MS is issue 6's target.
const goalAlertP95MS = 1000

// alertPhase runs after the change rounds, so their figures stay those of
// the bare pipeline: it wires alerts in the way serve does (the dispatcher
// in every event-writing transaction, deliveries on River's notify queue
// through the SSRF-guarded client), adds a workspace-wide any-drop rule
// sending to a signed webhook on loopback, drops the price of k products,
// runs one round and waits for every notification to arrive.
func alertPhase(ctx context.Context, d *db.DB, st *store.Store, mon *monitor.Monitor, rec *recorder, sim *storesim.Store, k int) (*AlertLatency, error) {
	recv, err := newLatencySink()
	if err != nil {
		return nil, err
	}
	defer recv.close()

	raw := make([]byte, secret.KeySize)
	_, _ = rand.Read(raw)
	keys, err := secret.New(raw)
	if err != nil {
		return nil, err
	}
	dl := &notify.Deliverer{Store: st, Keys: keys, Outbound: fetch.Options{AllowPrivateNetworks: true}, UserAgent: "shelfwatch-bench"}
	runner, err := jobs.New(d, st, jobs.Options{Register: dl.Register, Queues: map[string]river.QueueConfig{notify.Queue: notify.QueueConfig()}})
	if err != nil {
		return nil, err
	}
	dl.Jobs = runner
	disp := &notify.Dispatcher{Store: st, Jobs: runner}
	st.SetEventHook(func(ctx context.Context, tx *sql.Tx, evs []store.Event) error {
		_, err := disp.OnEvents(ctx, tx, evs)
		return err
	})
	defer st.SetEventHook(nil)
	if err := runner.Start(ctx); err != nil {
		return nil, err
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = runner.Stop(stopCtx)
	}()

	ws, err := st.EnsureWorkspace(ctx, "bench", "Bench")
	if err != nil {
		return nil, err
	}
	ch := &store.Channel{WorkspaceID: ws.ID, Kind: store.ChannelWebhook, Name: "bench", Enabled: true}
	if err := st.CreateChannel(ctx, ch, func(id int64) (string, error) {
		b, _ := json.Marshal(notify.ChannelSecret{URL: recv.url, SigningSecret: "whsec_bench_latency_secret"})
		return keys.Seal(string(b), notify.AAD(id))
	}, nil); err != nil {
		return nil, err
	}
	if err := st.CreateRule(ctx, &store.AlertRule{WorkspaceID: ws.ID, Rule: alert.Rule{Kind: alert.AnyDrop}, ChannelIDs: []int64{ch.ID}}); err != nil {
		return nil, err
	}

	k = min(k, sim.Len())
	for id := 1; id <= k; id++ {
		p, ok := sim.Product(id)
		if !ok {
			continue
		}
		m, ok := price.Price{Amount: p.Price, Currency: p.Currency}.Minor()
		if !ok || m < 2 {
			continue
		}
		if err := sim.SetPrice(id, price.Format(m*9/10, p.Currency)); err != nil {
			return nil, err
		}
	}
	if _, err := runRound(ctx, mon, rec, func() error { return makeAllDue(ctx, d) }); err != nil {
		return nil, err
	}
	var want int
	if err := d.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications`).Scan(&want); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(60 * time.Second)
	for recv.count() < want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := recv.count(); got < want {
		return nil, fmt.Errorf("alerts: %d of %d notifications arrived within a minute", got, want)
	}

	rows, err := d.Read.QueryContext(ctx, `SELECT idempotency_key, created_at FROM notifications`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	arrived := recv.arrivals()
	var lat []float64
	for rows.Next() {
		var key string
		var created int64
		if err := rows.Scan(&key, &created); err != nil {
			return nil, err
		}
		if at, ok := arrived[key]; ok {
			lat = append(lat, float64(at.Sub(time.UnixMilli(created)).Microseconds())/1000)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := &AlertLatency{Drops: k, Notifications: len(lat)}
	if len(lat) > 0 {
		slices.Sort(lat)
		q := func(p float64) float64 { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
		out.P50MS, out.P95MS, out.MaxMS = q(0.50), q(0.95), lat[len(lat)-1]
	}
	return out, nil
}

// latencySink is a webhook receiver that notes when each delivery arrived.
type latencySink struct {
	url string
	srv *http.Server

	mu  sync.Mutex
	got map[string]time.Time
}

func newLatencySink() (*latencySink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &latencySink{url: "http://" + ln.Addr().String() + "/hook", got: map[string]time.Time{}}
	s.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		at := time.Now()
		_, _ = io.Copy(io.Discard, r.Body)
		s.mu.Lock()
		if _, seen := s.got[r.Header.Get(notify.HeaderDelivery)]; !seen {
			s.got[r.Header.Get(notify.HeaderDelivery)] = at
		}
		s.mu.Unlock()
	})}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func (s *latencySink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got)
}

func (s *latencySink) arrivals() map[string]time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]time.Time, len(s.got))
	for k, v := range s.got {
		out[k] = v
	}
	return out
}

func (s *latencySink) close() { _ = s.srv.Close() }
