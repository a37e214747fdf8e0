package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// Reads for the alerts, channels, notifications and catalog pages: what a
// page shows beside a row (the channel's name, the product's title, a
// rule's state across watches) in one query instead of one per row.

// NotificationRow is a notification with its channel and product.
type NotificationRow struct {
	Notification
	ChannelName  string // "" when the channel was deleted
	ChannelKind  string
	ProductID    *int64
	ProductTitle string // the watched product's, else the message's (catalog alerts)
}

// FindNotificationRows filters ListNotificationRows; zero values match
// everything. Newest first; AfterID is the cursor (IDs below it).
type FindNotificationRows struct {
	Status    string
	Kind      string // the rule's kind (alert.Kind)
	ChannelID int64
	Product   string // part of the product's title, any case
	AfterID   int64
	Limit     int // 0 → 50, capped at 500
}

// likePattern is a LIKE pattern matching s anywhere, with LIKE's
// wildcards in s taken literally (ESCAPE '\').
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + strings.ToLower(r.Replace(s)) + "%"
}

// ListNotificationRows returns a workspace's notifications with their
// channel and product, newest first.
func (s *Store) ListNotificationRows(ctx context.Context, workspaceID int64, f FindNotificationRows) ([]NotificationRow, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	if f.AfterID <= 0 {
		f.AfterID = maxInt64
	}
	q := `SELECT ` + prefixCols("n", notificationCols) + `, COALESCE(c.name, ''), COALESCE(c.kind, ''), p.id, COALESCE(p.title, '')
		FROM notifications n
		LEFT JOIN channels c ON c.id = n.channel_id
		LEFT JOIN watches w ON w.id = n.watch_id
		LEFT JOIN products p ON p.id = w.product_id
		WHERE n.workspace_id = $1 AND n.id < $2`
	args := []any{workspaceID, f.AfterID}
	add := func(cond string, v any) {
		args = append(args, v)
		q += fmt.Sprintf(" AND "+cond, len(args))
	}
	if f.Status != "" {
		add(`n.status = $%d`, f.Status)
	}
	if f.Kind != "" {
		add(`n.kind = $%d`, f.Kind)
	}
	if f.ChannelID != 0 {
		add(`n.channel_id = $%d`, f.ChannelID)
	}
	if p := strings.TrimSpace(f.Product); p != "" {
		// Catalog alerts have no watch: their product is only in the message.
		args = append(args, likePattern(p))
		q += fmt.Sprintf(` AND (LOWER(COALESCE(p.title, '')) LIKE $%[1]d ESCAPE '\' OR (p.id IS NULL AND LOWER(n.message) LIKE $%[1]d ESCAPE '\'))`, len(args))
	}
	args = append(args, f.Limit)
	rows, err := s.db.Read.QueryContext(ctx, q+fmt.Sprintf(` ORDER BY n.id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []NotificationRow
	for rows.Next() {
		var r NotificationRow
		n := &r.Notification
		if err := rows.Scan(&n.ID, &n.WorkspaceID, &n.IdempotencyKey, &n.RuleID, &n.EventID, &n.WatchID, &n.ChannelID, &n.Kind,
			&n.Message, &n.Status, &n.Attempts, &n.LastError, &n.NextAttemptAt, &n.CreatedAt, &n.UpdatedAt, &n.SentAt,
			&r.ChannelName, &r.ChannelKind, &r.ProductID, &r.ProductTitle); err != nil {
			return nil, err
		}
		if r.ProductTitle == "" {
			var m struct{ Product struct{ Title string } }
			if json.Unmarshal([]byte(n.Message), &m) == nil {
				r.ProductTitle = m.Product.Title
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ChannelActivity is what a channel's deliveries came to.
type ChannelActivity struct {
	LastStatus string // the newest notification's status
	LastError  string
	LastAt     int64 // when the newest notification last changed
	Dead       int   // notifications given up on, to retry by hand
}

// ChannelActivities returns, by channel id, the activity of a workspace's
// channels that have notifications.
func (s *Store) ChannelActivities(ctx context.Context, workspaceID int64) (map[int64]ChannelActivity, error) {
	out := map[int64]ChannelActivity{}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT n.channel_id, n.status, n.last_error, n.updated_at FROM notifications n
		WHERE n.workspace_id = $1 AND n.id IN (SELECT MAX(id) FROM notifications WHERE workspace_id = $1 AND channel_id IS NOT NULL GROUP BY channel_id)`,
		workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var a ChannelActivity
		if err := rows.Scan(&id, &a.LastStatus, &a.LastError, &a.LastAt); err != nil {
			return nil, err
		}
		out[id] = a
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	dead, err := s.db.Read.QueryContext(ctx, `SELECT channel_id, COUNT(*) FROM notifications
		WHERE workspace_id = $1 AND channel_id IS NOT NULL AND status = 'dead' GROUP BY channel_id`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer dead.Close()
	for dead.Next() {
		var id int64
		var n int
		if err := dead.Scan(&id, &n); err != nil {
			return nil, err
		}
		a := out[id]
		a.Dead = n
		out[id] = a
	}
	return out, dead.Err()
}

// RuleActivity is a rule's state across the watches it applies to.
type RuleActivity struct {
	Watches     int   // watches with a saved state
	Fired       int   // of them, in the fired state (level rules)
	LastFiredAt int64 // 0: never
}

// RuleActivities returns, by rule id, the state of a workspace's rules
// that have fired or been evaluated. Catalog rules keep no per-watch state:
// their last firing is their newest notification.
func (s *Store) RuleActivities(ctx context.Context, workspaceID int64) (map[int64]RuleActivity, error) {
	out := map[int64]RuleActivity{}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT st.rule_id, COUNT(*), SUM(CASE WHEN st.fired THEN 1 ELSE 0 END), MAX(st.last_fired_at)
		FROM alert_states st JOIN alert_rules r ON r.id = st.rule_id
		WHERE r.workspace_id = $1 GROUP BY st.rule_id`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var a RuleActivity
		if err := rows.Scan(&id, &a.Watches, &a.Fired, &a.LastFiredAt); err != nil {
			return nil, err
		}
		out[id] = a
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	sent, err := s.db.Read.QueryContext(ctx, `SELECT rule_id, MAX(created_at) FROM notifications
		WHERE workspace_id = $1 AND rule_id IS NOT NULL GROUP BY rule_id`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer sent.Close()
	for sent.Next() {
		var id, at int64
		if err := sent.Scan(&id, &at); err != nil {
			return nil, err
		}
		a := out[id]
		a.LastFiredAt = max(a.LastFiredAt, at)
		out[id] = a
	}
	return out, sent.Err()
}

// WatchedCanonicalURLs returns, of the given canonical URLs, those a
// workspace watches, with the watch's id.
func (s *Store) WatchedCanonicalURLs(ctx context.Context, workspaceID int64, urls []string) (map[string]int64, error) {
	out := map[string]int64{}
	if len(urls) == 0 {
		return out, nil
	}
	args := []any{workspaceID}
	ph := make([]string, 0, len(urls))
	for _, u := range urls {
		args = append(args, u)
		ph = append(ph, fmt.Sprintf("$%d", len(args)))
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT p.canonical_url, w.id FROM watches w JOIN products p ON p.id = w.product_id
		WHERE w.workspace_id = $1 AND p.canonical_url IN (`+strings.Join(ph, ", ")+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var u string
		var id int64
		if err := rows.Scan(&u, &id); err != nil {
			return nil, err
		}
		out[u] = id
	}
	return out, rows.Err()
}
