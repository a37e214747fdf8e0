package ratelimit

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestLimiterBurstThenRate(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	l := New(60, 3, 0, c.now) // one a second, bursts of 3
	for i := range 3 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := l.Allow("a")
	if ok || wait != time.Second {
		t.Fatalf("4th request: ok=%v wait=%v, want refused, 1s", ok, wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("another key shares a's bucket")
	}
	c.advance(time.Second)
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("refused after the bucket refilled one token")
	}
	if ok, _ := l.Allow("a"); ok {
		t.Fatal("allowed beyond the rate")
	}
}

func TestLimiterBoundedMemory(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	l := New(60, 2, 100, c.now)
	for i := range 1000 {
		l.Allow(strconv.Itoa(i))
		if n := l.Len(); n > 100 {
			t.Fatalf("%d buckets held, limit 100", n)
		}
	}
	// Idle keys whose buckets refilled are forgotten at the next sweep.
	c.advance(2 * time.Minute)
	l.Allow("fresh")
	if n := l.Len(); n != 1 {
		t.Fatalf("%d buckets after every other key went idle, want 1", n)
	}
	// A key still in debt survives a sweep, so going quiet for a minute
	// does not reset it.
	l2 := New(0.5, 1, 0, c.now) // one every two minutes
	l2.Allow("x")
	c.advance(61 * time.Second)
	l2.Allow("y") // sweeps
	if ok, _ := l2.Allow("x"); ok {
		t.Fatal("x allowed again after one minute; its bucket was forgotten while in debt")
	}
}

func TestRefuse(t *testing.T) {
	rec := httptest.NewRecorder()
	Refuse(rec, 1500*time.Millisecond)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "2" ||
		rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("Refuse: %d %v", rec.Code, rec.Header())
	}
	var p struct{ Status int }
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != 429 {
		t.Fatalf("body %s", rec.Body)
	}
}
