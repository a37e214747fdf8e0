package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shelfwatch/shelfwatch/internal/alert"
)

// Notification statuses.
const (
	NotificationPending = "pending" // waiting for its first attempt (or a manual retry)
	NotificationFailed  = "failed"  // an attempt failed; another is scheduled
	NotificationSent    = "sent"
	NotificationDead    = "dead" // gave up; retryable by hand
)

// Notification is one delivery of one alert through one channel.
type Notification struct {
	ID             int64
	WorkspaceID    int64
	IdempotencyKey string
	RuleID         *int64
	EventID        *int64
	WatchID        *int64
	ChannelID      *int64
	Kind           string
	Message        string // JSON of alert.Message
	Status         string
	Attempts       int
	LastError      string
	NextAttemptAt  *int64
	CreatedAt      int64
	UpdatedAt      int64
	SentAt         *int64
}

const notificationCols = `id, workspace_id, idempotency_key, rule_id, event_id, watch_id, channel_id, kind, message, status,
	attempts, last_error, next_attempt_at, created_at, updated_at, sent_at`

func scanNotification(row interface{ Scan(...any) error }) (*Notification, error) {
	var n Notification
	if err := row.Scan(&n.ID, &n.WorkspaceID, &n.IdempotencyKey, &n.RuleID, &n.EventID, &n.WatchID, &n.ChannelID, &n.Kind,
		&n.Message, &n.Status, &n.Attempts, &n.LastError, &n.NextAttemptAt, &n.CreatedAt, &n.UpdatedAt, &n.SentAt); err != nil {
		return nil, mapErr(err)
	}
	return &n, nil
}

