package bench

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"slices"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/monitor"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/ui"
)

// MeasureOptions configures MeasureSeeded.
type MeasureOptions struct {
	DatabaseURL string // as SeedOptions
	DataDir     string
	// Samples is how many random products the chart queries run for
	// (default 200), and Claims how many batches are claimed (default 50).
	Samples, Claims int
	// RetentionDays > 0 measures pruning raw history older than that (last,
	// as it deletes rows); 0 skips it.
	RetentionDays int
	Seed          uint64
	Logger        *slog.Logger
}

// Latency is a set of timings in milliseconds.
type Latency struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
	Max float64 `json:"max_ms"`
	// Mean rows (points or days) each answer had, where that applies.
	MeanRows float64 `json:"mean_rows,omitempty"`
}

func latency(ds []time.Duration, rows int) Latency {
	slices.Sort(ds)
	l := Latency{N: len(ds)}
	if len(ds) == 0 {
		return l
	}
	l.P50, l.P95, l.Max = ms(ds[len(ds)/2]), ms(ds[(len(ds)*95+99)/100-1]), ms(ds[len(ds)-1])
	l.MeanRows = float64(rows) / float64(len(ds))
	return l
}

// Measurement is what MeasureSeeded found on a seeded database.
type Measurement struct {
	Engine      string `json:"engine"`
	CPUs        int    `json:"cpus"`
	Products    int64  `json:"products"`
	HistoryRows int64  `json:"history_rows"`
	RollupRows  int64  `json:"rollup_rows"`
	Watches     int64  `json:"watches"`

	// Bytes by table (indexes included) and for the whole database.
	Bytes           map[string]int64 `json:"bytes"`
	DBBytes         int64            `json:"db_bytes"`
	BytesPerProduct int64            `json:"db_bytes_per_product"`

	ClaimBatch int     `json:"claim_batch"`
	DueAtClaim int64   `json:"due_at_claim"`
	Claim      Latency `json:"claim"`

	Chart30d Latency `json:"chart_30d"`
	Chart90d Latency `json:"chart_90d"`
	Chart1y  Latency `json:"chart_1y"`

	DashboardWatches int     `json:"dashboard_watches"`
	Dashboard        Latency `json:"dashboard_rows"`
	// DashboardPage is GET / rendered for the workspace (first page of 50);
	// DashboardSortedByChange sorts all watches by their 30-day change.
	DashboardPage           Latency `json:"dashboard_page"`
	DashboardSortedByChange Latency `json:"dashboard_page_sorted_by_30d_change"`

	// RollupHour is a rollup run after an hour of changes (RollupChanged
	// products got a new row).
	RollupChanged int         `json:"rollup_changed_products"`
	RollupSeconds float64     `json:"rollup_seconds"`
	Rollup        RollupStats `json:"rollup"`

	Retention *RetentionRun `json:"retention,omitempty"`
}

// RollupStats mirrors store.RollupStats for JSON.
type RollupStats struct {
	Products int `json:"products"`
	Days     int `json:"days"`
}

// RetentionRun is one prune of the seeded history.
type RetentionRun struct {
	Days              int     `json:"retention_days"`
	Seconds           float64 `json:"seconds"`
	RowsDeleted       int64   `json:"rows_deleted"`
	PartitionsDropped int     `json:"partitions_dropped"`
	HistoryRowsAfter  int64   `json:"history_rows_after"`
	DBBytesAfter      int64   `json:"db_bytes_after"`
	Chart1yAfter      Latency `json:"chart_1y_after"`
}

