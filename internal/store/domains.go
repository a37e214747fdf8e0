package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
	UpdatedAt     int64
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
	failures, last_error, last_latency_ms, success_rate, flagged, updated_at`

func scanDomain(row interface{ Scan(...any) error }) (*Domain, error) {
	var d Domain
	err := row.Scan(&d.Domain, &d.RatePerMin, &d.RequiresJS, &d.Blocked, &d.ProxyPool, &d.NextAllowedAt,
		&d.Checks, &d.Successes, &d.Failures, &d.LastError, &d.LastLatencyMS, &d.SuccessRate, &d.Flagged, &d.UpdatedAt)
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

// recordDomainHealthTx counts one check of domain in the caller's
// transaction and re-evaluates the flag.
func recordDomainHealthTx(ctx context.Context, tx *sql.Tx, domain string, success bool, lastErr string, latencyMS, at int64) error {
	s := 0.0
	if success {
		s = 1
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO domains (domain, checks, successes, failures, last_error, last_latency_ms,
			success_rate, updated_at)
		VALUES ($1, 1, CAST($2 AS BIGINT), 1 - CAST($2 AS BIGINT), $3, $4, CAST($5 AS DOUBLE PRECISION), $6)
		ON CONFLICT (domain) DO UPDATE SET
			checks = domains.checks + 1,
			successes = domains.successes + CAST($2 AS BIGINT),
			failures = domains.failures + 1 - CAST($2 AS BIGINT),
			last_error = CASE WHEN $3 = '' THEN domains.last_error ELSE $3 END,
			last_latency_ms = $4,
			success_rate = domains.success_rate * (1 - CAST($7 AS DOUBLE PRECISION)) + CAST($5 AS DOUBLE PRECISION) * $7,
			flagged = (domains.checks + 1 >= $8
				AND domains.success_rate * (1 - CAST($7 AS DOUBLE PRECISION)) + CAST($5 AS DOUBLE PRECISION) * $7 < CAST($9 AS DOUBLE PRECISION)),
			updated_at = $6`,
		domain, int64(s), lastErr, latencyMS, s, at, successWeight, FlagAfterChecks, FlagBelowRate)
	if err != nil {
		return fmt.Errorf("domain health of %s: %w", domain, err)
	}
	return nil
}
