// Package frontier decides when each product is checked next. Its policy is
// pure (no clock, no I/O): the store and the monitor pass it what they know.
// The claim itself (leases on the products table) lives in the store, where
// the SQL is.
package frontier

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"time"
)

// Bounds on any interval the policy returns.
const (
	MinInterval  = 30 * time.Minute
	MaxInterval  = 7 * 24 * time.Hour
	BaseInterval = 6 * time.Hour
	// JitterFraction spreads checks of products added together, so a batch
	// of imports does not stay a burst forever.
	JitterFraction = 0.1
	maxBackoffExp  = 8
)

// Input is what the policy knows about one product at the end of a check.
type Input struct {
	ProductID int64
	Now       int64 // Unix ms of the check
	// Watchers counts the active (unpaused) watches of the product.
	Watchers int
	// Changes30d counts price-history rows in the last 30 days: volatility.
	Changes30d int
	// LastChangeAt is the Unix ms of the latest history row (0: none yet).
	LastChangeAt int64
	// ConsecutiveFailures after this check.
	ConsecutiveFailures int
	// Priority is the product's priority (0 normal; each step halves).
	Priority int
	// WatchMinInterval is the smallest minimum interval a watch asked for
	// (0: none). Checks are never more frequent than it.
	WatchMinInterval time.Duration
}

// Interval returns how long to wait before the next check.
func Interval(in Input) time.Duration {
	d := float64(BaseInterval)

	// More subscribers: more people lose out when a change is seen late.
	if in.Watchers > 1 {
		d /= 1 + math.Log2(float64(in.Watchers))
	}
	// Volatile prices are worth looking at more often.
	switch {
	case in.Changes30d >= 8:
		d /= 4
	case in.Changes30d >= 3:
		d /= 2
	case in.Changes30d == 0 && in.LastChangeAt > 0:
		d *= 1.5
	}
	// A price that has not moved for months is unlikely to move tomorrow.
	if in.LastChangeAt > 0 {
		age := time.Duration(in.Now-in.LastChangeAt) * time.Millisecond
		switch {
		case age > 90*24*time.Hour:
			d *= 4
		case age > 30*24*time.Hour:
			d *= 2
		}
	}
	if p := min(in.Priority, 4); p > 0 {
		d /= float64(int(1) << p)
	}
	// While the page keeps failing, back off exponentially from the floor:
	// the first retry comes soon (most failures are transient), later ones
	// spare a store that is down.
	if f := min(in.ConsecutiveFailures, maxBackoffExp); f > 0 {
		d = float64(MinInterval) * float64(int(1)<<f)
	}

	d *= 1 + JitterFraction*jitter(in.ProductID, in.Now)

	lo := max(MinInterval, min(in.WatchMinInterval, MaxInterval))
	return time.Duration(math.Round(max(float64(lo), min(d, float64(MaxInterval)))))
}

// Next returns the Unix ms of the next check.
func Next(in Input) int64 { return in.Now + Interval(in).Milliseconds() }

// jitter is a deterministic value in [-1, 1) from the product and the time,
// so tests and replays see the same schedule.
func jitter(productID, now int64) float64 {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], uint64(productID))
	binary.LittleEndian.PutUint64(b[8:], uint64(now))
	h := fnv.New64a()
	_, _ = h.Write(b[:])
	return float64(h.Sum64()>>11)/float64(1<<53)*2 - 1
}
