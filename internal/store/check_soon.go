package store

import (
	"context"
	"fmt"
	"strings"
)

// CheckSoon makes products due at at (Unix ms) unless they are due earlier
// already, and returns how many it moved. The frontier's policy never
// schedules a check sooner than half an hour; the demo's simulated store
// changes prices every few seconds and uses this to have them seen. A
// product being checked now gets its next time from that check.
func (s *Store) CheckSoon(ctx context.Context, at int64, productIDs ...int64) (int64, error) {
	if len(productIDs) == 0 {
		return 0, nil
	}
	args := []any{at}
	marks := make([]string, len(productIDs))
	for i, id := range productIDs {
		args = append(args, id)
		marks[i] = fmt.Sprintf("$%d", i+2)
	}
	res, err := s.db.Write.ExecContext(ctx, `UPDATE products SET next_check_at = $1
		WHERE next_check_at > $1 AND id IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return 0, fmt.Errorf("check soon: %w", err)
	}
	return res.RowsAffected()
}
