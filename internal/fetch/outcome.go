package fetch

import (
	"time"
)

// Outcome says what became of a fetch. Callers branch on it: only
// OutcomeOK and OutcomeUnchanged carry a body worth extracting, and only
// some outcomes count against a page (see Failure).
type Outcome string

const (
	OutcomeOK          Outcome = "ok"                   // 2xx, body read and decoded
	OutcomeNotModified Outcome = "not_modified"         // 304 to a conditional request; no body
	OutcomeUnchanged   Outcome = "unchanged"            // 2xx whose body hash equals Request.PrevBodyHash
	OutcomeDisallowed  Outcome = "disallowed_by_robots" // robots.txt forbids the URL; nothing was requested
	OutcomeBlocked     Outcome = "blocked"              // a bot wall: CAPTCHA, challenge, 403/429 wall
	OutcomeHTTPError   Outcome = "http_error"           // any other non-2xx status (404, 410, 500, …)
	OutcomeNetwork     Outcome = "network_error"        // DNS, connect, TLS, reset, protocol errors
	OutcomeTimeout     Outcome = "timeout"              // a connect/TLS/header/whole-request deadline passed
	OutcomeTooLarge    Outcome = "too_large"            // the decompressed body passed Options.MaxBodyBytes
	OutcomeSSRF        Outcome = "ssrf_refused"         // the target or a redirect pointed at a forbidden address
	OutcomeRedirects   Outcome = "too_many_redirects"   // more than 5 redirects, or to a non-http(s) URL
	OutcomeBreakerOpen Outcome = "breaker_open"         // the domain's circuit breaker is open; nothing was requested
	OutcomeNoProxy     Outcome = "no_proxy_available"   // every proxy of the domain's pool is cooling down or retired
	OutcomeRender      Outcome = "render_error"         // headless Chromium failed or is unavailable
)

// Failure reports whether the outcome means the page (or its store) failed,
// as opposed to the fetcher choosing not to ask or the page being fine.
func (o Outcome) Failure() bool {
	switch o {
	case OutcomeOK, OutcomeNotModified, OutcomeUnchanged, OutcomeDisallowed, OutcomeBreakerOpen, OutcomeNoProxy:
		return false
	}
	return true
}

// RobotsVerdict records what robots.txt said about the URL.
type RobotsVerdict string

const (
	RobotsAllowed     RobotsVerdict = "allowed"     // a robots.txt was read and allows the URL
	RobotsDisallowed  RobotsVerdict = "disallowed"  // a robots.txt was read and disallows it
	RobotsNone        RobotsVerdict = "none"        // robots.txt answered 4xx: no restrictions (RFC 9309 §2.3.1.3)
	RobotsUnreachable RobotsVerdict = "unreachable" // 5xx or network failure: full disallow for a while (§2.3.1.4)
)

// Result is what Fetch learned. It is returned for every outcome; Err holds
// the underlying cause when the outcome is not OK.
type Result struct {
	Outcome     Outcome
	Status      int    // final HTTP status, 0 when no response arrived
	FinalURL    string // after redirects
	Body        []byte // decoded to UTF-8 for text content; nil for 304 and failures
	ContentType string
	Bytes       int64 // decompressed body bytes read
	Duration    time.Duration
	// ETag, LastModified and BodyHash are the validators to store for the
	// next conditional request. On a 304 they carry the request's values
	// forward unless the server sent new ones.
	ETag          string
	LastModified  string
	BodyHash      string // hex SHA-256 of the decompressed, undecoded body
	ProxyUsed     string // the proxy's URL without credentials, "" for a direct fetch
	RobotsVerdict RobotsVerdict
	Attempts      int           // requests made, retries included (0 when none was made)
	RetryAfter    time.Duration // the server's Retry-After on the last 429/503, if any
	BlockReason   string        // why the page was judged a bot wall
	Rendered      bool          // the body is the DOM after headless Chromium ran the page's scripts
	// BreakerState is the domain's circuit breaker after the fetch:
	// "closed", "open" or "half-open".
	BreakerState string
	Err          error
}
