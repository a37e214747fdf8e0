// Package notify turns an alert into a message and sends it through one
// channel: a signed generic webhook, email over SMTP, or a shoutrrr URL
// (Discord, Slack, Telegram, ntfy, Gotify, Pushover, Matrix, Teams,
// Mattermost, …). Every HTTP request goes through the fetcher's SSRF guard.
//
// Senders do one attempt and classify its failure (*Error): permanent (dead
// at once: a 4xx that retrying cannot fix) or temporary (retry, honouring a
// Retry-After). Retries, backoff and dead-lettering belong to the delivery
// worker.
package notify

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/fetch"
)

// Message is what an alert says, in the fields templates and webhook
// bodies use.
type Message struct {
	ID   string    // the notification's idempotency key; receivers can dedupe on it
	Kind string    // the alert rule's kind (alert.Kind) or "test"
	At   time.Time // when the event happened
	Test bool      // a test send from the channel settings

	Subject string // one line
	Reason  string // what crossed what, from the rule evaluation

	Product Product
	Old     *Money // the price before (nil: none)
	New     *Money // the price now (nil: none)
	Low     *Money // the all-time low before this event (nil: unknown)
	Target  *Money // the rule's threshold, when it has one

	Availability string
	Link         string // the product's page in shelfwatch ("" without a base URL)

	// Text, when set, is the body to send instead of the default
	// template's (a channel's custom template fills it).
	Text string `json:"-"`
}

// Product is the watched product.
type Product struct {
	ID       int64  `json:"id"`
	Title    string `json:"title"`
	URL      string `json:"url"`
	ImageURL string `json:"image_url,omitempty"`
	Store    string `json:"store"`
}

// Money is an exact price and its display form.
type Money struct {
	Minor    int64  `json:"minor"`
	Currency string `json:"currency"`
	Display  string `json:"display"`
}

// Sender sends one message through one channel.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Error is a failed attempt.
type Error struct {
	Err        error
	Permanent  bool          // retrying cannot help (dead at once)
	RetryAfter time.Duration // the receiver asked us to wait (429/503)
	Status     int           // HTTP status, 0 when none
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Permanent reports whether err says retrying is pointless.
func Permanent(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Permanent
}

// RetryAfter is the wait err asks for (0: none).
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// statusError classifies a non-2xx HTTP answer. 408, 425, 429 and 5xx are
// temporary; other 4xx mean the request itself is wrong (a deleted
// webhook, a revoked token) and retrying for a day would not fix it.
func statusError(resp *http.Response, now time.Time) *Error {
	e := &Error{Status: resp.StatusCode, Err: fmt.Errorf("receiver answered %s", resp.Status)}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), now)
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooEarly || resp.StatusCode >= 500:
	default:
		e.Permanent = resp.StatusCode >= 400 && resp.StatusCode < 500
	}
	return e
}

// MaxRetryAfter caps how long a receiver can make us wait for one retry.
const MaxRetryAfter = 6 * time.Hour

// parseRetryAfter reads seconds or an HTTP date, capped.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	var d time.Duration
	if s, err := strconv.Atoi(v); err == nil {
		d = time.Duration(s) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), MaxRetryAfter)
}

// Retry schedule: exponential from 30 s, doubling, capped at 2 h, with ±20 %
// jitter. MaxAttempts attempts span about a day before the notification is
// dead.
const (
	MaxAttempts = 18
	firstRetry  = 30 * time.Second
	maxBackoff  = 2 * time.Hour
)

// Backoff is the wait after the attempt-th failed attempt (1-based),
// at least retryAfter. jitter is a uniform value in [0, 1).
func Backoff(attempt int, retryAfter time.Duration, jitter float64) time.Duration {
	d := firstRetry
	for i := 1; i < attempt && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, maxBackoff)
	d = time.Duration(float64(d) * (0.8 + 0.4*jitter))
	return max(d, retryAfter)
}

// Jitter is a random jitter value for Backoff.
func Jitter() float64 { return rand.Float64() }

// classifyTransport turns a client error into an *Error without the URL:
// webhook and chat URLs carry tokens, and this text is stored and shown.
func classifyTransport(err error) *Error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	if errors.Is(err, fetchForbidden) {
		return &Error{Err: fmt.Errorf("refused: the receiver's address is not allowed (private networks are off): %w", err), Permanent: true}
	}
	return &Error{Err: fmt.Errorf("could not reach the receiver: %w", err)}
}

var fetchForbidden = fetch.ErrForbiddenAddress
