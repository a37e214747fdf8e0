package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// ErrNotEmpty reports a database that already has products: the seed fills
// only an empty one.
var ErrNotEmpty = errors.New("database not empty")

// SeedOptions configures Seed.
type SeedOptions struct {
	// DatabaseURL is postgres://… or a SQLite file ("" → DataDir's
	// shelfwatch.db). The database is migrated, and must have no products.
	DatabaseURL string
	DataDir     string
	Products    int // > 0
	HistoryDays int // > 0: history spans the days before Now
	// DashboardWatches go into one workspace (slug "dashboard") for the
	// dashboard measurement; default 10,000 (capped at Products).
	DashboardWatches int
	Batch            int // products per batch; default 20,000
	Seed             uint64
	Now              time.Time // zero: time.Now()
	Logger           *slog.Logger
}

// SeedResult is what Seed wrote.
type SeedResult struct {
	Engine      string  `json:"engine"`
	Products    int     `json:"products"`
	HistoryDays int     `json:"history_days"`
	HistoryRows int64   `json:"history_rows"`
	RollupRows  int64   `json:"rollup_rows"`
	Watches     int64   `json:"watches"`
	Seconds     float64 `json:"seconds"`
	RowsPerSec  float64 `json:"history_rows_per_sec"`
	// DashboardWorkspace is the id of the workspace with DashboardWatches.
	DashboardWorkspace int64 `json:"dashboard_workspace"`
	Now                int64 `json:"now_ms"` // the seed's "now" (Unix ms)
}

// seedBatch is one batch of generated products, with ids once written.
type seedBatch struct {
	products []seedProduct
	firstID  int64
	history  int
	rollups  []store.DailyRollup
}

