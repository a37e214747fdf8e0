package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/frontier"
)

// CheckKind classifies a check for RecordCheck.
type CheckKind int

const (
	// CheckSeen: the page was read and extracted (Observation is set).
	CheckSeen CheckKind = iota + 1
	// CheckUnchanged: 304, or the same body as last time; nothing to extract.
	CheckUnchanged
	// CheckRefused: a bot wall, or robots.txt forbids the page. Not a failure
	// of the product's page: no failure count, no history.
	CheckRefused
	// CheckFailed: the page failed (HTTP error, network, timeout, …).
	CheckFailed
	// CheckSkipped: nothing was requested (breaker open, no proxy); only the
	// schedule moves.
	CheckSkipped
)

// Thresholds for status changes.
const (
	FailingAfter      = 3 // consecutive failures that mark a product failing
	ReviewAfterMisses = 3 // checks in a row without a price that mark it needs_review
)

// Event kinds RecordCheck writes.
const (
	EventPriceChanged      = "price_changed"
	EventBackInStock       = "back_in_stock"
	EventOutOfStock        = "out_of_stock"
	EventProductFailing    = "product_failing"
	EventExtractionMissing = "extraction_missing"
	EventProductBlocked    = "product_blocked"
	EventProductRecovered  = "product_recovered" // failing → active: checks succeed again
)

// CheckResult is one check of a product, as the monitor saw it.
type CheckResult struct {
	ProductID int64
	Owner     string // the lease owner; its lease is cleared
	At        int64  // Unix ms
	Kind      CheckKind
	Outcome   string // the fetcher's outcome, kept as products.last_outcome
	Error     string // a short cause for failures, kept in the domain's health
	LatencyMS int64
	// BreakerState is the fetcher's circuit breaker state for the domain
	// after the check ("closed", "open", "half-open"; "" keeps the stored
	// one), kept with the domain's health.
	BreakerState string
	// Validators for the next conditional request ("" keeps the stored one).
	ETag, LastModified, BodyHash string
	// Observation is what the page showed (CheckSeen only).
	Observation *Observation
	// Hold marks the observation suspicious: it is kept as the product's
	// pending change and nothing else is recorded; the caller schedules a
	// confirm re-check (InTx is the place to enqueue it).
	Hold bool
	// Confirm marks the confirm re-check: what it sees is recorded (never
	// held again) and the pending change is cleared.
	Confirm bool
	// InTx, when set, runs inside RecordCheck's transaction after its
	// writes, so a job enqueued there commits or rolls back with them.
	InTx func(ctx context.Context, tx *sql.Tx, out *CheckOutcome) error
}

// CheckOutcome is what RecordCheck wrote.
type CheckOutcome struct {
	Changed     bool // a history row was appended
	Held        bool // the observation was kept as pending
	Events      []Event
	Status      string
	NextCheckAt int64
}

// RecordCheck records one check in one transaction: the product row (check
// time, next check from the frontier policy, validators, failure and miss
// counts, status), a history row only when price, currency or availability
// changed, the events the change means, the domain's health, and the lease
// released.
func (s *Store) RecordCheck(ctx context.Context, r CheckResult) (*CheckOutcome, error) {
	outs, err := s.RecordChecks(ctx, []CheckResult{r})
	if err != nil {
		return nil, err
	}
	return outs[0], nil
}

