// Package monitor is the check pipeline: claim due products from the
// frontier → take the domain's slot → fetch (conditional GET) → extract →
// record the check in one transaction. A suspicious change is held and
// confirmed by a re-check a minute later (a River job) before it counts.
package monitor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/shelfwatch/shelfwatch/internal/extract"
	"github.com/shelfwatch/shelfwatch/internal/fetch"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// Fetcher is what the monitor needs of *fetch.Client.
type Fetcher interface {
	Fetch(ctx context.Context, req fetch.Request) (*fetch.Result, error)
}

// Defaults for Options' zero values.
const (
	DefaultConcurrency  = 4
	DefaultLease        = 5 * time.Minute
	DefaultPoll         = time.Second
	DefaultRatePerMin   = 30
	DefaultDrainTimeout = 20 * time.Second
)

// Options configures New. Store, Fetcher and Owner are required.
type Options struct {
	Store   *store.Store
	Fetcher Fetcher
	// Owner names this worker in leases: unique per process (see WorkerID).
	Owner       string
	Concurrency int           // checks at once; default 4
	Batch       int           // products claimed at once; default 2 × Concurrency
	Lease       time.Duration // how long a claim holds; default 5 min
	Poll        time.Duration // wait when nothing is due; default 1 s
	// DefaultRatePerMin paces a domain across processes when its row sets
	// no rate; keep it equal to the fetcher's DefaultRatePerMinute.
	DefaultRatePerMin float64
	// DrainTimeout bounds how long in-flight checks may run after Run's
	// context ends; default 20 s.
	DrainTimeout time.Duration
	// Confirmer schedules confirm re-checks; nil records every change at
	// once.
	Confirmer Confirmer
	// Extract defaults to extract.Extract with no options.
	Extract func(html []byte, pageURL string) extract.Observation
	Now     func() time.Time
	Logger  *slog.Logger
	// Registerer, when set, gets the monitor's Prometheus metrics.
	Registerer prometheus.Registerer
}

// Monitor runs checks. It is safe for concurrent use: the confirm worker
// calls Check while Run claims.
type Monitor struct {
	o       Options
	wake    chan struct{}
	metrics *metrics
}

// New validates o and returns a Monitor.
func New(o Options) (*Monitor, error) {
	if o.Store == nil || o.Fetcher == nil || o.Owner == "" {
		return nil, errors.New("monitor: Store, Fetcher and Owner are required")
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Batch <= 0 {
		o.Batch = 2 * o.Concurrency
	}
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	if o.Poll <= 0 {
		o.Poll = DefaultPoll
	}
	if o.DefaultRatePerMin <= 0 {
		o.DefaultRatePerMin = DefaultRatePerMin
	}
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = DefaultDrainTimeout
	}
	if o.Extract == nil {
		o.Extract = func(html []byte, u string) extract.Observation { return extract.Extract(html, u, extract.Options{}) }
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	mt, err := newMetrics(o.Registerer)
	if err != nil {
		return nil, fmt.Errorf("monitor: metrics: %w", err)
	}
	return &Monitor{o: o, wake: make(chan struct{}, 1), metrics: mt}, nil
}

// Owner is the lease owner this monitor claims as.
func (m *Monitor) Owner() string { return m.o.Owner }

// Wake makes Run look for due work now instead of at the next poll (the API
// calls it after adding a product, for an immediate first check).
func (m *Monitor) Wake() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// Run claims and checks due products until ctx ends. Then it starts no new
// check, lets in-flight ones finish (for at most DrainTimeout), releases
// the leases of claimed but unstarted work, and returns nil.
func (m *Monitor) Run(ctx context.Context) error {
	// Checks run on work, which outlives ctx by DrainTimeout so in-flight
	// checks can finish and be recorded.
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(m.o.DrainTimeout, cancelWork)
		context.AfterFunc(work, func() { t.Stop() })
	})
	defer stop()
	defer m.releaseAll(work)

	for ctx.Err() == nil {
		n, err := m.RunOnce(ctx, work)
		if err != nil && ctx.Err() == nil {
			m.o.Logger.Error("monitor: batch", "err", err)
		}
		if n >= m.o.Batch {
			continue // more may be due
		}
		t := time.NewTimer(m.o.Poll)
		select {
		case <-ctx.Done():
		case <-m.wake:
		case <-t.C:
		}
		t.Stop()
	}
	return nil
}

