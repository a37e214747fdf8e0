package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
)

// Domain is a store domain's settings, politeness slot and health.
type Domain struct {
	Domain        string
	RatePerMin    float64 // 0: the fetcher's default
	RequiresJS    bool
	Blocked       bool // the operator stopped all checks of the domain
	ProxyPool     string
	NextAllowedAt int64 // Unix ms of the next request slot
	Checks        int64
	Successes     int64
	Failures      int64
	LastError     string
	LastLatencyMS int64
	SuccessRate   float64 // exponentially weighted, 1 = all recent checks succeeded
	Flagged       bool    // success rate below FlagBelowRate
	// BreakerState is the fetcher's circuit breaker for the domain as of
	// the latest check: "closed", "open" or "half-open".
	BreakerState string
	UpdatedAt    int64
}

// Domain health thresholds: a domain whose weighted success rate falls below
// FlagBelowRate after at least FlagAfterChecks checks is flagged.
const (
	FlagBelowRate   = 0.7
	FlagAfterChecks = 5
	// successWeight is the weight of the newest check in SuccessRate (about
	// the last ten checks count).
	successWeight = 0.1
)

const domainCols = `domain, rate_per_min, requires_js, blocked, proxy_pool, next_allowed_at, checks, successes,
	failures, last_error, last_latency_ms, success_rate, flagged, breaker_state, updated_at`

func scanDomain(row interface{ Scan(...any) error }) (*Domain, error) {
	var d Domain
	err := row.Scan(&d.Domain, &d.RatePerMin, &d.RequiresJS, &d.Blocked, &d.ProxyPool, &d.NextAllowedAt,
		&d.Checks, &d.Successes, &d.Failures, &d.LastError, &d.LastLatencyMS, &d.SuccessRate, &d.Flagged, &d.BreakerState, &d.UpdatedAt)
	if err != nil {
		return nil, mapErr(err)
	}
	return &d, nil
}

// GetDomain returns a domain's row; ErrNotFound when none was written yet
// (then every setting is the default).
func (s *Store) GetDomain(ctx context.Context, domain string) (*Domain, error) {
	d, err := scanDomain(s.db.Read.QueryRowContext(ctx, `SELECT `+domainCols+` FROM domains WHERE domain = $1`, domain))
	if err != nil {
		return nil, fmt.Errorf("get domain %s: %w", domain, err)
	}
	return d, nil
}

// ListDomains returns every domain row, by name.
func (s *Store) ListDomains(ctx context.Context) ([]Domain, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+domainCols+` FROM domains ORDER BY domain`)
	if err != nil {
		return nil, fmt.Errorf("list domains: %w", err)
	}
	defer rows.Close()
	out := []Domain{}
	for rows.Next() {
		d, err := scanDomain(rows)
		if err != nil {
			return nil, fmt.Errorf("list domains: %w", err)
		}
		out = append(out, *d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list domains: %w", err)
	}
	return out, nil
}

// SetDomainSettings writes the operator's settings for a domain (rate,
// requires_js, blocked, proxy pool), keeping its slot and health.
func (s *Store) SetDomainSettings(ctx context.Context, d Domain) error {
	if d.Domain == "" || d.RatePerMin < 0 {
		return fmt.Errorf("%w: a domain needs a name and a non-negative rate", ErrInvalid)
	}
	_, err := s.db.Write.ExecContext(ctx, `INSERT INTO domains (domain, rate_per_min, requires_js, blocked, proxy_pool, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (domain) DO UPDATE SET rate_per_min = $2, requires_js = $3, blocked = $4, proxy_pool = $5, updated_at = $6`,
		d.Domain, d.RatePerMin, d.RequiresJS, d.Blocked, d.ProxyPool, s.nowMS())
	if err != nil {
		return fmt.Errorf("set domain %s: %w", d.Domain, err)
	}
	return nil
}

// TakeDomainSlot tries to take the domain's next request slot at now: it
// succeeds when the slot is free (next_allowed_at <= now) and moves it one
// interval (60 s / rate) ahead, in one conditional UPDATE … RETURNING, so
// workers in several processes never exceed the rate between them.
// defaultRatePerMin applies when the domain sets none. When the slot is
// taken, ok is false and nextAt says when to try again.
func (s *Store) TakeDomainSlot(ctx context.Context, domain string, now int64, defaultRatePerMin float64) (ok bool, nextAt int64, err error) {
	if defaultRatePerMin <= 0 {
		return false, 0, fmt.Errorf("%w: default rate must be positive", ErrInvalid)
	}
	_, err = s.db.Write.ExecContext(ctx,
		`INSERT INTO domains (domain, updated_at) VALUES ($1, $2) ON CONFLICT (domain) DO NOTHING`, domain, now)
	if err != nil {
		return false, 0, fmt.Errorf("take slot of %s: %w", domain, err)
	}
	err = s.db.Write.QueryRowContext(ctx, `UPDATE domains
		SET next_allowed_at = $2 + CAST(60000.0 / (CASE WHEN rate_per_min > 0 THEN rate_per_min ELSE $3 END) AS BIGINT)
		WHERE domain = $1 AND next_allowed_at <= $2
		RETURNING next_allowed_at`, domain, now, defaultRatePerMin).Scan(&nextAt)
	switch {
	case err == nil:
		return true, nextAt, nil
	case !errors.Is(err, sql.ErrNoRows):
		return false, 0, fmt.Errorf("take slot of %s: %w", domain, err)
	}
	if err := s.db.Write.QueryRowContext(ctx, `SELECT next_allowed_at FROM domains WHERE domain = $1`, domain).Scan(&nextAt); err != nil {
		return false, 0, fmt.Errorf("take slot of %s: %w", domain, err)
	}
	return false, nextAt, nil
}

