package fetch

import (
	"net/http"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sony/gobreaker/v2"
)

func TestBreakerOpensHalfOpensCloses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var healthy atomic.Bool
		f := &fakeStore{answer: func(n int, r *http.Request) (*http.Response, error) {
			if healthy.Load() {
				return respond(r, http.StatusOK, nil, "<p>ok</p>"), nil
			}
			return respond(r, http.StatusInternalServerError, nil, "oops"), nil
		}}
		c := newFakeClient(t, Options{MaxAttempts: 1}, f)
		fetch := func() *Result {
			t.Helper()
			res, err := c.Fetch(t.Context(), Request{URL: "http://shop.test/p", Domain: fast})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		cb := c.breakers.get("shop.test")

		for i := range 5 {
			res := fetch()
			wantOutcome(t, res, OutcomeHTTPError)
			if want := gobreaker.StateClosed; i < 4 && (cb.State() != want || res.BreakerState != "closed") {
				t.Fatalf("after %d failures state %v (result says %q)", i+1, cb.State(), res.BreakerState)
			}
			if i == 4 && res.BreakerState != "open" {
				t.Fatalf("the fetch that opened the breaker says %q", res.BreakerState)
			}
		}
		if cb.State() != gobreaker.StateOpen {
			t.Fatalf("after 5 failures state %v, want open", cb.State())
		}
		if res := fetch(); res.Outcome != OutcomeBreakerOpen || res.BreakerState != "open" {
			t.Fatalf("with the breaker open: %s, breaker %q", res.Outcome, res.BreakerState)
		}
		if n := f.requests(); n != 5 {
			t.Errorf("%d requests, want 5: an open breaker must not send", n)
		}

		// Still open at 59 s; half-open once 60 s have passed, and a
		// failed trial opens it again.
		time.Sleep(59 * time.Second)
		wantOutcome(t, fetch(), OutcomeBreakerOpen)
		time.Sleep(2 * time.Second)
		wantOutcome(t, fetch(), OutcomeHTTPError)
		wantOutcome(t, fetch(), OutcomeBreakerOpen)

		// Next half-open: three good trials close it.
		time.Sleep(61 * time.Second)
		healthy.Store(true)
		for i := range 3 {
			res := fetch()
			wantOutcome(t, res, OutcomeOK)
			if want := map[bool]string{true: "half-open", false: "closed"}[i < 2]; res.BreakerState != want {
				t.Fatalf("after %d trial(s) the result says %q, want %q", i+1, res.BreakerState, want)
			}
			if i < 2 && cb.State() != gobreaker.StateHalfOpen {
				t.Fatalf("after %d trial(s) state %v, want half-open", i+1, cb.State())
			}
		}
		if cb.State() != gobreaker.StateClosed {
			t.Fatalf("after 3 good trials state %v, want closed", cb.State())
		}
	})
}

// A 404 is the page's problem, not the store's: it never opens the breaker.
func TestBreakerIgnoresPageErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeStore{answer: func(n int, r *http.Request) (*http.Response, error) {
			return respond(r, http.StatusNotFound, nil, "gone"), nil
		}}
		c := newFakeClient(t, Options{}, f)
		for range 10 {
			res, err := c.Fetch(t.Context(), Request{URL: "http://shop.test/p", Domain: fast})
			if err != nil {
				t.Fatal(err)
			}
			wantOutcome(t, res, OutcomeHTTPError)
		}
		if st := c.breakers.get("shop.test").State(); st != gobreaker.StateClosed {
			t.Errorf("state %v after 404s", st)
		}
	})
}
