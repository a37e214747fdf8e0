package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/api"
	"github.com/shelfwatch/shelfwatch/internal/web/ratelimit"
)

// newServer builds the whole HTTP surface over a fresh SQLite database.
func newServer(t *testing.T, d Deps) (http.Handler, *bytes.Buffer) {
	t.Helper()
	st := store.New(dbtest.Open(t, db.SQLite))
	ws, err := st.EnsureWorkspace(context.Background(), "default", "Default")
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	d.Logger = log
	d.Registry = prometheus.NewRegistry()
	d.Ready = func(context.Context) error { return nil }
	d.API = &api.Handler{Store: st, Logger: log, DefaultWorkspace: ws.ID, Now: func() int64 { return time.Now().UnixMilli() }}
	return Handler(d), &logs
}

func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	for _, tls := range []bool{false, true} {
		h, _ := newServer(t, Deps{TLS: tls})
		for _, path := range []string{"/healthz", "/", "/nothing", "/api/v1/watches"} {
			rec := serve(h, httptest.NewRequest("GET", path, nil))
			hd := rec.Header()
			if got := hd.Get("Content-Security-Policy"); got != "default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'" {
				t.Errorf("%s: CSP %q", path, got)
			}
			if hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("Referrer-Policy") != "no-referrer" || hd.Get("X-Frame-Options") != "DENY" {
				t.Errorf("%s: headers %v", path, hd)
			}
			if hsts := hd.Get("Strict-Transport-Security"); (hsts != "") != tls {
				t.Errorf("%s with TLS=%v: HSTS %q", path, tls, hsts)
			}
		}
	}
}

// TestCrossSiteWriteRefused: a browser POST from another site is refused
// before any handler runs; the same POST from our own pages, or from an API
// client with a token, goes through.
func TestCrossSiteWriteRefused(t *testing.T) {
	t.Parallel()
	h, _ := newServer(t, Deps{})
	post := func(hdr map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "http://shelf.example/api/v1/watches", strings.NewReader(`{"url":"https://shop.example/p/1"}`))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		return serve(h, req)
	}
	for name, hdr := range map[string]map[string]string{
		"Sec-Fetch-Site cross-site":  {"Sec-Fetch-Site": "cross-site", "Cookie": "shelfwatch_session=x"},
		"Sec-Fetch-Site same-site":   {"Sec-Fetch-Site": "same-site"},
		"foreign Origin":             {"Origin": "https://evil.example"},
		"foreign Origin, same host?": {"Origin": "http://shelf.example.evil.example"},
	} {
		rec := post(hdr)
		if rec.Code != http.StatusForbidden || rec.Header().Get("Content-Type") != "application/problem+json" ||
			!strings.Contains(rec.Body.String(), "Cross-site") {
			t.Errorf("%s: %d %s, want 403 problem", name, rec.Code, rec.Body)
		}
	}
	for name, hdr := range map[string]map[string]string{
		"Sec-Fetch-Site same-origin": {"Sec-Fetch-Site": "same-origin"},
		"own Origin":                 {"Origin": "http://shelf.example"},
		"no browser headers (curl)":  {},
		"Bearer token, foreign page": {"Authorization": "Bearer sw_x", "Origin": "https://tool.example", "Sec-Fetch-Site": "cross-site"},
	} {
		if rec := post(hdr); rec.Code == http.StatusForbidden {
			t.Errorf("%s: refused: %s", name, rec.Body)
		}
	}
	// Safe methods are never refused (and never change anything).
	req := httptest.NewRequest("GET", "http://shelf.example/api/v1/watches", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if rec := serve(h, req); rec.Code == http.StatusForbidden {
		t.Errorf("cross-site GET refused: %s", rec.Body)
	}
}

func TestTrustedOrigin(t *testing.T) {
	t.Parallel()
	h, _ := newServer(t, Deps{TrustedOrigins: []string{"https://watch.example"}})
	req := httptest.NewRequest("POST", "http://10.0.0.5:8080/api/v1/watches", strings.NewReader(`{}`))
	req.Header.Set("Origin", "https://watch.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site") // the proxy rewrote Host
	if rec := serve(h, req); rec.Code == http.StatusForbidden {
		t.Errorf("trusted origin refused: %s", rec.Body)
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	h, _ := newServer(t, Deps{MaxBodyBytes: 1000})
	req := httptest.NewRequest("POST", "/api/v1/watches", strings.NewReader(strings.Repeat("x", 2000)))
	if rec := serve(h, req); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("declared oversize body: %d", rec.Code)
	}
	// A body without a declared length is cut off while being read.
	var readErr error
	lim := limitBodies(1000, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, readErr = io.ReadAll(r.Body)
	}))
	req = httptest.NewRequest("POST", "/", io.MultiReader(strings.NewReader(strings.Repeat("x", 2000))))
	req.ContentLength = -1
	serve(lim, req)
	var maxErr *http.MaxBytesError
	if !errors.As(readErr, &maxErr) {
		t.Errorf("streamed oversize body: read error %v", readErr)
	}
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	clock := time.Unix(1_700_000_000, 0)
	now := func() time.Time { return clock }
	h, _ := newServer(t, Deps{
		APILimiter:    ratelimit.New(60, 3, 0, now),
		SignInLimiter: ratelimit.New(6, 1, 0, now),
	})
	get := func(path, ip string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.RemoteAddr = ip + ":5555"
		return serve(h, req)
	}
	for i := range 3 {
		if rec := get("/api/v1/watches", "192.0.2.1"); rec.Code == http.StatusTooManyRequests {
			t.Fatalf("request %d limited", i+1)
		}
	}
	rec := get("/api/v1/watches", "192.0.2.1")
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "1" ||
		rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("4th request: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	if rec := get("/api/v1/watches", "192.0.2.2"); rec.Code == http.StatusTooManyRequests {
		t.Errorf("another client limited")
	}
	if rec := get("/healthz", "192.0.2.1"); rec.Code != 200 {
		t.Errorf("health checks are not rate limited: %d", rec.Code)
	}
	// Sign-in has its own, stricter bucket.
	signIn := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/api/v1/auth/signin", strings.NewReader(`{}`))
		req.RemoteAddr = "192.0.2.9:5555"
		return serve(h, req)
	}
	if rec := signIn(); rec.Code == http.StatusTooManyRequests {
		t.Fatal("first sign-in limited")
	}
	if rec := signIn(); rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "10" {
		t.Errorf("second sign-in within 10 s: %d %v", rec.Code, rec.Header())
	}
}

