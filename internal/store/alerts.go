package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/shelfwatch/shelfwatch/internal/alert"
)

// Channel kinds.
const (
	ChannelWebhook  = "webhook"
	ChannelEmail    = "email"
	ChannelShoutrrr = "shoutrrr"
)

// Channel is where a workspace's alerts go. Its secrets are sealed by the
// caller (internal/secret) and stored as SecretCiphertext only.
type Channel struct {
	ID               int64
	WorkspaceID      int64
	Kind             string
	Name             string
	Config           string // JSON, nothing secret (service name, from/to, a redacted URL)
	SecretCiphertext string
	TextTemplate     string
	QuietHours       string // "22:00-07:00" or ""
	TimeZone         string // IANA
	DigestHour       *int   // nil: deliver at once
	Enabled          bool
	CreatedAt        int64
	UpdatedAt        int64
}

// Seal seals a channel's secret for the channel's id (the associated data
// binds the ciphertext to the row).
type Seal func(channelID int64) (string, error)

const channelCols = `id, workspace_id, kind, name, config, secret_ciphertext, text_template, quiet_hours, time_zone, digest_hour, enabled, created_at, updated_at`

func scanChannel(row interface{ Scan(...any) error }) (*Channel, error) {
	var c Channel
	var digest sql.NullInt64
	if err := row.Scan(&c.ID, &c.WorkspaceID, &c.Kind, &c.Name, &c.Config, &c.SecretCiphertext, &c.TextTemplate,
		&c.QuietHours, &c.TimeZone, &digest, &c.Enabled, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return nil, mapErr(err)
	}
	if digest.Valid {
		h := int(digest.Int64)
		c.DigestHour = &h
	}
	return &c, nil
}

func checkChannel(c *Channel) error {
	switch c.Kind {
	case ChannelWebhook, ChannelEmail, ChannelShoutrrr:
	default:
		return fmt.Errorf("%w: channel kind %q", ErrInvalid, c.Kind)
	}
	if strings.TrimSpace(c.Name) == "" {
		return fmt.Errorf("%w: channel name is required", ErrInvalid)
	}
	if c.Config == "" {
		c.Config = "{}"
	}
	if c.TimeZone == "" {
		c.TimeZone = "UTC"
	}
	if c.DigestHour != nil && (*c.DigestHour < 0 || *c.DigestHour > 23) {
		return fmt.Errorf("%w: digest hour must be 0–23", ErrInvalid)
	}
	return nil
}

// CreateChannel inserts c and seals its secret for the new id, in one
// transaction, with audit (when not nil) naming the new channel.
func (s *Store) CreateChannel(ctx context.Context, c *Channel, seal Seal, audit *AuditEntry) error {
	if err := checkChannel(c); err != nil {
		return err
	}
	now := s.nowMS()
	c.CreatedAt, c.UpdatedAt = now, now
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO channels
			(workspace_id, kind, name, config, text_template, quiet_hours, time_zone, digest_hour, enabled, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
			c.WorkspaceID, c.Kind, c.Name, c.Config, c.TextTemplate, c.QuietHours, c.TimeZone, c.DigestHour, c.Enabled, now).
			Scan(&c.ID); err != nil {
			return mapErr(err)
		}
		sealed, err := seal(c.ID)
		if err != nil {
			return err
		}
		c.SecretCiphertext = sealed
		if _, err = tx.ExecContext(ctx, `UPDATE channels SET secret_ciphertext = $2 WHERE id = $1`, c.ID, sealed); err != nil {
			return err
		}
		return s.auditChannel(ctx, tx, audit, c.ID)
	})
}

func (s *Store) auditChannel(ctx context.Context, tx *sql.Tx, e *AuditEntry, id int64) error {
	if e == nil {
		return nil
	}
	entry := *e
	if entry.At == 0 {
		entry.At = s.nowMS()
	}
	entry.Target = fmt.Sprintf("channel:%d", id)
	return Audit(ctx, tx, entry)
}

// UpdateChannel saves c's settings; with seal non-nil it also replaces the
// secret.
func (s *Store) UpdateChannel(ctx context.Context, c *Channel, seal Seal, audit *AuditEntry) error {
	if err := checkChannel(c); err != nil {
		return err
	}
	c.UpdatedAt = s.nowMS()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := execOne(ctx, tx, `UPDATE channels SET name = $3, config = $4, text_template = $5, quiet_hours = $6,
			time_zone = $7, digest_hour = $8, enabled = $9, updated_at = $10 WHERE id = $1 AND workspace_id = $2`,
			c.ID, c.WorkspaceID, c.Name, c.Config, c.TextTemplate, c.QuietHours, c.TimeZone, c.DigestHour, c.Enabled, c.UpdatedAt); err != nil {
			return err
		}
		if seal != nil {
			sealed, err := seal(c.ID)
			if err != nil {
				return err
			}
			c.SecretCiphertext = sealed
			if _, err = tx.ExecContext(ctx, `UPDATE channels SET secret_ciphertext = $2 WHERE id = $1`, c.ID, sealed); err != nil {
				return err
			}
		}
		return s.auditChannel(ctx, tx, audit, c.ID)
	})
}

