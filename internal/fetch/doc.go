// Package fetch is shelfwatch's polite, safe HTTP client: every byte read
// from a store passes through it.
//
// A Client checks robots.txt (cached per host), paces requests per domain
// with a token bucket (the domain's configured rate or the robots
// Crawl-delay, whichever is slower), trips a circuit breaker per domain after
// repeated failures, retries transient failures with backoff, sends
// conditional requests, caps time and decompressed size, decodes the body to
// UTF-8, optionally goes through an operator's proxy pool, and renders
// JavaScript-only pages in headless Chromium. Every outbound connection,
// the browser's included, passes an SSRF guard.
//
// Fetch reports what happened as an Outcome so callers can tell a page that
// was blocked, disallowed or unchanged from one that failed. Bot protection
// is never evaded: a challenge page is reported as OutcomeBlocked.
package fetch
