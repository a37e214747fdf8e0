package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/shelfwatch/shelfwatch/internal/db"
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
// watch first. The reference prices (PrevPriceMinor, MonthAgoMinor) are left
// nil: they cost two index seeks per product, so the dashboard asks
// ReferencePrices for the rows it shows (or sorts by).
func (s *Store) DashboardRows(ctx context.Context, workspaceID int64) ([]DashboardRow, error) {
	return s.dashboardRows(ctx, `WHERE w.workspace_id = $1 ORDER BY w.id DESC`, workspaceID)
}

// DashboardRowOf is one watch's DashboardRow (a live update of one row);
// ErrNotFound when the workspace has no such watch.
func (s *Store) DashboardRowOf(ctx context.Context, workspaceID, watchID int64) (*DashboardRow, error) {
	rows, err := s.dashboardRows(ctx, `WHERE w.workspace_id = $1 AND w.id = $2`, workspaceID, watchID)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, ErrNotFound
	}
	return &rows[0], nil
}

func (s *Store) dashboardRows(ctx context.Context, where string, args ...any) ([]DashboardRow, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT w.id, p.id, p.title, p.url, p.domain, p.image_url,
		p.price_minor, p.currency, p.availability, p.status, p.last_outcome, p.last_checked_at,
		w.tags, w.paused, w.target_minor, w.target_currency, w.created_at
		FROM watches w JOIN products p ON p.id = w.product_id `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("dashboard rows: %w", err)
	}
	defer rows.Close()
	out := []DashboardRow{}
	var tags string
	for rows.Next() {
		var d DashboardRow
		var price, target, checked sql.NullInt64
		if err := rows.Scan(&d.WatchID, &d.ProductID, &d.Title, &d.URL, &d.Domain, &d.ImageURL,
			&price, &d.Currency, &d.Availability, &d.Status, &d.LastOutcome, &checked,
			&tags, &d.Paused, &target, &d.TargetCurrency, &d.CreatedAt); err != nil {
			return nil, fmt.Errorf("dashboard rows: %w", err)
		}
		d.PriceMinor, d.TargetMinor, d.LastCheckedAt = nullPtr(price), nullPtr(target), nullPtr(checked)
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

// RefPrices are the prices a product's current price is compared with.
type RefPrices struct {
	Prev     *int64 // the last price different from the current one
	MonthAgo *int64 // the price in force at `at`
}

// ReferencePrices returns, per product, the last different price and the
// price in force at `at` (Unix ms), for up to a few thousand products.
func (s *Store) ReferencePrices(ctx context.Context, productIDs []int64, at int64) (map[int64]RefPrices, error) {
	out := make(map[int64]RefPrices, len(productIDs))
	for len(productIDs) > 0 {
		n := min(len(productIDs), 2000)
		chunk := productIDs[:n]
		productIDs = productIDs[n:]
		args := make([]any, 0, n+1)
		args = append(args, at)
		rows, err := s.db.Read.QueryContext(ctx, `SELECT p.id,
			(SELECT h.price_minor FROM price_history h WHERE h.product_id = p.id AND h.price_minor IS NOT NULL
				AND h.price_minor <> p.price_minor ORDER BY h.observed_at DESC LIMIT 1),
			(SELECT h.price_minor FROM price_history h WHERE h.product_id = p.id AND h.observed_at <= $1
				ORDER BY h.observed_at DESC LIMIT 1)
			FROM products p WHERE p.id IN `+s.idList(chunk, 2, &args), args...)
		if err != nil {
			return nil, fmt.Errorf("reference prices: %w", err)
		}
		for rows.Next() {
			var id int64
			var prev, month sql.NullInt64
			if err := rows.Scan(&id, &prev, &month); err != nil {
				rows.Close()
				return nil, fmt.Errorf("reference prices: %w", err)
			}
			out[id] = RefPrices{Prev: nullPtr(prev), MonthAgo: nullPtr(month)}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("reference prices: %w", err)
		}
	}
	return out, nil
}

// idList binds ids as one parameter and returns the SQL set to test
// membership with `x IN <set>`: a JSON array on SQLite, an array on
// PostgreSQL. One parameter parses once, where hundreds of placeholders cost
// SQLite a quadratic name lookup.
func (s *Store) idList(ids []int64, n int, args *[]any) string {
	b := make([]byte, 0, len(ids)*8+2)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	b = append(b, ']')
	if s.db.Engine == db.Postgres {
		b[0], b[len(b)-1] = '{', '}'
		*args = append(*args, string(b))
		return fmt.Sprintf("(SELECT unnest($%d::bigint[]))", n)
	}
	*args = append(*args, string(b))
	return fmt.Sprintf("(SELECT value FROM json_each($%d))", n)
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
	in := s.idList(productIDs, 2, &args)
	rows, err := s.db.Read.QueryContext(ctx, `SELECT product_id, observed_at, price_minor FROM price_history
		WHERE product_id IN `+in+` AND observed_at >= $1 AND price_minor IS NOT NULL
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
