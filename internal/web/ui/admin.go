package ui

import (
	"cmp"
	"encoding/json"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

func (h *Handler) adminPages(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin", h.instanceAdmin(func(w http.ResponseWriter, r *http.Request, _ auth.Identity) {
		http.Redirect(w, r, "/admin/domains", http.StatusSeeOther)
	}))
	mux.HandleFunc("GET /admin/domains", h.instanceAdmin(h.adminDomains))
	mux.HandleFunc("GET /admin/domains/{domain}", h.instanceAdmin(h.adminDomain))
	mux.HandleFunc("GET /admin/proxies", h.instanceAdmin(h.adminProxies))
	mux.HandleFunc("GET /admin/jobs", h.instanceAdmin(h.adminJobs))
	mux.HandleFunc("GET /admin/users", h.instanceAdmin(h.adminUsers))
	mux.HandleFunc("GET /admin/settings", h.instanceAdmin(h.adminSettings))
	mux.HandleFunc("GET /admin/audit", h.instanceAdmin(h.adminAudit))
}

// adminFuncs are template helpers of these pages.
func (h *Handler) adminFuncs() template.FuncMap {
	return template.FuncMap{
		"rate": func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + " %" },
		"auditData": func(m map[string]any) string {
			if len(m) == 0 {
				return ""
			}
			b, _ := json.Marshal(m)
			return string(b)
		},
	}
}

// adminPage is the data of every admin page: its tab and its own data.
type adminPage struct {
	Tab  string
	Data any
}

func (h *Handler) renderAdmin(w http.ResponseWriter, r *http.Request, name, title, tab string, data any) {
	h.render(w, r, http.StatusOK, name, page{Title: title, Nav: "admin", Data: adminPage{Tab: tab, Data: data}})
}

// domainRow is one line of the domain health table.
type domainRow struct {
	store.DomainSettings
	Products int64
}

// domainQuery is the table's order, from ?sort=&dir=.
type domainQuery struct {
	Sort string // domain, products, success, latency, error, breaker, flagged
	Dir  string // asc, desc
}

var domainSortKeys = []string{"domain", "products", "success", "latency", "error", "breaker", "flagged"}

func parseDomainQuery(r *http.Request) domainQuery {
	q := domainQuery{Sort: r.URL.Query().Get("sort"), Dir: r.URL.Query().Get("dir")}
	if !slices.Contains(domainSortKeys, q.Sort) {
		q.Sort = "" // flagged first, then by name
	}
	if q.Dir != "desc" {
		q.Dir = "asc"
	}
	return q
}

