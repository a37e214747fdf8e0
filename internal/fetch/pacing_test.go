package fetch

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

func TestPacingPerDomain(t *testing.T) {
	cases := []struct {
		name   string
		rate   float64
		robots string
		gap    time.Duration
	}{
		{"default 30/min", 0, "", 2 * time.Second},
		{"domain rate", 6, "", 10 * time.Second},
		{"crawl-delay slower", 60, "User-agent: *\nCrawl-delay: 7\n", 7 * time.Second},
		{"domain rate slower", 2, "User-agent: *\nCrawl-delay: 7\n", 30 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := &fakeStore{robots: tc.robots}
				c := newFakeClient(t, Options{}, f)
				start := time.Now()
				var at []time.Duration
				for range 4 {
					res, err := c.Fetch(t.Context(), Request{URL: "http://shop.test/p", Domain: Domain{RatePerMinute: tc.rate}})
					if err != nil {
						t.Fatal(err)
					}
					wantOutcome(t, res, OutcomeOK)
					at = append(at, time.Since(start))
				}
				for i, d := range at {
					if want := time.Duration(i) * tc.gap; d != want {
						t.Errorf("request %d at %v, want %v", i, d, want)
					}
				}
			})
		})
	}
}

// Domains are paced independently, and concurrent fetches of one domain
// queue behind its bucket.
func TestPacingDomainsIndependent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeStore{}
		c := newFakeClient(t, Options{DefaultRatePerMinute: 6}, f)
		start := time.Now()
		done := make(chan time.Duration, 6)
		for _, host := range []string{"a.test", "a.test", "a.test", "b.test", "c.test", "b.test"} {
			go func() {
				_, _ = c.Fetch(t.Context(), Request{URL: "http://" + host + "/p"})
				done <- time.Since(start)
			}()
		}
		var got []time.Duration
		for range 6 {
			got = append(got, <-done)
		}
		// a: 0, 10, 20 s; b: 0, 10 s; c: 0 s.
		want := map[time.Duration]int{0: 3, 10 * time.Second: 2, 20 * time.Second: 1}
		for _, d := range got {
			want[d]--
		}
		for d, n := range want {
			if n != 0 {
				t.Errorf("finish times %v; %v off by %d", got, d, n)
			}
		}
	})
}

func TestPacingRespectsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeStore{}
		c := newFakeClient(t, Options{DefaultRatePerMinute: 1}, f)
		if _, err := c.Fetch(t.Context(), Request{URL: "http://shop.test/1"}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		start := time.Now()
		_, err := c.Fetch(ctx, Request{URL: "http://shop.test/2"})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want DeadlineExceeded", err)
		}
		if waited := time.Since(start); waited > 10*time.Second {
			t.Errorf("waited %v past a 10 s deadline", waited)
		}
		if n := f.requests(); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
}
