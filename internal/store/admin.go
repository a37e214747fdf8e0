package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// DomainPatch changes some of a domain's operator settings; nil fields stay.
type DomainPatch struct {
	RatePerMin *float64
	RequiresJS *bool
	Blocked    *bool
	ProxyPool  *string // "": the default pool (or direct)
	// Selectors is a JSON object of CSS selectors (validated by the caller).
	Selectors *string
}

// DomainSettings is a domain's row with its selectors, for the admin API.
type DomainSettings struct {
	Domain
	Selectors string // JSON object, "{}" when none
}

// ListDomainSettings returns every domain row with its selectors, by name.
func (s *Store) ListDomainSettings(ctx context.Context) ([]DomainSettings, error) {
	ds, err := s.ListDomains(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT domain, selectors FROM domains`)
	if err != nil {
		return nil, fmt.Errorf("list domain selectors: %w", err)
	}
	defer rows.Close()
	sel := map[string]string{}
	for rows.Next() {
		var d, v string
		if err := rows.Scan(&d, &v); err != nil {
			return nil, fmt.Errorf("list domain selectors: %w", err)
		}
		sel[d] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list domain selectors: %w", err)
	}
	out := make([]DomainSettings, 0, len(ds))
	for _, d := range ds {
		v := sel[d.Domain]
		if v == "" {
			v = "{}"
		}
		out = append(out, DomainSettings{Domain: d, Selectors: v})
	}
	return out, nil
}

// UpdateDomainSettings applies p to domain (creating its row if the domain
// was never checked) and audits the change with the values before and after.
func (s *Store) UpdateDomainSettings(ctx context.Context, actor Actor, domain string, p DomainPatch) (*DomainSettings, error) {
	if domain == "" || (p.RatePerMin != nil && *p.RatePerMin < 0) {
		return nil, fmt.Errorf("%w: a domain needs a name and a non-negative rate", ErrInvalid)
	}
	if p.Selectors != nil && !json.Valid([]byte(*p.Selectors)) {
		return nil, fmt.Errorf("%w: selectors must be JSON", ErrInvalid)
	}
	var out *DomainSettings
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := s.nowMS()
		if _, err := tx.ExecContext(ctx, `INSERT INTO domains (domain, updated_at) VALUES ($1, $2) ON CONFLICT (domain) DO NOTHING`,
			domain, now); err != nil {
			return err
		}
		var before DomainSettings
		d, err := scanDomain(tx.QueryRowContext(ctx, `SELECT `+domainCols+` FROM domains WHERE domain = $1`+s.forUpdate(), domain))
		if err != nil {
			return err
		}
		before.Domain = *d
		if err := tx.QueryRowContext(ctx, `SELECT selectors FROM domains WHERE domain = $1`, domain).Scan(&before.Selectors); err != nil {
			return err
		}
		after := before
		if p.RatePerMin != nil {
			after.RatePerMin = *p.RatePerMin
		}
		if p.RequiresJS != nil {
			after.RequiresJS = *p.RequiresJS
		}
		if p.Blocked != nil {
			after.Blocked = *p.Blocked
		}
		if p.ProxyPool != nil {
			after.ProxyPool = *p.ProxyPool
		}
		if p.Selectors != nil {
			after.Selectors = *p.Selectors
		}
		after.UpdatedAt = now
		if _, err := tx.ExecContext(ctx, `UPDATE domains SET rate_per_min = $2, requires_js = $3, blocked = $4, selectors = $5,
			proxy_pool = $6, updated_at = $7 WHERE domain = $1`,
			domain, after.RatePerMin, after.RequiresJS, after.Blocked, after.Selectors, after.ProxyPool, now); err != nil {
			return err
		}
		out = &after
		return s.audit(ctx, tx, actor, 0, "domain.update", "domain:"+domain, map[string]any{
			"before": domainAuditData(before), "after": domainAuditData(after)})
	})
	if err != nil {
		return nil, fmt.Errorf("update domain %s: %w", domain, mapErr(err))
	}
	return out, nil
}

func domainAuditData(d DomainSettings) map[string]any {
	return map[string]any{"rate_per_min": d.RatePerMin, "requires_js": d.RequiresJS, "blocked": d.Blocked,
		"proxy_pool": d.ProxyPool, "selectors": json.RawMessage(d.Selectors)}
}

// InstanceSettingsKV returns every instance setting as key → value.
func (s *Store) InstanceSettingsKV(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT key, value FROM instance_settings`)
	if err != nil {
		return nil, fmt.Errorf("instance settings: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("instance settings: %w", err)
		}
		out[k] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("instance settings: %w", err)
	}
	return out, nil
}

// UpdateInstanceSettings writes the given settings (validated by the
// caller) in one transaction and audits each change.
func (s *Store) UpdateInstanceSettings(ctx context.Context, actor Actor, set map[string]string) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		for k, v := range set {
			var old sql.NullString
			if err := tx.QueryRowContext(ctx, `SELECT value FROM instance_settings WHERE key = $1`+s.forUpdate(), k).Scan(&old); err != nil &&
				!errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if old.Valid && old.String == v {
				continue
			}
			if err := s.SetSetting(ctx, tx, k, v); err != nil {
				return err
			}
			if err := s.audit(ctx, tx, actor, 0, "instance.setting", "setting:"+k,
				map[string]any{"from": old.String, "to": v}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update instance settings: %w", err)
	}
	return nil
}

// ProductsPerDomain counts products by domain, for the admin's domain list.
func (s *Store) ProductsPerDomain(ctx context.Context) (map[string]int64, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT domain, COUNT(*) FROM products GROUP BY domain`)
	if err != nil {
		return nil, fmt.Errorf("products per domain: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var d string
		var n int64
		if err := rows.Scan(&d, &n); err != nil {
			return nil, fmt.Errorf("products per domain: %w", err)
		}
		out[d] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("products per domain: %w", err)
	}
	return out, nil
}
