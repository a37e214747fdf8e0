// Package ui serves shelfwatch's web pages: server-rendered html/template,
// with htmx for partial updates, uPlot for charts and server-sent events for
// live updates, all embedded in the binary.
//
// Pages only read. Every change a page makes goes through the JSON API
// (/api/v1) from the browser with the session cookie, so validation,
// authorization and tenancy live in one place; app.js turns forms marked
// data-api into those requests and shows the API's field errors.
package ui

import (
	"bytes"
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// Handler serves the pages. Build it with New.
type Handler struct {
	Store  *store.Store
	Auth   *auth.Service
	Logger *slog.Logger
	// Live streams server-sent events to a signed-in browser (GET /events);
	// nil answers 404 and pages poll nothing.
	Live http.Handler
	// Preview fetches and extracts a URL for the add-product page; nil
	// disables the live preview.
	Preview PreviewFunc
	// Images fetches product images for GET /watches/{id}/image under the
	// SSRF guard (fetch.NewOutboundClient); nil: no images.
	Images ImageFetcher
	// UserAgent is sent with image requests.
	UserAgent string
	// Now is injectable for tests.
	Now func() time.Time

	assets    *assets
	images    *imageCache
	templates map[string]*template.Template
	bufs      sync.Pool
}

// PreviewFunc fetches rawURL politely (robots, SSRF guard) and returns what
// the extractor saw.
type PreviewFunc func(ctx context.Context, rawURL string) (*Preview, error)

// Preview is what the add-product page shows before saving.
type Preview struct {
	URL          string
	Title        string
	PriceMinor   *int64
	Currency     string
	Availability string
	ImageURL     string
	Strategy     string   // which extractor strategy won
	Evidence     []string // short human-readable lines
}

// New parses the templates and the embedded assets.
func New(h *Handler) (*Handler, error) {
	if h.Now == nil {
		h.Now = time.Now
	}
	a, err := newAssets()
	if err != nil {
		return nil, err
	}
	h.assets = a
	h.images = newImageCache()
	h.bufs.New = func() any { return new(bytes.Buffer) }
	t, err := h.parseTemplates()
	if err != nil {
		return nil, err
	}
	h.templates = t
	return h, nil
}

func (h *Handler) now() time.Time { return h.Now() }

// Routes is the page route table, to be mounted at "/". The session
// middleware runs first, so handlers find the signed-in Identity.
func (h *Handler) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/{version}/{file...}", h.assets.serve)
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, h.assets.url("favicon.svg"), http.StatusMovedPermanently)
	})
	if h.Live != nil {
		mux.Handle("GET /events", h.Live)
	}
	h.accountPages(mux)
	h.dashboardPages(mux)
	h.productPages(mux)
	h.alertPages(mux)
	h.settingsPages(mux)
	h.adminPages(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { h.notFound(w, r) })
	if h.Auth == nil {
		return mux
	}
	return h.Auth.Middleware(mux)
}

// signedIn runs next with the caller's identity, or sends a browser to
// the sign-in page (and back here afterwards).
func (h *Handler) signedIn(next func(w http.ResponseWriter, r *http.Request, id auth.Identity)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := auth.FromContext(r.Context())
		if !ok {
			if r.Header.Get("HX-Request") != "" {
				w.Header().Set("HX-Redirect", "/signin")
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, withQuery("/signin", "next", r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if id.WorkspaceID == 0 {
			h.render(w, r, http.StatusOK, "error.html", page{Title: "No workspace",
				Data: errorPage{Heading: "No workspace", Message: "You are not a member of any workspace. Ask a workspace admin for an invitation."}})
			return
		}
		next(w, r, id)
	}
}

// instanceAdmin is signedIn for the admin pages.
func (h *Handler) instanceAdmin(next func(w http.ResponseWriter, r *http.Request, id auth.Identity)) http.HandlerFunc {
	return h.signedIn(func(w http.ResponseWriter, r *http.Request, id auth.Identity) {
		if !id.InstanceAdmin {
			h.forbidden(w, r, "Only instance administrators can see this page.")
			return
		}
		next(w, r, id)
	})
}

// safeNext keeps a post-sign-in redirect on this site: a path, never
// "//host" or a scheme.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func parseQuery(q string) url.Values {
	v, _ := url.ParseQuery(q)
	if v == nil {
		v = url.Values{}
	}
	return v
}
