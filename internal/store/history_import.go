package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// HistoryImportRow is one price-history row to import: what a product
// cost, in which currency, and whether it was in stock, from ObservedAt
// (Unix ms) until the product's next row.
type HistoryImportRow struct {
	ProductID    int64
	ObservedAt   int64
	PriceMinor   *int64 // nil: no price shown
	Currency     string // ISO 4217, three capital letters
	Availability string // InStock, OutOfStock, PreOrder, BackOrder or Unknown
}

// importBatch rows go in one INSERT: 5 parameters each, well under either
// engine's limit on parameters per statement (SQLite 32,766, PostgreSQL 65,535).
const importBatch = 500

// ImportHistory writes price-history rows made elsewhere (the demo's
// backfill, a benchmark's seed, a migration from another tool) in one
// transaction: all rows or, when one is invalid or names a missing product,
// none. Rows may come in any order and for many products; each must have a
// currency of three capital letters, a non-negative price (or none), a known
// availability and a time neither before 1970 nor in the future, and no two
// rows of one product may share a time. History is change-only, so callers
// should give rows that differ from the one before; ImportHistory does not
// merge repeats.
//
// Afterwards each product's price, currency and availability are those of
// its newest history row (imported or not), as a check would have left them,
// and the daily-rollup watermark is no later than the oldest imported row, so
// the rollup job's next run covers the imported days (callers that write
// price_daily themselves set the watermark after importing).
// Errors wrap ErrInvalid (naming the row by its index) or ErrNotFound.
func (s *Store) ImportHistory(ctx context.Context, rows []HistoryImportRow) error {
	if len(rows) == 0 {
		return nil
	}
	now := s.nowMS()
	order := make([]int, len(rows))
	for i, r := range rows {
		if err := checkHistoryRow(r, now); err != nil {
			return fmt.Errorf("import history: row %d: %w", i, err)
		}
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(rows[a].ProductID, rows[b].ProductID), cmp.Compare(rows[a].ObservedAt, rows[b].ObservedAt))
	})
	var products []int64
	oldest := now
	for k, i := range order {
		oldest = min(oldest, rows[i].ObservedAt)
		if k > 0 {
			prev := rows[order[k-1]]
			if prev.ProductID == rows[i].ProductID && prev.ObservedAt == rows[i].ObservedAt {
				return fmt.Errorf("import history: rows %d and %d: %w: product %d has two rows at %d",
					order[k-1], i, ErrInvalid, rows[i].ProductID, rows[i].ObservedAt)
			}
		}
		if len(products) == 0 || products[len(products)-1] != rows[i].ProductID {
			products = append(products, rows[i].ProductID)
		}
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, id := range products {
			var one int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM products WHERE id = $1`, id).Scan(&one); err != nil {
				return fmt.Errorf("product %d: %w", id, mapErr(err))
			}
		}
		for start := 0; start < len(order); start += importBatch {
			chunk := order[start:min(start+importBatch, len(order))]
			var q strings.Builder
			q.WriteString(`INSERT INTO price_history (product_id, observed_at, price_minor, currency, availability) VALUES `)
			args := make([]any, 0, 5*len(chunk))
			for k, i := range chunk {
				if k > 0 {
					q.WriteString(", ")
				}
				n := len(args)
				fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5)
				r := rows[i]
				args = append(args, r.ProductID, r.ObservedAt, r.PriceMinor, r.Currency, r.Availability)
			}
			if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
				return mapErr(err)
			}
		}
		// Rows before the rollup watermark would never be rolled up (the job
		// looks only past it): move it back, and the next run recomputes the
		// days from the oldest imported row on. Charts read raw rows past
		// the watermark meanwhile.
		if _, err := tx.ExecContext(ctx, `UPDATE history_rollup_state SET watermark = $1 WHERE id = 1 AND watermark > $1`, oldest); err != nil {
			return fmt.Errorf("rollup watermark: %w", err)
		}
		// The product row mirrors its newest history row; a product whose
		// newest row predates the import keeps that row's values, which it
		// already has.
		for _, id := range products {
			var p PricePoint
			err := tx.QueryRowContext(ctx, `SELECT price_minor, currency, availability FROM price_history
				WHERE product_id = $1 ORDER BY observed_at DESC LIMIT 1`, id).Scan(&p.PriceMinor, &p.Currency, &p.Availability)
			if err != nil {
				return fmt.Errorf("product %d: newest row: %w", id, err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE products SET price_minor = $2, currency = $3, availability = $4, updated_at = $5
				WHERE id = $1`, id, p.PriceMinor, p.Currency, p.Availability, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import history: %w", err)
	}
	return nil
}

func checkHistoryRow(r HistoryImportRow, now int64) error {
	switch {
	case r.ProductID <= 0:
		return fmt.Errorf("%w: product id %d", ErrInvalid, r.ProductID)
	case len(r.Currency) != 3 || strings.ContainsFunc(r.Currency, func(c rune) bool { return c < 'A' || c > 'Z' }):
		return fmt.Errorf("%w: currency %q is not an ISO 4217 code such as EUR", ErrInvalid, r.Currency)
	case r.PriceMinor != nil && *r.PriceMinor < 0:
		return fmt.Errorf("%w: price %d is negative", ErrInvalid, *r.PriceMinor)
	case r.ObservedAt <= 0:
		return fmt.Errorf("%w: time %d is not after 1970", ErrInvalid, r.ObservedAt)
	case r.ObservedAt > now:
		return fmt.Errorf("%w: time %d is in the future (now %d)", ErrInvalid, r.ObservedAt, now)
	}
	switch r.Availability {
	case InStock, OutOfStock, PreOrder, BackOrder, Unknown:
		return nil
	}
	return fmt.Errorf("%w: availability %q is not in_stock, out_of_stock, preorder, backorder or unknown", ErrInvalid, r.Availability)
}
