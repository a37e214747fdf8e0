package sse

import (
	"fmt"
	"testing"
	"time"
)

func recv(t *testing.T, ch <-chan Message) Message {
	t.Helper()
	select {
	case m, ok := <-ch:
		if !ok {
			t.Fatal("channel closed")
		}
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no message")
	}
	return Message{}
}

func TestHubFansOut(t *testing.T) {
	h := NewHub()
	a, stopA := h.Subscribe()
	defer stopA()
	b, stopB := h.Subscribe()
	defer stopB()
	m := Message{Kind: KindProduct, ProductID: 7}
	h.Publish(m)
	if got := recv(t, a); got != m {
		t.Errorf("a got %+v, want %+v", got, m)
	}
	if got := recv(t, b); got != m {
		t.Errorf("b got %+v, want %+v", got, m)
	}
}

func TestHubUnsubscribe(t *testing.T) {
	h := NewHub()
	a, stopA := h.Subscribe()
	b, stopB := h.Subscribe()
	defer stopB()
	stopA()
	stopA() // twice is harmless
	if n := h.Subscribers(); n != 1 {
		t.Fatalf("subscribers = %d, want 1", n)
	}
	if _, ok := <-a; ok {
		t.Fatal("an ended subscription's channel is open")
	}
	h.Publish(Message{Kind: KindProduct, ProductID: 1})
	if got := recv(t, b); got.ProductID != 1 {
		t.Errorf("b got %+v", got)
	}
}

// A subscriber that never reads neither blocks Publish nor stops the
// others; it gets its buffer, then one resync, then nothing until it has
// caught up, then messages again.
func TestHubSlowSubscriberGetsResync(t *testing.T) {
	h := NewHub()
	slow, stopSlow := h.Subscribe()
	defer stopSlow()
	fast, stopFast := h.Subscribe()
	defer stopFast()

	// One goroutine publishes and reads the fast subscriber: a Publish
	// that waited for the slow one would never return.
	const n = subBuffer * 3
	done := make(chan error, 1)
	go func() {
		for i := 1; i <= n; i++ {
			h.Publish(Message{Kind: KindProduct, ProductID: int64(i)})
			if got := <-fast; got.ProductID != int64(i) || got.Kind != KindProduct {
				done <- fmt.Errorf("fast subscriber: message %d is %+v", i, got)
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Publish blocked on a subscriber that does not read")
	}

	for i := 1; i <= subBuffer; i++ {
		if got := recv(t, slow); got.ProductID != int64(i) {
			t.Fatalf("slow subscriber: message %d is %+v", i, got)
		}
	}
	if got := recv(t, slow); got.Kind != KindResync {
		t.Fatalf("after its buffer, the slow subscriber got %+v, want a resync", got)
	}
	select {
	case m := <-slow:
		t.Fatalf("dropped messages were delivered after the resync: %+v", m)
	default:
	}
	// Caught up: messages flow again.
	h.Publish(Message{Kind: KindProduct, ProductID: 999})
	if got := recv(t, slow); got.ProductID != 999 {
		t.Fatalf("after catching up, got %+v", got)
	}
	if got := recv(t, fast); got.ProductID != 999 {
		t.Fatalf("fast subscriber got %+v", got)
	}
}

func TestHubClose(t *testing.T) {
	h := NewHub()
	a, stop := h.Subscribe()
	defer stop()
	h.Close()
	if _, ok := <-a; ok {
		t.Fatal("Close left a subscription open")
	}
	b, stopB := h.Subscribe()
	defer stopB()
	if _, ok := <-b; ok {
		t.Fatal("a subscription after Close is open")
	}
	h.Publish(Message{Kind: KindProduct, ProductID: 1}) // no panic on closed channels
	h.Close()
}
