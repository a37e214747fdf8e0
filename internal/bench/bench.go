// Package bench measures the check pipeline end to end: a simulated store
// (internal/storesim) on loopback, a temporary database, and the monitor
// claiming, fetching, extracting and recording, round after round, with a
// share of prices changing between rounds.
//
// It measures the pipeline, not politeness: the store's products are spread
// over several loopback addresses and the bench lifts their rate limits
// (domain rows and the fetcher's default), while robots.txt, pacing and the
// breakers stay in the path.
//
// The simulated store runs in the same process, so CPU time and peak RSS
// include serving the pages (and gzip-compressing them).
package bench

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"database/sql"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/fetch"
	"github.com/shelfwatch/shelfwatch/internal/monitor"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/storesim"
)

// Options configure Run. Zero values mean the documented defaults.
type Options struct {
	Products     int     // default 1,000
	Rounds       int     // rounds after the first (which sees every page new); default 3
	ChangedShare float64 // share of prices changed before each round; default 0.1
	TLS          bool    // serve HTTPS; the fetcher must then trust the store's certificate (see trustCert)
	Hosts        int     // loopback addresses 127.0.0.2 …; default 16
	Concurrency  int     // monitor checks at once; default 8
	Batch        int     // products claimed at once; 0: the monitor's default
	NoValidators bool    // the store sends no ETag/Last-Modified: every check downloads the page
	// NoReuse serves the store with keep-alives off, so every request opens
	// a connection (and, with TLS, does a full handshake).
	NoReuse bool
	// DatabaseURL "" is SQLite in a temporary directory; a postgres:// URL
	// gets a fresh schema (via search_path) dropped at the end.
	DatabaseURL string
	// IdleProducts, when > 0, adds that many products that are not due (in
	// one statement) after the rounds and measures ClaimDue of a due batch.
	IdleProducts int
	// AlertDrops is how many prices the alerts phase drops (0: no alerts
	// phase); see alertPhase.
	AlertDrops int
	Seed       uint64
	Logger     *slog.Logger // progress; nil discards
}

// Result is what a run measured. Durations are in microseconds or
// milliseconds as their names say.
type Result struct {
	Engine       string  `json:"engine"`
	Products     int     `json:"products"`
	Rounds       int     `json:"rounds"`
	ChangedShare float64 `json:"changed_share"`
	TLS          bool    `json:"tls"`
	Hosts        int     `json:"hosts"`
	Concurrency  int     `json:"concurrency"`
	NoValidators bool    `json:"no_validators"`
	NoReuse      bool    `json:"no_reuse"`
	CPUs         int     `json:"cpus"`

	First  Phase `json:"first_round"`   // every page new: full fetch and extraction
	Change Phase `json:"change_rounds"` // the later rounds together

	CheckedEveryRound bool  `json:"checked_every_round"`
	PricesChanged     int   `json:"prices_changed"`     // by the store in the later rounds
	HistoryRows       int64 `json:"history_rows"`       // written in the later rounds
	HistoryRowsFirst  int64 `json:"history_rows_first"` // written in the first round (one per product)
	FailedChecks      int64 `json:"failed_checks"`      // checks whose outcome was not ok / not modified / unchanged
	PeakRSSKB         int64 `json:"peak_rss_kb"`        // getrusage ru_maxrss, whole process
	DBBytes           int64 `json:"db_bytes"`           // database size at the end
	DBBytesPerProduct int64 `json:"db_bytes_per_product"`

	Idle *IdleClaim `json:"idle_claim,omitempty"`
	// Alerts is the alerts phase (after the rounds and the RSS reading).
	Alerts *AlertLatency `json:"alerts,omitempty"`

	// GoalsMet is Goals() of this result (filled by Run).
	GoalsMet []Goal `json:"goals"`
}

// Phase is the figures of one or more rounds.
type Phase struct {
	Checks         int     `json:"checks"`
	Seconds        float64 `json:"seconds"`
	ChecksPerSec   float64 `json:"checks_per_sec"`
	CPUMicrosCheck float64 `json:"cpu_us_per_check"` // user + system CPU of the process
	P50MS          float64 `json:"p50_ms"`           // fetch start → check recorded
	P99MS          float64 `json:"p99_ms"`
	FullFetches    int64   `json:"full_fetches"` // 200 with a body that was extracted
}

