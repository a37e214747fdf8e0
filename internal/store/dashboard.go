package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// DashboardRow is one watch as the dashboard shows it: the product's
// current state and the two prices its changes are measured against.
type DashboardRow struct {
	WatchID        int64
	ProductID      int64
	Title          string
	URL            string
	Domain         string
	ImageURL       string
	PriceMinor     *int64
	Currency       string
	Availability   string
	Status         string // the product's status
	LastOutcome    string
	LastCheckedAt  *int64
	Tags           []string
	Paused         bool
	TargetMinor    *int64
	TargetCurrency string
	CreatedAt      int64
	// PrevPriceMinor is the last price different from the current one
	// (nil: the price never changed).
	PrevPriceMinor *int64
	// MonthAgoMinor is the price in force 30 days before now (nil: the
	// product was not watched yet, or had no price).
	MonthAgoMinor *int64
}

// DashboardRows returns every watch of a workspace with its product, newest
// watch first. One query: the two reference prices are index seeks on
// price_history (product_id, observed_at).
func (s *Store) DashboardRows(ctx context.Context, workspaceID int64) ([]DashboardRow, error) {
	monthAgo := s.nowMS() - 30*24*3600*1000
	rows, err := s.db.Read.QueryContext(ctx, `SELECT w.id, p.id, p.title, p.url, p.domain, p.image_url,
		p.price_minor, p.currency, p.availability, p.status, p.last_outcome, p.last_checked_at,
		w.tags, w.paused, w.target_minor, w.target_currency, w.created_at,
		(SELECT h.price_minor FROM price_history h WHERE h.product_id = p.id AND h.price_minor IS NOT NULL
			AND h.price_minor <> p.price_minor ORDER BY h.observed_at DESC LIMIT 1),
		(SELECT h.price_minor FROM price_history h WHERE h.product_id = p.id AND h.observed_at <= $2
			ORDER BY h.observed_at DESC LIMIT 1)
		FROM watches w JOIN products p ON p.id = w.product_id
		WHERE w.workspace_id = $1 ORDER BY w.id DESC`, workspaceID, monthAgo)
	if err != nil {
		return nil, fmt.Errorf("dashboard rows: %w", err)
	}
	defer rows.Close()
	out := []DashboardRow{}
	var tags string
	for rows.Next() {
		var d DashboardRow
		var price, target, prev, month, checked sql.NullInt64
		if err := rows.Scan(&d.WatchID, &d.ProductID, &d.Title, &d.URL, &d.Domain, &d.ImageURL,
			&price, &d.Currency, &d.Availability, &d.Status, &d.LastOutcome, &checked,
			&tags, &d.Paused, &target, &d.TargetCurrency, &d.CreatedAt, &prev, &month); err != nil {
			return nil, fmt.Errorf("dashboard rows: %w", err)
		}
		d.PriceMinor, d.TargetMinor = nullPtr(price), nullPtr(target)
		d.PrevPriceMinor, d.MonthAgoMinor, d.LastCheckedAt = nullPtr(prev), nullPtr(month), nullPtr(checked)
		if tags != "" && tags != "[]" {
			if err := json.Unmarshal([]byte(tags), &d.Tags); err != nil {
				return nil, fmt.Errorf("dashboard rows: tags of watch %d: %w", d.WatchID, err)
			}
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("dashboard rows: %w", err)
	}
	return out, nil
}

// SparkPoint is one step of a sparkline.
type SparkPoint struct {
	At         int64
	PriceMinor int64
}

// Sparklines returns the priced history rows of the given products since
// `since`, per product in time order (at most a few hundred products: one
// page of the dashboard).
func (s *Store) Sparklines(ctx context.Context, productIDs []int64, since int64) (map[int64][]SparkPoint, error) {
	out := make(map[int64][]SparkPoint, len(productIDs))
	if len(productIDs) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(productIDs)+1)
	args = append(args, since)
	in := make([]byte, 0, len(productIDs)*4)
	for i, id := range productIDs {
		if i > 0 {
			in = append(in, ',')
		}
		in = fmt.Appendf(in, "$%d", i+2)
		args = append(args, id)
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT product_id, observed_at, price_minor FROM price_history
		WHERE product_id IN (`+string(in)+`) AND observed_at >= $1 AND price_minor IS NOT NULL
		ORDER BY product_id, observed_at`, args...)
	if err != nil {
		return nil, fmt.Errorf("sparklines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p SparkPoint
		if err := rows.Scan(&id, &p.At, &p.PriceMinor); err != nil {
			return nil, fmt.Errorf("sparklines: %w", err)
		}
		out[id] = append(out[id], p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sparklines: %w", err)
	}
	return out, nil
}