func (m *Monitor) releaseAll(work context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(work), 5*time.Second)
	defer cancel()
	if n, err := m.o.Store.ReleaseLeases(ctx, m.o.Owner); err != nil {
		m.o.Logger.Error("monitor: release leases", "owner", m.o.Owner, "err", err)
	} else if n > 0 {
		m.o.Logger.Info("monitor: released leases of unstarted checks", "owner", m.o.Owner, "count", n)
	}
}

// RunOnce claims one batch and checks it with Concurrency goroutines. A
// check starts only while ctx lasts; it runs on work. It returns how many
// products were claimed.
func (m *Monitor) RunOnce(ctx, work context.Context) (int, error) {
	batch, err := m.o.Store.ClaimDue(ctx, m.o.Owner, m.o.Now().UnixMilli(), m.o.Lease, m.o.Batch)
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	batch = interleaveDomains(batch)
	next := make(chan store.Product)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var unstarted []int64
	for range min(m.o.Concurrency, len(batch)) {
		wg.Go(func() {
			for p := range next {
				started, err := m.check(ctx, work, p, false)
				if err != nil {
					m.o.Logger.Warn("monitor: check", "product", p.ID, "url", p.URL, "err", err)
				}
				if !started {
					mu.Lock()
					unstarted = append(unstarted, p.ID)
					mu.Unlock()
				}
			}
		})
	}
	for i, p := range batch {
		if ctx.Err() != nil {
			mu.Lock()
			for _, q := range batch[i:] {
				unstarted = append(unstarted, q.ID)
			}
			mu.Unlock()
			break
		}
		next <- p
	}
	close(next)
	wg.Wait()
	if len(unstarted) > 0 {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(work), 5*time.Second)
		defer cancel()
		if _, err := m.o.Store.ReleaseLeases(rctx, m.o.Owner, unstarted...); err != nil {
			return len(batch), fmt.Errorf("release unstarted: %w", err)
		}
	}
	return len(batch), nil
}

// Check checks one product the caller has leased (the confirm worker),
// running to the end on ctx.
func (m *Monitor) Check(ctx context.Context, p store.Product, confirm bool) error {
	started, err := m.check(ctx, ctx, p, confirm)
	if !started {
		owner := m.o.Owner
		if confirm {
			owner = m.confirmOwner()
		}
		if _, rerr := m.o.Store.ReleaseLeases(context.WithoutCancel(ctx), owner, p.ID); rerr != nil {
			return errors.Join(err, rerr)
		}
		if err == nil {
			err = errors.New("monitor: the domain's next slot is too far away")
		}
	}
	return err
}

// confirmOwner leases confirm re-checks apart from the claim loop, so the
// two never both hold one product.
func (m *Monitor) confirmOwner() string { return m.o.Owner + "/confirm" }

// interleaveDomains orders a batch round-robin over its domains (keeping
// each domain's order), so the goroutines work on different stores at once
// instead of all queueing for one domain's slot.
func interleaveDomains(batch []store.Product) []store.Product {
	var order []string
	queues := map[string][]store.Product{}
	for _, p := range batch {
		if _, ok := queues[p.Domain]; !ok {
			order = append(order, p.Domain)
		}
		queues[p.Domain] = append(queues[p.Domain], p)
	}
	out := make([]store.Product, 0, len(batch))
	for len(out) < len(batch) {
		for _, d := range order {
			if q := queues[d]; len(q) > 0 {
				out = append(out, q[0])
				queues[d] = q[1:]
			}
		}
	}
	return out
}
