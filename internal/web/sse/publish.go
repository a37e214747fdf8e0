package sse

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/store"
)

// FromEvents turns a write's events into messages: one per product and
// one per catalog watch, whatever the number of events.
func FromEvents(evs []store.Event) []Message {
	var out []Message
	seen := map[Message]bool{}
	for _, e := range evs {
		var m Message
		switch {
		case e.ProductID != 0:
			m = Message{Kind: KindProduct, ProductID: e.ProductID}
		case e.CatalogWatchID != 0 && e.Kind == store.EventNewProduct:
			var d store.NewProductData
			if err := json.Unmarshal([]byte(e.Data), &d); err != nil || d.WorkspaceID == 0 {
				continue // written by the store in the same release: cannot happen
			}
			m = Message{Kind: KindCatalog, WorkspaceID: d.WorkspaceID, ID: e.CatalogWatchID}
		default:
			continue
		}
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	return out
}

// NotificationMessage is the message of notification n's new status.
func NotificationMessage(n *store.Notification, status string) Message {
	return Message{Kind: KindNotification, WorkspaceID: n.WorkspaceID, ID: n.ID, Status: status}
}

// Publisher announces changes to the pages that show them. With only Hub
// set (SQLite: one process) it publishes in process, after commit. With
// DB set (PostgreSQL) it announces with pg_notify on Channel, inside the
// writing transaction, so every process's Listener hears it once the
// transaction commits, and never when it rolls back; it never publishes to
// a hub itself, or pages would hear it twice.
type Publisher struct {
	Hub     *Hub
	DB      *sql.DB // PostgreSQL only
	Channel string  // ChannelName(schema)
	Logger  *slog.Logger
}

// EventHook is the store event hook's part for live updates (PostgreSQL),
// or nil.
func (p *Publisher) EventHook() store.EventHook {
	if p == nil || p.DB == nil {
		return nil
	}
	return func(ctx context.Context, tx *sql.Tx, evs []store.Event) error {
		// The payload is kept within PostgreSQL's limit, so pg_notify
		// fails only when the connection does, and then so does the
		// transaction anyway.
		return notify(ctx, tx, p.Channel, FromEvents(evs))
	}
}

// CommitHook is the store commit hook for live updates (SQLite), or nil.
func (p *Publisher) CommitHook() store.CommitHook {
	if p == nil || p.DB != nil || p.Hub == nil {
		return nil
	}
	return func(evs []store.Event) {
		for _, m := range FromEvents(evs) {
			p.Hub.Publish(m)
		}
	}
}

// Publish announces msgs written outside any event transaction (a
// notification's status, already committed). A failure is logged, never
// returned: live updates are a convenience, the write stands.
func (p *Publisher) Publish(ctx context.Context, msgs ...Message) {
	if p == nil || len(msgs) == 0 {
		return
	}
	if p.DB == nil {
		if p.Hub != nil {
			for _, m := range msgs {
				p.Hub.Publish(m)
			}
		}
		return
	}
	if err := notify(ctx, p.DB, p.Channel, msgs); err != nil {
		p.logger().WarnContext(ctx, "live updates: pg_notify failed", "err", err)
	}
}

// NotificationSent announces that n was sent (notify.Deliverer's Sent).
func (p *Publisher) NotificationSent(n *store.Notification) {
	p.publishDetached(NotificationMessage(n, store.NotificationSent))
}

// NotificationFailed announces n's failed attempt: dead, or failed and to
// be retried (notify.Deliverer's Failed).
func (p *Publisher) NotificationFailed(n *store.Notification, dead bool) {
	status := store.NotificationFailed
	if dead {
		status = store.NotificationDead
	}
	p.publishDetached(NotificationMessage(n, status))
}

// publishDetached publishes from a callback that has no context.
func (p *Publisher) publishDetached(m Message) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p.Publish(ctx, m)
}

func (p *Publisher) logger() *slog.Logger {
	if p.Logger != nil {
		return p.Logger
	}
	return slog.New(slog.DiscardHandler)
}
