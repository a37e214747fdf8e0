// Package api serves shelfwatch's JSON API under /api/v1: one route table,
// one small file per resource. Errors are RFC 9457 problem documents.
package api

import (
	"log/slog"
	"net/http"

	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/catalog"
	"github.com/shelfwatch/shelfwatch/internal/notify"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/problem"
	"github.com/shelfwatch/shelfwatch/internal/web/ratelimit"
)

// Handler serves the API for one workspace until accounts arrive: every
// request acts in DefaultWorkspace.
type Handler struct {
	Store            *store.Store
	Logger           *slog.Logger
	DefaultWorkspace int64
	Now              func() int64 // Unix ms; injectable for tests
	// Catalogs checks catalog URLs and enqueues catalog scans; nil checks
	// URLs strictly and leaves scans to the periodic job.
	Catalogs *catalog.Service

	// BaseURL (scheme://host[:port]) starts invite links; when empty they
	// are built from the request's Host.
	BaseURL string
	// TokenLimiter, when set, limits requests per API token.
	TokenLimiter *ratelimit.Limiter
	// SwitchWorkspace makes workspaceID the current workspace of the
	// request's session (the membership is checked before).
	SwitchWorkspace func(r *http.Request, workspaceID int64) error
	// Auth is the accounts core: sign-up and sign-in, sessions, API tokens
	// and the authentication middleware that Routes runs first.
	Auth *auth.Service
	// ProxyPools names the configured proxy pools a domain may be assigned.
	ProxyPools []string
	// Notify checks and seals channels, test-sends and retries
	// notifications; nil answers those routes 503.
	Notify *notify.Service
	// FetchPage fetches a page for the admin's selector test (admin_ui.go);
	// nil answers that route 503.
	FetchPage PageFetchFunc
	// Proxies are the configured proxy pools, credentials removed.
	Proxies []ProxyPool
}

// Routes returns the API's route table, mounted at /api/v1/: the
// authentication middleware (which puts the caller's Identity in the
// context), then each route behind its authorization. Without Auth (tests
// that inject an Identity themselves) only the table is served.
func (h *Handler) Routes() http.Handler {
	if h.Auth == nil {
		return h.secured()
	}
	return h.Auth.Middleware(h.secured())
}

// workspace is the workspace a request acts in: its identity's.
func (h *Handler) workspace(r *http.Request) int64 {
	if id, ok := auth.FromContext(r.Context()); ok {
		return id.WorkspaceID
	}
	return h.DefaultWorkspace
}

func (h *Handler) internal(w http.ResponseWriter, r *http.Request, what string, err error) {
	h.Logger.ErrorContext(r.Context(), what, "err", err, "method", r.Method, "path", r.URL.Path)
	problem.Internal(w)
}

// problemFallback turns the ServeMux's own plain-text 404 and 405 into
// problem documents, so every API error has the same shape. (A catch-all
// route would do for 404 but would also swallow 405s.)
func problemFallback(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&fallbackWriter{ResponseWriter: w}, r)
	})
}

type fallbackWriter struct {
	http.ResponseWriter
	swallow bool
}

func (f *fallbackWriter) WriteHeader(status int) {
	if (status == http.StatusMethodNotAllowed || status == http.StatusNotFound) &&
		f.Header().Get("Content-Type") == "text/plain; charset=utf-8" {
		f.swallow = true
		detail := "No such API route."
		if status == http.StatusMethodNotAllowed {
			detail = "This route does not accept that method; see the Allow header."
		}
		problem.Status(f.ResponseWriter, status, detail)
		return
	}
	f.ResponseWriter.WriteHeader(status)
}

func (f *fallbackWriter) Write(b []byte) (int, error) {
	if f.swallow {
		return len(b), nil
	}
	return f.ResponseWriter.Write(b)
}
