package store

import (
	"context"
	"fmt"
)

// AddEvent inserts e, filling ID, At (now, when zero) and Data ("{}" when
// empty). An unknown product is ErrNotFound.
func (s *Store) AddEvent(ctx context.Context, e *Event) error {
	if e.Kind == "" {
		return fmt.Errorf("%w: event kind is required", ErrInvalid)
	}
	if e.At == 0 {
		e.At = s.nowMS()
	}
	if e.Data == "" {
		e.Data = "{}"
	}
	err := s.db.Write.QueryRowContext(ctx,
		`INSERT INTO events (product_id, kind, data, at) VALUES ($1, $2, $3, $4) RETURNING id`,
		e.ProductID, e.Kind, e.Data, e.At).Scan(&e.ID)
	if isForeignKeyViolation(err) {
		return fmt.Errorf("add event: product %d: %w", e.ProductID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("add event: %w", mapErr(err))
	}
	return nil
}

// ListEvents returns a product's latest events, newest first (limit 0 → 50,
// capped at 1000).
func (s *Store) ListEvents(ctx context.Context, productID int64, limit int) ([]Event, error) {
	switch {
	case limit <= 0:
		limit = 50
	case limit > 1000:
		limit = 1000
	}
	rows, err := s.db.Read.QueryContext(ctx,
		`SELECT id, product_id, kind, data, at FROM events WHERE product_id = $1
		 ORDER BY at DESC, id DESC LIMIT $2`, productID, limit)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.ID, &e.ProductID, &e.Kind, &e.Data, &e.At); err != nil {
			return nil, fmt.Errorf("list events: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return out, nil
}

// PruneEvents deletes events older than before and returns how many.
func (s *Store) PruneEvents(ctx context.Context, before int64) (int64, error) {
	res, err := s.db.Write.ExecContext(ctx, `DELETE FROM events WHERE at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("prune events: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune events: %w", err)
	}
	return n, nil
}