// sortDomains orders rows by q, the domain name breaking ties. Without a
// sort key flagged domains come first: they are what an admin looks for.
func sortDomains(rows []domainRow, q domainQuery) {
	breakerRank := map[string]int{"closed": 0, "": 0, "half-open": 1, "open": 2}
	less := func(a, b domainRow) int {
		switch q.Sort {
		case "products":
			return cmp.Compare(a.Products, b.Products)
		case "success":
			return cmp.Compare(a.SuccessRate, b.SuccessRate)
		case "latency":
			return cmp.Compare(a.LastLatencyMS, b.LastLatencyMS)
		case "error":
			return strings.Compare(a.LastError, b.LastError)
		case "breaker":
			return cmp.Compare(breakerRank[a.BreakerState], breakerRank[b.BreakerState])
		case "flagged", "":
			return boolCmp(a.Flagged, b.Flagged)
		}
		return 0
	}
	slices.SortStableFunc(rows, func(a, b domainRow) int {
		c := less(a, b)
		if q.Sort == "" {
			c = -c // flagged (true) first
		} else if q.Dir == "desc" {
			c = -c
		}
		if c != 0 {
			return c
		}
		if q.Sort == "domain" && q.Dir == "desc" {
			return strings.Compare(b.Domain.Domain, a.Domain.Domain)
		}
		return strings.Compare(a.Domain.Domain, b.Domain.Domain)
	})
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

type domainsData struct {
	Query   domainQuery
	Headers []sortHeader
	Rows    []domainRow
}

// sortHeader is a column heading that sorts the table by its key; a second
// click on the current key reverses the order.
type sortHeader struct {
	Label, Href, AriaSort string
	Num                   bool
}

func domainHeaders(q domainQuery) []sortHeader {
	cols := []struct {
		key, label string
		num        bool
	}{{"domain", "Domain", false}, {"products", "Products", true}, {"success", "Success rate", true},
		{"latency", "Latency", true}, {"error", "Last error", false}, {"breaker", "Breaker", false}, {"flagged", "Flagged", false}}
	out := make([]sortHeader, 0, len(cols))
	for _, c := range cols {
		h := sortHeader{Label: c.label, Num: c.num, AriaSort: "none", Href: withQuery("/admin/domains", "sort", c.key, "dir", "asc")}
		if q.Sort == c.key {
			h.AriaSort = "ascending"
			if q.Dir == "desc" {
				h.AriaSort = "descending"
			} else {
				h.Href = withQuery("/admin/domains", "sort", c.key, "dir", "desc")
			}
		}
		out = append(out, h)
	}
	return out
}

func (h *Handler) domainRows(r *http.Request) ([]domainRow, error) {
	ds, err := h.Store.ListDomainSettings(r.Context())
	if err != nil {
		return nil, err
	}
	counts, err := h.Store.ProductsPerDomain(r.Context())
	if err != nil {
		return nil, err
	}
	rows := make([]domainRow, 0, len(ds))
	seen := map[string]bool{}
	for _, d := range ds {
		seen[d.Domain.Domain] = true
		rows = append(rows, domainRow{DomainSettings: d, Products: counts[d.Domain.Domain]})
	}
	// A domain whose products were added but never fetched has no row yet.
	for name, n := range counts {
		if !seen[name] {
			rows = append(rows, domainRow{DomainSettings: store.DomainSettings{Domain: store.Domain{Domain: name, SuccessRate: 1}, Selectors: "{}"}, Products: n})
		}
	}
	return rows, nil
}

func (h *Handler) adminDomains(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	rows, err := h.domainRows(r)
	if err != nil {
		h.serverError(w, r, "admin domains", err)
		return
	}
	q := parseDomainQuery(r)
	sortDomains(rows, q)
	h.renderAdmin(w, r, "admin_domains.html", "Domains", "domains", domainsData{Query: q, Headers: domainHeaders(q), Rows: rows})
}

type domainData struct {
	domainRow
	Sel     map[string]string     // price, title, availability, image
	Samples []store.DomainProduct // product pages to test the selectors on
}

func (h *Handler) adminDomain(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	name := strings.ToLower(r.PathValue("domain"))
	rows, err := h.domainRows(r)
	if err != nil {
		h.serverError(w, r, "admin domain", err)
		return
	}
	i := slices.IndexFunc(rows, func(d domainRow) bool { return d.Domain.Domain == name })
	if i < 0 {
		h.notFound(w, r)
		return
	}
	d := domainData{domainRow: rows[i], Sel: map[string]string{}}
	_ = json.Unmarshal([]byte(d.Selectors), &d.Sel) // the API stored it normalised; "{}" when none
	if d.Samples, err = h.Store.ListDomainProducts(r.Context(), name, 20); err != nil {
		h.serverError(w, r, "admin domain", err)
		return
	}
	h.renderAdmin(w, r, "admin_domain.html", name, "domains", d)
}

// proxyUse is how many domains name a pool.
type proxyUse struct {
	Pool    string
	Domains []string
}

func (h *Handler) adminProxies(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	ds, err := h.Store.ListDomainSettings(r.Context())
	if err != nil {
		h.serverError(w, r, "admin proxies", err)
		return
	}
	by := map[string][]string{}
	for _, d := range ds {
		if d.ProxyPool != "" {
			by[d.ProxyPool] = append(by[d.ProxyPool], d.Domain.Domain)
		}
	}
	uses := []proxyUse{}
	for p, list := range by {
		uses = append(uses, proxyUse{Pool: p, Domains: list})
	}
	slices.SortFunc(uses, func(a, b proxyUse) int { return strings.Compare(a.Pool, b.Pool) })
	h.renderAdmin(w, r, "admin_proxies.html", "Proxies", "proxies", uses)
}

// jobsData is the jobs page: totals per state and a kind × queue table.
type jobsData struct {
	States []string
	Totals map[string]int64
	Queued int64 // available now or scheduled later
	Rows   []jobRow
	Dead   []store.DeadJob
}

type jobRow struct {
	Kind, Queue string
	Counts      map[string]int64
}

// jobTable folds River's (kind, queue, state) counts into one row per kind
// and queue, ordered by kind then queue.
func jobTable(counts []store.JobCount) (map[string]int64, []jobRow) {
	totals := map[string]int64{}
	for _, s := range store.JobStates {
		totals[s] = 0
	}
	idx := map[[2]string]int{}
	rows := []jobRow{}
	for _, c := range counts {
		totals[c.State] += c.Count
		k := [2]string{c.Kind, c.Queue}
		i, ok := idx[k]
		if !ok {
			i = len(rows)
			idx[k] = i
			rows = append(rows, jobRow{Kind: c.Kind, Queue: c.Queue, Counts: map[string]int64{}})
		}
		rows[i].Counts[c.State] += c.Count
	}
	slices.SortFunc(rows, func(a, b jobRow) int {
		return cmp.Or(strings.Compare(a.Kind, b.Kind), strings.Compare(a.Queue, b.Queue))
	})
	return totals, rows
}

func (h *Handler) adminJobs(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	counts, err := h.Store.JobCounts(r.Context())
	if err != nil {
		h.serverError(w, r, "admin jobs", err)
		return
	}
	dead, err := h.Store.ListDeadJobs(r.Context(), 20)
	if err != nil {
		h.serverError(w, r, "admin jobs", err)
		return
	}
	totals, rows := jobTable(counts)
	h.renderAdmin(w, r, "admin_jobs.html", "Jobs", "jobs", jobsData{States: store.JobStates, Totals: totals,
		Queued: totals["available"] + totals["scheduled"] + totals["pending"], Rows: rows, Dead: dead})
}

func (h *Handler) adminUsers(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	us, err := h.Store.ListAdminUsers(r.Context())
	if err != nil {
		h.serverError(w, r, "admin users", err)
		return
	}
	h.renderAdmin(w, r, "admin_users.html", "Users", "users", us)
}

type signupData struct {
	Mode  string
	Modes [][3]string // value, label, explanation
}

func (h *Handler) adminSettings(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	mode, err := h.Store.SignupMode(r.Context())
	if err != nil {
		h.serverError(w, r, "admin settings", err)
		return
	}
	h.renderAdmin(w, r, "admin_settings.html", "Instance settings", "settings", signupData{Mode: mode, Modes: [][3]string{
		{store.SignupOpen, "Open", "Anyone who can reach this server may create an account."},
		{store.SignupInviteOnly, "Invite only", "Accounts are created only from a workspace's invitation link."},
		{store.SignupClosed, "Closed", "No one may sign up; operators create accounts with shelfwatch user create."},
	}})
}

type auditData struct {
	Entries []store.AuditEntry
	Emails  map[int64]string
	Before  int64 // this page's cursor (0: the newest)
	Next    int64 // the next page's cursor, 0 when this is the last
}

const auditPageSize = 50

func (h *Handler) adminAudit(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	entries, err := h.Store.ListAudit(r.Context(), store.FindAudit{AfterID: before, Limit: auditPageSize + 1})
	if err != nil {
		h.serverError(w, r, "admin audit", err)
		return
	}
	us, err := h.Store.ListAdminUsers(r.Context())
	if err != nil {
		h.serverError(w, r, "admin audit", err)
		return
	}
	d := auditData{Entries: entries, Emails: map[int64]string{}, Before: max(before, 0)}
	for _, u := range us {
		d.Emails[u.ID] = u.Email
	}
	if len(entries) > auditPageSize {
		d.Entries = entries[:auditPageSize]
		d.Next = d.Entries[auditPageSize-1].ID
	}
	h.renderAdmin(w, r, "admin_audit.html", "Audit log", "audit", d)
}
