package ui

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"math"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/price"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

//go:embed templates
var templateFS embed.FS

// page is what every full page template receives: the layout's fields and
// the page's own Data.
type page struct {
	Title string
	Nav   string // the nav entry to mark current
	Me    *auth.Identity
	// Workspaces the signed-in user belongs to, for the switcher.
	Workspaces []store.WorkspaceRole
	Live       bool // subscribe to /events
	Data       any
}

// parseTemplates builds one template set per page: the layout, every
// partial, and the page file (which defines "title"-less "content").
func (h *Handler) parseTemplates() (map[string]*template.Template, error) {
	shared := []string{"templates/layout.html"}
	partials, err := fs.Glob(templateFS, "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	shared = append(shared, partials...)
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := make(map[string]*template.Template, len(pages))
	for _, p := range pages {
		name := path.Base(p)
		if name == "layout.html" {
			continue
		}
		t, err := template.New(name).Funcs(h.funcs()).ParseFS(templateFS, append(append([]string{}, shared...), p)...)
		if err != nil {
			return nil, fmt.Errorf("ui: template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

func (h *Handler) funcs() template.FuncMap {
	m := h.baseFuncs()
	// Each page group may add helpers of its own.
	for _, extra := range []template.FuncMap{h.productFuncs(), h.alertFuncs(), h.settingsFuncs(), h.adminFuncs()} {
		maps.Copy(m, extra)
	}
	return m
}

func (h *Handler) baseFuncs() template.FuncMap {
	return template.FuncMap{
		"asset": h.assets.url,
		"money": money,
		"ago":   func(ms any) string { return ago(h.now(), ms) },
		"when":  when,
		"date": func(ms int64) string {
			return time.UnixMilli(ms).UTC().Format("2 Jan 2006")
		},
		"json": func(v any) (string, error) {
			b, err := json.Marshal(v)
			return string(b), err
		},
		"pct": func(f float64) string {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return ""
			}
			return strconv.FormatFloat(f, 'f', 1, 64) + " %"
		},
		"signedPct": func(f float64) string {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return ""
			}
			// A change under 0.1 % keeps two decimals: "-0.03 %", not "-0.0 %".
			prec := 1
			if math.Abs(f) < 0.1 {
				prec = 2
			}
			s := strconv.FormatFloat(f, 'f', prec, 64)
			if f > 0 {
				s = "+" + s
			}
			return s + " %"
		},
		"deref": func(p *int64) int64 {
			if p == nil {
				return 0
			}
			return *p
		},
		"availability": availabilityLabel,
		"statusLabel":  statusLabel,
		"join":         strings.Join,
		"add":          func(a, b int) int { return a + b },
		"roleAtLeast": func(id *auth.Identity, role string) bool {
			return id != nil && id.Role.AtLeast(auth.Role(role)) && id.Scope == auth.ScopeReadWrite
		},
		"rowData": func(r dashRow, canWrite bool) rowView { return rowView{r, canWrite} },
		"query":   func(base string, kv ...string) string { return withQuery(base, kv...) },
	}
}

// render writes a full page. Data is rendered into a buffer first so a
// template error answers 500 instead of half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	if id, ok := auth.FromContext(r.Context()); ok && p.Me == nil {
		p.Me = &id
	}
	if p.Me != nil && p.Workspaces == nil && p.Me.UserID != 0 {
		ws, err := h.Store.ListUserWorkspaces(r.Context(), p.Me.UserID)
		if err != nil {
			h.serverError(w, r, "list workspaces", err)
			return
		}
		p.Workspaces = ws
	}
	h.execute(w, r, status, name, "layout", p)
}

// fragment writes one named template of a page's set (an htmx swap).
func (h *Handler) fragment(w http.ResponseWriter, r *http.Request, name, block string, data any) {
	h.execute(w, r, http.StatusOK, name, block, data)
}

func (h *Handler) execute(w http.ResponseWriter, r *http.Request, status int, name, block string, data any) {
	t, ok := h.templates[name]
	if !ok {
		h.serverError(w, r, "render", fmt.Errorf("ui: no template %q", name))
		return
	}
	buf := h.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer h.bufs.Put(buf)
	if err := t.ExecuteTemplate(buf, block, data); err != nil {
		h.serverError(w, r, "render "+name, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// serverError logs err and shows a page that says nothing about it.
func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, what string, err error) {
	h.Logger.ErrorContext(r.Context(), what, "err", err, "path", r.URL.Path)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte(`<!doctype html><meta charset="utf-8"><title>Error · shelfwatch</title>` +
		`<h1>Something went wrong</h1><p>The error was logged. Try again, or go back to <a href="/">the dashboard</a>.</p>`))
}

// notFound answers every id that is not the caller's: other workspaces'
// rows look exactly like rows that do not exist.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusNotFound, "error.html", page{Title: "Not found",
		Data: errorPage{Heading: "Not found", Message: "There is nothing here, or it is not in this workspace."}})
}

