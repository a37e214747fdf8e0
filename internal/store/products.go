package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

var productColNames = []string{
	"id", "url", "canonical_url", "domain", "title", "image_url", "brand", "sku", "gtin",
	"currency", "price_minor", "availability", "status", "last_checked_at", "next_check_at",
	"lease_owner", "lease_until", "consecutive_failures", "etag", "last_modified", "body_hash",
	"priority", "created_at", "updated_at", "last_outcome", "extraction_misses", "pending_change",
}

// productCols lists the product columns, each prefixed with alias+"." when
// alias is set; scanProduct reads them in this order.
func productCols(alias string) string {
	if alias == "" {
		return strings.Join(productColNames, ", ")
	}
	return alias + "." + strings.Join(productColNames, ", "+alias+".")
}

func productDest(p *Product) []any {
	return []any{
		&p.ID, &p.URL, &p.CanonicalURL, &p.Domain, &p.Title, &p.ImageURL, &p.Brand, &p.SKU, &p.GTIN,
		&p.Currency, &p.PriceMinor, &p.Availability, &p.Status, &p.LastCheckedAt, &p.NextCheckAt,
		&p.LeaseOwner, &p.LeaseUntil, &p.ConsecutiveFailures, &p.ETag, &p.LastModified, &p.BodyHash,
		&p.Priority, &p.CreatedAt, &p.UpdatedAt, &p.LastOutcome, &p.ExtractionMisses, &p.PendingChange,
	}
}

func scanProduct(row interface{ Scan(...any) error }) (*Product, error) {
	var p Product
	if err := row.Scan(productDest(&p)...); err != nil {
		return nil, mapErr(err)
	}
	return &p, nil
}

func (s *Store) GetProduct(ctx context.Context, id int64) (*Product, error) {
	return getProduct(ctx, s.db.Read, `id = $1`, id)
}

func (s *Store) GetProductByCanonicalURL(ctx context.Context, canonicalURL string) (*Product, error) {
	return getProduct(ctx, s.db.Read, `canonical_url = $1`, canonicalURL)
}

func getProduct(ctx context.Context, q querier, where string, arg any) (*Product, error) {
	return scanProduct(q.QueryRowContext(ctx, `SELECT `+productCols("")+` FROM products WHERE `+where, arg))
}

// RecordObservation updates the product row from one check at time at, and in
// the same transaction appends a price-history row when price, currency or
// availability differs from the product's last values. The product starts
// with no price, no currency and unknown availability, so the first
// observation that carries any of them is a change. Empty descriptive fields
// (title, image, brand, ids) keep their stored values; an empty availability
// is recorded as unknown. A failing product becomes active again.
func (s *Store) RecordObservation(ctx context.Context, productID int64, o Observation, at int64) (changed bool, err error) {
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, changed, err = s.recordObservationTx(ctx, tx, productID, o, at)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("record observation for product %d: %w", productID, err)
	}
	return changed, nil
}

// recordObservationTx is RecordObservation inside the caller's transaction;
// it also returns the values the product had before (for events).
func (s *Store) recordObservationTx(ctx context.Context, tx *sql.Tx, productID int64, o Observation, at int64) (prev PricePoint, changed bool, err error) {
	if o.Availability == "" {
		o.Availability = Unknown
	}
	err = s.txQueryRow(ctx, tx,
		`SELECT price_minor, currency, availability FROM products WHERE id = $1`+s.forUpdate(), productID).
		Scan(&prev.PriceMinor, &prev.Currency, &prev.Availability)
	if err != nil {
		return prev, false, mapErr(err)
	}
	changed = !equalPtr(prev.PriceMinor, o.PriceMinor) ||
		prev.Currency != o.Currency || prev.Availability != o.Availability

	_, err = s.txExec(ctx, tx, `UPDATE products SET
		title     = CASE WHEN $2 = '' THEN title ELSE $2 END,
		image_url = CASE WHEN $3 = '' THEN image_url ELSE $3 END,
		brand     = CASE WHEN $4 = '' THEN brand ELSE $4 END,
		sku       = CASE WHEN $5 = '' THEN sku ELSE $5 END,
		gtin      = CASE WHEN $6 = '' THEN gtin ELSE $6 END,
		currency = $7, price_minor = $8, availability = $9,
		last_checked_at = $10, consecutive_failures = 0,
		status = CASE WHEN status = 'failing' THEN 'active' ELSE status END,
		updated_at = $10
		WHERE id = $1`,
		productID, o.Title, o.ImageURL, o.Brand, o.SKU, o.GTIN,
		o.Currency, o.PriceMinor, o.Availability, at)
	if err != nil || !changed {
		return prev, changed, err
	}
	_, err = s.txExec(ctx, tx,
		`INSERT INTO price_history (product_id, observed_at, price_minor, currency, availability)
		 VALUES ($1, $2, $3, $4, $5)`,
		productID, at, o.PriceMinor, o.Currency, o.Availability)
	return prev, changed, err
}

func equalPtr(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// ListPriceHistory returns a product's history in [From, To), oldest first.
func (s *Store) ListPriceHistory(ctx context.Context, productID int64, f FindHistory) ([]PricePoint, error) {
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = 1000
	case limit > 100000:
		limit = 100000
	}
	to := f.To
	if to == 0 {
		to = maxInt64
	}
	rows, err := s.db.Read.QueryContext(ctx,
		`SELECT product_id, observed_at, price_minor, currency, availability FROM price_history
		 WHERE product_id = $1 AND observed_at >= $2 AND observed_at < $3
		 ORDER BY observed_at LIMIT $4`, productID, f.From, to, limit)
	if err != nil {
		return nil, fmt.Errorf("list price history: %w", err)
	}
	defer rows.Close()
	out := []PricePoint{}
	for rows.Next() {
		var p PricePoint
		if err := rows.Scan(&p.ProductID, &p.ObservedAt, &p.PriceMinor, &p.Currency, &p.Availability); err != nil {
			return nil, fmt.Errorf("list price history: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list price history: %w", err)
	}
	return out, nil
}
