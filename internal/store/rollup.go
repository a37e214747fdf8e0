package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// RollupLagMS is how far behind now the rollup watermark stays: a check's
// history row carries the time it was observed, and its transaction may
// commit a little later (or on a worker whose clock is a little behind).
// Rows in the lag are rolled up on every run until the watermark passes them.
const RollupLagMS int64 = 10 * 60 * 1000

// DefaultRollupBatch is how many products RollupHistory handles per
// transaction when the caller passes 0.
const DefaultRollupBatch = 500

// RollupStats says what one RollupHistory run did.
type RollupStats struct {
	Products  int   // products whose days were recomputed
	Days      int   // price_daily rows written
	Watermark int64 // history observed before this is rolled up
}

// DailyRollup is one price_daily row.
type DailyRollup struct {
	ProductID int64
	DayOHLC
	// CloseAvailability is carried into the days after, which have no row.
	CloseAvailability string
}

// RollupState is the price in force before a run of history rows (the
// previous day's close); Known is false before a product's first row.
type RollupState struct {
	Known        bool
	PriceMinor   *int64
	Currency     string
	Availability string
}

// RollupDays computes the price_daily rows of the days rows (ascending by
// ObservedAt) fall in, given the state in force before the first of them.
// Each day is a step function over its rows: Open is the price in force at
// its start, High and Low range over every price in force during it, Close
// the price at its end; all in the close's currency (prices in another
// currency that day are left out). InStockShare weights availability by
// time, over the part of the day with a known state (from the product's
// first row on) up to the day's end or now, whichever comes first. It is
// pure, so the seed generator computes exactly what the job writes.
func RollupDays(productID int64, prev RollupState, rows []PricePoint, now int64) []DailyRollup {
	var out []DailyRollup
	for i := 0; i < len(rows); {
		day := floorDay(rows[i].ObservedAt)
		j := i
		for j < len(rows) && floorDay(rows[j].ObservedAt) == day {
			j++
		}
		out = append(out, rollupDay(productID, day, prev, rows[i:j], now))
		last := rows[j-1]
		prev = RollupState{Known: true, PriceMinor: last.PriceMinor, Currency: last.Currency, Availability: last.Availability}
		i = j
	}
	return out
}

func rollupDay(productID, day int64, prev RollupState, rows []PricePoint, now int64) DailyRollup {
	last := rows[len(rows)-1]
	r := DailyRollup{ProductID: productID, CloseAvailability: last.Availability}
	r.Day, r.Currency, r.Changes, r.Close = day, last.Currency, len(rows), last.PriceMinor
	end := min(day+DayMS, max(now, last.ObservedAt))

	// The day's segments: the previous close (when it was in force for a
	// while), then each row until the next one or the end of the day.
	type segment struct {
		st          RollupState
		from, until int64
	}
	segs := make([]segment, 0, len(rows)+1)
	if prev.Known && rows[0].ObservedAt > day {
		segs = append(segs, segment{prev, day, rows[0].ObservedAt})
	}
	for k, h := range rows {
		until := end
		if k+1 < len(rows) {
			until = rows[k+1].ObservedAt
		}
		segs = append(segs, segment{RollupState{true, h.PriceMinor, h.Currency, h.Availability}, h.ObservedAt, until})
	}
	var known, inStock int64
	opened := false
	for _, sg := range segs {
		if d := sg.until - sg.from; d > 0 {
			known += d
			if sg.st.Availability == InStock {
				inStock += d
			}
		}
		if sg.st.Currency != r.Currency {
			continue
		}
		if !opened {
			r.Open, opened = sg.st.PriceMinor, true
		}
		if p := sg.st.PriceMinor; p != nil {
			if r.High == nil || *p > *r.High {
				r.High = p
			}
			if r.Low == nil || *p < *r.Low {
				r.Low = p
			}
		}
	}
	switch {
	case known > 0:
		r.InStockShare = float64(inStock) / float64(known)
	case last.Availability == InStock:
		r.InStockShare = 1
	}
	return r
}

// rollupWatermark reads the rollup job's watermark.
func (s *Store) rollupWatermark(ctx context.Context, q querier) (int64, error) {
	var w int64
	if err := q.QueryRowContext(ctx, `SELECT watermark FROM history_rollup_state WHERE id = 1`).Scan(&w); err != nil {
		return 0, fmt.Errorf("rollup watermark: %w", err)
	}
	return w, nil
}

// RollupWatermark is the time before which every history row has been rolled
// up into price_daily (0 before the first rollup).
func (s *Store) RollupWatermark(ctx context.Context) (int64, error) {
	return s.rollupWatermark(ctx, s.db.Read)
}

