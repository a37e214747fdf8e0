package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"
)

const maxInt64 = math.MaxInt64

const watchCols = `w.id, w.workspace_id, w.product_id, w.target_minor, w.target_currency, w.tags, w.notes, w.paused, w.created_at, w.updated_at, w.min_interval_ms`

// scanWatchProduct reads watchCols followed by productCols("p").
func scanWatchProduct(row interface{ Scan(...any) error }) (*Watch, error) {
	var w Watch
	var tags string
	var minMS int64
	p := new(Product)
	dest := append([]any{&w.ID, &w.WorkspaceID, &w.ProductID, &w.TargetMinor, &w.TargetCurrency, &tags, &w.Notes,
		&w.Paused, &w.CreatedAt, &w.UpdatedAt, &minMS}, productDest(p)...)
	if err := row.Scan(dest...); err != nil {
		return nil, mapErr(err)
	}
	w.MinInterval = time.Duration(minMS) * time.Millisecond
	if err := json.Unmarshal([]byte(tags), &w.Tags); err != nil {
		return nil, fmt.Errorf("watch %d: tags: %w", w.ID, err)
	}
	w.Product = p
	return &w, nil
}

func encodeTags(tags []string) (string, error) {
	if tags == nil {
		tags = []string{}
	}
	b, err := json.Marshal(tags)
	return string(b), err
}

