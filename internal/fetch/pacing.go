package fetch

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// pacer holds one token bucket per domain. Burst is 1: a domain gets one
// request per interval, never a volley after a quiet spell.
type pacer struct {
	mu       sync.Mutex
	limiters map[string]*rate.Limiter
	def      float64 // requests per minute
}

// interval is the gap between requests to a domain: the configured rate or
// the robots.txt Crawl-delay, whichever is slower.
func (p *pacer) interval(perMinute float64, crawlDelay time.Duration) time.Duration {
	if perMinute <= 0 {
		perMinute = p.def
	}
	d := time.Duration(float64(time.Minute) / perMinute)
	return max(d, crawlDelay)
}

// wait blocks until the domain may be asked again or ctx ends. The limit
// is updated on every call, so a changed domain rate or a newly read
// Crawl-delay applies from the next request on.
func (p *pacer) wait(ctx context.Context, domain string, perMinute float64, crawlDelay time.Duration) error {
	every := rate.Every(p.interval(perMinute, crawlDelay))
	p.mu.Lock()
	l, ok := p.limiters[domain]
	if !ok {
		l = rate.NewLimiter(every, 1)
		p.limiters[domain] = l
	} else if l.Limit() != every {
		l.SetLimit(every)
	}
	p.mu.Unlock()
	if err := l.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// The limiter refuses up front when the slot lies past ctx's
		// deadline; to the caller that is the deadline passing.
		return fmt.Errorf("%w: next request slot for %s is past the deadline", context.DeadlineExceeded, domain)
	}
	return nil
}
