package fetch

import (
	"errors"
	"net/http"
	"testing"
	"testing/synctest"
	"time"
)

func TestRetryAfterSeconds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeStore{answer: func(n int, r *http.Request) (*http.Response, error) {
			if n <= 2 {
				return respond(r, http.StatusServiceUnavailable, http.Header{"Retry-After": {"5"}}, "busy"), nil
			}
			return respond(r, http.StatusOK, nil, "<p>ok</p>"), nil
		}}
		c := newFakeClient(t, Options{BackoffBase: time.Second}, f)
		start := time.Now()
		res, err := c.Fetch(t.Context(), Request{URL: "http://shop.test/p", Domain: fast})
		if err != nil {
			t.Fatal(err)
		}
		wantOutcome(t, res, OutcomeOK)
		if res.Attempts != 3 {
			t.Errorf("attempts %d, want 3", res.Attempts)
		}
		// Retry-After (5 s) outweighs the backoff (≤ 1 s, then ≤ 2 s).
		if d := time.Since(start); d != 10*time.Second {
			t.Errorf("took %v, want 10s", d)
		}
	})
}

func TestRetryAfterDate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeStore{answer: func(n int, r *http.Request) (*http.Response, error) {
			if n == 1 {
				at := time.Now().Add(30 * time.Second).UTC().Format(http.TimeFormat)
				return respond(r, http.StatusTooManyRequests, http.Header{"Retry-After": {at}}, "slow down"), nil
			}
			return respond(r, http.StatusOK, nil, "<p>ok</p>"), nil
		}}
		c := newFakeClient(t, Options{}, f)
		start := time.Now()
		res, err := c.Fetch(t.Context(), Request{URL: "http://shop.test/p", Domain: fast})
		if err != nil {
			t.Fatal(err)
		}
		wantOutcome(t, res, OutcomeOK)
		if d := time.Since(start); d < 29*time.Second || d > 31*time.Second {
			t.Errorf("took %v, want about 30s", d)
		}
	})
}

// A Retry-After past MaxRetryAfter ends the fetch at once and hands the
// delay to the caller, which reschedules the product.
func TestRetryAfterTooLong(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeStore{answer: func(n int, r *http.Request) (*http.Response, error) {
			return respond(r, http.StatusTooManyRequests, http.Header{"Retry-After": {"3600"}}, ""), nil
		}}
		c := newFakeClient(t, Options{MaxRetryAfter: time.Minute}, f)
		start := time.Now()
		res, err := c.Fetch(t.Context(), Request{URL: "http://shop.test/p", Domain: fast})
		if err != nil {
			t.Fatal(err)
		}
		wantOutcome(t, res, OutcomeBlocked)
		if res.Attempts != 1 || res.RetryAfter != time.Hour || time.Since(start) != 0 {
			t.Errorf("attempts %d, RetryAfter %v, waited %v", res.Attempts, res.RetryAfter, time.Since(start))
		}
	})
}

func TestRetryOnlyTransient(t *testing.T) {
	cases := []struct {
		name     string
		answer   func(r *http.Request) (*http.Response, error)
		outcome  Outcome
		attempts int
	}{
		{"network error", func(r *http.Request) (*http.Response, error) { return nil, errors.New("connection reset") }, OutcomeNetwork, 3},
		{"502", func(r *http.Request) (*http.Response, error) { return respond(r, 502, nil, ""), nil }, OutcomeHTTPError, 3},
		{"504", func(r *http.Request) (*http.Response, error) { return respond(r, 504, nil, ""), nil }, OutcomeHTTPError, 3},
		{"429", func(r *http.Request) (*http.Response, error) { return respond(r, 429, nil, ""), nil }, OutcomeBlocked, 3},
		{"500", func(r *http.Request) (*http.Response, error) { return respond(r, 500, nil, ""), nil }, OutcomeHTTPError, 1},
		{"404", func(r *http.Request) (*http.Response, error) { return respond(r, 404, nil, ""), nil }, OutcomeHTTPError, 1},
		{"403 wall", func(r *http.Request) (*http.Response, error) { return respond(r, 403, nil, "Access denied"), nil }, OutcomeBlocked, 1},
		{"challenge 503", func(r *http.Request) (*http.Response, error) {
			return respond(r, 503, nil, "<title>Just a moment...</title><script>window._cf_chl_opt={}</script>"), nil
		}, OutcomeBlocked, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := &fakeStore{answer: func(n int, r *http.Request) (*http.Response, error) { return tc.answer(r) }}
				c := newFakeClient(t, Options{BackoffBase: time.Second, BackoffMax: 4 * time.Second}, f)
				start := time.Now()
				res, err := c.Fetch(t.Context(), Request{URL: "http://shop.test/p", Domain: fast})
				if err != nil {
					t.Fatal(err)
				}
				wantOutcome(t, res, tc.outcome)
				if res.Attempts != tc.attempts || f.requests() != tc.attempts {
					t.Errorf("attempts %d (requests %d), want %d", res.Attempts, f.requests(), tc.attempts)
				}
				// Equal jitter: waits in [0.5, 1] s then [1, 2] s.
				if d := time.Since(start); tc.attempts == 3 && (d < 1500*time.Millisecond || d > 3*time.Second) {
					t.Errorf("backoff took %v, want 1.5–3 s", d)
				}
			})
		})
	}
}

func TestBackoffBounds(t *testing.T) {
	for n := 1; n <= 8; n++ {
		full := min(time.Second<<(n-1), 10*time.Second)
		for range 200 {
			d := backoff(n, time.Second, 10*time.Second)
			if d < full/2 || d > full {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v]", n, d, full/2, full)
			}
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"0":                             0,
		"-5":                            0,
		"120":                           2 * time.Minute,
		" 7 ":                           7 * time.Second,
		"999999999":                     24 * time.Hour,
		"Sun, 01 Mar 2026 12:01:30 GMT": 90 * time.Second,
		"Sun, 01 Mar 2026 11:00:00 GMT": 0,
		"soon":                          0,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}
