package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/frontier"
)

// recordBatchLoadQuery is recordLoadQuery for a group of products: $1 their
// ids, $2 each one's "30 days ago". Rows are locked in id order, so two
// workers' groups cannot deadlock.
var recordBatchLoadQuery = strings.NewReplacer(
	"$2", "r.since",
	"FROM products p WHERE p.id = $1", "FROM products p JOIN unnest($1::bigint[], $2::bigint[]) AS r(id, since) ON p.id = r.id",
).Replace(recordLoadQuery) + " ORDER BY p.id FOR UPDATE OF p"

// recordBatchUpdateQuery is recordUpdateQuery for a group, one row of
// arrays per product; where obs is set it also writes the observation's
// fields as recordObservationTx does (the columns it sets and
// recordUpdateQuery sets again are left to the latter).
const recordBatchUpdateQuery = `UPDATE products p SET
	title     = CASE WHEN v.obs AND v.title <> '' THEN v.title ELSE p.title END,
	image_url = CASE WHEN v.obs AND v.image_url <> '' THEN v.image_url ELSE p.image_url END,
	brand     = CASE WHEN v.obs AND v.brand <> '' THEN v.brand ELSE p.brand END,
	sku       = CASE WHEN v.obs AND v.sku <> '' THEN v.sku ELSE p.sku END,
	gtin      = CASE WHEN v.obs AND v.gtin <> '' THEN v.gtin ELSE p.gtin END,
	currency     = CASE WHEN v.obs THEN v.currency ELSE p.currency END,
	price_minor  = CASE WHEN v.obs THEN v.price_minor ELSE p.price_minor END,
	availability = CASE WHEN v.obs THEN v.availability ELSE p.availability END,
	last_checked_at = v.last_checked_at, next_check_at = v.next_check_at,
	etag = CASE WHEN v.etag = '' THEN p.etag ELSE v.etag END,
	last_modified = CASE WHEN v.last_modified = '' THEN p.last_modified ELSE v.last_modified END,
	body_hash = v.body_hash,
	consecutive_failures = v.failures, extraction_misses = v.misses, pending_change = v.pending, status = v.status,
	last_outcome = v.outcome, updated_at = v.at,
	lease_until = CASE WHEN p.lease_owner = v.owner THEN NULL ELSE p.lease_until END,
	lease_owner = CASE WHEN p.lease_owner = v.owner THEN '' ELSE p.lease_owner END
	FROM unnest($1::bigint[], $2::boolean[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
		$8::text[], $9::bigint[], $10::text[], $11::bigint[], $12::bigint[], $13::text[], $14::text[], $15::text[],
		$16::integer[], $17::integer[], $18::text[], $19::text[], $20::text[], $21::bigint[], $22::text[])
	AS v(id, obs, title, image_url, brand, sku, gtin, currency, price_minor, availability,
		last_checked_at, next_check_at, etag, last_modified, body_hash,
		failures, misses, pending, status, outcome, at, owner)
	WHERE p.id = v.id`

const recordBatchHistoryQuery = `INSERT INTO price_history (product_id, observed_at, price_minor, currency, availability)
	SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[])`

// batchUpdate holds recordBatchUpdateQuery's arrays.
type batchUpdate struct {
	id                                []int64
	obs                               []bool
	title, imageURL, brand, sku, gtin []string
	currency                          []string
	priceMinor                        []*int64
	availability                      []string
	lastChecked                       []*int64
	nextCheck                         []int64
	etag, lastMod, bodyHash           []string
	failures, misses                  []int
	pending, status, outcome          []string
	at                                []int64
	owner                             []string
	histID, histAt                    []int64
	histPrice                         []*int64
	histCurrency, histAvailability    []string
}

