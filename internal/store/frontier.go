package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/db"
)

// claimable is the frontier's filter on products p: due, not paused, not
// leased (or the lease expired: its worker crashed), watched by at least one
// unpaused watch, and not on a domain the operator blocked.
const claimable = `p.next_check_at <= $3 AND p.status <> 'paused'
	AND (p.lease_until IS NULL OR p.lease_until < $3)
	AND EXISTS (SELECT 1 FROM watches w WHERE w.product_id = p.id AND NOT w.paused)
	AND NOT EXISTS (SELECT 1 FROM domains d WHERE d.domain = p.domain AND d.blocked)`

// ClaimDue leases up to limit due products to owner until now+leaseFor and
// returns them, earliest due first. On PostgreSQL the candidate rows are
// locked with SKIP LOCKED, so concurrent claimers in several processes take
// disjoint sets without waiting on each other; on SQLite the single writer
// connection makes the statement atomic. A lease that expires unreleased
// (its worker died) makes the product claimable again.
func (s *Store) ClaimDue(ctx context.Context, owner string, now int64, leaseFor time.Duration, limit int) ([]Product, error) {
	if owner == "" {
		return nil, fmt.Errorf("%w: lease owner is required", ErrInvalid)
	}
	if limit <= 0 || leaseFor <= 0 {
		return nil, fmt.Errorf("%w: claim needs a positive limit and lease", ErrInvalid)
	}
	s.prepareHot(ctx)
	return s.claimDue(ctx, nil, owner, now, leaseFor, limit)
}

// claimDue is ClaimDue in tx, or on the writer when tx is nil.
func (s *Store) claimDue(ctx context.Context, tx *sql.Tx, owner string, now int64, leaseFor time.Duration, limit int) ([]Product, error) {
	// SKIP LOCKED lets concurrent claimers on PostgreSQL pass over each
	// other's candidates instead of queueing behind them.
	skipLocked := ""
	if s.db.Engine == db.Postgres {
		skipLocked = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := s.query(ctx, tx, claimQuery(skipLocked), owner, now+leaseFor.Milliseconds(), now, limit)
	if err != nil {
		return nil, fmt.Errorf("claim due products: %w", err)
	}
	defer rows.Close()
	var out []Product
	for rows.Next() {
		p, err := scanProduct(rows)
		if err != nil {
			return nil, fmt.Errorf("claim due products: %w", err)
		}
		out = append(out, *p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim due products: %w", err)
	}
	// RETURNING keeps no order.
	slices.SortFunc(out, func(a, b Product) int {
		if a.NextCheckAt != b.NextCheckAt {
			return int(min(max(a.NextCheckAt-b.NextCheckAt, -1), 1))
		}
		return int(min(max(a.ID-b.ID, -1), 1))
	})
	return out, nil
}

// ClaimBatch claims up to limit due products, as ClaimDue, and reserves
// request slots for them, as ReserveDomainSlots, in one transaction: one
// wait for SQLite's writer and one commit instead of one per domain. For a
// domain with n claimed products, slots(domain, n) says how many slots to
// reserve (at most n; the products without one are for the caller to
// release). Domains are reserved in name order, the order RecordChecks
// locks them in, so concurrent workers on PostgreSQL cannot deadlock.
func (s *Store) ClaimBatch(ctx context.Context, owner string, now int64, leaseFor time.Duration, limit int,
	defaultRatePerMin float64, slots func(domain string, n int) int) ([]Product, map[string]Slots, error) {
	if owner == "" || defaultRatePerMin <= 0 {
		return nil, nil, fmt.Errorf("%w: claim needs an owner and a positive default rate", ErrInvalid)
	}
	if limit <= 0 || leaseFor <= 0 {
		return nil, nil, fmt.Errorf("%w: claim needs a positive limit and lease", ErrInvalid)
	}
	s.prepareHot(ctx)
	var batch []Product
	var reserved map[string]Slots
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if batch, err = s.claimDue(ctx, tx, owner, now, leaseFor, limit); err != nil || len(batch) == 0 {
			return err
		}
		counts := map[string]int{}
		for _, p := range batch {
			counts[p.Domain]++
		}
		names := slices.Sorted(maps.Keys(counts))
		reserved = make(map[string]Slots, len(names))
		for _, name := range names {
			n := min(max(slots(name, counts[name]), 1), counts[name])
			sl, err := s.reserveSlots(ctx, tx, name, n, now, defaultRatePerMin)
			if err != nil {
				return err
			}
			reserved[name] = sl
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return batch, reserved, nil
}

func claimQuery(skipLocked string) string {
	return `UPDATE products SET lease_owner = $1, lease_until = $2
		WHERE id IN (SELECT p.id FROM products p WHERE ` + claimable + `
			ORDER BY p.next_check_at LIMIT $4` + skipLocked + `)
		RETURNING ` + productCols("")
}

// ClaimProduct leases one product to owner whatever its next_check_at (for
// a confirm re-check). It returns ErrConflict while another owner's lease
// holds, ErrNotFound for an unknown product.
func (s *Store) ClaimProduct(ctx context.Context, owner string, id, now int64, leaseFor time.Duration) (*Product, error) {
	if owner == "" || leaseFor <= 0 {
		return nil, fmt.Errorf("%w: claim needs an owner and a positive lease", ErrInvalid)
	}
	p, err := scanProduct(s.db.Write.QueryRowContext(ctx, `UPDATE products SET lease_owner = $1, lease_until = $2
		WHERE id = $3 AND (lease_until IS NULL OR lease_until < $4 OR lease_owner = $1)
		RETURNING `+productCols(""), owner, now+leaseFor.Milliseconds(), id, now))
	if errors.Is(err, ErrNotFound) {
		if _, gerr := s.GetProduct(ctx, id); gerr != nil {
			return nil, fmt.Errorf("claim product %d: %w", id, gerr)
		}
		return nil, fmt.Errorf("claim product %d: leased by another worker: %w", id, ErrConflict)
	}
	if err != nil {
		return nil, fmt.Errorf("claim product %d: %w", id, err)
	}
	return p, nil
}

// ReleaseLeases gives up owner's leases: on the listed products, or on all
// of them when ids is empty. The products stay due, so another worker (or
// this one after a restart) checks them without waiting for the lease to
// expire.
func (s *Store) ReleaseLeases(ctx context.Context, owner string, ids ...int64) (int64, error) {
	q := `UPDATE products SET lease_owner = '', lease_until = NULL WHERE lease_owner = $1`
	args := []any{owner}
	if len(ids) > 0 {
		ph := make([]string, len(ids))
		for i, id := range ids {
			ph[i] = fmt.Sprintf("$%d", i+2)
			args = append(args, id)
		}
		q += ` AND id IN (` + strings.Join(ph, ", ") + `)`
	}
	res, err := s.db.Write.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("release leases of %s: %w", owner, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("release leases of %s: %w", owner, err)
	}
	return n, nil
}
