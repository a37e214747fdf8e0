package ui

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

func p64(v int64) *int64 { return &v }

func TestDeriveRowState(t *testing.T) {
	cases := []struct {
		row  store.DashboardRow
		want string
	}{
		{store.DashboardRow{Status: store.StatusActive, LastOutcome: "ok"}, "ok"},
		{store.DashboardRow{Status: store.StatusActive, Paused: true}, "paused"},
		{store.DashboardRow{Status: store.StatusFailing, LastOutcome: "http_error"}, "failing"},
		{store.DashboardRow{Status: store.StatusActive, LastOutcome: "blocked"}, "blocked"},
		{store.DashboardRow{Status: store.StatusActive, LastOutcome: "disallowed_by_robots"}, "blocked"},
		{store.DashboardRow{Status: store.StatusNeedsReview}, "needs_review"},
	}
	for _, c := range cases {
		if got := deriveRow(c.row).State; got != c.want {
			t.Errorf("%+v: state %q, want %q", c.row, got, c.want)
		}
	}
	r := deriveRow(store.DashboardRow{PriceMinor: p64(900), PrevPriceMinor: p64(1000), MonthAgoMinor: p64(1200),
		TargetMinor: p64(950), Currency: "EUR"})
	if math.Abs(r.Change-(-10)) > 1e-9 || math.Abs(r.Change30-(-25)) > 1e-9 || !r.AtTarget {
		t.Fatalf("changes %v %v at target %v", r.Change, r.Change30, r.AtTarget)
	}
	// A target in another currency says nothing about this price.
	r = deriveRow(store.DashboardRow{PriceMinor: p64(900), TargetMinor: p64(950), TargetCurrency: "USD", Currency: "EUR"})
	if r.AtTarget || !math.IsNaN(r.Change) {
		t.Fatalf("target in USD matched a EUR price, or a change without a previous price: %+v", r)
	}
}

func TestFilterAndSortRows(t *testing.T) {
	rows := []dashRow{
		deriveRow(store.DashboardRow{WatchID: 3, Title: "Walnut desk", Domain: "a.example", Tags: []string{"home"}, PriceMinor: p64(30000), PrevPriceMinor: p64(32000), Status: "active"}),
		deriveRow(store.DashboardRow{WatchID: 2, Title: "Espresso grinder", Domain: "b.example", PriceMinor: p64(9900), PrevPriceMinor: p64(9000), Status: "failing"}),
		deriveRow(store.DashboardRow{WatchID: 1, Title: "Desk lamp", Domain: "b.example", Tags: []string{"home", "gift"}, Status: "active"}),
	}
	ids := func(rs []dashRow) string {
		var b strings.Builder
		for _, r := range rs {
			fmt.Fprintf(&b, "%d ", r.WatchID)
		}
		return strings.TrimSpace(b.String())
	}
	filter := func(q dashQuery) string { return ids(filterRows(append([]dashRow(nil), rows...), q)) }
	for q, want := range map[dashQuery]string{
		{Q: "DESK"}:              "3 1",
		{Q: "b.example"}:         "2 1",
		{Tag: "gift"}:            "1",
		{Store: "a.example"}:     "3",
		{Status: "failing"}:      "2",
		{Q: "desk", Tag: "home"}: "3 1",
		{Q: "nothing"}:           "",
	} {
		if got := filter(q); got != want {
			t.Errorf("filter %+v = %q, want %q", q, got, want)
		}
	}
	sorted := func(key string) string {
		rs := append([]dashRow(nil), rows...)
		sortRows(rs, key)
		return ids(rs)
	}
	for key, want := range map[string]string{
		"":       "3 2 1", // newest first
		"title":  "1 2 3",
		"price":  "2 3 1", // no price last
		"change": "3 2 1", // biggest drop first, unknown last
		"store":  "3 2 1",
	} {
		if got := sorted(key); got != want {
			t.Errorf("sort %q = %q, want %q", key, got, want)
		}
	}
}

func TestSparkline(t *testing.T) {
	from, to := int64(0), int64(1000)
	if got := sparkline(nil, nil, p64(5), from, to); got != "" {
		t.Fatalf("one point drew %q", got)
	}
	got := sparkline([]store.SparkPoint{{At: 500, PriceMinor: 50}}, p64(100), p64(50), from, to)
	// Start high at x=0, hold until x=50, step down, hold to the end.
	if want := "0.0,2.0 50.0,2.0 50.0,22.0 100.0,22.0 100.0,22.0"; got != want {
		t.Fatalf("sparkline = %q, want %q", got, want)
	}
	if got := sparkline(nil, p64(7), p64(7), from, to); got != "0.0,12.0 100.0,12.0 100.0,12.0" {
		t.Fatalf("flat sparkline = %q", got)
	}
}