// RecordChecks records several checks in one transaction (group commit),
// each exactly as RecordCheck would, and returns their outcomes in order.
// A commit per check is most of the cost of a 304 check on SQLite's single
// writer. It is all or nothing: on error nothing was written (and no lease
// released), so the caller can record the checks one by one to find the
// bad one. Each check's InTx runs after that check's writes.
func (s *Store) RecordChecks(ctx context.Context, rs []CheckResult) ([]*CheckOutcome, error) {
	for _, r := range rs {
		if r.Kind < CheckSeen || r.Kind > CheckSkipped || (r.Kind == CheckSeen && r.Observation == nil) {
			return nil, fmt.Errorf("%w: check of product %d: kind %d without the data it needs", ErrInvalid, r.ProductID, r.Kind)
		}
	}
	s.prepareHot(ctx)
	// Rows are locked in id order (and domains in name order, see
	// domainHealth.write), so two workers' batches on PostgreSQL cannot
	// deadlock.
	order := make([]int, len(rs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rs[a].ProductID, rs[b].ProductID) })
	outs := make([]*CheckOutcome, len(rs))
	// On PostgreSQL a group of distinct products is written with a few
	// statements for the whole group (frontier_record_postgres.go).
	batch := s.db.Engine == db.Postgres && len(rs) > 1 && distinctProducts(rs, order)
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var health domainHealth
		one := order
		if batch {
			if err := s.recordChecksBatchTx(ctx, tx, rs, order, outs, &health); err != nil {
				return err
			}
			one = nil
		}
		for _, i := range one {
			r := rs[i]
			out, domain, err := s.recordCheckTx(ctx, tx, r)
			if err == nil && r.InTx != nil {
				err = r.InTx(ctx, tx, out)
			}
			if err != nil {
				return fmt.Errorf("record check of product %d: %w", r.ProductID, err)
			}
			health.add(domain, r)
			outs[i] = out
		}
		if err := health.write(ctx, s, tx); err != nil {
			return fmt.Errorf("record checks: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.checksCommitted(outs)
	return outs, nil
}

// recordLoadQuery reads a product and the frontier policy's inputs from its
// watches and history in one statement.
var recordLoadQuery = `SELECT ` + productCols("p") + `,
	(SELECT COUNT(*) FROM watches w WHERE w.product_id = p.id AND NOT w.paused),
	(SELECT COALESCE(MIN(w.min_interval_ms), 0) FROM watches w WHERE w.product_id = p.id AND NOT w.paused),
	(SELECT COUNT(*) FROM price_history h WHERE h.product_id = p.id AND h.observed_at >= $2),
	(SELECT COALESCE(MAX(h.observed_at), 0) FROM price_history h WHERE h.product_id = p.id)
	FROM products p WHERE p.id = $1`

const recordUpdateQuery = `UPDATE products SET
		last_checked_at = $2, next_check_at = $3,
		etag = CASE WHEN $4 = '' THEN etag ELSE $4 END,
		last_modified = CASE WHEN $5 = '' THEN last_modified ELSE $5 END,
		body_hash = $6,
		consecutive_failures = $7, extraction_misses = $8, pending_change = $9, status = $10,
		last_outcome = $11, updated_at = $12,
		lease_until = CASE WHEN lease_owner = $13 THEN NULL ELSE lease_until END,
		lease_owner = CASE WHEN lease_owner = $13 THEN '' ELSE lease_owner END
		WHERE id = $1`

const insertEventQuery = `INSERT INTO events (product_id, kind, data, at) VALUES ($1, $2, $3, $4) RETURNING id`

// recordCheckTx records one check in tx, all but the domain's health, and
// returns the product's domain for that.
func (s *Store) recordCheckTx(ctx context.Context, tx *sql.Tx, r CheckResult) (*CheckOutcome, string, error) {
	var p Product
	in := frontier.Input{ProductID: r.ProductID, Now: r.At}
	var minMS int64
	monthAgo := r.At - (30 * 24 * time.Hour).Milliseconds()
	q := recordLoadQuery
	if s.db.Engine == db.Postgres {
		q += " FOR UPDATE OF p"
	}
	if err := s.txQueryRow(ctx, tx, q, r.ProductID, monthAgo).
		Scan(append(productDest(&p), &in.Watchers, &minMS, &in.Changes30d, &in.LastChangeAt)...); err != nil {
		return nil, "", mapErr(err)
	}
	in.WatchMinInterval = time.Duration(minMS) * time.Millisecond
	pl, err := planCheck(r, &p, in, func(o Observation) (PricePoint, bool, error) {
		return s.recordObservationTx(ctx, tx, p.ID, o, r.At)
	})
	if err != nil {
		return nil, "", err
	}
	if _, err := s.txExec(ctx, tx, recordUpdateQuery,
		p.ID, pl.lastChecked, pl.out.NextCheckAt, pl.etag, pl.lastMod, pl.bodyHash,
		pl.failures, pl.misses, pl.pending, pl.out.Status, r.Outcome, r.At, r.Owner); err != nil {
		return nil, "", err
	}
	if err := s.writeEventsTx(ctx, tx, pl.out); err != nil {
		return nil, "", err
	}
	return pl.out, p.Domain, nil
}

// checkPlan is what a check means for its product row, worked out from the
// row as loaded: the outcome and the values recordUpdateQuery writes.
type checkPlan struct {
	out                     *CheckOutcome
	lastChecked             *int64
	etag, lastMod, bodyHash string
	failures, misses        int
	pending                 string
}

// planCheck works out a check's outcome and the product's new values.
// observe records a price observation (product fields and a history row on
// change) and returns the values before it; it is called for a seen check
// that is recorded (not held, with a price or an availability).
func planCheck(r CheckResult, p *Product, in frontier.Input, observe func(Observation) (PricePoint, bool, error)) (*checkPlan, error) {
	out := &CheckOutcome{Status: p.Status}
	failures, misses, pending := p.ConsecutiveFailures, p.ExtractionMisses, p.PendingChange
	etag, lastMod, bodyHash := r.ETag, r.LastModified, r.BodyHash
	lastChecked := &r.At
	event := func(kind string, data any) {
		b, _ := json.Marshal(data) // maps of plain values: cannot fail
		out.Events = append(out.Events, Event{ProductID: p.ID, Kind: kind, Data: string(b), At: r.At})
	}

	switch r.Kind {
	case CheckSeen:
		o := *r.Observation
		failures = 0
		switch {
		case o.PriceMinor == nil && (o.Availability == "" || o.Availability == Unknown):
			// The page answered but shows no price: a parser problem or a
			// changed page, not a change of price.
			misses++
			if misses == ReviewAfterMisses && p.Status != StatusPaused {
				out.Status = StatusNeedsReview
				event(EventExtractionMissing, map[string]any{"misses": misses})
			}
		case r.Hold && !r.Confirm:
			b, err := json.Marshal(o)
			if err != nil {
				return nil, err
			}
			pending, out.Held = string(b), true
			// Keep no validators, so the next regular check reads the page
			// again rather than calling it unchanged.
			etag, lastMod, bodyHash = p.ETag, p.LastModified, ""
		default:
			prev, changed, err := observe(o)
			if err != nil {
				return nil, err
			}
			out.Changed, misses, pending = changed, 0, ""
			if changed {
				out.Events = append(out.Events, changeEvents(p.ID, prev, o, r.At, r.Confirm)...)
				// The policy counts the history row just written.
				in.Changes30d++
				in.LastChangeAt = max(in.LastChangeAt, r.At)
			}
			if out.Status == StatusFailing || out.Status == StatusNeedsReview {
				out.Status = StatusActive
			}
		}
		if p.Status == StatusFailing && out.Status == StatusActive {
			event(EventProductRecovered, map[string]any{})
		}
	case CheckUnchanged:
		failures = 0
		if out.Status == StatusFailing {
			out.Status = StatusActive
			event(EventProductRecovered, map[string]any{})
		}
	case CheckRefused:
		if p.LastOutcome != r.Outcome {
			event(EventProductBlocked, map[string]any{"outcome": r.Outcome})
		}
	case CheckFailed:
		failures++
		if failures == FailingAfter && p.Status != StatusPaused && p.Status != StatusFailing {
			out.Status = StatusFailing
			event(EventProductFailing, map[string]any{"failures": failures, "outcome": r.Outcome, "error": r.Error})
		}
	case CheckSkipped:
		lastChecked = p.LastCheckedAt
	}
	if r.Confirm {
		pending = ""
	}

	in.ConsecutiveFailures, in.Priority = failures, p.Priority
	out.NextCheckAt = frontier.Next(in)
	return &checkPlan{out: out, lastChecked: lastChecked, etag: etag, lastMod: lastMod,
		bodyHash: keepOr(bodyHash, p.BodyHash, out.Held), failures: failures, misses: misses, pending: pending}, nil
}

// writeEventsTx inserts a check's events (setting their ids) and runs the
// event hook on them in tx.
func (s *Store) writeEventsTx(ctx context.Context, tx *sql.Tx, out *CheckOutcome) error {
	for i := range out.Events {
		e := &out.Events[i]
		if err := s.txQueryRow(ctx, tx, insertEventQuery, e.ProductID, e.Kind, e.Data, e.At).Scan(&e.ID); err != nil {
			return err
		}
	}
	return s.runEventHook(ctx, tx, out.Events)
}

// keepOr returns v when force is set or v is not empty, else old: a held
// check clears the body hash on purpose, other checks keep the stored one
// when the fetcher reports none.
func keepOr(v, old string, force bool) string {
	if force || v != "" {
		return v
	}
	return old
}

// purchasable availabilities: a shopper can order now.
func purchasable(a string) bool { return a == InStock || a == PreOrder || a == BackOrder }

// changeEvents are the events a recorded change means (pure).
func changeEvents(productID int64, prev PricePoint, o Observation, at int64, confirmed bool) []Event {
	if o.Availability == "" {
		o.Availability = Unknown
	}
	var evs []Event
	add := func(kind string, data map[string]any) {
		if confirmed {
			data["confirmed"] = true
		}
		b, _ := json.Marshal(data)
		evs = append(evs, Event{ProductID: productID, Kind: kind, Data: string(b), At: at})
	}
	if prev.PriceMinor != nil && o.PriceMinor != nil &&
		(*prev.PriceMinor != *o.PriceMinor || prev.Currency != o.Currency) {
		add(EventPriceChanged, map[string]any{
			"old_minor": *prev.PriceMinor, "old_currency": prev.Currency,
			"new_minor": *o.PriceMinor, "currency": o.Currency,
		})
	}
	switch {
	case prev.Availability == OutOfStock && purchasable(o.Availability):
		add(EventBackInStock, map[string]any{"availability": o.Availability, "price_minor": o.PriceMinor, "currency": o.Currency})
	case purchasable(prev.Availability) && o.Availability == OutOfStock:
		add(EventOutOfStock, map[string]any{"previous": prev.Availability})
	}
	return evs
}

// PriceMedian returns the median price of a product's history since since
// (Unix ms), counting the price in effect at since; ok is false when the
// product never had a price in that currency.
func (s *Store) PriceMedian(ctx context.Context, productID int64, currency string, since int64) (median int64, ok bool, err error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT price_minor FROM price_history
		WHERE product_id = $1 AND currency = $2 AND price_minor IS NOT NULL AND observed_at >= COALESCE(
			(SELECT MAX(observed_at) FROM price_history WHERE product_id = $1 AND observed_at <= $3), $3)`,
		productID, currency, since)
	if err != nil {
		return 0, false, fmt.Errorf("price median of product %d: %w", productID, err)
	}
	defer rows.Close()
	var xs []int64
	for rows.Next() {
		var x int64
		if err := rows.Scan(&x); err != nil {
			return 0, false, fmt.Errorf("price median of product %d: %w", productID, err)
		}
		xs = append(xs, x)
	}
	if err := rows.Err(); err != nil {
		return 0, false, fmt.Errorf("price median of product %d: %w", productID, err)
	}
	if len(xs) == 0 {
		return 0, false, nil
	}
	slices.Sort(xs)
	if n := len(xs); n%2 == 0 {
		return xs[n/2-1] + (xs[n/2]-xs[n/2-1])/2, true, nil
	}
	return xs[len(xs)/2], true, nil
}
