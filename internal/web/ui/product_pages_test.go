package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// productFixture adds one watch to the fixture's workspace with n history
// rows spread evenly over span ending an hour ago (every 13th row out of
// stock), rolled up as the hourly job would.
func (f *fixture) productWithHistory(t testing.TB, n int, span time.Duration) *store.Watch {
	t.Helper()
	ctx := context.Background()
	p := &store.Product{URL: fmt.Sprintf("https://chart.example/p/%d-%d", n, span/time.Hour)}
	p.CanonicalURL = p.URL
	w := &store.Watch{TargetMinor: p64(9_000)}
	if _, err := f.st.CreateWatchForURL(ctx, f.ws, p, w); err != nil {
		t.Fatal(err)
	}
	end := time.Now().Add(-time.Hour).UnixMilli()
	step := span.Milliseconds() / int64(n)
	rows := make([]store.HistoryImportRow, 0, 5_000)
	for i := range n {
		avail := store.InStock
		if i%13 == 0 {
			avail = store.OutOfStock
		}
		rows = append(rows, store.HistoryImportRow{ProductID: p.ID, ObservedAt: end - int64(n-i)*step,
			PriceMinor: p64(int64(10_000 + (i*37)%2_000)), Currency: "EUR", Availability: avail})
		if len(rows) == cap(rows) || i == n-1 {
			if err := f.st.ImportHistory(ctx, rows); err != nil {
				t.Fatal(err)
			}
			rows = rows[:0]
		}
	}
	if _, err := f.st.RollupHistory(ctx, time.Now().UnixMilli(), 0); err != nil {
		t.Fatal(err)
	}
	got, err := f.st.GetWatch(ctx, f.ws, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// BenchmarkChartData is the product chart's data for a product with
// 100,000 history rows, from the store query through the JSON encoding
// (issue 8's goal: ≤ 30 ms). Three layouts: the rows spread over two years
// (30 d is a few thousand raw points; 90 d, 1 y and all read daily
// rollups), and all of them within the last 90 days (more changes than a
// chart draws, so every range is daily); and a product with exactly as many
// changes in 30 days as a raw range draws.
func BenchmarkChartData(b *testing.B) {
	for _, engine := range dbtest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			f := newFixture(b, engine)
			for _, layout := range []struct {
				name string
				rows int
				span time.Duration
			}{
				{"spread-2y", 100_000, 730 * 24 * time.Hour},
				{"dense-90d", 100_000, 89 * 24 * time.Hour},
				// The most a raw range draws one by one: the raw worst case.
				{"at-limit-30d", maxRawChartPoints, 29 * 24 * time.Hour},
			} {
				wt := f.productWithHistory(b, layout.rows, layout.span)
				for _, key := range []string{"30d", "90d", "1y", "all"} {
					rng, _ := parseChartRange(key)
					b.Run(layout.name+"/"+key, func(b *testing.B) {
						var buf []byte
						for b.Loop() {
							out, err := f.h.chartJSON(context.Background(), wt, rng, buf[:0])
							if err != nil {
								b.Fatal(err)
							}
							buf = out
						}
						t := string(buf[strings.Index(string(buf), `"t":[`):strings.Index(string(buf), `],"p"`)])
						b.ReportMetric(float64(strings.Count(t, ",")+1), "points")
						b.ReportMetric(float64(len(buf)), "json-bytes")
					})
				}
			}
		})
	}
}

