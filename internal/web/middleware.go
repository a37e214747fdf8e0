package web

import (
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"strings"

	"github.com/shelfwatch/shelfwatch/internal/web/problem"
	"github.com/shelfwatch/shelfwatch/internal/web/ratelimit"
)

// contentSecurityPolicy allows the page's own scripts, styles and images
// only: no inline script, no plugins, no framing (clickjacking), no <base>
// rewriting and no form posting elsewhere.
const contentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'"

// securityHeaders sets the headers every response carries. HSTS only when
// this process serves TLS itself: sent over plain HTTP it is ignored, and
// behind a TLS-terminating proxy the proxy should set it.
func securityHeaders(tls bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		// Invite and reset links carry tokens in their path: never pass a
		// URL on, not even to ourselves.
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if tls {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// crossOrigin refuses state-changing browser requests from other sites
// (CSRF) with http.CrossOriginProtection: Sec-Fetch-Site, or Origin against
// Host. A request with an Authorization header skips the check: the
// authentication middleware then uses the token alone, never the cookie,
// and a foreign page cannot attach a token it does not know. trusted lists
// extra origins (the public base URL behind a proxy that rewrites Host).
func crossOrigin(trusted []string, next http.Handler) (http.Handler, error) {
	cop := http.NewCrossOriginProtection()
	for _, o := range trusted {
		if err := cop.AddTrustedOrigin(o); err != nil {
			return nil, err
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		problem.Status(w, http.StatusForbidden, "Cross-site request refused: send it from this site's own pages, or use an API token.")
	}))
	checked := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			next.ServeHTTP(w, r)
			return
		}
		checked.ServeHTTP(w, r)
	}), nil
}

// limitBodies caps every request body; handlers that read JSON cap lower.
func limitBodies(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			problem.Status(w, http.StatusRequestEntityTooLarge, "The request body is too large.")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		next.ServeHTTP(w, r)
	})
}

// rateLimit applies per-client-IP limits: signIn to the public account
// routes (sign-in, sign-up, password reset), api to the rest of the API.
// Either may be nil. Per-token limits are applied by the API once the token
// is known.
func rateLimit(api, signIn *ratelimit.Limiter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := api
		// Signing out is harmless and must always work: it is not limited
		// with the routes that guess credentials.
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/api/v1/auth/") && r.URL.Path != "/api/v1/auth/signout" {
			l = signIn
		} else if !strings.HasPrefix(r.URL.Path, "/api/") {
			l = nil
		}
		if l != nil {
			if ok, wait := l.Allow(clientKey(r.RemoteAddr)); !ok {
				ratelimit.Refuse(w, wait)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// clientKey groups IPv6 clients by /64, the block one subscriber usually
// holds, so rotating addresses inside it does not escape the limit.
func clientKey(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// realIP replaces RemoteAddr with the client address from X-Forwarded-For,
// but only when the connection comes from a trusted proxy: anyone else
// could write any address there. The header is read right to left, skipping
// trusted proxies, and the first other address is the client (entries to
// its left were written by the client itself). With no trusted proxies the
// header is never read.
func realIP(trusted []netip.Prefix, next http.Handler) http.Handler {
	if len(trusted) == 0 {
		return next
	}
	isTrusted := func(a netip.Addr) bool {
		a = a.Unmap()
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		peer, err := netip.ParseAddrPort(r.RemoteAddr)
		if err != nil || !isTrusted(peer.Addr()) {
			next.ServeHTTP(w, r)
			return
		}
		var hops []string
		for _, v := range r.Header.Values("X-Forwarded-For") {
			hops = append(hops, strings.Split(v, ",")...)
		}
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break // a garbled hop: trust nothing further left
			}
			if !isTrusted(a) || i == 0 {
				r2 := r.Clone(r.Context())
				r2.RemoteAddr = netip.AddrPortFrom(a.Unmap(), 0).String()
				next.ServeHTTP(w, r2)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// secretInPath matches paths that carry a secret (an invite token); the
// access log writes them with the secret replaced. (Matched on the path, not
// on r.Pattern: inner handlers that clone the request set their pattern on
// the clone, out of the log's sight.)
var secretInPath = regexp.MustCompile(`^(/api/v1/invites/|/invite/)[^/]+`)

// logPath is the request path with any secret in it redacted.
func logPath(r *http.Request) string {
	p := r.URL.Path
	if m := secretInPath.FindStringSubmatchIndex(p); m != nil && !isDigits(p[m[3]:m[1]]) {
		return p[:m[3]] + "…" + p[m[1]:]
	}
	return p
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