// RollupHistory brings price_daily up to date: every product with history
// rows observed at or after the watermark gets the days from the first such
// row's day on recomputed (carrying the close of the rollup before them),
// batch products per transaction; then the watermark moves to now minus
// RollupLagMS, unless something moved it meanwhile. It is idempotent, and safe to interrupt: an unfinished run
// leaves the watermark where it was, and the next run redoes its products.
func (s *Store) RollupHistory(ctx context.Context, now int64, batch int) (RollupStats, error) {
	if batch <= 0 {
		batch = DefaultRollupBatch
	}
	var st RollupStats
	w, err := s.rollupWatermark(ctx, s.db.Read)
	if err != nil {
		return st, err
	}
	next := max(w, now-RollupLagMS)
	dirty, err := s.dirtyProducts(ctx, w)
	if err != nil {
		return st, err
	}
	// Batches share their first dirty day, so each batch is two range
	// reads (history, carried closes) for all its products; nearly every
	// product a run finds dirty changed today or yesterday.
	slices.SortFunc(dirty, func(a, b dirtyProduct) int {
		return cmp.Or(cmp.Compare(floorDay(a.since), floorDay(b.since)), cmp.Compare(a.id, b.id))
	})
	for len(dirty) > 0 {
		n := 1
		for n < min(batch, len(dirty)) && floorDay(dirty[n].since) == floorDay(dirty[0].since) {
			n++
		}
		days, err := s.rollupBatch(ctx, dirty[:n], floorDay(dirty[0].since), now)
		if err != nil {
			return st, err
		}
		st.Products += n
		st.Days += days
		dirty = dirty[n:]
	}
	// Only from where this run started: an import that moved the watermark
	// back meanwhile (ImportHistory) must keep it there for the next run.
	st.Watermark = next
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE history_rollup_state SET watermark = $1 WHERE id = 1 AND watermark = $2`, next, w)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		st.Watermark, err = s.rollupWatermark(ctx, tx)
		return err
	})
	if err != nil {
		return st, fmt.Errorf("rollup: move watermark: %w", err)
	}
	return st, nil
}

type dirtyProduct struct{ id, since int64 }

// dirtyProducts lists the products with rows observed at or after w, with
// the first such row's time. On PostgreSQL partition pruning keeps this to
// the recent months; SQLite scans the table.
func (s *Store) dirtyProducts(ctx context.Context, w int64) ([]dirtyProduct, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT product_id, MIN(observed_at) FROM price_history
		WHERE observed_at >= $1 GROUP BY product_id ORDER BY product_id`, w)
	if err != nil {
		return nil, fmt.Errorf("rollup: dirty products: %w", err)
	}
	defer rows.Close()
	var out []dirtyProduct
	for rows.Next() {
		var d dirtyProduct
		if err := rows.Scan(&d.id, &d.since); err != nil {
			return nil, fmt.Errorf("rollup: dirty products: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// rollupBatch recomputes the days from first on of a batch of products in
// one transaction and returns how many rollup rows it wrote.
func (s *Store) rollupBatch(ctx context.Context, batch []dirtyProduct, first, now int64) (int, error) {
	ids := make([]string, len(batch))
	for i, d := range batch {
		ids[i] = strconv.FormatInt(d.id, 10)
	}
	in := strings.Join(ids, ", ") // integers only: safe as literals, and no parameter limit
	written := 0
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		carry := make(map[int64]RollupState, len(batch))
		rows, err := tx.QueryContext(ctx, `SELECT product_id, close_minor, currency, close_availability FROM price_daily d
			WHERE product_id IN (`+in+`) AND day = (SELECT MAX(day) FROM price_daily x WHERE x.product_id = d.product_id AND x.day < $1)`, first)
		if err != nil {
			return fmt.Errorf("carried closes: %w", err)
		}
		for rows.Next() {
			var id int64
			st := RollupState{Known: true}
			if err := rows.Scan(&id, &st.PriceMinor, &st.Currency, &st.Availability); err != nil {
				rows.Close()
				return err
			}
			carry[id] = st
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT product_id, observed_at, price_minor, currency, availability FROM price_history
			WHERE product_id IN (`+in+`) AND observed_at >= $1 ORDER BY product_id, observed_at`, first)
		if err != nil {
			return fmt.Errorf("history: %w", err)
		}
		defer rows.Close()
		var days []DailyRollup
		var hist []PricePoint
		flush := func() {
			if len(hist) > 0 {
				id := hist[0].ProductID
				days = append(days, RollupDays(id, carry[id], hist, now)...)
				hist = hist[:0]
			}
		}
		for rows.Next() {
			var h PricePoint
			if err := rows.Scan(&h.ProductID, &h.ObservedAt, &h.PriceMinor, &h.Currency, &h.Availability); err != nil {
				return err
			}
			if len(hist) > 0 && hist[0].ProductID != h.ProductID {
				flush()
			}
			hist = append(hist, h)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		flush()
		written = len(days)
		return upsertDaily(ctx, tx, days)
	})
	if err != nil {
		return 0, fmt.Errorf("rollup: %w", err)
	}
	return written, nil
}

// upsertDaily writes rollup rows with multi-row upserts.
func upsertDaily(ctx context.Context, q querier, days []DailyRollup) error {
	const cols = 10
	// 100 rows: modernc.org/sqlite looks $N parameters up by name, in time
	// that grows with the square of their number per statement.
	const perStmt = 100
	for len(days) > 0 {
		n := min(perStmt, len(days))
		var b strings.Builder
		b.WriteString(`INSERT INTO price_daily (product_id, day, currency, open_minor, high_minor, low_minor,
			close_minor, close_availability, in_stock_share, changes) VALUES `)
		args := make([]any, 0, n*cols)
		for i, d := range days[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for c := range cols {
				if c > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "$%d", i*cols+c+1)
			}
			b.WriteByte(')')
			args = append(args, d.ProductID, d.Day, d.Currency, d.Open, d.High, d.Low, d.Close,
				d.CloseAvailability, d.InStockShare, d.Changes)
		}
		b.WriteString(` ON CONFLICT (product_id, day) DO UPDATE SET currency = excluded.currency,
			open_minor = excluded.open_minor, high_minor = excluded.high_minor, low_minor = excluded.low_minor,
			close_minor = excluded.close_minor, close_availability = excluded.close_availability,
			in_stock_share = excluded.in_stock_share, changes = excluded.changes`)
		if _, err := q.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("write rollups: %w", err)
		}
		days = days[n:]
	}
	return nil
}
