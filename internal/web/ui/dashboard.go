package ui

import (
	"cmp"
	"errors"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

const dashboardPageSize = 50

func (h *Handler) dashboardPages(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", h.signedIn(h.dashboard))
	mux.HandleFunc("GET /watches/{id}/row", h.signedIn(h.dashboardRow))
	mux.HandleFunc("GET /watches/{id}/image", h.signedIn(h.productImage))
}

// dashQuery is the dashboard's search, filters, sort and page, from the URL.
type dashQuery struct {
	Q, Tag, Store, Status, Sort string
	Page                        int
}

func parseDashQuery(r *http.Request) dashQuery {
	q := r.URL.Query()
	p, _ := strconv.Atoi(q.Get("page"))
	return dashQuery{Q: strings.TrimSpace(q.Get("q")), Tag: q.Get("tag"), Store: q.Get("store"),
		Status: q.Get("status"), Sort: q.Get("sort"), Page: max(p, 1)}
}

// rowView is what the watch-row template gets.
type rowView struct {
	dashRow
	CanWrite bool
}

// dashRow is a DashboardRow with what the template derives from it.
type dashRow struct {
	store.DashboardRow
	State    string  // ok, failing, blocked, needs_review, paused
	Change   float64 // % since the previous price; NaN when none
	Change30 float64 // % over 30 days; NaN when unknown
	AtTarget bool
	Spark    string // SVG polyline points; "" when flat or unknown
}

type dashboardData struct {
	Query      dashQuery
	Rows       []dashRow
	Total      int // watches in the workspace
	Matched    int // after filters
	Pages      int
	Tags       []string
	Stores     []string
	CanWrite   bool
	Statuses   []string
	SortKeys   [][2]string
	FilterBase string
}

func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	all, err := h.Store.DashboardRows(r.Context(), id.WorkspaceID)
	if err != nil {
		h.serverError(w, r, "dashboard", err)
		return
	}
	q := parseDashQuery(r)
	d := dashboardData{Query: q, Total: len(all), Tags: tagsOf(all), Stores: storesOf(all), CanWrite: id.CanWrite(),
		Statuses: []string{"ok", "failing", "blocked", "needs_review", "paused"},
		SortKeys: [][2]string{{"", "Newest"}, {"title", "Title"}, {"price", "Price"}, {"change", "Last change"},
			{"change30", "30-day change"}, {"checked", "Last checked"}, {"store", "Store"}}}
	rows := make([]dashRow, len(all))
	for i := range all {
		rows[i] = deriveRow(all[i])
	}
	rows = filterRows(rows, q)
	// The changes cost index seeks: for every matched row only when they
	// decide the order, else for the page shown.
	if q.Sort == "change" || q.Sort == "change30" {
		if err := h.addChanges(r, rows); err != nil {
			h.serverError(w, r, "dashboard changes", err)
			return
		}
	}
	sortRows(rows, q.Sort)
	d.Matched = len(rows)
	d.Pages = max(1, (len(rows)+dashboardPageSize-1)/dashboardPageSize)
	q.Page = min(q.Page, d.Pages)
	d.Query = q
	d.FilterBase = withQuery("/", "q", q.Q, "tag", q.Tag, "store", q.Store, "status", q.Status, "sort", q.Sort)
	start := (q.Page - 1) * dashboardPageSize
	rows = rows[start:min(start+dashboardPageSize, len(rows))]
	if q.Sort != "change" && q.Sort != "change30" {
		if err := h.addChanges(r, rows); err != nil {
			h.serverError(w, r, "dashboard changes", err)
			return
		}
	}
	if err := h.addSparklines(r, rows); err != nil {
		h.serverError(w, r, "sparklines", err)
		return
	}
	d.Rows = rows
	h.render(w, r, http.StatusOK, "dashboard.html", page{Title: "Dashboard", Nav: "dashboard", Live: true, Data: d})
}

