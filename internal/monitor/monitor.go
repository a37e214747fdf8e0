// Package monitor is the check pipeline: claim a batch of due products from
// the frontier → reserve their domains' request slots → fetch (conditional
// GET) → extract → record. Checks are recorded by a writer that commits
// several at once (a group commit); each check's writes, and the release of
// its lease, are in the transaction that records it. A suspicious change is
// held and confirmed by a re-check a minute later (a River job) before it
// counts.
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
	// DefaultBatchPerWorker × Concurrency is the default batch: large
	// enough that claims and slot reservations are a small share of the
	// work, small enough that a batch's slots on one domain stay near.
	DefaultBatchPerWorker = 4
)

// Options configures New. Store, Fetcher and Owner are required.
type Options struct {
	Store   *store.Store
	Fetcher Fetcher
	// Owner names this worker in leases: unique per process (see WorkerID).
	Owner       string
	Concurrency int           // checks at once; default 4
	Batch       int           // products claimed at once; default 4 × Concurrency
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
	// OnChecked, when set, is called after each check's record commits
	// (from a group-commit writer goroutine; keep it quick). The bench times
	// checks with it.
	OnChecked func(Checked)
}

// Monitor runs checks. It is safe for concurrent use: the confirm worker
// calls Check while Run claims.
type Monitor struct {
	o       Options
	wake    chan struct{}
	metrics *metrics

	mu    sync.Mutex
	rates map[string]float64 // per-minute rates domains set, as of their last reservation
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
		o.Batch = DefaultBatchPerWorker * o.Concurrency
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
	return &Monitor{o: o, wake: make(chan struct{}, 1), metrics: mt, rates: map[string]float64{}}, nil
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
	p := m.newPipeline(ctx, work)
	defer p.close() // before releaseAll: in-flight checks release their own leases

	for ctx.Err() == nil {
		n, err := m.claimInto(ctx, p)
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

// RunUntilIdle claims and checks due products, as Run does, until nothing
// is due and every check is recorded (the bench drains the frontier with
// it). It returns how many products it claimed.
func (m *Monitor) RunUntilIdle(ctx context.Context) (int, error) {
	p := m.newPipeline(ctx, ctx)
	defer p.close()
	total := 0
	for {
		n, err := m.claimInto(ctx, p)
		total += n
		if err != nil {
			return total, err
		}
		if n < m.o.Batch {
			p.busy.Wait() // what is in flight may leave work due (a released product)
			if n == 0 {
				return total, ctx.Err()
			}
		}
	}
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
// check starts only while ctx lasts; it runs on work. It returns, with how
// many products were claimed, once every started check is recorded.
func (m *Monitor) RunOnce(ctx, work context.Context) (int, error) {
	p := m.newPipeline(ctx, work)
	n, err := m.claimInto(ctx, p)
	p.close()
	return n, err
}

// pipeline runs checks: Concurrency goroutines take claimed products from
// jobs, and one recorder writes their results in group commits. Claiming
// the next batch overlaps the tail of the previous one, so the goroutines
// do not idle while a batch's last checks finish.
type pipeline struct {
	m           *Monitor
	start, work context.Context
	jobs        chan slotJob
	rec         *recorder
	workers     sync.WaitGroup
	busy        sync.WaitGroup // products handed out and not yet recorded or released
}

func (m *Monitor) newPipeline(start, work context.Context) *pipeline {
	p := &pipeline{m: m, start: start, work: work, jobs: make(chan slotJob)}
	p.rec = m.newRecorder(work, &p.busy)
	for range m.o.Concurrency {
		p.workers.Go(p.worker)
	}
	return p
}

func (p *pipeline) worker() {
	m := p.m
	for j := range p.jobs {
		started, err := m.check(p.start, p.work, j, false, p.rec)
		if err != nil {
			m.o.Logger.Warn("monitor: check", "product", j.p.ID, "url", j.p.URL, "err", err)
		}
		if !started {
			p.release(j.p.ID)
		}
		if !started || err != nil {
			p.busy.Done() // else the recorder says when it is recorded
		}
	}
}

// release gives back the lease of a product that was not checked (its slot
// was out of reach, or the monitor is stopping), so it stays due for the
// next claim by any worker.
func (p *pipeline) release(ids ...int64) {
	m := p.m
	ctx, cancel := context.WithTimeout(context.WithoutCancel(p.work), 5*time.Second)
	defer cancel()
	if _, err := m.o.Store.ReleaseLeases(ctx, m.o.Owner, ids...); err != nil {
		m.o.Logger.Error("monitor: release unstarted", "owner", m.o.Owner, "err", err)
	}
}

// close waits for the checks in flight and their records.
func (p *pipeline) close() {
	close(p.jobs)
	p.workers.Wait()
	p.rec.close()
}

// claimInto claims a batch and reserves its request slots (one
// transaction, store.ClaimBatch) and hands the products to p's goroutines
// while ctx lasts (the rest is released). It returns how many products
// were claimed.
func (m *Monitor) claimInto(ctx context.Context, p *pipeline) (int, error) {
	batch, slots, err := m.o.Store.ClaimBatch(ctx, m.o.Owner, m.o.Now().UnixMilli(), m.o.Lease, m.o.Batch,
		m.o.DefaultRatePerMin, m.slotsFor)
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	for _, sl := range slots {
		m.setRate(sl.Domain.Domain, sl.Domain.RatePerMin)
	}
	jobs := assignSlots(interleaveDomains(batch), slots)
	for i, j := range jobs {
		p.busy.Add(1)
		select {
		case p.jobs <- j:
		case <-ctx.Done():
			p.busy.Done()
			ids := make([]int64, 0, len(jobs)-i)
			for _, q := range jobs[i:] {
				ids = append(ids, q.p.ID)
			}
			p.release(ids...)
			return len(batch), nil
		}
	}
	return len(batch), nil
}

// slotJob is one claimed product with its domain's settings and the
// request slot reserved for it (noSlot: none within reach; the product is
// released unchecked).
type slotJob struct {
	p      store.Product
	dom    *store.Domain
	slotAt int64
}

const noSlot = -1

// slotsFor is how many request slots to reserve for a batch's n products
// on a domain: no more than fit in half a lease at the domain's rate (as
// of its last reservation). The others stay due for a later batch.
func (m *Monitor) slotsFor(domain string, n int) int {
	if every := int64(60000.0 / m.rate(domain)); every > 0 {
		return min(n, int(m.o.Lease.Milliseconds()/2/every)+1)
	}
	return n
}

// assignSlots gives each product of the batch its domain's next reserved
// slot, in batch order.
func assignSlots(batch []store.Product, slots map[string]store.Slots) []slotJob {
	used := map[string]int{}
	jobs := make([]slotJob, len(batch))
	for i, p := range batch {
		sl := slots[p.Domain]
		jobs[i] = slotJob{p: p, dom: &sl.Domain, slotAt: noSlot}
		if k := used[p.Domain]; k < sl.Count {
			jobs[i].slotAt = sl.At(k)
			used[p.Domain] = k + 1
		}
	}
	return jobs
}

// rate is a domain's requests per minute as of its last reservation (the
// default before the first).
func (m *Monitor) rate(domain string) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r := m.rates[domain]; r > 0 {
		return r
	}
	return m.o.DefaultRatePerMin
}

func (m *Monitor) setRate(domain string, r float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r > 0 {
		m.rates[domain] = r
	} else {
		delete(m.rates, domain)
	}
}

// Check checks one product the caller has leased (the confirm worker),
// running to the end on ctx.
func (m *Monitor) Check(ctx context.Context, p store.Product, confirm bool) error {
	j := slotJob{p: p, slotAt: noSlot}
	sl, err := m.o.Store.ReserveDomainSlots(ctx, p.Domain, 1, m.o.Now().UnixMilli(), m.o.DefaultRatePerMin)
	started := false
	if err == nil {
		j.dom, j.slotAt = &sl.Domain, sl.First
		started, err = m.check(ctx, ctx, j, confirm, nil)
	}
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