// InsertNotificationTx inserts n in tx unless a notification with its
// idempotency key exists; created reports which.
func (s *Store) InsertNotificationTx(ctx context.Context, tx *sql.Tx, n *Notification) (created bool, err error) {
	now := s.nowMS()
	n.CreatedAt, n.UpdatedAt, n.Status = now, now, NotificationPending
	err = tx.QueryRowContext(ctx, `INSERT INTO notifications
		(workspace_id, idempotency_key, rule_id, event_id, watch_id, channel_id, kind, message, status, next_attempt_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
		ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
		n.WorkspaceID, n.IdempotencyKey, n.RuleID, n.EventID, n.WatchID, n.ChannelID, n.Kind, n.Message, n.Status, n.NextAttemptAt, now).Scan(&n.ID)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("insert notification: %w", err)
	}
	return true, nil
}

// GetNotification returns a workspace's notification.
func (s *Store) GetNotification(ctx context.Context, workspaceID, id int64) (*Notification, error) {
	return scanNotification(s.db.Read.QueryRowContext(ctx, `SELECT `+notificationCols+` FROM notifications WHERE id = $1 AND workspace_id = $2`, id, workspaceID))
}

// FindNotifications filters ListNotifications; newest first, AfterID is the
// cursor (IDs below it).
type FindNotifications struct {
	Status    string
	ChannelID int64
	AfterID   int64
	Limit     int
}

// ListNotifications returns a workspace's notifications, newest first.
func (s *Store) ListNotifications(ctx context.Context, workspaceID int64, f FindNotifications) ([]Notification, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	if f.AfterID <= 0 {
		f.AfterID = maxInt64
	}
	q := `SELECT ` + notificationCols + ` FROM notifications WHERE workspace_id = $1 AND id < $2`
	args := []any{workspaceID, f.AfterID}
	if f.Status != "" {
		args = append(args, f.Status)
		q += fmt.Sprintf(` AND status = $%d`, len(args))
	}
	if f.ChannelID != 0 {
		args = append(args, f.ChannelID)
		q += fmt.Sprintf(` AND channel_id = $%d`, len(args))
	}
	args = append(args, f.Limit)
	return s.queryNotifications(ctx, q+fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args)), args...)
}

func (s *Store) queryNotifications(ctx context.Context, q string, args ...any) ([]Notification, error) {
	rows, err := s.db.Read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *n)
	}
	return out, rows.Err()
}

// NotificationForDelivery loads a notification and its channel for the
// delivery worker (not workspace-scoped: the worker acts for the system).
// The channel is nil when it was deleted.
func (s *Store) NotificationForDelivery(ctx context.Context, id int64) (*Notification, *Channel, error) {
	n, err := scanNotification(s.db.Read.QueryRowContext(ctx, `SELECT `+notificationCols+` FROM notifications WHERE id = $1`, id))
	if err != nil {
		return nil, nil, err
	}
	if n.ChannelID == nil {
		return n, nil, nil
	}
	c, err := s.GetChannel(ctx, n.WorkspaceID, *n.ChannelID)
	if err == ErrNotFound {
		return n, nil, nil
	}
	return n, c, err
}

// MarkNotificationSent records a successful attempt. It reports false when
// the notification was already sent (a duplicate job), and changes nothing
// then.
func (s *Store) MarkNotificationSent(ctx context.Context, id int64) (bool, error) {
	now := s.nowMS()
	res, err := s.db.Write.ExecContext(ctx, `UPDATE notifications SET status = $2, attempts = attempts + 1, last_error = '',
		next_attempt_at = NULL, lease_until = NULL, sent_at = $3, updated_at = $3 WHERE id = $1 AND status <> $2`, id, NotificationSent, now)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// MarkNotificationFailed records a failed attempt: dead, or failed with the
// next attempt at next (Unix ms). It returns the attempts made so far.
func (s *Store) MarkNotificationFailed(ctx context.Context, id int64, errText string, next int64, dead bool) (int, error) {
	status := NotificationFailed
	var nextAt any = next
	if dead {
		status, nextAt = NotificationDead, nil
	}
	if len(errText) > 1000 {
		errText = errText[:1000]
	}
	var attempts int
	err := s.db.Write.QueryRowContext(ctx, `UPDATE notifications SET status = $2, attempts = attempts + 1, last_error = $3,
		next_attempt_at = $4, lease_until = NULL, updated_at = $5 WHERE id = $1 AND status <> 'sent' RETURNING attempts`,
		id, status, errText, nextAt, s.nowMS()).Scan(&attempts)
	return attempts, mapErr(err)
}

// RetryNotification puts a workspace's dead (or failed) notification back
// to pending with a fresh count of attempts, and runs inTx (which enqueues
// its delivery) in the same transaction. ErrConflict when it was sent.
func (s *Store) RetryNotification(ctx context.Context, workspaceID, id int64, inTx func(*sql.Tx, *Notification) error) (*Notification, error) {
	var n *Notification
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = scanNotification(tx.QueryRowContext(ctx, `SELECT `+notificationCols+` FROM notifications WHERE id = $1 AND workspace_id = $2`, id, workspaceID))
		if err != nil {
			return err
		}
		if n.Status == NotificationSent {
			return ErrConflict
		}
		now := s.nowMS()
		if _, err := tx.ExecContext(ctx, `UPDATE notifications SET status = $2, attempts = 0, next_attempt_at = $3, lease_until = NULL, updated_at = $3 WHERE id = $1`,
			id, NotificationPending, now); err != nil {
			return err
		}
		n.Status, n.Attempts, n.NextAttemptAt, n.UpdatedAt = NotificationPending, 0, &now, now
		return inTx(tx, n)
	})
	return n, err
}

// LeaseNotification takes the right to make one attempt until until (Unix
// ms): false when the notification is sent or dead, or another attempt
// holds an unexpired lease. The lease is what keeps two workers (a job run
// twice, a sweep after a crash) from sending at the same time.
func (s *Store) LeaseNotification(ctx context.Context, id, until int64) (bool, error) {
	now := s.nowMS()
	res, err := s.db.Write.ExecContext(ctx, `UPDATE notifications SET lease_until = $2, updated_at = $3
		WHERE id = $1 AND status IN ('pending', 'failed') AND (lease_until IS NULL OR lease_until < $3)`, id, until, now)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// DueForChannel returns up to limit notifications of a channel still to
// send whose next attempt is at or before dueBy and that no attempt holds
// (a digest gathers them), oldest first.
func (s *Store) DueForChannel(ctx context.Context, channelID, dueBy int64, limit int) ([]Notification, error) {
	return s.queryNotifications(ctx, `SELECT `+notificationCols+` FROM notifications
		WHERE channel_id = $1 AND status IN ('pending', 'failed') AND next_attempt_at <= $2 AND (lease_until IS NULL OR lease_until < $3)
		ORDER BY id LIMIT $4`, channelID, dueBy, s.nowMS(), limit)
}

// ReleaseNotificationLease ends an attempt's lease without an outcome (the
// attempt found it was early).
func (s *Store) ReleaseNotificationLease(ctx context.Context, id int64) error {
	_, err := s.db.Write.ExecContext(ctx, `UPDATE notifications SET lease_until = NULL WHERE id = $1`, id)
	return err
}

// OverdueNotifications returns up to limit notifications still to send
// whose next attempt was due before dueBefore and that no attempt holds: a
// process died between enqueueing and sending, or its job was lost. The
// sweeper enqueues them again.
func (s *Store) OverdueNotifications(ctx context.Context, dueBefore int64, limit int) ([]int64, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id FROM notifications
		WHERE status IN ('pending', 'failed') AND next_attempt_at < $1 AND (lease_until IS NULL OR lease_until < $2)
		ORDER BY next_attempt_at LIMIT $3`, dueBefore, s.nowMS(), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// AlertTarget is one rule to evaluate for one watch of a product (or one
// catalog watch), with its state and the channels it sends to.
type AlertTarget struct {
	Rule        *AlertRule
	Watch       *Watch // nil for catalog rules
	CatalogName string // catalog rules: the catalog watch's name or URL
	State       alert.State
	Channels    []Channel // enabled ones only
}

// AlertTargetsTx returns, in tx, every rule that applies to the product's
// unpaused watches: the watch's own rules and its workspace's defaults.
func (s *Store) AlertTargetsTx(ctx context.Context, tx *sql.Tx, productID int64) ([]AlertTarget, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+watchCols+`, `+ruleCols+`,
			COALESCE(st.fired, FALSE), COALESCE(st.false_streak, 0), COALESCE(st.last_fired_at, 0)
		FROM watches w
		JOIN alert_rules r ON r.workspace_id = w.workspace_id
			AND (r.watch_id = w.id OR (r.watch_id IS NULL AND r.catalog_watch_id IS NULL))
		LEFT JOIN alert_states st ON st.rule_id = r.id AND st.watch_id = w.id
		WHERE w.product_id = $1 AND NOT w.paused
		ORDER BY w.id, r.id`, productID)
	if err != nil {
		return nil, fmt.Errorf("alert targets: %w", err)
	}
	var out []AlertTarget
	for rows.Next() {
		var w Watch
		var tags string
		var minMS int64
		var r AlertRule
		var kind, params string
		var t AlertTarget
		if err := rows.Scan(&w.ID, &w.WorkspaceID, &w.ProductID, &w.TargetMinor, &w.TargetCurrency, &tags, &w.Notes,
			&w.Paused, &w.CreatedAt, &w.UpdatedAt, &minMS,
			&r.ID, &r.WorkspaceID, &r.WatchID, &r.CatalogWatchID, &kind, &params, &r.Muted, &r.SnoozedUntil, &r.CreatedAt, &r.UpdatedAt,
			&t.State.Fired, &t.State.FalseStreak, &t.State.LastFiredAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("alert targets: %w", err)
		}
		if err := decodeRule(&r, kind, params); err != nil {
			rows.Close()
			return nil, err
		}
		t.Rule, t.Watch = &r, &w
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.targetChannels(ctx, tx, out)
}

// CatalogAlertTargetsTx returns, in tx, the new-product rules of a catalog
// watch and its workspace's default new-product rules.
func (s *Store) CatalogAlertTargetsTx(ctx context.Context, tx *sql.Tx, catalogWatchID int64) ([]AlertTarget, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+ruleCols+`, CASE WHEN c.name <> '' THEN c.name ELSE c.url END
		FROM catalog_watches c
		JOIN alert_rules r ON r.workspace_id = c.workspace_id AND r.kind = $2
			AND (r.catalog_watch_id = c.id OR (r.watch_id IS NULL AND r.catalog_watch_id IS NULL))
		WHERE c.id = $1 AND NOT c.paused ORDER BY r.id`, catalogWatchID, string(alert.NewProduct))
	if err != nil {
		return nil, fmt.Errorf("catalog alert targets: %w", err)
	}
	var out []AlertTarget
	for rows.Next() {
		var r AlertRule
		var kind, params string
		var t AlertTarget
		if err := rows.Scan(&r.ID, &r.WorkspaceID, &r.WatchID, &r.CatalogWatchID, &kind, &params, &r.Muted, &r.SnoozedUntil,
			&r.CreatedAt, &r.UpdatedAt, &t.CatalogName); err != nil {
			rows.Close()
			return nil, err
		}
		if err := decodeRule(&r, kind, params); err != nil {
			rows.Close()
			return nil, err
		}
		t.Rule = &r
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.targetChannels(ctx, tx, out)
}

func decodeRule(r *AlertRule, kind, params string) error {
	if err := jsonUnmarshal(params, &r.Rule); err != nil {
		return fmt.Errorf("alert rule %d: params: %w", r.ID, err)
	}
	r.Rule.Kind = alert.Kind(kind)
	return nil
}

func (s *Store) targetChannels(ctx context.Context, tx *sql.Tx, ts []AlertTarget) error {
	byRule := map[int64][]Channel{}
	for i := range ts {
		id := ts[i].Rule.ID
		if cs, ok := byRule[id]; ok {
			ts[i].Channels = cs
			continue
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+prefixCols("c", channelCols)+` FROM channels c
			JOIN alert_rule_channels rc ON rc.channel_id = c.id WHERE rc.rule_id = $1 AND c.enabled ORDER BY c.id`, id)
		if err != nil {
			return err
		}
		var cs []Channel
		for rows.Next() {
			c, err := scanChannel(rows)
			if err != nil {
				rows.Close()
				return err
			}
			cs = append(cs, *c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		byRule[id], ts[i].Channels = cs, cs
	}
	return nil
}

// SaveAlertStateTx stores a rule's state for a watch.
func (s *Store) SaveAlertStateTx(ctx context.Context, tx *sql.Tx, ruleID, watchID int64, st alert.State) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO alert_states (rule_id, watch_id, fired, false_streak, last_fired_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (rule_id, watch_id) DO UPDATE SET fired = excluded.fired, false_streak = excluded.false_streak,
			last_fired_at = excluded.last_fired_at, updated_at = excluded.updated_at`,
		ruleID, watchID, st.Fired, st.FalseStreak, st.LastFiredAt, s.nowMS())
	return err
}

// PriceStatsTx returns, in tx, the lowest price and the median price of a
// product's history in currency over [since, before) (since 0: all time),
// counting the price already in effect at since (history is change-only);
// nil when there is none.
func (s *Store) PriceStatsTx(ctx context.Context, tx *sql.Tx, productID int64, currency string, since, before int64) (low, median *int64, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT price_minor FROM price_history
		WHERE product_id = $1 AND currency = $2 AND price_minor IS NOT NULL AND observed_at < $4 AND observed_at >= COALESCE(
			(SELECT MAX(observed_at) FROM price_history WHERE product_id = $1 AND observed_at <= $3), $3)
		ORDER BY price_minor`, productID, currency, since, before)
	if err != nil {
		return nil, nil, fmt.Errorf("price stats: %w", err)
	}
	defer rows.Close()
	var xs []int64
	for rows.Next() {
		var x int64
		if err := rows.Scan(&x); err != nil {
			return nil, nil, err
		}
		xs = append(xs, x)
	}
	if err := rows.Err(); err != nil || len(xs) == 0 {
		return nil, nil, err
	}
	lo, n := xs[0], len(xs)
	med := xs[n/2]
	if n%2 == 0 {
		med = xs[n/2-1] + (xs[n/2]-xs[n/2-1])/2
	}
	return &lo, &med, nil
}

// ProductTx reads a product in tx.
func (s *Store) ProductTx(ctx context.Context, tx *sql.Tx, id int64) (*Product, error) {
	return getProduct(ctx, tx, `id = $1`, id)
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// prefixCols qualifies a comma-separated column list with a table alias.
func prefixCols(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