// dashboardRow renders one row again (live updates swap it in place).
func (h *Handler) dashboardRow(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	watchID, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.notFound(w, r)
		return
	}
	one, err := h.Store.DashboardRowOf(r.Context(), id.WorkspaceID, watchID)
	if errors.Is(err, store.ErrNotFound) {
		h.notFound(w, r)
		return
	}
	if err != nil {
		h.serverError(w, r, "dashboard row", err)
		return
	}
	rows := []dashRow{deriveRow(*one)}
	if err := h.addChanges(r, rows); err != nil {
		h.serverError(w, r, "dashboard row changes", err)
		return
	}
	if err := h.addSparklines(r, rows); err != nil {
		h.serverError(w, r, "sparklines", err)
		return
	}
	h.fragment(w, r, "dashboard.html", "watch-row", rowView{rows[0], id.CanWrite()})
}

// addChanges loads the reference prices of rows and derives their changes.
func (h *Handler) addChanges(r *http.Request, rows []dashRow) error {
	ids := make([]int64, len(rows))
	for i := range rows {
		ids[i] = rows[i].ProductID
	}
	refs, err := h.Store.ReferencePrices(r.Context(), ids, h.now().UnixMilli()-30*24*3600*1000)
	if err != nil {
		return err
	}
	for i := range rows {
		ref := refs[rows[i].ProductID]
		rows[i].PrevPriceMinor, rows[i].MonthAgoMinor = ref.Prev, ref.MonthAgo
		rows[i] = deriveRow(rows[i].DashboardRow)
	}
	return nil
}

func (h *Handler) addSparklines(r *http.Request, rows []dashRow) error {
	ids := make([]int64, len(rows))
	for i := range rows {
		ids[i] = rows[i].ProductID
	}
	since := h.now().UnixMilli() - 30*24*3600*1000
	pts, err := h.Store.Sparklines(r.Context(), ids, since)
	if err != nil {
		return err
	}
	for i := range rows {
		rows[i].Spark = sparkline(pts[rows[i].ProductID], rows[i].MonthAgoMinor, rows[i].PriceMinor, since, h.now().UnixMilli())
	}
	return nil
}

func deriveRow(d store.DashboardRow) dashRow {
	row := dashRow{DashboardRow: d, Change: math.NaN(), Change30: math.NaN()}
	switch {
	case d.Paused:
		row.State = "paused"
	case d.LastOutcome == "blocked" || d.LastOutcome == "disallowed_by_robots" || d.LastOutcome == "breaker_open":
		row.State = "blocked"
	case d.Status == store.StatusFailing:
		row.State = "failing"
	case d.Status == store.StatusNeedsReview:
		row.State = "needs_review"
	default:
		row.State = "ok"
	}
	if d.PriceMinor != nil {
		row.Change = pctChange(d.PrevPriceMinor, *d.PriceMinor)
		row.Change30 = pctChange(d.MonthAgoMinor, *d.PriceMinor)
		if d.TargetMinor != nil && (d.TargetCurrency == "" || d.TargetCurrency == d.Currency) {
			row.AtTarget = *d.PriceMinor <= *d.TargetMinor
		}
	}
	return row
}

func pctChange(from *int64, to int64) float64 {
	if from == nil || *from == 0 {
		return math.NaN()
	}
	return float64(to-*from) / float64(*from) * 100
}

// filterRows keeps the rows matching the search (title, store or URL,
// case-insensitive) and the tag, store and status filters.
func filterRows(rows []dashRow, q dashQuery) []dashRow {
	needle := strings.ToLower(q.Q)
	out := rows[:0]
	for _, r := range rows {
		if needle != "" && !strings.Contains(strings.ToLower(r.Title), needle) &&
			!strings.Contains(strings.ToLower(r.Domain), needle) && !strings.Contains(strings.ToLower(r.URL), needle) {
			continue
		}
		if q.Tag != "" && !slices.Contains(r.Tags, q.Tag) {
			continue
		}
		if q.Store != "" && r.Domain != q.Store {
			continue
		}
		if q.Status != "" && r.State != q.Status {
			continue
		}
		out = append(out, r)
	}
	return out
}