// CreateWatchForURL, in one transaction, finds or creates the product by
// p.CanonicalURL (filling p) and inserts w for it (filling w). It returns
// ErrConflict when the workspace already watches that product; then nothing
// is written, not even a new product.
//
// A new product is active, of unknown availability and due for its first
// check now. Concurrent calls for the same URL are safe: the product insert
// is INSERT … ON CONFLICT DO NOTHING, and the loser reads the winner's row.
func (s *Store) CreateWatchForURL(ctx context.Context, workspaceID int64, p *Product, w *Watch) (productCreated bool, err error) {
	if err := prepareProduct(p); err != nil {
		return false, err
	}
	if w.MinInterval < 0 {
		return false, fmt.Errorf("%w: minimum interval must not be negative", ErrInvalid)
	}
	if c := w.TargetCurrency; c != "" && len(c) != 3 {
		return false, fmt.Errorf("%w: target currency %q is not an ISO 4217 code", ErrInvalid, c)
	}
	tags, err := encodeTags(w.Tags)
	if err != nil {
		return false, fmt.Errorf("%w: tags: %w", ErrInvalid, err)
	}
	now := s.nowMS()
	orig := *p
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO products
			(url, canonical_url, domain, title, image_url, brand, sku, gtin, currency,
			 availability, status, next_check_at, priority, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '', $9, $10, $11, $12, $11, $11)
			ON CONFLICT (canonical_url) DO NOTHING RETURNING id`,
			p.URL, p.CanonicalURL, p.Domain, p.Title, p.ImageURL, p.Brand, p.SKU, p.GTIN,
			Unknown, StatusActive, now, p.Priority).Scan(&id)
		switch {
		case err == nil:
			productCreated = true
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		got, err := getProduct(ctx, tx, `canonical_url = $1`, p.CanonicalURL)
		if err != nil {
			return err
		}
		*p = *got

		err = tx.QueryRowContext(ctx, `INSERT INTO watches
			(workspace_id, product_id, target_minor, target_currency, tags, notes, paused, created_at, updated_at, min_interval_ms)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)
			ON CONFLICT (workspace_id, product_id) DO NOTHING RETURNING id`,
			workspaceID, p.ID, w.TargetMinor, w.TargetCurrency, tags, w.Notes, w.Paused, now, w.MinInterval.Milliseconds()).Scan(&w.ID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return ErrConflict
		case isForeignKeyViolation(err):
			return fmt.Errorf("workspace %d: %w", workspaceID, ErrNotFound)
		}
		return err
	})
	if err != nil {
		*p = orig // the product read inside the transaction may have been rolled back
		return false, fmt.Errorf("create watch for %s: %w", p.CanonicalURL, mapErr(err))
	}
	w.WorkspaceID, w.ProductID, w.CreatedAt, w.UpdatedAt = workspaceID, p.ID, now, now
	if w.Tags == nil {
		w.Tags = []string{}
	}
	w.Product = p
	return productCreated, nil
}

// prepareProduct checks the fields a new product needs and fills URL and
// Domain from CanonicalURL when they are empty.
func prepareProduct(p *Product) error {
	if p.CanonicalURL == "" {
		return fmt.Errorf("%w: product canonical URL is required", ErrInvalid)
	}
	if p.URL == "" {
		p.URL = p.CanonicalURL
	}
	if p.Domain == "" {
		u, err := url.Parse(p.CanonicalURL)
		if err != nil || u.Hostname() == "" {
			return fmt.Errorf("%w: product canonical URL %q has no host", ErrInvalid, p.CanonicalURL)
		}
		p.Domain = strings.ToLower(u.Hostname())
	}
	return nil
}

// GetWatch returns the workspace's watch with its product; another
// workspace's watch is ErrNotFound.
func (s *Store) GetWatch(ctx context.Context, workspaceID, id int64) (*Watch, error) {
	w, err := scanWatchProduct(s.db.Read.QueryRowContext(ctx,
		`SELECT `+watchCols+`, `+productCols("p")+`
		 FROM watches w JOIN products p ON p.id = w.product_id
		 WHERE w.id = $1 AND w.workspace_id = $2`, id, workspaceID))
	if err != nil {
		return nil, fmt.Errorf("get watch %d: %w", id, err)
	}
	return w, nil
}

// ListWatches returns a page of the workspace's watches with their products,
// newest first.
func (s *Store) ListWatches(ctx context.Context, workspaceID int64, f FindWatches) ([]Watch, error) {
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = 50
	case limit > 500:
		limit = 500
	}
	after := f.AfterID
	if after <= 0 {
		after = maxInt64
	}
	rows, err := s.db.Read.QueryContext(ctx,
		`SELECT `+watchCols+`, `+productCols("p")+`
		 FROM watches w JOIN products p ON p.id = w.product_id
		 WHERE w.workspace_id = $1 AND w.id < $2
		 ORDER BY w.id DESC LIMIT $3`, workspaceID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list watches: %w", err)
	}
	defer rows.Close()
	out := []Watch{}
	for rows.Next() {
		w, err := scanWatchProduct(rows)
		if err != nil {
			return nil, fmt.Errorf("list watches: %w", err)
		}
		out = append(out, *w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list watches: %w", err)
	}
	return out, nil
}

// DeleteWatch deletes the workspace's watch; another workspace's watch is
// ErrNotFound. The product stays: it is global and may have other watchers.
func (s *Store) DeleteWatch(ctx context.Context, workspaceID, id int64) error {
	if err := execOne(ctx, s.db.Write, `DELETE FROM watches WHERE id = $1 AND workspace_id = $2`, id, workspaceID); err != nil {
		return fmt.Errorf("delete watch %d: %w", id, err)
	}
	return nil
}

// IsWatchedIn reports whether workspace watches product (for tenant checks on
// product routes).
func (s *Store) IsWatchedIn(ctx context.Context, workspaceID, productID int64) (bool, error) {
	var ok bool
	err := s.db.Read.QueryRowContext(ctx,
		`SELECT EXISTS (SELECT 1 FROM watches WHERE workspace_id = $1 AND product_id = $2)`,
		workspaceID, productID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("is watched in: %w", err)
	}
	return ok, nil
}

// UpdateWatch saves a workspace's watch's own settings (target, tags,
// notes, paused, minimum interval) from w; w.ID and w.WorkspaceID name it.
// Changing the target re-arms the watch's target rules (their state is
// about the old threshold).
func (s *Store) UpdateWatch(ctx context.Context, w *Watch) error {
	if w.MinInterval < 0 {
		return fmt.Errorf("%w: minimum interval must not be negative", ErrInvalid)
	}
	tags, err := encodeTags(w.Tags)
	if err != nil {
		return fmt.Errorf("%w: tags: %w", ErrInvalid, err)
	}
	w.UpdatedAt = s.nowMS()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var oldTarget sql.NullInt64
		var oldCur string
		if err := tx.QueryRowContext(ctx, `SELECT target_minor, target_currency FROM watches WHERE id = $1 AND workspace_id = $2`,
			w.ID, w.WorkspaceID).Scan(&oldTarget, &oldCur); err != nil {
			return mapErr(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE watches SET target_minor = $3, target_currency = $4, tags = $5, notes = $6,
			paused = $7, min_interval_ms = $8, updated_at = $9 WHERE id = $1 AND workspace_id = $2`,
			w.ID, w.WorkspaceID, w.TargetMinor, w.TargetCurrency, tags, w.Notes, w.Paused, w.MinInterval.Milliseconds(), w.UpdatedAt); err != nil {
			return err
		}
		changed := oldTarget.Valid != (w.TargetMinor != nil) || (w.TargetMinor != nil && oldTarget.Int64 != *w.TargetMinor) || oldCur != w.TargetCurrency
		if changed {
			_, err := tx.ExecContext(ctx, `DELETE FROM alert_states WHERE watch_id = $1`, w.ID)
			return err
		}
		return nil
	})
}
