package sse

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/web/problem"
)

// Stream timing.
const (
	pingEvery = 15 * time.Second
	// reloadEvery bounds how often a stream re-reads its workspace's
	// watched products when a product it does not know changes (a watch
	// added after the page opened).
	reloadEvery = 10 * time.Second
	// writeWait is how long one write to a client may take; the server's
	// WriteTimeout would otherwise end every stream after a minute.
	writeWait = 30 * time.Second
)

// Who names the signed-in workspace of a request; ok is false when nobody
// is signed in.
type Who func(r *http.Request) (workspaceID int64, ok bool)

// Watched returns the ids of the products a workspace watches.
type Watched func(ctx context.Context, workspaceID int64) (map[int64]bool, error)

// Handler streams the hub's messages that concern the signed-in workspace:
// product changes of the products it watches, and its own notifications
// and catalog finds. Nothing about another workspace is ever sent.
func Handler(hub *Hub, who Who, watched Watched) http.Handler {
	return &handler{hub: hub, who: who, watched: watched}
}

type handler struct {
	hub     *Hub
	who     Who
	watched Watched
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ws, ok := h.who(r)
	if !ok {
		problem.Status(w, http.StatusUnauthorized, "Sign in to receive live updates.")
		return
	}
	ctx := r.Context()
	// Subscribe before reading the watched set: a change between the two
	// is then seen, never missed.
	msgs, unsubscribe := h.hub.Subscribe()
	defer unsubscribe()
	products, err := h.watched(ctx, ws)
	if err != nil {
		if ctx.Err() == nil {
			problem.Status(w, http.StatusServiceUnavailable, "Live updates are unavailable right now.")
		}
		return
	}
	loadedAt := time.Now()

	rc := http.NewResponseController(w)
	// A stream outlives the server's read and write timeouts: lift the read
	// deadline (when it passes, the server cancels the request as if the
	// client had gone) and move the write deadline before every write.
	_ = rc.SetReadDeadline(time.Time{})
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	send := func(s string) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(writeWait))
		if _, err := w.Write([]byte(s)); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send("retry: 3000\n\n") {
		return
	}
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ping.C:
			if !send(": ping\n\n") {
				return
			}
		case m, open := <-msgs:
			if !open {
				return // the hub closed: the server is shutting down
			}
			if m.Kind == KindProduct && !products[m.ProductID] && time.Since(loadedAt) >= reloadEvery {
				if fresh, err := h.watched(ctx, ws); err == nil {
					products, loadedAt = fresh, time.Now()
				} else if ctx.Err() != nil {
					return
				}
			}
			ev, ok := event(m, ws, products)
			if ok && !send(ev) {
				return
			}
		}
	}
}

// event renders m for workspace ws watching products; ok is false when m
// is none of its business.
func event(m Message, ws int64, products map[int64]bool) (string, bool) {
	switch m.Kind {
	case KindProduct:
		if !products[m.ProductID] {
			return "", false
		}
		return "event: product\ndata: {\"product_id\":" + strconv.FormatInt(m.ProductID, 10) + "}\n\n", true
	case KindNotification:
		if m.WorkspaceID != ws {
			return "", false
		}
		return fmt.Sprintf("event: notification\ndata: {\"id\":%d,\"status\":%s}\n\n", m.ID, strconv.Quote(statusWord(m.Status))), true
	case KindCatalog:
		if m.WorkspaceID != ws {
			return "", false
		}
		return "event: catalog\ndata: {\"id\":" + strconv.FormatInt(m.ID, 10) + "}\n\n", true
	case KindResync:
		return "event: resync\ndata: {}\n\n", true
	}
	return "", false
}

// statusWord keeps a status to the word characters the statuses are made
// of, so what reaches the page is always one plain JSON string.
func statusWord(s string) string {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c == '_') {
			return ""
		}
	}
	return s
}
