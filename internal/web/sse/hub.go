// Package sse pushes live updates to open pages over server-sent events: an
// in-process Hub fans messages out to the streams of this process, and on
// PostgreSQL a LISTEN connection feeds the Hub with what any process
// announced with pg_notify, so a price change recorded by a worker reaches
// the pages served by every web process.
package sse

import "sync"

// Message kinds.
const (
	// KindProduct: a product's price, stock or status changed. It is
	// product-level (WorkspaceID 0): every workspace watching it may see it.
	KindProduct = "product"
	// KindNotification: notification ID of WorkspaceID changed status.
	KindNotification = "notification"
	// KindCatalog: catalog watch ID of WorkspaceID found a new product.
	KindCatalog = "catalog"
	// KindResync: messages may have been lost (a slow page, a reconnect to
	// the database); pages reload their data.
	KindResync = "resync"
)

// Message is one live update. It carries ids only: a page that gets one
// reads what changed through its usual, workspace-checked routes.
type Message struct {
	Kind        string
	WorkspaceID int64 // 0 = product-level
	ProductID   int64
	ID          int64 // notification or catalog watch id
	Status      string
}

// subBuffer is the messages a subscriber may lag behind before it is told
// to resync: a page that reads slower than that reloads instead.
const subBuffer = 64

// Hub fans messages out to subscribers. Publish never blocks: a subscriber
// whose buffer is full loses messages and gets one resync in their place.
// The zero Hub is not usable; use NewHub.
type Hub struct {
	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	closed bool
}

type subscriber struct {
	ch chan Message
	// lagging: its buffer filled and the resync is queued; messages are
	// dropped until it has read everything (the resync included), and the
	// page's reload covers what was dropped.
	lagging bool
}

// NewHub returns an open hub.
func NewHub() *Hub { return &Hub{subs: map[*subscriber]struct{}{}} }

// Subscribe returns a channel of every message published from now on, and
// the function that ends the subscription (safe to call more than once).
// The channel is closed when the subscription ends or the hub closes.
func (h *Hub) Subscribe() (<-chan Message, func()) {
	// One slot beyond the buffer is kept for the resync.
	s := &subscriber{ch: make(chan Message, subBuffer+1)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(s.ch)
		return s.ch, func() {}
	}
	h.subs[s] = struct{}{}
	return s.ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if _, ok := h.subs[s]; ok {
			delete(h.subs, s)
			close(s.ch)
		}
	}
}

// Publish sends m to every subscriber without waiting for any.
func (h *Hub) Publish(m Message) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if s.lagging {
			if len(s.ch) > 0 {
				continue // the resync is still queued
			}
			s.lagging = false
		}
		if len(s.ch) >= subBuffer {
			// Only Publish sends, under h.mu: the spare slot is free.
			s.ch <- Message{Kind: KindResync}
			s.lagging = true
			continue
		}
		s.ch <- m
	}
}

// Subscribers is how many subscriptions are open.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Close ends every subscription, so open streams return (http.Server's
// Shutdown waits for them otherwise), and any later one at once.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	for s := range h.subs {
		close(s.ch)
		delete(h.subs, s)
	}
}