// IdleClaim is the claim latency with many idle products present.
type IdleClaim struct {
	IdleProducts int     `json:"idle_products"`
	InsertSec    float64 `json:"insert_seconds"`
	Batch        int     `json:"batch"`
	Claims       int     `json:"claims"`
	P50MS        float64 `json:"p50_ms"`
	MaxMS        float64 `json:"max_ms"`
}

func (o *Options) defaults() {
	if o.Products <= 0 {
		o.Products = 1000
	}
	if o.Rounds < 0 {
		o.Rounds = 0
	} else if o.Rounds == 0 {
		o.Rounds = 3
	}
	if o.ChangedShare < 0 || o.ChangedShare > 1 {
		o.ChangedShare = 0.1
	}
	if o.Hosts <= 0 {
		o.Hosts = 16
	}
	o.Hosts = min(o.Hosts, 250)
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// liftedRate is the per-minute rate the bench gives every domain: 60 s /
// 6,000,000 rounds to a 0 ms slot interval in the store and 10 µs in the
// fetcher's pacer.
const liftedRate = 6_000_000

// Run runs the bench until done or ctx ends.
func Run(ctx context.Context, o Options) (*Result, error) {
	o.defaults()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	tmp, err := os.MkdirTemp("", "shelfwatch-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	sim := storesim.New(storesim.Options{Products: o.Products, Seed: o.Seed, Hosts: o.Hosts, TLS: o.TLS && !o.NoReuse,
		Config: storesim.Config{NoValidators: o.NoValidators}})
	srv, err := serveStore(ctx, sim, o, tmp)
	if err != nil {
		return nil, err
	}
	defer srv.wait()
	defer cancel()

	d, dropSchema, err := openDB(ctx, o.DatabaseURL, tmp)
	if err != nil {
		return nil, err
	}
	defer func() {
		_ = d.Close()
		dropSchema()
	}()
	st := store.New(d)

	urls, err := insertProducts(ctx, st, sim.Len(), srv.url)
	if err != nil {
		return nil, err
	}
	for _, origin := range srv.origins {
		u, _ := url.Parse(origin)
		if err := st.SetDomainSettings(ctx, store.Domain{Domain: u.Hostname(), RatePerMin: liftedRate}); err != nil {
			return nil, err
		}
	}

	fetcher, err := fetch.New(fetch.Options{AllowPrivateNetworks: true, DefaultRatePerMinute: liftedRate})
	if err != nil {
		return nil, err
	}
	defer func() { _ = fetcher.Close() }()
	rec := newRecorder(urls)
	mon, err := monitor.New(monitor.Options{
		Store: st, Fetcher: &timedFetcher{f: fetcher, rec: rec}, Owner: "bench",
		Concurrency: o.Concurrency, Batch: o.Batch, DefaultRatePerMin: liftedRate,
		Logger: slog.New(rec), OnChecked: rec.checked,
	})
	if err != nil {
		return nil, err
	}

	res := &Result{Engine: string(d.Engine), Products: o.Products, Rounds: o.Rounds, ChangedShare: o.ChangedShare,
		TLS: o.TLS, Hosts: o.Hosts, Concurrency: o.Concurrency, NoValidators: o.NoValidators, NoReuse: o.NoReuse, CPUs: numCPU()}

	// The first round: every product is new and due now.
	h0, err := historyRows(ctx, d)
	if err != nil {
		return nil, err
	}
	o.Logger.Info("bench: first round", "products", o.Products)
	res.First, err = runRound(ctx, mon, rec, nil)
	if err != nil {
		return nil, err
	}
	res.CheckedEveryRound = res.First.Checks == o.Products
	h1, err := historyRows(ctx, d)
	if err != nil {
		return nil, err
	}
	res.HistoryRowsFirst = h1 - h0

	var phases []Phase
	for r := range o.Rounds {
		changed := sim.Tick(o.ChangedShare)
		res.PricesChanged += len(changed)
		o.Logger.Info("bench: round", "round", r+1, "changed", len(changed))
		ph, err := runRound(ctx, mon, rec, func() error { return makeAllDue(ctx, d) })
		if err != nil {
			return nil, err
		}
		res.CheckedEveryRound = res.CheckedEveryRound && ph.Checks == o.Products
		phases = append(phases, ph)
	}
	h2, err := historyRows(ctx, d)
	if err != nil {
		return nil, err
	}
	res.HistoryRows = h2 - h1
	res.Change = merge(phases)
	res.Change.P50MS, res.Change.P99MS = rec.percentiles(len(phases))
	res.FailedChecks = rec.failed()

	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		res.PeakRSSKB = int64(ru.Maxrss) // kilobytes on Linux
	}
	if res.DBBytes, err = dbSize(ctx, d); err != nil {
		return nil, err
	}
	res.DBBytesPerProduct = res.DBBytes / int64(o.Products)

	if o.AlertDrops > 0 {
		o.Logger.Info("bench: alerts", "drops", o.AlertDrops)
		if res.Alerts, err = alertPhase(ctx, d, st, mon, rec, sim, o.AlertDrops); err != nil {
			return nil, err
		}
	}
	if o.IdleProducts > 0 {
		o.Logger.Info("bench: idle products", "count", o.IdleProducts)
		if res.Idle, err = idleClaim(ctx, d, st, o.IdleProducts, batchOf(o)); err != nil {
			return nil, err
		}
	}
	res.GoalsMet = res.Goals()
	return res, nil
}