// GetChannel returns a workspace's channel.
func (s *Store) GetChannel(ctx context.Context, workspaceID, id int64) (*Channel, error) {
	return scanChannel(s.db.Read.QueryRowContext(ctx, `SELECT `+channelCols+` FROM channels WHERE id = $1 AND workspace_id = $2`, id, workspaceID))
}

// ListChannels returns a workspace's channels, oldest first.
func (s *Store) ListChannels(ctx context.Context, workspaceID int64) ([]Channel, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+channelCols+` FROM channels WHERE workspace_id = $1 ORDER BY id`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Channel
	for rows.Next() {
		c, err := scanChannel(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

// DeleteChannel deletes a workspace's channel (its notifications stay, with
// the channel unset).
func (s *Store) DeleteChannel(ctx context.Context, workspaceID, id int64, audit *AuditEntry) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := execOne(ctx, tx, `DELETE FROM channels WHERE id = $1 AND workspace_id = $2`, id, workspaceID); err != nil {
			return err
		}
		return s.auditChannel(ctx, tx, audit, id)
	})
}

// AlertRule is a rule with where it applies and where it sends. WatchID
// and CatalogWatchID both nil make it a workspace default, applied to every
// watch (or, for new_product, every catalog watch) of the workspace.
type AlertRule struct {
	ID             int64
	WorkspaceID    int64
	WatchID        *int64
	CatalogWatchID *int64
	Rule           alert.Rule
	Muted          bool
	SnoozedUntil   int64
	ChannelIDs     []int64
	CreatedAt      int64
	UpdatedAt      int64
}

const ruleCols = `r.id, r.workspace_id, r.watch_id, r.catalog_watch_id, r.kind, r.params, r.muted, r.snoozed_until, r.created_at, r.updated_at`

func scanRule(row interface{ Scan(...any) error }) (*AlertRule, error) {
	var r AlertRule
	var kind, params string
	if err := row.Scan(&r.ID, &r.WorkspaceID, &r.WatchID, &r.CatalogWatchID, &kind, &params, &r.Muted, &r.SnoozedUntil,
		&r.CreatedAt, &r.UpdatedAt); err != nil {
		return nil, mapErr(err)
	}
	if err := json.Unmarshal([]byte(params), &r.Rule); err != nil {
		return nil, fmt.Errorf("alert rule %d: params: %w", r.ID, err)
	}
	r.Rule.Kind = alert.Kind(kind)
	return &r, nil
}

// checkRuleRefs validates r and that its watch, catalog watch and channels
// are the workspace's (ErrNotFound otherwise: another workspace's ids look
// like no ids at all).
func checkRuleRefs(ctx context.Context, q querier, r *AlertRule) error {
	rule := r.Rule
	if (rule.Kind == alert.PriceAtOrBelow || rule.Kind == alert.PriceAtOrAbove) && rule.TargetMinor == 0 && r.CatalogWatchID == nil {
		rule.TargetMinor = 1 // "use the watch's target": checked when evaluated
	}
	if err := rule.Validate(); err != nil {
		return err
	}
	if rule.Kind == alert.NewProduct && r.WatchID != nil {
		return fmt.Errorf("%w: %w", alert.ErrInvalid, &alert.FieldError{Field: "watch_id", Detail: "new-product rules belong to a catalog watch or the workspace"})
	}
	if r.CatalogWatchID != nil && rule.Kind != alert.NewProduct {
		return fmt.Errorf("%w: %w", alert.ErrInvalid, &alert.FieldError{Field: "kind", Detail: "a catalog watch only has new-product rules"})
	}
	exists := func(query string, id int64) error {
		var one int
		return mapErr(q.QueryRowContext(ctx, query, id, r.WorkspaceID).Scan(&one))
	}
	if r.WatchID != nil {
		if err := exists(`SELECT 1 FROM watches WHERE id = $1 AND workspace_id = $2`, *r.WatchID); err != nil {
			return err
		}
	}
	if r.CatalogWatchID != nil {
		if err := exists(`SELECT 1 FROM catalog_watches WHERE id = $1 AND workspace_id = $2`, *r.CatalogWatchID); err != nil {
			return err
		}
	}
	slices.Sort(r.ChannelIDs)
	r.ChannelIDs = slices.Compact(r.ChannelIDs)
	for _, id := range r.ChannelIDs {
		if err := exists(`SELECT 1 FROM channels WHERE id = $1 AND workspace_id = $2`, id); err != nil {
			return err
		}
	}
	return nil
}

func ruleParams(r alert.Rule) (string, error) {
	r.Kind = ""
	b, err := json.Marshal(r)
	return string(b), err
}