// Seed fills an empty database with o.Products products over many store
// domains, their change-only history over o.HistoryDays days, the daily
// rollups of that history (computed by store.RollupDays, exactly what the
// rollup job writes, and the watermark set), one watch per product in a
// "seed" workspace (the frontier claims only watched products) and a
// "dashboard" workspace with o.DashboardWatches watches. PostgreSQL gets
// COPY in batches (history and rollups on two connections at once, their
// foreign-key triggers skipped when the role may, indexes kept); SQLite
// multi-row inserts in one transaction per batch. Progress goes to the
// logger. Not resumable: a failed seed leaves a partly filled database that
// the next Seed refuses.
func Seed(ctx context.Context, o SeedOptions) (*SeedResult, error) {
	if o.Products <= 0 || o.HistoryDays <= 0 {
		return nil, fmt.Errorf("bench: seed needs products and history days > 0")
	}
	if o.Batch <= 0 {
		o.Batch = 20_000
	}
	if o.DashboardWatches <= 0 {
		o.DashboardWatches = 10_000
	}
	o.DashboardWatches = min(o.DashboardWatches, o.Products)
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	t0 := time.Now()
	d, err := db.Open(ctx, db.Options{URL: o.DatabaseURL, DataDir: o.DataDir})
	if err != nil {
		return nil, err
	}
	defer d.Close()
	if err := d.Migrate(ctx); err != nil {
		return nil, err
	}
	var n int64
	if err := d.Read.QueryRowContext(ctx, `SELECT count(*) FROM products`).Scan(&n); err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, fmt.Errorf("%w: it has %d products; seed a new database (PostgreSQL: createdb …; SQLite: a new file)", ErrNotEmpty, n)
	}
	st := store.New(d)
	now := o.Now.UnixMilli()
	res := &SeedResult{Engine: string(d.Engine), Products: o.Products, HistoryDays: o.HistoryDays, Now: now}
	bulk, err := st.EnsureWorkspace(ctx, "seed", "Seeded products")
	if err != nil {
		return nil, err
	}
	dash, err := st.EnsureWorkspace(ctx, "dashboard", fmt.Sprintf("Dashboard (%d watches)", o.DashboardWatches))
	if err != nil {
		return nil, err
	}
	res.DashboardWorkspace = dash.ID
	if _, err := st.EnsurePartitions(ctx, o.Now.AddDate(0, 0, -o.HistoryDays-1), o.Now.AddDate(0, store.PartitionsAhead, 0)); err != nil {
		return nil, err
	}

	var w seedWriter
	if d.Engine == db.Postgres {
		pw, err := newPGSeedWriter(ctx, d.Pool, o.Logger)
		if err != nil {
			return nil, err
		}
		defer pw.close()
		w = pw
	} else {
		w = &sqlSeedWriter{d: d}
	}

	gen := newGenerator(o.Seed, now, o.HistoryDays)
	var histRows, rollRows atomic.Int64
	batches := make(chan *seedBatch, 1)
	gctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	err = both(gctx, cancel, func() error {
		defer close(batches)
		var lastID int64
		for done := 0; done < o.Products; {
			b := &seedBatch{}
			for i := done; i < min(done+o.Batch, o.Products); i++ {
				p := gen.product(i)
				b.history += len(p.rows)
				b.products = append(b.products, p)
			}
			first, err := w.products(gctx, b.products, now, lastID)
			if err != nil {
				return fmt.Errorf("seed products: %w", err)
			}
			b.firstID = first
			lastID = first + int64(len(b.products)) - 1
			for k := range b.products {
				id := b.firstID + int64(k)
				rows := b.products[k].rows
				for j := range rows {
					rows[j].ProductID = id
				}
				b.rollups = append(b.rollups, store.RollupDays(id, store.RollupState{}, rows, now)...)
			}
			done += len(b.products)
			select {
			case batches <- b:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	}, func() error {
		done := 0
		for b := range batches {
			if err := w.history(gctx, b, &histRows, &rollRows); err != nil {
				return err
			}
			done += len(b.products)
			el := time.Since(t0).Seconds()
			o.Logger.Info("seed progress", "products", done, "of", o.Products, "history_rows", histRows.Load(),
				"rollup_rows", rollRows.Load(), "seconds", int(el), "history_rows_per_sec", int(float64(histRows.Load())/el))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.HistoryRows, res.RollupRows = histRows.Load(), rollRows.Load()

	o.Logger.Info("seed: watches")
	step := max(1, o.Products/o.DashboardWatches)
	err = d.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO watches (workspace_id, product_id, created_at, updated_at)
			SELECT $1, id, created_at, created_at FROM products ORDER BY id`, bulk.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO watches (workspace_id, product_id, created_at, updated_at)
			SELECT $1, id, created_at, created_at FROM products WHERE id % $2 = 0 ORDER BY id LIMIT $3`,
			dash.ID, step, o.DashboardWatches); err != nil {
			return err
		}
		// Every row before the watermark is rolled up (the rollups above).
		_, err := tx.ExecContext(ctx, `UPDATE history_rollup_state SET watermark = $1 WHERE id = 1`, now-store.RollupLagMS)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("seed watches: %w", err)
	}
	if err := d.Read.QueryRowContext(ctx, `SELECT count(*) FROM watches`).Scan(&res.Watches); err != nil {
		return nil, err
	}
	if d.Engine == db.Postgres {
		o.Logger.Info("seed: analyze")
		if _, err := d.Write.ExecContext(ctx, `ANALYZE`); err != nil {
			return nil, err
		}
	}
	res.Seconds = time.Since(t0).Seconds()
	res.RowsPerSec = float64(res.HistoryRows) / res.Seconds
	return res, nil
}

// seedWriter writes generated batches.
type seedWriter interface {
	// products writes the batch's products and returns the first id; the
	// rest follow consecutively (checked). after is the last id so far.
	products(ctx context.Context, ps []seedProduct, now, after int64) (int64, error)
	// history writes the batch's history rows and rollups.
	history(ctx context.Context, b *seedBatch, hist, roll *atomic.Int64) error
}

// productRow is a generated product as the products table wants it: its
// current values are its newest history row's; checked within the last
// hour, next due within the hour (a few minutes' worth is due already).
func productRow(p *seedProduct, i int, now int64) []any {
	last := p.rows[len(p.rows)-1]
	checked := now - int64(i*104729)%hourMS
	var price any
	if last.PriceMinor != nil {
		price = *last.PriceMinor
	}
	return []any{p.url, p.url, p.domain, p.title, p.brand, p.sku, p.currency, price, last.Availability,
		store.StatusActive, checked, checked + hourMS - 5*60_000, p.rows[0].ObservedAt, checked}
}

var productCols = []string{"url", "canonical_url", "domain", "title", "brand", "sku", "currency", "price_minor",
	"availability", "status", "last_checked_at", "next_check_at", "created_at", "updated_at"}

var historyCols = []string{"product_id", "observed_at", "price_minor", "currency", "availability"}

var rollupCols = []string{"product_id", "day", "currency", "open_minor", "high_minor", "low_minor", "close_minor",
	"close_availability", "in_stock_share", "changes"}

func nullable(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// checkIDs verifies a batch got consecutive ids after after and returns the
// first.
func checkIDs(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, sq *sql.DB, n int, after int64) (int64, error) {
	var lo, hi, cnt int64
	var err error
	query := `SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0), count(*) FROM products WHERE id > $1`
	if q != nil {
		err = q.QueryRow(ctx, query, after).Scan(&lo, &hi, &cnt)
	} else {
		err = sq.QueryRowContext(ctx, query, after).Scan(&lo, &hi, &cnt)
	}
	if err != nil {
		return 0, err
	}
	if cnt != int64(n) || hi-lo+1 != cnt {
		return 0, fmt.Errorf("product ids of the batch are not consecutive (%d rows, ids %d…%d): is something else writing?", cnt, lo, hi)
	}
	return lo, nil
}

// pgSeedWriter COPYs on three connections: products, history, rollups.
type pgSeedWriter struct {
	prod, hist, roll *pgxpool.Conn
}

func newPGSeedWriter(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) (*pgSeedWriter, error) {
	w := &pgSeedWriter{}
	for _, c := range []**pgxpool.Conn{&w.prod, &w.hist, &w.roll} {
		conn, err := pool.Acquire(ctx)
		if err != nil {
			w.close()
			return nil, err
		}
		*c = conn
	}
	// The generator makes every row's product first; checking each
	// history row's foreign key would double the load time. Only a
	// superuser may skip the checks; anyone else gets them.
	for _, c := range []*pgxpool.Conn{w.hist, w.roll} {
		if _, err := c.Exec(ctx, `SET session_replication_role = replica`); err != nil {
			log.Info("seed: foreign keys checked row by row (SET session_replication_role needs a superuser)", "err", err)
			break
		}
	}
	return w, nil
}

func (w *pgSeedWriter) close() {
	for _, c := range []*pgxpool.Conn{w.hist, w.roll} {
		if c != nil {
			_, _ = c.Exec(context.Background(), `RESET session_replication_role`)
		}
	}
	for _, c := range []*pgxpool.Conn{w.prod, w.hist, w.roll} {
		if c != nil {
			c.Release()
		}
	}
}

func (w *pgSeedWriter) products(ctx context.Context, ps []seedProduct, now, after int64) (int64, error) {
	i := -1
	src := pgx.CopyFromFunc(func() ([]any, error) {
		i++
		if i == len(ps) {
			return nil, nil
		}
		return productRow(&ps[i], i, now), nil
	})
	if _, err := w.prod.CopyFrom(ctx, pgx.Identifier{"products"}, productCols, src); err != nil {
		return 0, err
	}
	return checkIDs(ctx, w.prod, nil, len(ps), after)
}

func (w *pgSeedWriter) history(ctx context.Context, b *seedBatch, hist, roll *atomic.Int64) error {
	gctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	return both(gctx, cancel, func() error {
		k, j := 0, -1
		vals := make([]any, 5)
		src := pgx.CopyFromFunc(func() ([]any, error) {
			for {
				if k == len(b.products) {
					return nil, nil
				}
				j++
				if j < len(b.products[k].rows) {
					break
				}
				k, j = k+1, -1
			}
			r := &b.products[k].rows[j]
			vals[0], vals[1], vals[2], vals[3], vals[4] = r.ProductID, r.ObservedAt, nullable(r.PriceMinor), r.Currency, r.Availability
			return vals, nil
		})
		n, err := w.hist.CopyFrom(gctx, pgx.Identifier{"price_history"}, historyCols, src)
		if err != nil {
			return fmt.Errorf("seed history: %w", err)
		}
		hist.Add(n)
		return nil
	}, func() error {
		i := -1
		vals := make([]any, 10)
		src := pgx.CopyFromFunc(func() ([]any, error) {
			i++
			if i == len(b.rollups) {
				return nil, nil
			}
			r := &b.rollups[i]
			vals[0], vals[1], vals[2], vals[3], vals[4] = r.ProductID, r.Day, r.Currency, nullable(r.Open), nullable(r.High)
			vals[5], vals[6], vals[7], vals[8], vals[9] = nullable(r.Low), nullable(r.Close), r.CloseAvailability, r.InStockShare, r.Changes
			return vals, nil
		})
		n, err := w.roll.CopyFrom(gctx, pgx.Identifier{"price_daily"}, rollupCols, src)
		if err != nil {
			return fmt.Errorf("seed rollups: %w", err)
		}
		roll.Add(n)
		return nil
	})
}

// both runs f and g at once and returns the first error; the first error
// cancels ctx (through cancel) for the other.
func both(ctx context.Context, cancel context.CancelCauseFunc, f, g func() error) error {
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, fn := range []func() error{f, g} {
		wg.Go(func() {
			if errs[i] = fn(); errs[i] != nil {
				cancel(errs[i])
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return context.Cause(ctx)
}

// sqlSeedWriter writes multi-row INSERTs, one transaction per batch (SQLite).
type sqlSeedWriter struct{ d *db.DB }

func (w *sqlSeedWriter) products(ctx context.Context, ps []seedProduct, now, after int64) (int64, error) {
	err := w.d.Tx(ctx, func(tx *sql.Tx) error {
		rows := make([][]any, len(ps))
		for i := range ps {
			rows[i] = productRow(&ps[i], i, now)
		}
		return insertRows(ctx, tx, "products", productCols, rows)
	})
	if err != nil {
		return 0, err
	}
	return checkIDs(ctx, nil, w.d.Write, len(ps), after)
}

func (w *sqlSeedWriter) history(ctx context.Context, b *seedBatch, hist, roll *atomic.Int64) error {
	return w.d.Tx(ctx, func(tx *sql.Tx) error {
		var rows [][]any
		for k := range b.products {
			for _, r := range b.products[k].rows {
				rows = append(rows, []any{r.ProductID, r.ObservedAt, nullable(r.PriceMinor), r.Currency, r.Availability})
			}
		}
		if err := insertRows(ctx, tx, "price_history", historyCols, rows); err != nil {
			return fmt.Errorf("seed history: %w", err)
		}
		hist.Add(int64(len(rows)))
		rows = rows[:0]
		for _, r := range b.rollups {
			rows = append(rows, []any{r.ProductID, r.Day, r.Currency, nullable(r.Open), nullable(r.High), nullable(r.Low),
				nullable(r.Close), r.CloseAvailability, r.InStockShare, r.Changes})
		}
		if err := insertRows(ctx, tx, "price_daily", rollupCols, rows); err != nil {
			return fmt.Errorf("seed rollups: %w", err)
		}
		roll.Add(int64(len(rows)))
		return nil
	})
}

// insertRows inserts rows with multi-row INSERTs of up to ~8,000
// parameters, written "?": modernc.org/sqlite looks $N parameters up by
// name, which grows with the square of their number.
func insertRows(ctx context.Context, tx *sql.Tx, table string, cols []string, rows [][]any) error {
	per := 8_000 / len(cols)
	tuple := "(" + strings.Repeat("?, ", len(cols)-1) + "?)"
	for len(rows) > 0 {
		n := min(per, len(rows))
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, n*len(cols))
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(tuple)
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}