// runRound makes the products due (prepare), then drains the frontier the
// way monitor.Run does, one batch after another, until nothing is due.
func runRound(ctx context.Context, mon *monitor.Monitor, rec *recorder, prepare func() error) (Phase, error) {
	if prepare != nil {
		if err := prepare(); err != nil {
			return Phase{}, err
		}
	}
	rec.startRound()
	cpu0 := cpuTime()
	t0 := time.Now()
	if _, err := mon.RunUntilIdle(ctx); err != nil {
		return Phase{}, fmt.Errorf("check round: %w", err)
	}
	took := time.Since(t0)
	cpu := cpuTime() - cpu0
	checks, full := rec.roundCounts()
	ph := Phase{Checks: checks, Seconds: took.Seconds(), FullFetches: full}
	if checks > 0 {
		ph.ChecksPerSec = float64(checks) / took.Seconds()
		ph.CPUMicrosCheck = float64(cpu.Microseconds()) / float64(checks)
	}
	ph.P50MS, ph.P99MS = rec.percentiles(1)
	return ph, nil
}

func merge(ps []Phase) Phase {
	var m Phase
	var cpu float64
	for _, p := range ps {
		m.Checks += p.Checks
		m.Seconds += p.Seconds
		m.FullFetches += p.FullFetches
		cpu += p.CPUMicrosCheck * float64(p.Checks)
	}
	if m.Checks > 0 {
		m.ChecksPerSec = float64(m.Checks) / m.Seconds
		m.CPUMicrosCheck = cpu / float64(m.Checks)
	}
	return m
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// trustCert makes the fetcher trust the store's self-signed certificate
// (DER). The fetcher has no option for extra roots (a user's URL must be
// checked against the system's), so the bench points SSL_CERT_FILE at the
// certificate before this process first loads the system roots. That works
// once per process, which is all `shelfwatch bench` needs; the check below
// reports it when the roots were loaded already.
func trustCert(ctx context.Context, der []byte, origin, dir string) error {
	file := filepath.Join(dir, "storesim.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return err
	}
	if err := os.Setenv("SSL_CERT_FILE", file); err != nil {
		return err
	}
	u, _ := url.Parse(origin)
	check := &tls.Dialer{Config: &tls.Config{ServerName: u.Hostname()}}
	conn, err := check.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		return fmt.Errorf("the fetcher cannot be made to trust the store's certificate in this process (system roots already loaded?): %w", err)
	}
	return conn.Close()
}

// peerCert reads the certificate a TLS server sends.
func peerCert(ctx context.Context, origin string) ([]byte, error) {
	u, _ := url.Parse(origin)
	dialer := &tls.Dialer{Config: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec // only to read the store's certificate
	conn, err := dialer.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		return nil, fmt.Errorf("read storesim certificate: %w", err)
	}
	defer conn.Close()
	certs := conn.(*tls.Conn).ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return nil, errors.New("read storesim certificate: none sent")
	}
	return certs[0].Raw, nil
}