// Slots is a run of request slots ReserveDomainSlots reserved, and the
// domain's settings as of the reservation.
type Slots struct {
	First      int64 // Unix ms of the first slot
	IntervalMS int64 // between slots; 0 when the rate rounds to less than 1 ms
	Count      int   // slots reserved
	Domain     Domain
}

// At is the Unix ms of slot i.
func (s Slots) At(i int) int64 { return s.First + int64(i)*s.IntervalMS }

// ReserveDomainSlots reserves n consecutive request slots of a domain in
// one statement, for a claimed batch's n products on it: the first slot is
// at max(next_allowed_at, now), each next one an interval (60 s / rate)
// later, and the domain's next_allowed_at moves past the last. Workers in
// several processes reserve disjoint runs of slots, so together they keep
// to the rate; a slot left unused (the worker stopped, or the slot was too
// far away) only makes the domain wait longer. It creates the domain's row
// when there is none; defaultRatePerMin applies when the domain sets no
// rate. The returned settings are the row's (rate, requires_js, proxy
// pool, blocked); health fields are not read.
func (s *Store) ReserveDomainSlots(ctx context.Context, domain string, n int, now int64, defaultRatePerMin float64) (Slots, error) {
	if defaultRatePerMin <= 0 || n <= 0 || domain == "" {
		return Slots{}, fmt.Errorf("%w: reserve slots needs a domain, a positive count and a positive default rate", ErrInvalid)
	}
	s.prepareHot(ctx)
	return s.reserveSlots(ctx, nil, domain, n, now, defaultRatePerMin)
}

// reserveSlots is ReserveDomainSlots in tx, or on the writer when tx is nil.
func (s *Store) reserveSlots(ctx context.Context, tx *sql.Tx, domain string, n int, now int64, defaultRatePerMin float64) (Slots, error) {
	rows, err := s.query(ctx, tx, reserveSlotsQuery, domain, now, n, defaultRatePerMin)
	if err != nil {
		return Slots{}, fmt.Errorf("reserve %d slots of %s: %w", n, domain, err)
	}
	defer rows.Close()
	if !rows.Next() {
		err := rows.Err()
		if err == nil {
			err = sql.ErrNoRows
		}
		return Slots{}, fmt.Errorf("reserve %d slots of %s: %w", n, domain, err)
	}
	sl := Slots{Count: n, Domain: Domain{Domain: domain}}
	var next int64
	d := &sl.Domain
	if err := rows.Scan(&next, &sl.IntervalMS, &d.RatePerMin, &d.RequiresJS, &d.Blocked, &d.ProxyPool); err != nil {
		return Slots{}, fmt.Errorf("reserve %d slots of %s: %w", n, domain, err)
	}
	if err := rows.Close(); err != nil {
		return Slots{}, fmt.Errorf("reserve %d slots of %s: %w", n, domain, err)
	}
	d.NextAllowedAt = next
	sl.First = next - int64(n)*sl.IntervalMS
	return sl, nil
}

// reserveSlotsQuery is ReserveDomainSlots' upsert: $1 domain, $2 now, $3
// slots, $4 default rate. The interval is computed as TakeDomainSlot does.
const reserveSlotsQuery = `INSERT INTO domains (domain, next_allowed_at, updated_at)
	VALUES ($1, $2 + CAST($3 AS BIGINT) * CAST(60000.0 / CAST($4 AS DOUBLE PRECISION) AS BIGINT), $2)
	ON CONFLICT (domain) DO UPDATE SET next_allowed_at =
		(CASE WHEN domains.next_allowed_at > $2 THEN domains.next_allowed_at ELSE $2 END)
		+ CAST($3 AS BIGINT) * CAST(60000.0 / (CASE WHEN domains.rate_per_min > 0 THEN domains.rate_per_min
			ELSE CAST($4 AS DOUBLE PRECISION) END) AS BIGINT)
	RETURNING next_allowed_at, CAST(60000.0 / (CASE WHEN rate_per_min > 0 THEN rate_per_min
		ELSE CAST($4 AS DOUBLE PRECISION) END) AS BIGINT), rate_per_min, requires_js, blocked, proxy_pool`

