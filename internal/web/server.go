// Package web is shelfwatch's HTTP surface: health and metrics endpoints, the
// JSON API, and the web pages, behind shared middleware.
package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/shelfwatch/shelfwatch/internal/web/api"
	"github.com/shelfwatch/shelfwatch/internal/web/problem"
	"github.com/shelfwatch/shelfwatch/internal/web/ratelimit"
	"github.com/shelfwatch/shelfwatch/internal/web/sse"
)

// Deps are what the HTTP surface needs, passed in by serve.
type Deps struct {
	Logger *slog.Logger
	API    *api.Handler
	// UI serves the web pages at "/" (nil: a plain-text pointer to the API).
	UI       http.Handler
	Registry *prometheus.Registry
	// Ready reports whether the database and the job queue answer.
	Ready func(ctx context.Context) error
	// Live is the hub of live updates behind GET /events (nil in a
	// worker-only process).
	Live *sse.Hub

	// TLS is set when this process serves HTTPS itself (HSTS is sent).
	TLS bool
	// TrustedProxies may set X-Forwarded-For; nobody else's is read.
	TrustedProxies []netip.Prefix
	// TrustedOrigins are extra origins (scheme://host[:port]) allowed to
	// send state-changing browser requests, e.g. the public base URL when
	// a proxy does not pass the Host header on.
	TrustedOrigins []string
	// MaxBodyBytes caps every request body (0: 1 MiB).
	MaxBodyBytes int64
	// APILimiter limits API requests per client IP, SignInLimiter the
	// public account routes (sign-in, sign-up, password reset); nil: none.
	APILimiter    *ratelimit.Limiter
	SignInLimiter *ratelimit.Limiter
}

const defaultMaxBody = 1 << 20

// Handler builds the route table.
func Handler(d Deps) http.Handler {
	m := newHTTPMetrics(d.Registry)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeStatus(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := d.Ready(ctx); err != nil {
			d.Logger.WarnContext(ctx, "not ready", "err", err)
			writeStatus(w, http.StatusServiceUnavailable, "unavailable")
			return
		}
		writeStatus(w, http.StatusOK, "ok")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(d.Registry, promhttp.HandlerOpts{Registry: d.Registry}))
	mux.Handle("/api/v1/", d.API.Routes())
	if d.UI != nil {
		mux.Handle("/", d.UI)
	} else {
		mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = w.Write([]byte("shelfwatch is running. The JSON API is at /api/v1/watches; see the README.\n"))
		})
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			problem.Status(w, http.StatusNotFound, "Nothing here.")
		})
	}
	var h http.Handler = mux
	h, err := crossOrigin(d.TrustedOrigins, h)
	if err != nil { // config.Load validated them; keep serving, refusing cross-site writes
		d.Logger.Error("trusted origins ignored", "err", err)
		h, _ = crossOrigin(nil, mux)
	}
	h = rateLimit(d.APILimiter, d.SignInLimiter, h)
	maxBody := d.MaxBodyBytes
	if maxBody <= 0 {
		maxBody = defaultMaxBody
	}
	h = limitBodies(maxBody, h)
	h = m.instrument(apiPatterns(d.API.RoutePatterns()), accessLog(d.Logger, h))
	h = securityHeaders(d.TLS, h)
	// realIP runs first, so logs, limits and the accounts core all see the
	// client's address.
	return recoverer(d.Logger, realIP(d.TrustedProxies, h))
}

func writeStatus(w http.ResponseWriter, code int, status string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"status": status})
}

// statusWriter remembers the status code for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func accessLog(l *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if r.URL.Path == "/healthz" || r.URL.Path == "/metrics" {
			return
		}
		l.LogAttrs(r.Context(), slog.LevelInfo, "http",
			slog.String("method", r.Method), slog.String("path", logPath(r)),
			slog.Int("status", sw.status), slog.Duration("dur", time.Since(start)))
	})
}

// recoverer turns a handler panic into a logged 500 instead of a dropped
// connection.
func recoverer(l *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				l.ErrorContext(r.Context(), "panic in handler", "panic", v, "path", logPath(r))
				problem.Internal(w)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg *prometheus.Registry) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "shelfwatch_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "shelfwatch_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// apiPatterns is a mux of the API's route patterns, used only to look up
// which pattern a request matches.
func apiPatterns(patterns []string) *http.ServeMux {
	mux := http.NewServeMux()
	for _, p := range patterns {
		mux.Handle(p, http.NotFoundHandler())
	}
	return mux
}

// instrument labels by the matched route pattern, not the raw path, so ids in
// URLs cannot blow up the number of series.
func (m *httpMetrics) instrument(api *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		// ServeMux records the matched pattern on the request. The API's own
		// mux sees a copy (the session middleware clones the request), so its
		// pattern is looked up again here.
		route := r.Pattern
		if route == "/api/v1/" {
			if _, p := api.Handler(r); p != "" {
				route = p
			}
		}
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		m.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}