// sortRows orders by the sort key; unknown values (no price, no change)
// go last whatever the direction.
func sortRows(rows []dashRow, key string) {
	num := func(f float64) float64 {
		if math.IsNaN(f) {
			return math.Inf(1)
		}
		return f
	}
	var by func(a, b dashRow) int
	switch key {
	case "title":
		by = func(a, b dashRow) int { return strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title)) }
	case "store":
		by = func(a, b dashRow) int { return strings.Compare(a.Domain, b.Domain) }
	case "price":
		by = func(a, b dashRow) int { return cmp.Compare(priceOrInf(a.PriceMinor), priceOrInf(b.PriceMinor)) }
	case "change": // biggest drop first
		by = func(a, b dashRow) int { return cmp.Compare(num(a.Change), num(b.Change)) }
	case "change30":
		by = func(a, b dashRow) int { return cmp.Compare(num(a.Change30), num(b.Change30)) }
	case "checked": // most recent first
		by = func(a, b dashRow) int { return -cmp.Compare(priceOrInf(a.LastCheckedAt), priceOrInf(b.LastCheckedAt)) }
	default:
		return // newest watch first, as loaded
	}
	slices.SortStableFunc(rows, func(a, b dashRow) int {
		if c := by(a, b); c != 0 {
			return c
		}
		return -cmp.Compare(float64(a.WatchID), float64(b.WatchID))
	})
}

func priceOrInf(p *int64) float64 {
	if p == nil {
		return math.Inf(1)
	}
	return float64(*p)
}

func tagsOf(rows []store.DashboardRow) []string {
	var out []string
	for _, r := range rows {
		for _, t := range r.Tags {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	slices.Sort(out)
	return out
}

func storesOf(rows []store.DashboardRow) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rows {
		if !seen[r.Domain] {
			seen[r.Domain] = true
			out = append(out, r.Domain)
		}
	}
	slices.Sort(out)
	return out
}

// sparkline draws the 30-day price as a step line in a 100×24 box: the
// price in force at the start, every change, and the current price at the
// end. "" when there is nothing to draw.
func sparkline(pts []store.SparkPoint, start, current *int64, from, to int64) string {
	type pt struct {
		at int64
		p  int64
	}
	var line []pt
	if start != nil {
		line = append(line, pt{from, *start})
	}
	for _, p := range pts {
		line = append(line, pt{p.At, p.PriceMinor})
	}
	if current != nil {
		line = append(line, pt{to, *current})
	}
	// Less than three days of a 30-day window says nothing yet.
	if len(line) < 2 || to <= from || (to-line[0].at)*10 < to-from {
		return ""
	}
	lo, hi := line[0].p, line[0].p
	for _, p := range line {
		lo, hi = min(lo, p.p), max(hi, p.p)
	}
	y := func(v int64) float64 {
		if hi == lo {
			return 12
		}
		return 22 - float64(v-lo)/float64(hi-lo)*20
	}
	x := func(at int64) float64 { return float64(max(at, from)-from) / float64(to-from) * 100 }
	var b strings.Builder
	prevY := y(line[0].p)
	for i, p := range line {
		if i > 0 { // step: hold the previous price until this change
			b.WriteByte(' ')
			b.WriteString(strconv.FormatFloat(x(p.at), 'f', 1, 64) + "," + strconv.FormatFloat(prevY, 'f', 1, 64))
			b.WriteByte(' ')
		}
		prevY = y(p.p)
		b.WriteString(strconv.FormatFloat(x(p.at), 'f', 1, 64) + "," + strconv.FormatFloat(prevY, 'f', 1, 64))
	}
	return b.String()
}