// domainHealth sums a batch's checks per domain, so RecordChecks writes
// each domain's health once per batch instead of once per check.
type domainHealth struct {
	byDomain map[string]*domainSum
}

// domainSum is the effect of a domain's checks, in order, on its health.
// The weighted success rate after checks s1…sn starting from r is
// r·(1-w)^n + Σ w·si·(1-w)^(n-i): decay is (1-w)^n and gain the sum. A
// domain without a row starts from its first check's success instead.
type domainSum struct {
	checks, successes int64
	decay, gain       float64
	firstRate         float64 // the rate when the first check creates the row
	lastErr           string  // the latest non-empty error
	latencyMS         int64
	breaker           string
	at                int64
}

func (h *domainHealth) add(domain string, r CheckResult) {
	if h.byDomain == nil {
		h.byDomain = map[string]*domainSum{}
	}
	d := h.byDomain[domain]
	if d == nil {
		d = &domainSum{decay: 1}
		h.byDomain[domain] = d
	}
	d.at = max(d.at, r.At)
	if r.BreakerState != "" {
		d.breaker = r.BreakerState
	}
	if r.Kind == CheckSkipped {
		return // nothing was requested: only the breaker state counts
	}
	ok := 0.0
	if r.Kind == CheckSeen || r.Kind == CheckUnchanged {
		ok = 1
		d.successes++
	}
	if d.checks == 0 {
		d.firstRate = ok
	} else {
		d.firstRate = d.firstRate*(1-successWeight) + ok*successWeight
	}
	d.checks++
	d.decay *= 1 - successWeight
	d.gain = d.gain*(1-successWeight) + ok*successWeight
	if r.Error != "" {
		d.lastErr = r.Error
	}
	d.latencyMS = r.LatencyMS
}

// write upserts every domain's sums, in name order (lock order on
// PostgreSQL).
func (h *domainHealth) write(ctx context.Context, s *Store, tx *sql.Tx) error {
	names := make([]string, 0, len(h.byDomain))
	for name := range h.byDomain {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		d := h.byDomain[name]
		if d.checks == 0 && d.breaker == "" {
			continue
		}
		flagged := d.checks >= FlagAfterChecks && d.firstRate < FlagBelowRate
		_, err := s.txExec(ctx, tx, domainHealthQuery, name, d.checks, d.successes, d.lastErr, d.latencyMS,
			d.firstRate, d.decay, d.gain, FlagAfterChecks, FlagBelowRate, d.breaker, d.at, flagged)
		if err != nil {
			return fmt.Errorf("domain health of %s: %w", name, err)
		}
	}
	return nil
}

// domainHealthQuery adds a batch's sums to a domain's health: $1 domain, $2
// checks, $3 successes, $4 last error, $5 latency, $6 the rate of a new row,
// $7 decay, $8 gain, $9 FlagAfterChecks, $10 FlagBelowRate, $11 breaker
// state ("" keeps it), $12 time, $13 flagged for a new row. With no checks
// (only skipped ones) just the breaker state and time change.
const domainHealthQuery = `INSERT INTO domains (domain, checks, successes, failures, last_error, last_latency_ms,
		success_rate, flagged, breaker_state, updated_at)
	VALUES ($1, CAST($2 AS BIGINT), CAST($3 AS BIGINT), CAST($2 AS BIGINT) - CAST($3 AS BIGINT), $4, $5,
		CAST($6 AS DOUBLE PRECISION), $13, CASE WHEN $11 = '' THEN 'closed' ELSE $11 END, $12)
	ON CONFLICT (domain) DO UPDATE SET
		checks = domains.checks + CAST($2 AS BIGINT),
		successes = domains.successes + CAST($3 AS BIGINT),
		failures = domains.failures + CAST($2 AS BIGINT) - CAST($3 AS BIGINT),
		last_error = CASE WHEN $4 = '' THEN domains.last_error ELSE $4 END,
		last_latency_ms = CASE WHEN CAST($2 AS BIGINT) = 0 THEN domains.last_latency_ms ELSE $5 END,
		success_rate = domains.success_rate * CAST($7 AS DOUBLE PRECISION) + CAST($8 AS DOUBLE PRECISION),
		flagged = (domains.checks + CAST($2 AS BIGINT) >= $9
			AND domains.success_rate * CAST($7 AS DOUBLE PRECISION) + CAST($8 AS DOUBLE PRECISION) < CAST($10 AS DOUBLE PRECISION)),
		breaker_state = CASE WHEN $11 = '' THEN domains.breaker_state ELSE $11 END,
		updated_at = $12`
