package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/shelfwatch/shelfwatch/internal/db"
)

// DefaultPruneBatch is how many products' rows PruneHistory deletes per
// statement when the caller passes 0.
const DefaultPruneBatch = 5000

// PruneStats says what one PruneHistory run did.
type PruneStats struct {
	Cutoff            int64 // rows observed before this were eligible
	RowsDeleted       int64 // by DELETE (a dropped partition's rows are not counted)
	PartitionsDropped int
}

// PruneHistory deletes raw history rows observed before before, but only of
// days already rolled up (the cutoff is the earlier of before and the start
// of the rollup watermark's day, so a day is never half pruned), and always
// keeps each product's last row before the cutoff: a step chart needs the
// price in force at its left edge. On PostgreSQL a monthly partition wholly
// before the cutoff is dropped, its rows that must be kept moved first into
// the DEFAULT partition; the rest is deleted by product batches. Daily
// rollups are never pruned.
func (s *Store) PruneHistory(ctx context.Context, before int64, batch int) (PruneStats, error) {
	if batch <= 0 {
		batch = DefaultPruneBatch
	}
	w, err := s.rollupWatermark(ctx, s.db.Read)
	if err != nil {
		return PruneStats{}, err
	}
	st := PruneStats{Cutoff: min(before, floorDay(w))}
	if st.Cutoff <= 0 {
		return st, nil
	}
	if s.db.Engine == db.Postgres {
		if st.PartitionsDropped, err = s.dropOldPartitions(ctx, st.Cutoff); err != nil {
			return st, err
		}
	}
	var lo, hi sql.NullInt64
	if err := s.db.Read.QueryRowContext(ctx, `SELECT MIN(id), MAX(id) FROM products`).Scan(&lo, &hi); err != nil {
		return st, fmt.Errorf("prune history: %w", err)
	}
	for start := lo.Int64; lo.Valid && start <= hi.Int64; start += int64(batch) {
		var n int64
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `DELETE FROM price_history
				WHERE product_id >= $1 AND product_id < $2 AND observed_at < $3
				AND EXISTS (SELECT 1 FROM price_history n WHERE n.product_id = price_history.product_id
					AND n.observed_at > price_history.observed_at AND n.observed_at < $3)`,
				start, start+int64(batch), st.Cutoff)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return st, fmt.Errorf("prune history: %w", err)
		}
		st.RowsDeleted += n
	}
	return st, nil
}

// dropOldPartitions drops, oldest first, the monthly partitions that end at
// or before cutoff. In the same transaction as each drop, the rows of it that
// are their product's last before cutoff move to the DEFAULT partition (the
// partition is detached first, so they cannot route back into it).
func (s *Store) dropOldPartitions(ctx context.Context, cutoff int64) (int, error) {
	parts, err := s.historyPartitions(ctx)
	if err != nil {
		return 0, err
	}
	dropped := 0
	for _, p := range parts {
		if p.until > cutoff {
			break
		}
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			for _, q := range []string{
				// DETACH locks price_history exclusively: rather than queue
				// every check's insert behind a long query, give up and
				// try again on the next run.
				`SET LOCAL lock_timeout = '10s'`,
				`ALTER TABLE price_history DETACH PARTITION ` + p.name,
				fmt.Sprintf(`INSERT INTO price_history (product_id, observed_at, price_minor, currency, availability)
				SELECT DISTINCT ON (product_id) product_id, observed_at, price_minor, currency, availability FROM %s o
				WHERE NOT EXISTS (SELECT 1 FROM price_history n WHERE n.product_id = o.product_id
					AND n.observed_at >= %d AND n.observed_at < %d)
				ORDER BY product_id, observed_at DESC`, p.name, p.until, cutoff),
				`DROP TABLE ` + p.name,
			} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return dropped, fmt.Errorf("drop history partition %s: %w", p.name, err)
		}
		dropped++
	}
	return dropped, nil
}