func setRuleChannels(ctx context.Context, tx *sql.Tx, r *AlertRule) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM alert_rule_channels WHERE rule_id = $1`, r.ID); err != nil {
		return err
	}
	for _, c := range r.ChannelIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO alert_rule_channels (rule_id, channel_id) VALUES ($1, $2)`, r.ID, c); err != nil {
			return err
		}
	}
	return nil
}

// CreateRule inserts r with its channels.
func (s *Store) CreateRule(ctx context.Context, r *AlertRule) error {
	params, err := ruleParams(r.Rule)
	if err != nil {
		return err
	}
	now := s.nowMS()
	r.CreatedAt, r.UpdatedAt = now, now
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := checkRuleRefs(ctx, tx, r); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO alert_rules
			(workspace_id, watch_id, catalog_watch_id, kind, params, muted, snoozed_until, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
			r.WorkspaceID, r.WatchID, r.CatalogWatchID, string(r.Rule.Kind), params, r.Muted, r.SnoozedUntil, now).Scan(&r.ID); err != nil {
			return mapErr(err)
		}
		return setRuleChannels(ctx, tx, r)
	})
}

// UpdateRule replaces r's settings and channels (not where it applies).
// A changed rule starts armed again.
func (s *Store) UpdateRule(ctx context.Context, r *AlertRule) error {
	params, err := ruleParams(r.Rule)
	if err != nil {
		return err
	}
	r.UpdatedAt = s.nowMS()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := scanRule(tx.QueryRowContext(ctx, `SELECT `+ruleCols+` FROM alert_rules r WHERE r.id = $1 AND r.workspace_id = $2`, r.ID, r.WorkspaceID))
		if err != nil {
			return err
		}
		r.WatchID, r.CatalogWatchID, r.CreatedAt = cur.WatchID, cur.CatalogWatchID, cur.CreatedAt
		if err := checkRuleRefs(ctx, tx, r); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE alert_rules SET kind = $2, params = $3, muted = $4, snoozed_until = $5, updated_at = $6 WHERE id = $1`,
			r.ID, string(r.Rule.Kind), params, r.Muted, r.SnoozedUntil, r.UpdatedAt); err != nil {
			return err
		}
		if old, _ := ruleParams(cur.Rule); old != params || cur.Rule.Kind != r.Rule.Kind {
			if _, err := tx.ExecContext(ctx, `DELETE FROM alert_states WHERE rule_id = $1`, r.ID); err != nil {
				return err
			}
		}
		return setRuleChannels(ctx, tx, r)
	})
}

// GetRule returns a workspace's rule with its channels.
func (s *Store) GetRule(ctx context.Context, workspaceID, id int64) (*AlertRule, error) {
	r, err := scanRule(s.db.Read.QueryRowContext(ctx, `SELECT `+ruleCols+` FROM alert_rules r WHERE r.id = $1 AND r.workspace_id = $2`, id, workspaceID))
	if err != nil {
		return nil, err
	}
	if err := s.loadRuleChannels(ctx, s.db.Read, []*AlertRule{r}); err != nil {
		return nil, err
	}
	return r, nil
}

// FindRules filters ListRules. Zero values match everything.
type FindRules struct {
	WatchID        int64
	CatalogWatchID int64
	DefaultsOnly   bool
}

// ListRules returns a workspace's rules, oldest first.
func (s *Store) ListRules(ctx context.Context, workspaceID int64, f FindRules) ([]*AlertRule, error) {
	q := `SELECT ` + ruleCols + ` FROM alert_rules r WHERE r.workspace_id = $1`
	args := []any{workspaceID}
	switch {
	case f.WatchID != 0:
		q += ` AND r.watch_id = $2`
		args = append(args, f.WatchID)
	case f.CatalogWatchID != 0:
		q += ` AND r.catalog_watch_id = $2`
		args = append(args, f.CatalogWatchID)
	case f.DefaultsOnly:
		q += ` AND r.watch_id IS NULL AND r.catalog_watch_id IS NULL`
	}
	rows, err := s.db.Read.QueryContext(ctx, q+` ORDER BY r.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*AlertRule
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.loadRuleChannels(ctx, s.db.Read, out)
}

func (s *Store) loadRuleChannels(ctx context.Context, q querier, rules []*AlertRule) error {
	for _, r := range rules {
		rows, err := q.QueryContext(ctx, `SELECT channel_id FROM alert_rule_channels WHERE rule_id = $1 ORDER BY channel_id`, r.ID)
		if err != nil {
			return err
		}
		r.ChannelIDs = []int64{}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			r.ChannelIDs = append(r.ChannelIDs, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// DeleteRule deletes a workspace's rule.
func (s *Store) DeleteRule(ctx context.Context, workspaceID, id int64) error {
	return execOne(ctx, s.db.Write, `DELETE FROM alert_rules WHERE id = $1 AND workspace_id = $2`, id, workspaceID)
}

// IsInvalid reports whether err is a validation error of the store or of
// an alert rule.
func IsInvalid(err error) bool { return errors.Is(err, ErrInvalid) || errors.Is(err, alert.ErrInvalid) }
