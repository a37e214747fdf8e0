package fetch

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"
)

// loopbackOnly opens 127.0.0.1 and nothing else: the test servers live
// there, and every other private address stays refused.
var loopbackOnly = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}

// fast is a domain setting that takes pacing out of tests not about it.
var fast = Domain{RatePerMinute: 6e6}

func newClient(t *testing.T, o Options) *Client {
	t.Helper()
	if o.AllowedCIDRs == nil && !o.AllowPrivateNetworks {
		o.AllowedCIDRs = loopbackOnly
	}
	if o.BackoffBase == 0 {
		o.BackoffBase = time.Millisecond
	}
	c, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// server is a loopback test server that counts its requests.
type server struct {
	*httptest.Server
	hits      atomic.Int64 // every request, robots.txt included
	robotHits atomic.Int64
}

func newServer(t *testing.T, h http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		if r.URL.Path == "/robots.txt" {
			s.robotHits.Add(1)
		}
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func newBenchHTTPServer(b *testing.B, h http.HandlerFunc) *httptest.Server {
	s := httptest.NewServer(h)
	b.Cleanup(s.Close)
	return s
}

func mustFetch(t *testing.T, c *Client, req Request) *Result {
	t.Helper()
	if req.Domain == (Domain{}) {
		req.Domain = fast
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := c.Fetch(ctx, req)
	if err != nil {
		t.Fatalf("Fetch(%s): %v", req.URL, err)
	}
	return res
}

func wantOutcome(t *testing.T, res *Result, want Outcome) {
	t.Helper()
	if res.Outcome != want {
		t.Fatalf("outcome = %s (status %d, err %v), want %s", res.Outcome, res.Status, res.Err, want)
	}
}
