package fetch

import (
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/sony/gobreaker/v2"
)

// errCounted marks a fetch that counts as a failure of its domain.
var errCounted = errors.New("fetch: domain failure")

// errNotCounted marks a fetch the breaker should ignore (our own ctx ended).
var errNotCounted = errors.New("fetch: not counted")

// breakers holds one circuit breaker per domain. A breaker sees whole
// fetches, retries included: five fetches that each failed three times
// open it, not two fetches and a bit.
type breakers struct {
	mu       sync.Mutex
	m        map[string]*gobreaker.CircuitBreaker[struct{}]
	failures int
	openFor  time.Duration
	trials   uint32
	log      *slog.Logger
}

func (b *breakers) get(domain string) *gobreaker.CircuitBreaker[struct{}] {
	b.mu.Lock()
	defer b.mu.Unlock()
	cb, ok := b.m[domain]
	if !ok {
		failures := uint32(b.failures)
		cb = gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
			Name:        domain,
			MaxRequests: b.trials,
			Timeout:     b.openFor,
			ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= failures },
			IsExcluded:  func(err error) bool { return errors.Is(err, errNotCounted) },
			OnStateChange: func(name string, from, to gobreaker.State) {
				b.log.Info("fetch: circuit breaker", "domain", name, "from", from.String(), "to", to.String())
			},
		})
		b.m[domain] = cb
	}
	return cb
}

// countsAgainstDomain says which outcomes are the domain's fault. A 404 is
// the page's business, robots and our own refusals are not failures, but
// errors, 5xx, timeouts and bot walls all say "leave this store alone".
func countsAgainstDomain(r *Result) bool {
	switch r.Outcome {
	case OutcomeNetwork, OutcomeTimeout, OutcomeBlocked, OutcomeRender:
		return true
	case OutcomeHTTPError:
		return r.Status >= 500
	}
	return false
}
