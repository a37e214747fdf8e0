package store

import (
	"context"
	"fmt"
)

// WatchedProductIDs returns the ids of the products workspaceID watches
// (paused watches included: their pages still show the product), for the
// live updates a workspace may see.
func (s *Store) WatchedProductIDs(ctx context.Context, workspaceID int64) (map[int64]bool, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT DISTINCT product_id FROM watches WHERE workspace_id = $1`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("watched products: %w", err)
	}
	defer rows.Close()
	ids := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("watched products: %w", err)
		}
		ids[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("watched products: %w", err)
	}
	return ids, nil
}
