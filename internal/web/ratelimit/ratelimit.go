// Package ratelimit keeps one token bucket per key (a client IP, an API
// token) in bounded memory, and answers refusals with 429 and Retry-After.
package ratelimit

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/shelfwatch/shelfwatch/internal/web/problem"
)

// Limiter allows each key PerMinute requests a minute on average, in bursts
// of up to Burst.
//
// Memory is bounded: a key whose bucket has refilled is forgotten (a new
// bucket would be identical), swept at most once a minute; and when MaxKeys
// are held anyway (a flood from many addresses), arbitrary keys are dropped,
// which only ever makes the limit more lenient for them, never stricter.
type Limiter struct {
	perMinute float64
	burst     int
	maxKeys   int
	now       func() time.Time

	mu        sync.Mutex
	buckets   map[string]*rate.Limiter
	lastSweep time.Time
}

// New returns a limiter of perMinute requests a minute per key in bursts of
// burst, holding at most maxKeys buckets (0: 100,000). now is the clock
// (nil: time.Now).
func New(perMinute float64, burst, maxKeys int, now func() time.Time) *Limiter {
	if maxKeys <= 0 {
		maxKeys = 100_000
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{perMinute: perMinute, burst: max(burst, 1), maxKeys: maxKeys, now: now,
		buckets: map[string]*rate.Limiter{}}
}

// Allow takes one request from key's bucket. When the bucket is empty it
// returns false and how long until a request would be allowed.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		l.makeRoom(now)
		b = rate.NewLimiter(rate.Limit(l.perMinute/60), l.burst)
		l.buckets[key] = b
	}
	if b.AllowN(now, 1) {
		return true, 0
	}
	missing := 1 - b.TokensAt(now)
	wait := time.Duration(math.Ceil(missing / (l.perMinute / 60) * float64(time.Second)))
	return false, max(wait, time.Second)
}

// Len is the number of buckets held.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

func (l *Limiter) makeRoom(now time.Time) {
	if now.Sub(l.lastSweep) >= time.Minute || len(l.buckets) >= l.maxKeys {
		l.lastSweep = now
		for k, b := range l.buckets {
			if b.TokensAt(now) >= float64(l.burst) {
				delete(l.buckets, k)
			}
		}
	}
	for k := range l.buckets {
		if len(l.buckets) < l.maxKeys {
			break
		}
		delete(l.buckets, k)
	}
}

// Refuse answers 429 with Retry-After in whole seconds, as problem+json.
func Refuse(w http.ResponseWriter, retryAfter time.Duration) {
	secs := int(math.Ceil(retryAfter.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	problem.Status(w, http.StatusTooManyRequests, fmt.Sprintf("Too many requests; try again in %d s.", secs))
}