// recordChecksBatchTx records a group of checks of distinct products on
// PostgreSQL with a fixed number of statements, whatever the group's size:
// one SELECT … FOR UPDATE loads the products, one INSERT writes the history
// rows, one UPDATE … FROM unnest(…) writes the products. Each check means
// exactly what it means in recordCheckTx (planCheck decides both); then, in
// id order, each check's events are inserted, the event hook runs on them
// and its InTx runs, all after the group's writes. order lists rs by
// product id; outs and health receive the results.
func (s *Store) recordChecksBatchTx(ctx context.Context, tx *sql.Tx, rs []CheckResult, order []int, outs []*CheckOutcome, health *domainHealth) error {
	type loaded struct {
		p  Product
		in frontier.Input
	}
	ids := make([]int64, len(order))
	since := make([]int64, len(order))
	for k, i := range order {
		ids[k] = rs[i].ProductID
		since[k] = rs[i].At - (30 * 24 * time.Hour).Milliseconds()
	}
	rows, err := tx.QueryContext(ctx, recordBatchLoadQuery, ids, since)
	if err != nil {
		return fmt.Errorf("record checks: load: %w", err)
	}
	byID := make(map[int64]*loaded, len(order))
	for rows.Next() {
		l := &loaded{}
		var minMS int64
		if err := rows.Scan(append(productDest(&l.p), &l.in.Watchers, &minMS, &l.in.Changes30d, &l.in.LastChangeAt)...); err != nil {
			_ = rows.Close()
			return fmt.Errorf("record checks: load: %w", err)
		}
		l.in.WatchMinInterval = time.Duration(minMS) * time.Millisecond
		byID[l.p.ID] = l
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("record checks: load: %w", err)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("record checks: load: %w", err)
	}

	var u batchUpdate
	for _, i := range order {
		r := rs[i]
		l := byID[r.ProductID]
		if l == nil {
			return fmt.Errorf("record check of product %d: %w", r.ProductID, ErrNotFound)
		}
		p := &l.p
		in := l.in
		in.ProductID, in.Now = r.ProductID, r.At
		var obs *Observation
		pl, err := planCheck(r, p, in, func(o Observation) (PricePoint, bool, error) {
			if o.Availability == "" {
				o.Availability = Unknown
			}
			prev := PricePoint{PriceMinor: p.PriceMinor, Currency: p.Currency, Availability: p.Availability}
			changed := !equalPtr(prev.PriceMinor, o.PriceMinor) || prev.Currency != o.Currency || prev.Availability != o.Availability
			obs = &o
			if changed {
				u.histID = append(u.histID, p.ID)
				u.histAt = append(u.histAt, r.At)
				u.histPrice = append(u.histPrice, o.PriceMinor)
				u.histCurrency = append(u.histCurrency, o.Currency)
				u.histAvailability = append(u.histAvailability, o.Availability)
			}
			return prev, changed, nil
		})
		if err != nil {
			return fmt.Errorf("record check of product %d: %w", r.ProductID, err)
		}
		u.obs = append(u.obs, obs != nil)
		if obs == nil {
			obs = &Observation{}
		}
		u.id = append(u.id, p.ID)
		u.title = append(u.title, obs.Title)
		u.imageURL = append(u.imageURL, obs.ImageURL)
		u.brand = append(u.brand, obs.Brand)
		u.sku = append(u.sku, obs.SKU)
		u.gtin = append(u.gtin, obs.GTIN)
		u.currency = append(u.currency, obs.Currency)
		u.priceMinor = append(u.priceMinor, obs.PriceMinor)
		u.availability = append(u.availability, obs.Availability)
		u.lastChecked = append(u.lastChecked, pl.lastChecked)
		u.nextCheck = append(u.nextCheck, pl.out.NextCheckAt)
		u.etag = append(u.etag, pl.etag)
		u.lastMod = append(u.lastMod, pl.lastMod)
		u.bodyHash = append(u.bodyHash, pl.bodyHash)
		u.failures = append(u.failures, pl.failures)
		u.misses = append(u.misses, pl.misses)
		u.pending = append(u.pending, pl.pending)
		u.status = append(u.status, pl.out.Status)
		u.outcome = append(u.outcome, r.Outcome)
		u.at = append(u.at, r.At)
		u.owner = append(u.owner, r.Owner)
		outs[i] = pl.out
		health.add(p.Domain, r)
	}

	if len(u.histID) > 0 {
		if _, err := tx.ExecContext(ctx, recordBatchHistoryQuery, u.histID, u.histAt, u.histPrice, u.histCurrency, u.histAvailability); err != nil {
			return fmt.Errorf("record checks: history: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, recordBatchUpdateQuery, u.id, u.obs, u.title, u.imageURL, u.brand, u.sku, u.gtin,
		u.currency, u.priceMinor, u.availability, u.lastChecked, u.nextCheck, u.etag, u.lastMod, u.bodyHash,
		u.failures, u.misses, u.pending, u.status, u.outcome, u.at, u.owner); err != nil {
		return fmt.Errorf("record checks: products: %w", err)
	}
	for _, i := range order {
		r := rs[i]
		err := s.writeEventsTx(ctx, tx, outs[i])
		if err == nil && r.InTx != nil {
			err = r.InTx(ctx, tx, outs[i])
		}
		if err != nil {
			return fmt.Errorf("record check of product %d: %w", r.ProductID, err)
		}
	}
	return nil
}

// distinctProducts reports whether no product appears twice in rs (the
// batch path writes each product once).
func distinctProducts(rs []CheckResult, order []int) bool {
	for k := 1; k < len(order); k++ {
		if rs[order[k]].ProductID == rs[order[k-1]].ProductID {
			return false
		}
	}
	return true
}