func TestFormatMoney(t *testing.T) {
	for _, c := range []struct {
		minor int64
		cur   string
		want  string
	}{
		{129900, "EUR", "€1,299.00"}, {5, "USD", "$0.05"}, {123456789, "JPY", "¥123,456,789"},
		{34900, "SEK", "SEK 349.00"}, {-1250, "GBP", "-£12.50"}, {1999, "", "19.99"},
	} {
		if got := formatMoney(c.minor, c.cur); got != c.want {
			t.Errorf("formatMoney(%d, %q) = %q, want %q", c.minor, c.cur, got, c.want)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{"/watches/3": "/watches/3", "": "/", "//evil.example/": "/",
		"https://evil.example/": "/", "/\\evil.example": "/", "javascript:alert(1)": "/"} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// fixture is a ui Handler over a fresh store with two workspaces; requests
// carry an Identity as the authentication middleware would set it.
type fixture struct {
	st       *store.Store
	h        *Handler
	ws, ws2  int64
	products []int64
}

func newFixture(t testing.TB, engine db.Engine) *fixture {
	t.Helper()
	st := store.New(dbtest.Open(t, engine))
	ctx := context.Background()
	a, err := st.EnsureWorkspace(ctx, "default", "Default")
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.EnsureWorkspace(ctx, "other", "Other")
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(&Handler{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, h: h, ws: a.ID, ws2: b.ID}
}

// watch adds n watches to ws on products of a few stores, each with a short
// change-only history over the last 60 days.
func (f *fixture) watch(t testing.TB, ws int64, n int) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UnixMilli()
	var hist []store.HistoryImportRow
	for i := range n {
		p := &store.Product{URL: fmt.Sprintf("https://shop%d.example/p/%d", i%20, i)}
		p.CanonicalURL = p.URL
		w := &store.Watch{Tags: []string{fmt.Sprintf("tag%d", i%7)}}
		if i%3 == 0 {
			w.TargetMinor = p64(9000)
		}
		if _, err := f.st.CreateWatchForURL(ctx, ws, p, w); err != nil {
			t.Fatal(err)
		}
		f.products = append(f.products, p.ID)
		for k := range 4 {
			hist = append(hist, store.HistoryImportRow{ProductID: p.ID, ObservedAt: now - int64(60-k*15)*86_400_000,
				PriceMinor: p64(int64(10000 - 300*k + i%50)), Currency: "EUR", Availability: store.InStock})
		}
		if len(hist) >= 4000 {
			if err := f.st.ImportHistory(ctx, hist); err != nil {
				t.Fatal(err)
			}
			hist = hist[:0]
		}
	}
	if err := f.st.ImportHistory(ctx, hist); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) get(t testing.TB, ws int64, role auth.Role, path string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	id := auth.Identity{UserID: 0, Email: "u@example.com", WorkspaceID: ws, Role: role, Scope: auth.ScopeReadWrite}
	req = req.WithContext(auth.WithIdentity(req.Context(), id))
	rec := httptest.NewRecorder()
	f.h.Routes().ServeHTTP(rec, req)
	return rec
}

func TestDashboardPage(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			f.watch(t, f.ws, 60)
			rec := f.get(t, f.ws, auth.RoleMember, "/")
			body := rec.Body.String()
			if rec.Code != 200 || !strings.Contains(body, "60 watches") {
				t.Fatalf("dashboard: %d\n%s", rec.Code, body)
			}
			if n := strings.Count(body, `class="state-`); n != dashboardPageSize {
				t.Fatalf("first page shows %d rows, want %d", n, dashboardPageSize)
			}
			if !strings.Contains(body, "<polyline points=") || !strings.Contains(body, "€91.") {
				t.Fatal("no sparkline or price on the dashboard")
			}
			if !strings.Contains(body, `data-bulk="delete"`) {
				t.Fatal("a member sees no bulk actions")
			}
			// Filters: a tag and a search; page 2 holds the rest.
			rec = f.get(t, f.ws, auth.RoleMember, "/?tag=tag3")
			if got := strings.Count(rec.Body.String(), `class="state-`); got != 9 {
				t.Fatalf("tag3 shows %d rows, want 9", got)
			}
			rec = f.get(t, f.ws, auth.RoleMember, "/?page=2")
			if got := strings.Count(rec.Body.String(), `class="state-`); got != 10 {
				t.Fatalf("page 2 shows %d rows, want 10", got)
			}
			// A viewer reads but gets no write controls.
			rec = f.get(t, f.ws, auth.RoleViewer, "/")
			if strings.Contains(rec.Body.String(), `data-bulk="delete"`) || strings.Contains(rec.Body.String(), `href="/watches/new"`) {
				t.Fatal("a viewer sees write controls")
			}
			// Another workspace sees none of it, and its row URL answers 404.
			rec = f.get(t, f.ws2, auth.RoleOwner, "/")
			if !strings.Contains(rec.Body.String(), "Nothing watched yet") {
				t.Fatal("another workspace sees watches")
			}
			rows, err := f.st.DashboardRows(context.Background(), f.ws)
			if err != nil {
				t.Fatal(err)
			}
			if rec := f.get(t, f.ws2, auth.RoleOwner, fmt.Sprintf("/watches/%d/row", rows[0].WatchID)); rec.Code != 404 {
				t.Fatalf("another workspace's row: %d", rec.Code)
			}
			if rec := f.get(t, f.ws, auth.RoleOwner, fmt.Sprintf("/watches/%d/row", rows[0].WatchID)); rec.Code != 200 ||
				!strings.Contains(rec.Body.String(), fmt.Sprintf(`id="w-%d"`, rows[0].WatchID)) {
				t.Fatalf("own row: %d", rec.Code)
			}
		})
	}
}

// The goal: the dashboard of a workspace with 10,000 watches in
// ≤ 150 ms (query, filter, sort, one page of rows with sparklines, render).
//
//	go test ./internal/web/ui -run '^$' -bench Dashboard -benchtime 20x
func BenchmarkDashboard10kWatches(b *testing.B) {
	for _, engine := range dbtest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			f := newFixture(b, engine)
			f.watch(b, f.ws, 10_000)
			for _, path := range []string{"/", "/?sort=change30", "/?q=shop7&sort=price"} {
				b.Run(path, func(b *testing.B) {
					for b.Loop() {
						if rec := f.get(b, f.ws, auth.RoleMember, path); rec.Code != 200 {
							b.Fatal(rec.Code)
						}
					}
				})
			}
		})
	}
}