func (h *Handler) forbidden(w http.ResponseWriter, r *http.Request, msg string) {
	h.render(w, r, http.StatusForbidden, "error.html", page{Title: "Not allowed",
		Data: errorPage{Heading: "Not allowed", Message: msg}})
}

type errorPage struct{ Heading, Message string }

// money formats an amount for people: "€1,299.00"; "—" without a price.
func money(minor any, currency string) string {
	var v int64
	switch m := minor.(type) {
	case *int64:
		if m == nil {
			return "—"
		}
		v = *m
	case int64:
		v = m
	case int:
		v = int64(m)
	default:
		return "—"
	}
	return formatMoney(v, currency)
}

// formatMoney is price.Display: pages print prices as alerts do.
func formatMoney(minor int64, currency string) string { return price.Display(minor, currency) }

// ago is "3 min ago" for a Unix-ms time (int64 or *int64), "never" for nil.
func ago(now time.Time, ms any) string {
	var v int64
	switch m := ms.(type) {
	case *int64:
		if m == nil {
			return "never"
		}
		v = *m
	case int64:
		v = m
	default:
		return "never"
	}
	d := now.Sub(time.UnixMilli(v))
	switch {
	case d < 0:
		return "in " + human(-d)
	case d < 10*time.Second:
		return "just now"
	default:
		return human(d) + " ago"
	}
}

func human(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + " s"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + " min"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d.Hours())) + " h"
	default:
		return strconv.Itoa(int(d.Hours()/24)) + " days"
	}
}

// when is an absolute UTC time for title attributes and tables.
func when(ms any) string {
	switch m := ms.(type) {
	case *int64:
		if m == nil {
			return ""
		}
		return time.UnixMilli(*m).UTC().Format("2006-01-02 15:04 UTC")
	case int64:
		return time.UnixMilli(m).UTC().Format("2006-01-02 15:04 UTC")
	}
	return ""
}

func availabilityLabel(a string) string {
	switch a {
	case "in_stock":
		return "In stock"
	case "out_of_stock":
		return "Out of stock"
	case "preorder":
		return "Pre-order"
	case "backorder":
		return "Backorder"
	case "limited":
		return "Limited"
	case "", "unknown":
		return "Unknown"
	}
	return strings.ReplaceAll(a, "_", " ")
}

func statusLabel(s string) string {
	switch s {
	case store.StatusActive:
		return "OK"
	case store.StatusFailing:
		return "Failing"
	case store.StatusNeedsReview:
		return "Needs review"
	case store.StatusPaused:
		return "Paused"
	case "blocked":
		return "Blocked"
	}
	return s
}

// withQuery returns base with the query keys set (empty values removed).
func withQuery(base string, kv ...string) string {
	u, q := base, ""
	if i := strings.IndexByte(base, '?'); i >= 0 {
		u, q = base[:i], base[i+1:]
	}
	vals := parseQuery(q)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			vals.Del(kv[i])
		} else {
			vals.Set(kv[i], kv[i+1])
		}
	}
	if e := vals.Encode(); e != "" {
		return u + "?" + e
	}
	return u
}