// The product page, its live fragment and its chart data are the
// workspace's own: another workspace's watch id is the 404 page; viewers
// see no write controls; a bad range is refused.
func TestProductPages(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			wt := f.productWithHistory(t, 200, 120*24*time.Hour)
			page := fmt.Sprintf("/watches/%d", wt.ID)

			rec := f.get(t, f.ws, auth.RoleMember, page)
			body := rec.Body.String()
			if rec.Code != 200 || !strings.Contains(body, `data-refresh="/watches/`) || !strings.Contains(body, `data-rule-form`) ||
				!strings.Contains(body, `rel="noopener noreferrer"`) || !strings.Contains(body, "Lowest, 90 days") {
				t.Fatalf("product page: %d\n%s", rec.Code, body)
			}
			rec = f.get(t, f.ws, auth.RoleViewer, page)
			for _, control := range []string{"data-rule-form", "data-watch-settings", `data-method="DELETE"`, `data-method="PATCH"`} {
				if rec.Code != 200 || strings.Contains(rec.Body.String(), control) {
					t.Fatalf("viewer page (%d) has %s", rec.Code, control)
				}
			}
			own := []string{page, page + "/summary", page + "/events", page + "/chart.json?range=30d"}
			for _, p := range append(own, "/watches/999999", "/watches/x") {
				if slices.Contains(own, p) {
					if rec := f.get(t, f.ws2, auth.RoleOwner, p); rec.Code != http.StatusNotFound {
						t.Errorf("another workspace's %s: %d", p, rec.Code)
					}
					continue
				}
				if rec := f.get(t, f.ws, auth.RoleOwner, p); rec.Code != http.StatusNotFound {
					t.Errorf("%s: %d", p, rec.Code)
				}
			}
			rec = f.get(t, f.ws, auth.RoleMember, page+"/chart.json?range=all")
			if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" || !strings.Contains(rec.Body.String(), `"daily":true`) {
				t.Fatalf("chart.json all: %d %s", rec.Code, rec.Body.String())
			}
			if rec := f.get(t, f.ws, auth.RoleMember, page+"/chart.json?range=2w"); rec.Code != http.StatusBadRequest {
				t.Fatalf("bad range: %d", rec.Code)
			}
			// A range with more changes than a chart draws is drawn by day.
			dense := f.productWithHistory(t, maxRawChartPoints+500, 20*24*time.Hour)
			rec = f.get(t, f.ws, auth.RoleMember, fmt.Sprintf("/watches/%d/chart.json?range=30d", dense.ID))
			var cj chartJSON
			if err := json.Unmarshal(rec.Body.Bytes(), &cj); err != nil || !cj.Daily || len(cj.T) > maxRawChartPoints/10 || len(cj.T) < 20 {
				t.Fatalf("dense 30 d: daily %v, %d points (%v)", cj.Daily, len(cj.T), err)
			}
			if rec := f.get(t, f.ws, auth.RoleMember, fmt.Sprintf("/watches/%d", dense.ID)); rec.Code != 200 || !strings.Contains(rec.Body.String(), "Lowest, 90 days") {
				t.Fatalf("dense product page: %d", rec.Code)
			}
			rec = f.get(t, f.ws, auth.RoleMember, page+"/chart.json?range=90d")
			if err := json.Unmarshal(rec.Body.Bytes(), &cj); err != nil || cj.Daily || len(cj.T) < 100 {
				t.Fatalf("sparse 90 d: daily %v, %d points (%v)", cj.Daily, len(cj.T), err)
			}
			rec = f.get(t, f.ws, auth.RoleMember, page+"/events")
			if rec.Code != 200 || !strings.Contains(rec.Body.String(), `id="product-events"`) || !strings.Contains(rec.Body.String(), "Added to this workspace") {
				t.Fatalf("events fragment: %d %s", rec.Code, rec.Body.String())
			}
			rec = f.get(t, f.ws, auth.RoleMember, page+"/summary")
			if rec.Code != 200 || !strings.HasPrefix(strings.TrimSpace(rec.Body.String()), `<section class="card product-head"`) {
				t.Fatalf("summary fragment: %d %s", rec.Code, rec.Body.String())
			}
		})
	}
}

// The preview endpoint: writers only, a few per user a minute, errors
// worded for people, and the extractor's findings shown.
func TestPreviewEndpoint(t *testing.T) {
	f := newFixture(t, db.SQLite)
	calls := 0
	f.h.Preview = func(ctx context.Context, raw string) (*Preview, error) {
		calls++
		if strings.Contains(raw, "robots") {
			return nil, &PreviewError{Msg: "The store's robots.txt does not allow fetching this page."}
		}
		if strings.Contains(raw, "noprice") {
			return &Preview{URL: raw, Title: "Gift card", Availability: "unknown", Strategy: "none"}, nil
		}
		if strings.Contains(raw, "boom") {
			return nil, fmt.Errorf("internal detail that must not be shown")
		}
		return &Preview{URL: raw, Title: "Desk lamp", PriceMinor: p64(1999), Currency: "EUR", Availability: "in_stock",
			Strategy: "jsonld", Evidence: []string{"jsonld · price: 19.99"}}, nil
	}
	routes := f.h.Routes()
	post := func(role auth.Role, user int64, u string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/watches/preview", strings.NewReader(url.Values{"url": {u}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		id := auth.Identity{UserID: user, WorkspaceID: f.ws, Role: role, Scope: auth.ScopeReadWrite}
		req = req.WithContext(auth.WithIdentity(req.Context(), id))
		rec := httptest.NewRecorder()
		routes.ServeHTTP(rec, req)
		return rec
	}
	if rec := post(auth.RoleViewer, 1, "https://shop.example/p"); rec.Code != http.StatusForbidden || calls != 0 {
		t.Fatalf("viewer preview: %d, %d calls", rec.Code, calls)
	}
	for _, tc := range []struct{ url, want string }{
		{"https://shop.example/p", "Desk lamp"},
		{"https://shop.example/robots", "robots.txt does not allow"},
		{"https://shop.example/boom", "could not be previewed"},
		{"https://shop.example/noprice", "No price found on this page"},
		{"ftp://shop.example/p", "starting with http:// or https://"},
		{"", "Paste a product page"},
	} {
		rec := post(auth.RoleMember, 2, tc.url)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), tc.want) || strings.Contains(rec.Body.String(), "internal detail") {
			t.Errorf("preview %q: %d %s", tc.url, rec.Code, rec.Body.String())
		}
	}
	if calls != 4 {
		t.Fatalf("%d preview calls, want 4 (bad and empty URLs fetch nothing)", calls)
	}
	// The burst is spent: the next one waits; another user is not affected.
	for range previewBurst {
		post(auth.RoleMember, 3, "https://shop.example/p")
	}
	if rec := post(auth.RoleMember, 3, "https://shop.example/p"); !strings.Contains(rec.Body.String(), "Too many previews") {
		t.Fatalf("no rate limit: %s", rec.Body.String())
	}
	if rec := post(auth.RoleMember, 4, "https://shop.example/p"); !strings.Contains(rec.Body.String(), "Desk lamp") {
		t.Fatalf("another user is limited too: %s", rec.Body.String())
	}
}
