package fetch

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// transient reports whether another attempt might succeed: network errors
// and timeouts, 429, 502, 503 and 504. Everything else (a 404, a bot wall,
// a refused address, a too-large body) will answer the same again.
func transient(r *Result) bool {
	if r.Rendered {
		// A browser page that timed out once will likely do so again,
		// and each try costs a tab for up to RenderTimeout.
		return false
	}
	switch r.Outcome {
	case OutcomeNetwork, OutcomeTimeout:
		return true
	case OutcomeHTTPError, OutcomeBlocked:
		switch r.Status {
		case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			// A 429 with a challenge page is a wall, not a rate limit.
			return r.BlockReason == "" || r.BlockReason == blockReasonStatus429
		}
	}
	return false
}

// backoff is the wait before attempt n+1 (n ≥ 1): base·2^(n-1), capped,
// with "equal jitter" (half fixed, half random) so a fleet of workers that
// failed together does not retry together.
func backoff(n int, base, cap time.Duration) time.Duration {
	d := base
	for i := 1; i < n && d < cap; i++ {
		d *= 2
	}
	d = min(d, cap)
	half := d / 2
	return half + rand.N(half+1)
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an
// HTTP-date (RFC 9110 §10.2.3). It returns 0 when absent or unusable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		if s > int64(24*time.Hour/time.Second) {
			s = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}
