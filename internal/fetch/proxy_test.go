package fetch

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// forwardProxy is a tiny HTTP forward proxy on loopback. It forwards only
// to the one test store it knows and answers anything else itself, so no
// request ever leaves loopback whatever the client asks for.
type forwardProxy struct {
	*httptest.Server
	name string
	hits atomic.Int64
	mu   sync.Mutex
	seen []string // absolute URLs asked for
}

func newForwardProxy(t *testing.T, name, storeHost string) *forwardProxy {
	t.Helper()
	p := &forwardProxy{name: name}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.hits.Add(1)
		p.mu.Lock()
		p.seen = append(p.seen, r.URL.String())
		p.mu.Unlock()
		if !r.URL.IsAbs() || r.URL.Host != storeHost {
			_, _ = io.WriteString(w, "answered by proxy "+name)
			return
		}
		out, _ := http.NewRequestWithContext(r.Context(), r.Method, r.URL.String(), nil)
		out.Header = r.Header.Clone()
		out.Header.Set("X-Via", name)
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(p.Server.Close)
	return p
}

func TestProxyRotationCooldownRetirement(t *testing.T) {
	var blockA atomic.Bool
	store := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("X-Via") == "" {
			t.Errorf("store reached directly, not through a proxy")
		}
		if blockA.Load() && r.Header.Get("X-Via") == "A" {
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, "<title>Access Denied</title>")
			return
		}
		_, _ = io.WriteString(w, "<p>kettle €19</p>")
	})
	storeHost := store.Listener.Addr().String()
	a, b := newForwardProxy(t, "A", storeHost), newForwardProxy(t, "B", storeHost)
	c := newClient(t, Options{
		ProxyPools:       map[string][]string{"shops": {a.URL, b.URL}},
		ProxyCooldown:    10 * time.Minute,
		ProxyRetireAfter: 2,
		BreakerFailures:  1000, // this test is about proxies, not the breaker
	})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var clock sync.Mutex
	c.now = func() time.Time { clock.Lock(); defer clock.Unlock(); return now }
	advance := func(d time.Duration) { clock.Lock(); now = now.Add(d); clock.Unlock() }
	dom := Domain{RatePerMinute: 6e6, ProxyPool: "shops"}
	used := func(n int) map[string]int {
		m := map[string]int{}
		for range n {
			res := mustFetch(t, c, Request{URL: store.URL + "/p", Domain: dom})
			m[res.ProxyUsed+" "+string(res.Outcome)]++
		}
		return m
	}
	labelA, labelB := "http://"+a.Listener.Addr().String(), "http://"+b.Listener.Addr().String()

	// Healthy: both carry traffic.
	got := used(40)
	if got[labelA+" ok"] == 0 || got[labelB+" ok"] == 0 {
		t.Fatalf("rotation: %v", got)
	}

	// A hits a wall: reported blocked, then A rests while B carries on.
	blockA.Store(true)
	for i := 0; ; i++ {
		res := mustFetch(t, c, Request{URL: store.URL + "/p", Domain: dom})
		if res.ProxyUsed == labelA {
			wantOutcome(t, res, OutcomeBlocked)
			break
		}
		if i > 100 {
			t.Fatal("A never chosen")
		}
	}
	if got := used(20); got[labelB+" ok"] != 20 {
		t.Fatalf("during A's cooldown: %v", got)
	}

	// After the cooldown A is tried again; a second wall in a row retires it.
	advance(11 * time.Minute)
	for i := 0; ; i++ {
		res := mustFetch(t, c, Request{URL: store.URL + "/p", Domain: dom})
		if res.ProxyUsed == labelA {
			wantOutcome(t, res, OutcomeBlocked)
			break
		}
		if i > 200 {
			t.Fatal("A never chosen after its cooldown")
		}
	}
	blockA.Store(false)
	advance(24 * time.Hour)
	if got := used(20); got[labelB+" ok"] != 20 {
		t.Fatalf("after A retired: %v", got)
	}

	// With B resting too, the pool has nothing to offer: no request is made.
	_ = c.pools["shops"].entries[1].report(&Result{Outcome: OutcomeBlocked}, c.now(), time.Hour, 5)
	before := a.hits.Load() + b.hits.Load()
	res := mustFetch(t, c, Request{URL: store.URL + "/p", Domain: dom})
	wantOutcome(t, res, OutcomeNoProxy)
	if a.hits.Load()+b.hits.Load() != before {
		t.Error("a request went out with no proxy available")
	}
}

// The target is checked before it is handed to a proxy: the proxy would
// connect to 10.0.0.1 for us, so we refuse first.
func TestProxyTargetGuarded(t *testing.T) {
	p := newForwardProxy(t, "A", "none")
	c := newClient(t, Options{ProxyPools: map[string][]string{"p": {p.URL}}})
	for _, u := range []string{"http://10.0.0.1/admin", "http://169.254.169.254/latest/meta-data/", "http://[fd00::1]/"} {
		res := mustFetch(t, c, Request{URL: u, Domain: Domain{RatePerMinute: 6e6, ProxyPool: "p"}})
		wantOutcome(t, res, OutcomeSSRF)
	}
	if n := p.hits.Load(); n != 0 {
		t.Errorf("proxy got %d requests for forbidden targets", n)
	}
}

// The operator's proxy may sit on loopback even when private networks are
// refused: the guard is lifted for exactly its address. The test proxy
// answers a public-IP target itself, so nothing leaves loopback.
func TestLoopbackProxyTrusted(t *testing.T) {
	p := newForwardProxy(t, "A", "none")
	c := newClient(t, Options{AllowedCIDRs: []netip.Prefix{}, ProxyPools: map[string][]string{"p": {p.URL}}, DefaultProxyPool: "p"})
	res := mustFetch(t, c, Request{URL: "http://93.184.215.14/p", Domain: Domain{RatePerMinute: 6e6}})
	wantOutcome(t, res, OutcomeOK)
	if string(res.Body) != "answered by proxy A" {
		t.Errorf("body %q", res.Body)
	}
	// The same client still refuses loopback targets.
	wantOutcome(t, mustFetch(t, c, Request{URL: p.URL + "/", Domain: fast}), OutcomeSSRF)
}
