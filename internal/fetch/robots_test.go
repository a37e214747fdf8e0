package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"runtime"
	"testing"
	"time"
)

func robotsServer(t *testing.T, status int, robots string) *server {
	return newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			w.WriteHeader(status)
			_, _ = w.Write([]byte(robots))
			return
		}
		_, _ = w.Write([]byte("<p>page</p>"))
	})
}

func TestRobotsAllowDisallow(t *testing.T) {
	s := robotsServer(t, http.StatusOK, `
User-agent: *
Disallow: /

User-agent: shelfwatch
Disallow: /cart
Disallow: /*?sessionid=
Allow: /cart/public
Crawl-delay: 7
`)
	c := newClient(t, Options{})
	// One allowed page only: a second would wait out the 7 s Crawl-delay
	// (pacing_test.go measures that on a fake clock).
	for path, want := range map[string]Outcome{
		"/product/1":     OutcomeOK,
		"/cart":          OutcomeDisallowed,
		"/cart/x":        OutcomeDisallowed,
		"/p?sessionid=1": OutcomeDisallowed,
	} {
		res := mustFetch(t, c, Request{URL: s.URL + path})
		if res.Outcome != want {
			t.Errorf("%s: outcome %s, want %s", path, res.Outcome, want)
		}
		if want == OutcomeDisallowed && (res.RobotsVerdict != RobotsDisallowed || res.Attempts != 0 || res.Outcome.Failure()) {
			t.Errorf("%s: verdict %s, attempts %d", path, res.RobotsVerdict, res.Attempts)
		}
	}
	for path, want := range map[string]RobotsVerdict{"/cart/public/item": RobotsAllowed, "/cartoon": RobotsDisallowed, "/": RobotsAllowed} {
		u, _ := url.Parse(s.URL + path)
		if v, _, _ := c.robots.allowed(context.Background(), c.robotsHTTP, u); v != want {
			t.Errorf("%s: verdict %s, want %s", path, v, want)
		}
	}
	if n := s.robotHits.Load(); n != 1 {
		t.Errorf("robots.txt fetched %d times, want once (cached)", n)
	}
	if n := s.hits.Load(); n != 2 {
		t.Errorf("server saw %d requests, want robots.txt and the allowed page", n)
	}
	u, _ := url.Parse(s.URL + "/product/1")
	if _, delay, _ := c.robots.allowed(context.Background(), c.robotsHTTP, u); delay != 7*time.Second {
		t.Errorf("Crawl-delay = %v, want 7s", delay)
	}
}

func TestRobots4xxAllowsAll(t *testing.T) {
	for _, status := range []int{http.StatusNotFound, http.StatusForbidden, http.StatusGone} {
		s := robotsServer(t, status, "User-agent: *\nDisallow: /\n")
		res := mustFetch(t, newClient(t, Options{}), Request{URL: s.URL + "/p"})
		wantOutcome(t, res, OutcomeOK)
		if res.RobotsVerdict != RobotsNone {
			t.Errorf("%d: verdict %s, want %s", status, res.RobotsVerdict, RobotsNone)
		}
	}
}

// 5xx (and 429) mean "complete disallow" for RobotsErrorTTL, then a retry.
func TestRobots5xxDisallowsForAWhile(t *testing.T) {
	for _, status := range []int{http.StatusInternalServerError, http.StatusServiceUnavailable, http.StatusTooManyRequests} {
		s := robotsServer(t, status, "")
		c := newClient(t, Options{RobotsErrorTTL: 10 * time.Minute})
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		c.now = func() time.Time { return now }
		res := mustFetch(t, c, Request{URL: s.URL + "/p"})
		wantOutcome(t, res, OutcomeDisallowed)
		if res.RobotsVerdict != RobotsUnreachable {
			t.Errorf("verdict %s, want %s", res.RobotsVerdict, RobotsUnreachable)
		}
		now = now.Add(9 * time.Minute)
		wantOutcome(t, mustFetch(t, c, Request{URL: s.URL + "/p"}), OutcomeDisallowed)
		if n := s.robotHits.Load(); n != 1 {
			t.Errorf("robots.txt fetched %d times within the error TTL, want 1", n)
		}
		now = now.Add(2 * time.Minute)
		_ = mustFetch(t, c, Request{URL: s.URL + "/p"})
		if n := s.robotHits.Load(); n != 2 {
			t.Errorf("robots.txt fetched %d times after the error TTL, want 2", n)
		}
		if n := s.hits.Load() - s.robotHits.Load(); n != 0 {
			t.Errorf("%d page requests despite a %d robots.txt", n, status)
		}
	}
}

func TestRobotsUnreachableDisallows(t *testing.T) {
	s := robotsServer(t, http.StatusOK, "")
	u := s.URL
	s.Close() // connection refused
	res := mustFetch(t, newClient(t, Options{}), Request{URL: u + "/p"})
	wantOutcome(t, res, OutcomeDisallowed)
	if res.RobotsVerdict != RobotsUnreachable {
		t.Errorf("verdict %s", res.RobotsVerdict)
	}
}

func TestRobotsTTL(t *testing.T) {
	s := robotsServer(t, http.StatusOK, "User-agent: *\nDisallow: /private\n")
	c := newClient(t, Options{RobotsTTL: time.Hour})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	_ = mustFetch(t, c, Request{URL: s.URL + "/p"})
	now = now.Add(59 * time.Minute)
	_ = mustFetch(t, c, Request{URL: s.URL + "/p"})
	now = now.Add(2 * time.Minute)
	_ = mustFetch(t, c, Request{URL: s.URL + "/p"})
	if n := s.robotHits.Load(); n != 2 {
		t.Errorf("robots.txt fetched %d times, want 2 (once per TTL)", n)
	}
}

// A redirect to another host is checked against that host's robots.txt.
func TestRobotsOnCrossHostRedirect(t *testing.T) {
	other := robotsServer(t, http.StatusOK, "User-agent: *\nDisallow: /\n")
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, other.URL+"/p", http.StatusFound)
	})
	// Same IP, different port: a different robots.txt host.
	res := mustFetch(t, newClient(t, Options{}), Request{URL: s.URL + "/go"})
	wantOutcome(t, res, OutcomeDisallowed)
	if n := other.hits.Load() - other.robotHits.Load(); n != 0 {
		t.Errorf("disallowed host got %d page requests", n)
	}
}

// Concurrent fetches for one host share one robots.txt request, and a
// fetch whose ctx ends while robots.txt is loading is an error, not a
// "disallowed" verdict.
func TestRobotsSharedAndCancelled(t *testing.T) {
	release := make(chan struct{})
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			<-release
			_, _ = w.Write([]byte("User-agent: *\nAllow: /\n"))
			return
		}
		_, _ = w.Write([]byte("<p>ok</p>"))
	})
	c := newClient(t, Options{})

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := c.Fetch(ctx, Request{URL: s.URL + "/early", Domain: fast})
		errc <- err
	}()
	for s.robotHits.Load() == 0 {
		runtime.Gosched()
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled fetch: err = %v, want context.Canceled", err)
	}

	results := make(chan *Result, 5)
	for range 5 {
		go func() {
			res, _ := c.Fetch(context.Background(), Request{URL: s.URL + "/p", Domain: fast})
			results <- res
		}()
	}
	close(release)
	for range 5 {
		if res := <-results; res == nil || res.Outcome != OutcomeOK {
			t.Errorf("result %+v", res)
		}
	}
	// One request from the cancelled load, one shared by the five.
	if n := s.robotHits.Load(); n != 2 {
		t.Errorf("robots.txt fetched %d times, want 2", n)
	}
}