// MeasureSeeded measures a database filled by Seed: sizes, frontier claims
// among its products, chart series of random products, the dashboard of the
// "dashboard" workspace, an hourly rollup run and, optionally, retention.
// Times are relative to the seed's "now" (the rollup watermark plus the
// lag), so the measurement does not drift with the hours since seeding.
func MeasureSeeded(ctx context.Context, o MeasureOptions) (*Measurement, error) {
	if o.Samples <= 0 {
		o.Samples = 200
	}
	if o.Claims <= 0 {
		o.Claims = 50
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	d, err := db.Open(ctx, db.Options{URL: o.DatabaseURL, DataDir: o.DataDir})
	if err != nil {
		return nil, err
	}
	defer d.Close()
	st := store.New(d)
	w, err := st.RollupWatermark(ctx)
	if err != nil {
		return nil, err
	}
	if w == 0 {
		return nil, fmt.Errorf("bench: the database has no rollups: seed it first (--seed-products)")
	}
	now := w + store.RollupLagMS
	m := &Measurement{Engine: string(d.Engine), CPUs: numCPU(), Bytes: map[string]int64{}}
	o.Logger.Info("measure: counting")
	for q, dst := range map[string]*int64{
		`SELECT count(*) FROM products`:      &m.Products,
		`SELECT count(*) FROM price_history`: &m.HistoryRows,
		`SELECT count(*) FROM price_daily`:   &m.RollupRows,
		`SELECT count(*) FROM watches`:       &m.Watches,
	} {
		if err := d.Read.QueryRowContext(ctx, q).Scan(dst); err != nil {
			return nil, err
		}
	}
	if err := sizes(ctx, d, m.Bytes); err != nil {
		return nil, err
	}
	if m.DBBytes, err = dbSize(ctx, d); err != nil {
		return nil, err
	}
	m.BytesPerProduct = m.DBBytes / max(m.Products, 1)

	o.Logger.Info("measure: claims")
	m.ClaimBatch = monitor.DefaultBatchPerWorker * 8
	if err := d.Read.QueryRowContext(ctx, `SELECT count(*) FROM products WHERE next_check_at <= $1`, now).Scan(&m.DueAtClaim); err != nil {
		return nil, err
	}
	var lat []time.Duration
	for range o.Claims {
		t := time.Now()
		got, err := st.ClaimDue(ctx, "bench-seeded", now, time.Minute, m.ClaimBatch)
		lat = append(lat, time.Since(t))
		if err != nil {
			return nil, err
		}
		if len(got) == 0 {
			return nil, fmt.Errorf("bench: nothing due to claim")
		}
		if _, err := st.ReleaseLeases(ctx, "bench-seeded"); err != nil {
			return nil, err
		}
	}
	m.Claim = latency(lat, 0)

	o.Logger.Info("measure: charts")
	r := rand.New(rand.NewSource(int64(o.Seed)))
	var lo, hi int64
	if err := d.Read.QueryRowContext(ctx, `SELECT MIN(id), MAX(id) FROM products`).Scan(&lo, &hi); err != nil {
		return nil, err
	}
	ids := make([]int64, o.Samples)
	for i := range ids {
		ids[i] = lo + r.Int63n(hi-lo+1)
	}
	chart := func(span int64) (Latency, error) {
		var lat []time.Duration
		rows := 0
		for _, id := range ids {
			t := time.Now()
			s, err := st.PriceSeries(ctx, id, now-span, now)
			lat = append(lat, time.Since(t))
			if err != nil {
				return Latency{}, err
			}
			rows += len(s.Points) + len(s.Days)
		}
		return latency(lat, rows), nil
	}
	if m.Chart30d, err = chart(30 * store.DayMS); err != nil {
		return nil, err
	}
	if m.Chart90d, err = chart(90 * store.DayMS); err != nil {
		return nil, err
	}
	if m.Chart1y, err = chart(365 * store.DayMS); err != nil {
		return nil, err
	}

	o.Logger.Info("measure: dashboard")
	var dashID int64
	if err := d.Read.QueryRowContext(ctx, `SELECT id FROM workspaces WHERE slug = 'dashboard'`).Scan(&dashID); err != nil {
		return nil, fmt.Errorf("bench: the dashboard workspace: %w", err)
	}
	// The page itself, as a signed-in member sees it: the watches of the
	// workspace, filters and sort, the reference prices and sparklines of
	// the 50 rows shown, the HTML.
	pages, err := ui.New(&ui.Handler{Store: st, Logger: o.Logger})
	if err != nil {
		return nil, err
	}
	page := pages.Routes()
	render := func(path string) (int, error) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req = req.WithContext(auth.WithIdentity(ctx, auth.Identity{WorkspaceID: dashID, Role: auth.RoleMember, Scope: auth.ScopeReadWrite}))
		rec := httptest.NewRecorder()
		page.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			return 0, fmt.Errorf("bench: dashboard %s: HTTP %d", path, rec.Code)
		}
		return rec.Body.Len(), nil
	}
	var dl, sl []time.Duration
	for range 20 {
		t := time.Now()
		rows, err := st.DashboardRows(ctx, dashID)
		dl = append(dl, time.Since(t))
		if err != nil {
			return nil, err
		}
		m.DashboardWatches = len(rows)
		t = time.Now()
		if _, err := render("/"); err != nil {
			return nil, err
		}
		sl = append(sl, time.Since(t))
	}
	var sorted []time.Duration
	for range 5 {
		t := time.Now()
		if _, err := render("/?sort=change30"); err != nil {
			return nil, err
		}
		sorted = append(sorted, time.Since(t))
	}
	m.DashboardSortedByChange = latency(sorted, 0)
	m.Dashboard, m.DashboardPage = latency(dl, 0), latency(sl, 0)

	o.Logger.Info("measure: an hour of changes, then the rollup job")
	m.RollupChanged = int(max(1, m.Products*15/1000)) // 1.5 % of products change in an hour
	err = d.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO price_history (product_id, observed_at, price_minor, currency, availability)
			SELECT id, $1 + (id % 3500) * 1000, COALESCE(price_minor, 1000) * 95 / 100, currency, availability
			FROM products WHERE id % $2 = 0 AND currency <> ''`, now, max(1, m.Products/int64(m.RollupChanged)))
		return err
	})
	if err != nil {
		return nil, err
	}
	t := time.Now()
	rs, err := st.RollupHistory(ctx, now+time.Hour.Milliseconds(), 0)
	if err != nil {
		return nil, err
	}
	m.RollupSeconds = time.Since(t).Seconds()
	m.Rollup = RollupStats{Products: rs.Products, Days: rs.Days}

	if o.RetentionDays > 0 {
		o.Logger.Info("measure: retention")
		rr := &RetentionRun{Days: o.RetentionDays}
		t := time.Now()
		ps, err := st.PruneHistory(ctx, now-int64(o.RetentionDays)*store.DayMS, 0)
		if err != nil {
			return nil, err
		}
		rr.Seconds = time.Since(t).Seconds()
		rr.RowsDeleted, rr.PartitionsDropped = ps.RowsDeleted, ps.PartitionsDropped
		if err := d.Read.QueryRowContext(ctx, `SELECT count(*) FROM price_history`).Scan(&rr.HistoryRowsAfter); err != nil {
			return nil, err
		}
		if rr.DBBytesAfter, err = dbSize(ctx, d); err != nil {
			return nil, err
		}
		if rr.Chart1yAfter, err = chart(365 * store.DayMS); err != nil {
			return nil, err
		}
		m.Retention = rr
	}
	return m, nil
}

// sizes fills bytes per table (indexes and TOAST included; a partitioned
// table's partitions summed).
func sizes(ctx context.Context, d *db.DB, out map[string]int64) error {
	for _, table := range []string{"products", "watches", "price_history", "price_daily"} {
		var n sql.NullInt64
		var err error
		if d.Engine == db.Postgres {
			err = d.Read.QueryRowContext(ctx, `SELECT pg_total_relation_size($1::regclass) + COALESCE((SELECT SUM(pg_total_relation_size(inhrelid))
				FROM pg_inherits WHERE inhparent = $1::regclass), 0)`, table).Scan(&n)
		} else {
			// dbstat is compiled into modernc's SQLite: the pages of the
			// table and of its indexes.
			err = d.Read.QueryRowContext(ctx, `SELECT SUM(pgsize) FROM dbstat
				WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = $1)`, table).Scan(&n)
		}
		if err != nil {
			return fmt.Errorf("size of %s: %w", table, err)
		}
		out[table] = n.Int64
	}
	return nil
}
