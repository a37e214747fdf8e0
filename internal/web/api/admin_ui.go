package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"

	"github.com/shelfwatch/shelfwatch/internal/extract"
	"github.com/shelfwatch/shelfwatch/internal/fetch"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/problem"
)

// PageFetchFunc fetches one product page politely (robots.txt, the
// domain's rate across processes, the SSRF guard) with the domain's fetch
// settings, for the admin's selector test.
type PageFetchFunc func(ctx context.Context, pageURL string, d fetch.Domain) (*fetch.Result, error)

// ProxyPool is a configured proxy pool as the admin sees it.
type ProxyPool struct {
	Name    string   `json:"name"`
	Proxies []string `json:"proxies"` // URLs without credentials
	Default bool     `json:"default"` // used by domains that name no pool
}

type adminUserJSON struct {
	ID         int64   `json:"id"`
	Email      string  `json:"email"`
	Name       string  `json:"name"`
	IsAdmin    bool    `json:"is_admin"`
	CreatedAt  string  `json:"created_at"`
	LastSignIn *string `json:"last_sign_in_at"`
	Workspaces int64   `json:"workspaces"`
}

// adminUsers: GET /api/v1/admin/users — every account.
func (h *Handler) adminUsers(w http.ResponseWriter, r *http.Request) {
	us, err := h.Store.ListAdminUsers(r.Context())
	if err != nil {
		h.internal(w, r, "list users", err)
		return
	}
	items := make([]adminUserJSON, 0, len(us))
	for _, u := range us {
		items = append(items, adminUserJSON{ID: u.ID, Email: u.Email, Name: u.Name, IsAdmin: u.IsAdmin,
			CreatedAt: rfc3339(u.CreatedAt), LastSignIn: optTime(u.LastSignIn), Workspaces: u.Workspaces})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

type jobCountJSON struct {
	Kind  string `json:"kind"`
	Queue string `json:"queue"`
	State string `json:"state"`
	Count int64  `json:"count"`
}

type deadJobJSON struct {
	ID          int64   `json:"id"`
	Kind        string  `json:"kind"`
	Queue       string  `json:"queue"`
	Attempt     int     `json:"attempt"`
	MaxAttempts int     `json:"max_attempts"`
	FinalizedAt *string `json:"finalized_at"`
	Error       string  `json:"error"`
}

// adminJobs: GET /api/v1/admin/jobs — background jobs by kind, queue and
// state, totals per state, and the newest dead (discarded) jobs.
func (h *Handler) adminJobs(w http.ResponseWriter, r *http.Request) {
	counts, err := h.Store.JobCounts(r.Context())
	if err != nil {
		h.internal(w, r, "count jobs", err)
		return
	}
	dead, err := h.Store.ListDeadJobs(r.Context(), 20)
	if err != nil {
		h.internal(w, r, "list dead jobs", err)
		return
	}
	totals := map[string]int64{}
	for _, s := range store.JobStates {
		totals[s] = 0
	}
	out := struct {
		Totals map[string]int64 `json:"totals"`
		Counts []jobCountJSON   `json:"counts"`
		Dead   []deadJobJSON    `json:"dead"`
	}{Totals: totals, Counts: make([]jobCountJSON, 0, len(counts)), Dead: make([]deadJobJSON, 0, len(dead))}
	for _, c := range counts {
		totals[c.State] += c.Count
		out.Counts = append(out.Counts, jobCountJSON(c))
	}
	for _, j := range dead {
		dj := deadJobJSON{ID: j.ID, Kind: j.Kind, Queue: j.Queue, Attempt: j.Attempt, MaxAttempts: j.MaxAttempts, Error: j.LastError}
		if j.FinalizedAt != 0 {
			dj.FinalizedAt = optTime(&j.FinalizedAt)
		}
		out.Dead = append(out.Dead, dj)
	}
	writeJSON(w, http.StatusOK, out)
}

// adminProxies: GET /api/v1/admin/proxies — the configured pools. Their
// health lives in each process's fetcher and is not shown here.
func (h *Handler) adminProxies(w http.ResponseWriter, r *http.Request) {
	items := h.Proxies
	if items == nil {
		items = []ProxyPool{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

type extractedJSON struct {
	Title        string  `json:"title"`
	Price        *string `json:"price"`
	Currency     string  `json:"currency"`
	Availability string  `json:"availability"`
	Image        string  `json:"image"`
	Source       string  `json:"source"` // the strategy that supplied the price
	Confidence   float64 `json:"confidence"`
}

func toExtractedJSON(o extract.Observation) extractedJSON {
	out := extractedJSON{Title: o.Title, Currency: o.Currency, Availability: string(o.Availability), Image: o.Image,
		Source: o.Source, Confidence: o.Confidence}
	if o.Price != "" {
		out.Price = &o.Price
	}
	return out
}

// selectorMatch is what one selector found on the page: the first match's
// text (or content/src attribute), nil when it matched nothing.
type selectorMatch struct {
	Selector string  `json:"selector"`
	Matches  int     `json:"matches"`
	First    *string `json:"first"`
}

// testSelectors: POST /api/v1/admin/domains/{domain}/test-selectors
// {"url": optional product page of the domain, "selectors": {…}} fetches the
// page (one of the domain's products when no url is given) and answers what
// extraction yields with these selectors, what each selector matched, and
// what it yields without them. Nothing is saved.
func (h *Handler) testSelectors(w http.ResponseWriter, r *http.Request) {
	domain := strings.ToLower(r.PathValue("domain"))
	if len(domain) > 253 || !hostnameRe.MatchString(domain) {
		problem.Invalid(w, "", problem.FieldError{Field: "domain", Detail: "must be a host name such as shop.example.com"})
		return
	}
	var req struct {
		URL       string          `json:"url"`
		Selectors json.RawMessage `json:"selectors"`
	}
	if !decode(w, r, &req) {
		return
	}
	if len(req.Selectors) == 0 {
		problem.Invalid(w, "", problem.FieldError{Field: "selectors", Detail: "is required: the CSS selectors to test"})
		return
	}
	norm, errs := parseSelectors(req.Selectors)
	if len(errs) > 0 {
		problem.Invalid(w, "Fix the fields listed in errors.", errs...)
		return
	}
	var sel selectorsJSON
	_ = json.Unmarshal([]byte(norm), &sel) // parseSelectors produced it
	pageURL := strings.TrimSpace(req.URL)
	if pageURL != "" {
		u, err := url.Parse(pageURL)
		host := ""
		if err == nil {
			host = strings.ToLower(u.Hostname())
		}
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || (host != domain && !strings.HasSuffix(host, "."+domain)) {
			problem.Invalid(w, "", problem.FieldError{Field: "url", Detail: "must be an http(s) page of " + domain})
			return
		}
	} else {
		ps, err := h.Store.ListDomainProducts(r.Context(), domain, 1)
		if err != nil {
			h.internal(w, r, "test selectors", err)
			return
		}
		if len(ps) == 0 {
			problem.Status(w, http.StatusNotFound, "No product of "+domain+" is watched: give the url of one of its product pages.")
			return
		}
		pageURL = ps[0].URL
	}
	if h.FetchPage == nil {
		problem.Status(w, http.StatusServiceUnavailable, "This server cannot fetch pages for a selector test.")
		return
	}
	settings, err := h.Store.GetDomain(r.Context(), domain)
	switch {
	case errors.Is(err, store.ErrNotFound):
		settings = &store.Domain{Domain: domain}
	case err != nil:
		h.internal(w, r, "test selectors", err)
		return
	}
	if settings.Blocked {
		problem.Write(w, problem.Problem{Type: problem.TypeConflict, Status: http.StatusConflict, Title: "Domain blocked",
			Detail: domain + " is blocked: shelfwatch fetches none of its pages. Unblock it to test selectors."})
		return
	}
	res, err := h.FetchPage(r.Context(), pageURL, fetch.Domain{Name: domain, RatePerMinute: settings.RatePerMin,
		RequiresJS: settings.RequiresJS, ProxyPool: settings.ProxyPool})
	if err != nil {
		h.Logger.WarnContext(r.Context(), "test selectors: fetch", "err", err, "domain", domain)
		problem.Status(w, http.StatusBadGateway, "The page could not be fetched (the reason was logged); try again in a minute.")
		return
	}
	out := struct {
		URL       string                   `json:"url"`
		FinalURL  string                   `json:"final_url"`
		Fetch     map[string]any           `json:"fetch"`
		Matched   map[string]selectorMatch `json:"matched"`
		WithRules *extractedJSON           `json:"with_rules"`
		Without   *extractedJSON           `json:"without_rules"`
	}{URL: pageURL, FinalURL: res.FinalURL, Matched: map[string]selectorMatch{},
		Fetch: map[string]any{"outcome": string(res.Outcome), "status": res.Status, "duration_ms": res.Duration.Milliseconds(),
			"summary": res.Summary(), "rendered": res.Rendered}}
	if res.Outcome != fetch.OutcomeOK {
		// Still 200: the test ran, and its answer is that no page came back.
		writeJSON(w, http.StatusOK, out)
		return
	}
	final := res.FinalURL
	if final == "" {
		final = pageURL
	}
	rule := extract.Rule{Domain: domain, Price: sel.Price, Title: sel.Title, Availability: sel.Availability, Image: sel.Image}
	with := toExtractedJSON(extract.Extract(res.Body, final, extract.Options{Rules: []extract.Rule{rule}}))
	without := toExtractedJSON(extract.Extract(res.Body, final, extract.Options{}))
	out.WithRules, out.Without = &with, &without
	out.Matched = matchSelectors(res.Body, sel)
	writeJSON(w, http.StatusOK, out)
}

// matchSelectors reports what each non-empty selector finds on the page.
func matchSelectors(body []byte, sel selectorsJSON) map[string]selectorMatch {
	out := map[string]selectorMatch{}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return out
	}
	for name, s := range map[string]string{"price": sel.Price, "title": sel.Title, "availability": sel.Availability, "image": sel.Image} {
		if s == "" {
			continue
		}
		found := doc.Find(s) // parseSelectors compiled s
		m := selectorMatch{Selector: s, Matches: found.Length()}
		if m.Matches > 0 {
			first := found.First()
			v := strings.Join(strings.Fields(first.Text()), " ")
			for _, attr := range []string{"content", "src", "href"} {
				if a, ok := first.Attr(attr); ok && v == "" {
					v = a
				}
			}
			v = clip(v, 200)
			m.First = &v
		}
		out[name] = m
	}
	return out
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