// openDB opens a migrated temporary database and returns a function that
// removes it (the PostgreSQL schema; the SQLite file goes with the
// temporary directory).
func openDB(ctx context.Context, dbURL, dir string) (*db.DB, func(), error) {
	noop := func() {}
	if dbURL == "" {
		d, err := db.Open(ctx, db.Options{DataDir: dir})
		if err != nil {
			return nil, noop, err
		}
		if err := d.Migrate(ctx); err != nil {
			_ = d.Close()
			return nil, noop, err
		}
		return d, noop, nil
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "shelfwatch_bench_" + hex.EncodeToString(b)
	admin, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, noop, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return nil, noop, fmt.Errorf("create schema: %w", err)
	}
	drop := func() {
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(dctx, dbURL)
		if err != nil {
			return
		}
		defer c.Close(dctx)
		_, _ = c.Exec(dctx, "DROP SCHEMA "+schema+" CASCADE")
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		drop()
		return nil, noop, fmt.Errorf("database URL: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	d, err := db.Open(ctx, db.Options{URL: u.String()})
	if err != nil {
		drop()
		return nil, noop, err
	}
	if err := d.Migrate(ctx); err != nil {
		_ = d.Close()
		drop()
		return nil, noop, err
	}
	return d, drop, nil
}

// insertProducts adds every store product and a watch on it in one
// transaction, due now, and returns the URLs by product id.
func insertProducts(ctx context.Context, st *store.Store, n int, urlOf func(int) string) (map[int64]string, error) {
	ws, err := st.EnsureWorkspace(ctx, "bench", "Bench")
	if err != nil {
		return nil, err
	}
	now := time.Now().UnixMilli()
	urls := make(map[int64]string, n)
	err = st.DB().Tx(ctx, func(tx *sql.Tx) error {
		insP, err := tx.PrepareContext(ctx, `INSERT INTO products (url, canonical_url, domain, availability, status,
			next_check_at, created_at, updated_at) VALUES ($1, $1, $2, $3, $4, $5, $5, $5) RETURNING id`)
		if err != nil {
			return err
		}
		defer insP.Close()
		insW, err := tx.PrepareContext(ctx, `INSERT INTO watches (workspace_id, product_id, created_at, updated_at)
			VALUES ($1, $2, $3, $3)`)
		if err != nil {
			return err
		}
		defer insW.Close()
		for i := 1; i <= n; i++ {
			u := urlOf(i)
			pu, err := url.Parse(u)
			if err != nil {
				return err
			}
			var id int64
			if err := insP.QueryRowContext(ctx, u, pu.Hostname(), store.Unknown, store.StatusActive, now).Scan(&id); err != nil {
				return fmt.Errorf("insert product: %w", err)
			}
			if _, err := insW.ExecContext(ctx, ws.ID, id, now); err != nil {
				return fmt.Errorf("insert watch: %w", err)
			}
			urls[id] = u
		}
		return nil
	})
	return urls, err
}

// makeAllDue makes every bench product due now, as if its interval had
// passed.
func makeAllDue(ctx context.Context, d *db.DB) error {
	_, err := d.Write.ExecContext(ctx, `UPDATE products SET next_check_at = $1 WHERE url NOT LIKE 'idle:%'`,
		time.Now().UnixMilli())
	return err
}

func historyRows(ctx context.Context, d *db.DB) (int64, error) {
	var n int64
	err := d.Write.QueryRowContext(ctx, `SELECT COUNT(*) FROM price_history`).Scan(&n)
	return n, err
}

func dbSize(ctx context.Context, d *db.DB) (int64, error) {
	var n int64
	if d.Engine == db.Postgres {
		err := d.Write.QueryRowContext(ctx, `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)
			FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')`).Scan(&n)
		return n, err
	}
	// Move the WAL into the main file first, so its size is the data's.
	if _, err := d.Write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return 0, err
	}
	err := d.Write.QueryRowContext(ctx,
		`SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()`).Scan(&n)
	return n, err
}

// idleClaim inserts n products that are not due (with watches, in two
// statements) and measures claiming a batch of due products among them:
// the bench's products are made due, claimed a batch at a time and the
// leases released, twenty times.
func idleClaim(ctx context.Context, d *db.DB, st *store.Store, n, batch int) (*IdleClaim, error) {
	far := time.Now().Add(24 * time.Hour).UnixMilli()
	t0 := time.Now()
	gen := `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $1) SELECT i FROM s`
	if d.Engine == db.Postgres {
		gen = `SELECT i FROM generate_series(1, $1::bigint) AS s(i)`
	}
	_, err := d.Write.ExecContext(ctx, `INSERT INTO products (url, canonical_url, domain, availability, status,
		next_check_at, created_at, updated_at)
		SELECT 'idle:' || i, 'idle:' || i, 'idle.example', 'unknown', 'active', $2, $2, $2 FROM (`+gen+`) AS g`, n, far)
	if err != nil {
		return nil, fmt.Errorf("insert idle products: %w", err)
	}
	_, err = d.Write.ExecContext(ctx, `INSERT INTO watches (workspace_id, product_id, created_at, updated_at)
		SELECT (SELECT MIN(id) FROM workspaces), id, $1, $1 FROM products WHERE domain = 'idle.example'`, far)
	if err != nil {
		return nil, fmt.Errorf("insert idle watches: %w", err)
	}
	if d.Engine == db.Postgres {
		if _, err := d.Write.ExecContext(ctx, `ANALYZE`); err != nil {
			return nil, err
		}
	}
	ic := &IdleClaim{IdleProducts: n, InsertSec: time.Since(t0).Seconds(), Batch: batch}
	var lat []time.Duration
	for range 20 {
		if err := makeAllDue(ctx, d); err != nil {
			return nil, err
		}
		t := time.Now()
		got, err := st.ClaimDue(ctx, "bench-idle", time.Now().UnixMilli(), time.Minute, batch)
		lat = append(lat, time.Since(t))
		if err != nil {
			return nil, err
		}
		if len(got) == 0 {
			return nil, errors.New("idle claim: nothing claimed")
		}
		if _, err := st.ReleaseLeases(ctx, "bench-idle"); err != nil {
			return nil, err
		}
	}
	slices.Sort(lat)
	ic.Claims = len(lat)
	ic.P50MS = ms(lat[len(lat)/2])
	ic.MaxMS = ms(lat[len(lat)-1])
	return ic, nil
}

// batchOf is the monitor's batch for o (its default when o sets none).
func batchOf(o Options) int {
	if o.Batch > 0 {
		return o.Batch
	}
	return monitor.DefaultBatchPerWorker * o.Concurrency
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// recorder times checks: the fetcher wrapper counts full fetches, and the
// monitor's OnChecked hook (called after the check's record commits) gives
// each check's latency from the start of its fetch. It is also the
// monitor's slog.Handler, to count warnings (failed checks).
type recorder struct {
	urls map[int64]string

	mu       sync.Mutex
	round    []time.Duration
	all      [][]time.Duration
	checks   int
	full     int64
	failures int64
}

func newRecorder(urls map[int64]string) *recorder {
	return &recorder{urls: urls}
}

func (r *recorder) startRound() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.round, r.checks, r.full = nil, 0, 0
}

func (r *recorder) roundCounts() (int, int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.all = append(r.all, r.round)
	return r.checks, r.full
}

// percentiles are p50 and p99 over the last k rounds.
func (r *recorder) percentiles(k int) (p50, p99 float64) {
	r.mu.Lock()
	var lat []time.Duration
	for _, l := range r.all[max(len(r.all)-k, 0):] {
		lat = append(lat, l...)
	}
	r.mu.Unlock()
	if len(lat) == 0 {
		return 0, 0
	}
	slices.Sort(lat)
	return ms(lat[len(lat)*50/100]), ms(lat[min(len(lat)*99/100, len(lat)-1)])
}

func (r *recorder) failed() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failures
}

func (r *recorder) fetched(outcome fetch.Outcome) {
	if outcome != fetch.OutcomeOK {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.full++
}

// checked is the monitor's OnChecked hook.
func (r *recorder) checked(c monitor.Checked) {
	took := time.Since(c.Began)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checks++
	switch fetch.Outcome(c.Outcome) {
	case fetch.OutcomeOK, fetch.OutcomeNotModified, fetch.OutcomeUnchanged:
	default:
		r.failures++
	}
	r.round = append(r.round, took)
}

func (r *recorder) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler           { return r }
func (r *recorder) WithGroup(string) slog.Handler                { return r }

func (r *recorder) Handle(context.Context, slog.Record) error {
	r.mu.Lock()
	r.failures++
	r.mu.Unlock()
	return nil
}

// timedFetcher counts full fetches.
type timedFetcher struct {
	f   *fetch.Client
	rec *recorder
}

func (t *timedFetcher) Fetch(ctx context.Context, req fetch.Request) (*fetch.Result, error) {
	res, err := t.f.Fetch(ctx, req)
	if res != nil {
		t.rec.fetched(res.Outcome)
	}
	return res, err
}

func numCPU() int { return runtime.NumCPU() }