func TestRealIP(t *testing.T) {
	t.Parallel()
	var got string
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.RemoteAddr })
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	cases := []struct {
		name    string
		trusted []netip.Prefix
		peer    string
		xff     []string
		want    string
	}{
		{"no trusted proxies: header ignored", nil, "10.0.0.1:1234", []string{"203.0.113.9"}, "10.0.0.1:1234"},
		{"untrusted peer: header ignored", trusted, "198.51.100.1:1234", []string{"203.0.113.9"}, "198.51.100.1:1234"},
		{"trusted peer", trusted, "10.0.0.1:1234", []string{"203.0.113.9"}, "203.0.113.9:0"},
		{"chain of proxies", trusted, "10.0.0.1:1234", []string{"203.0.113.9, 10.0.0.2"}, "203.0.113.9:0"},
		{"client-written entries on the left are not believed", trusted, "10.0.0.1:1234", []string{"1.2.3.4, 203.0.113.9"}, "203.0.113.9:0"},
		{"several header lines", trusted, "10.0.0.1:1234", []string{"1.2.3.4", "203.0.113.9, 10.0.0.3"}, "203.0.113.9:0"},
		{"IPv6 proxy", trusted, "[::1]:1234", []string{"2001:db8::1"}, "[2001:db8::1]:0"},
		{"garbage hop", trusted, "10.0.0.1:1234", []string{"203.0.113.9, nonsense"}, "10.0.0.1:1234"},
		{"no header", trusted, "10.0.0.1:1234", nil, "10.0.0.1:1234"},
	}
	for _, c := range cases {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = c.peer
		for _, v := range c.xff {
			req.Header.Add("X-Forwarded-For", v)
		}
		realIP(c.trusted, echo).ServeHTTP(httptest.NewRecorder(), req)
		if got != c.want {
			t.Errorf("%s: RemoteAddr %q, want %q", c.name, got, c.want)
		}
	}
}

// TestNoSecretInLogs: an invite token in a path never reaches the log.
func TestNoSecretInLogs(t *testing.T) {
	t.Parallel()
	h, logs := newServer(t, Deps{})
	const secret = "Zm9vYmFyYmF6cXV4c2VjcmV0dG9rZW4"
	for _, path := range []string{"/api/v1/invites/" + secret + "/accept", "/invite/" + secret} {
		serve(h, httptest.NewRequest("POST", path, nil))
	}
	if strings.Contains(logs.String(), secret) {
		t.Errorf("a token reached the log:\n%s", logs)
	}
	if !strings.Contains(logs.String(), "/api/v1/invites/…/accept") {
		t.Errorf("redacted path not logged:\n%s", logs)
	}
	if got := logPath(httptest.NewRequest("DELETE", "/api/v1/invites/42", nil)); got != "/api/v1/invites/42" {
		t.Errorf("an invite id is not a secret: %q", got)
	}
}

func TestClientKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"192.0.2.1:80":              "192.0.2.1",
		"[2001:db8:1:2:3::4]:80":    "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff::9]:80": "2001:db8:1:2::/64",
		"[::ffff:192.0.2.1]:80":     "192.0.2.1",
	} {
		if got := clientKey(in); got != want {
			t.Errorf("clientKey(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestMetricsLabelAPIRoutes: API requests are counted under their route
// pattern, not the raw path and not the /api/v1/ mount.
func TestMetricsLabelAPIRoutes(t *testing.T) {
	t.Parallel()
	h, _ := newServer(t, Deps{})
	serve(h, httptest.NewRequest("GET", "/api/v1/watches/12345", nil))
	body := serve(h, httptest.NewRequest("GET", "/metrics", nil)).Body.String()
	if !strings.Contains(body, `route="GET /api/v1/watches/{id}"`) || strings.Contains(body, "12345") {
		t.Errorf("metrics do not label by route:\n%s", grepLines(body, "shelfwatch_http_requests_total"))
	}
}

func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
