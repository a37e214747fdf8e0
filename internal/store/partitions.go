package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/db"
)

// PartitionsAhead is how many months past the current one EnsurePartitions'
// job keeps ready.
const PartitionsAhead = 3

// historyPartition is one monthly partition of price_history (PostgreSQL).
type historyPartition struct {
	name        string
	from, until int64 // Unix ms, [from, until)
}

// partitionOf is the monthly partition holding month m (any time in it, UTC).
func partitionOf(m time.Time) historyPartition {
	start := time.Date(m.UTC().Year(), m.UTC().Month(), 1, 0, 0, 0, 0, time.UTC)
	return historyPartition{
		name:  "price_history_p" + start.Format("200601"),
		from:  start.UnixMilli(),
		until: start.AddDate(0, 1, 0).UnixMilli(),
	}
}

// parsePartition reads a partition's range back from its name; ok is false
// for a name that is not a monthly partition (the DEFAULT one).
func parsePartition(name string) (historyPartition, bool) {
	ym, ok := strings.CutPrefix(name, "price_history_p")
	if !ok {
		return historyPartition{}, false
	}
	m, err := time.Parse("200601", ym)
	if err != nil {
		return historyPartition{}, false
	}
	p := partitionOf(m)
	return p, p.name == name
}

// EnsurePartitions creates the monthly partitions of price_history for every
// month from from's through to's that has none yet, and returns how many it
// created. Rows of such a month that had landed in the DEFAULT partition move
// into the new one. It is idempotent; on SQLite, which has no partitions, it
// does nothing.
func (s *Store) EnsurePartitions(ctx context.Context, from, to time.Time) (int, error) {
	if s.db.Engine != db.Postgres {
		return 0, nil
	}
	have, err := s.historyPartitions(ctx)
	if err != nil {
		return 0, err
	}
	exists := map[string]bool{}
	for _, p := range have {
		exists[p.name] = true
	}
	created := 0
	for m := from.UTC(); !partitionOf(m).after(to); m = time.UnixMilli(partitionOf(m).until) {
		p := partitionOf(m)
		if exists[p.name] {
			continue
		}
		if err := s.createPartition(ctx, p); err != nil {
			return created, err
		}
		created++
	}
	return created, nil
}

func (p historyPartition) after(t time.Time) bool { return p.from > t.UnixMilli() }

// createPartition creates p. A plain CREATE … PARTITION OF fails when the
// DEFAULT partition holds rows of p's range, so those are moved with the
// DEFAULT partition detached meanwhile (in one transaction).
func (s *Store) createPartition(ctx context.Context, p historyPartition) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		// Creating a partition locks price_history: give up rather than
		// queue the checks' inserts behind a long query (the job retries).
		if _, err := tx.ExecContext(ctx, `SET LOCAL lock_timeout = '10s'`); err != nil {
			return err
		}
		var strays bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM price_history_default
			WHERE observed_at >= $1 AND observed_at < $2)`, p.from, p.until).Scan(&strays); err != nil {
			return err
		}
		create := fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s PARTITION OF price_history FOR VALUES FROM (%d) TO (%d)`,
			p.name, p.from, p.until)
		if !strays {
			_, err := tx.ExecContext(ctx, create)
			return err
		}
		for _, q := range []string{
			`ALTER TABLE price_history DETACH PARTITION price_history_default`,
			create,
			fmt.Sprintf(`INSERT INTO %s SELECT * FROM price_history_default WHERE observed_at >= %d AND observed_at < %d`, p.name, p.from, p.until),
			fmt.Sprintf(`DELETE FROM price_history_default WHERE observed_at >= %d AND observed_at < %d`, p.from, p.until),
			`ALTER TABLE price_history ATTACH PARTITION price_history_default DEFAULT`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create history partition %s: %w", p.name, err)
	}
	return nil
}

// historyPartitions lists price_history's monthly partitions, oldest first.
func (s *Store) historyPartitions(ctx context.Context) ([]historyPartition, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT c.relname FROM pg_inherits i
		JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'price_history'::regclass ORDER BY c.relname`)
	if err != nil {
		return nil, fmt.Errorf("list history partitions: %w", err)
	}
	defer rows.Close()
	var out []historyPartition
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("list history partitions: %w", err)
		}
		if p, ok := parsePartition(name); ok {
			out = append(out, p)
		}
	}
	return out, rows.Err()
}
