package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
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

const now = int64(1_780_000_000_000)

type fixture struct {
	t     *testing.T
	st    *store.Store
	ws    int64
	other int64 // a second workspace, for isolation checks
	srv   http.Handler
	token string // an API token of the default workspace's owner; do sends it
}

func newFixture(t *testing.T, engine db.Engine) *fixture {
	t.Helper()
	d := dbtest.Open(t, engine)
	st := store.New(d)
	ctx := context.Background()
	ws, err := st.EnsureWorkspace(ctx, "default", "Default")
	if err != nil {
		t.Fatal(err)
	}
	other, err := st.EnsureWorkspace(ctx, "other", "Other")
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), DefaultWorkspace: ws.ID,
		Now: func() int64 { return now }, Auth: testAuth(st)}
	return &fixture{t: t, st: st, ws: ws.ID, other: other.ID, srv: h.Routes(), token: ownerToken(t, h.Auth)}
}

// ownerToken signs up the first user (who adopts the default workspace) and
// returns a read-write API token of theirs.
func ownerToken(t *testing.T, a *auth.Service) string {
	t.Helper()
	ctx := context.Background()
	if _, err := a.CreateUser(ctx, auth.NewUser{Email: "owner@example.com", Password: "owner password"}); err != nil {
		t.Fatal(err)
	}
	token, _, err := a.CreateTokenForEmail(ctx, "owner@example.com", "", "tests", auth.ScopeReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// forEachEngine runs fn on SQLite and, when configured, on PostgreSQL.
func forEachEngine(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, e := range dbtest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			fn(t, newFixture(t, e))
		})
	}
}

type response struct {
	code   int
	header http.Header
	body   []byte
}

func (f *fixture) do(method, path, contentType, body string) response {
	f.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+f.token)
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	return response{rec.Code, rec.Header(), rec.Body.Bytes()}
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

type problemDoc struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field, Detail string
	} `json:"errors"`
}

func (r response) problem(t *testing.T, wantStatus int) problemDoc {
	t.Helper()
	if r.code != wantStatus {
		t.Fatalf("status %d, want %d: %s", r.code, wantStatus, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json", ct)
	}
	var p problemDoc
	r.decode(t, &p)
	if p.Status != wantStatus || p.Title == "" || p.Type == "" {
		t.Fatalf("incomplete problem document: %s", r.body)
	}
	return p
}

func TestCreateGetListDelete(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		// curl -d sends form-urlencoded; the README's example must work as is.
		r := f.do("POST", "/api/v1/watches", "application/x-www-form-urlencoded",
			`{"url":"HTTPS://Shop.Example.com:443/p/1?utm_source=news&color=red#top","target_price":"19.99","currency":"eur","tags":["gift"," gift ","shoes"]}`)
		if r.code != http.StatusCreated {
			t.Fatalf("create: %d %s", r.code, r.body)
		}
		var w watchJSON
		r.decode(t, &w)
		if r.header.Get("Location") != fmt.Sprintf("/api/v1/watches/%d", w.ID) {
			t.Errorf("Location = %q", r.header.Get("Location"))
		}
		if w.Product == nil || w.Product.CanonicalURL != "https://shop.example.com/p/1?color=red" || w.Product.Domain != "shop.example.com" {
			t.Fatalf("product = %+v", w.Product)
		}
		if w.TargetPrice == nil || *w.TargetPrice != "19.99" || w.Currency != "EUR" {
			t.Errorf("target = %v %q", w.TargetPrice, w.Currency)
		}
		if strings.Join(w.Tags, ",") != "gift,shoes" {
			t.Errorf("tags = %v", w.Tags)
		}
		if w.Product.Availability != "unknown" || w.Product.Price != nil || w.Product.Status != "active" {
			t.Errorf("new product state = %+v", w.Product)
		}

		var got watchJSON
		f.do("GET", fmt.Sprintf("/api/v1/watches/%d", w.ID), "", "").decode(t, &got)
		if got.ID != w.ID || got.Product == nil || got.Product.ID != w.ProductID {
			t.Errorf("get = %+v", got)
		}
		var list watchList
		f.do("GET", "/api/v1/watches", "", "").decode(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != w.ID || list.NextCursor != nil {
			t.Errorf("list = %+v", list)
		}
		var p productJSON
		f.do("GET", fmt.Sprintf("/api/v1/products/%d", w.ProductID), "", "").decode(t, &p)
		if p.ID != w.ProductID || p.URL != "HTTPS://Shop.Example.com:443/p/1?utm_source=news&color=red#top" {
			t.Errorf("product = %+v", p)
		}
		var h historyJSON
		hr := f.do("GET", fmt.Sprintf("/api/v1/products/%d/history", w.ProductID), "", "")
		hr.decode(t, &h)
		if hr.code != 200 || h.ProductID != w.ProductID || h.Points == nil || len(h.Points) != 0 {
			t.Errorf("history = %d %s", hr.code, hr.body)
		}

		// The same product by another spelling is already watched.
		f.do("POST", "/api/v1/watches", "application/json", `{"url":"https://shop.example.com/p/1?color=red&gclid=x"}`).problem(t, http.StatusConflict)

		if r := f.do("DELETE", fmt.Sprintf("/api/v1/watches/%d", w.ID), "", ""); r.code != http.StatusNoContent {
			t.Fatalf("delete: %d %s", r.code, r.body)
		}
		f.do("GET", fmt.Sprintf("/api/v1/watches/%d", w.ID), "", "").problem(t, http.StatusNotFound)
		f.do("DELETE", fmt.Sprintf("/api/v1/watches/%d", w.ID), "", "").problem(t, http.StatusNotFound)
		// Not watched any more: the product is out of this workspace's sight.
		f.do("GET", fmt.Sprintf("/api/v1/products/%d", w.ProductID), "", "").problem(t, http.StatusNotFound)
	})
}

func TestHistoryShowsChanges(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		var w watchJSON
		f.do("POST", "/api/v1/watches", "", `{"url":"https://shop.example.com/p/2"}`).decode(t, &w)
		ctx := context.Background()
		p1, p2 := int64(2999), int64(2499)
		for i, o := range []store.Observation{
			{Title: "Kettle", Currency: "USD", PriceMinor: &p1, Availability: store.InStock},
			{Title: "Kettle", Currency: "USD", PriceMinor: &p1, Availability: store.InStock},
			{Title: "Kettle", Currency: "USD", PriceMinor: &p2, Availability: store.InStock},
		} {
			if _, err := f.st.RecordObservation(ctx, w.ProductID, o, now+int64(i)*60_000); err != nil {
				t.Fatal(err)
			}
		}
		var h historyJSON
		f.do("GET", fmt.Sprintf("/api/v1/products/%d/history", w.ProductID), "", "").decode(t, &h)
		if len(h.Points) != 2 || *h.Points[0].Price != "29.99" || *h.Points[1].Price != "24.99" || h.Currency != "USD" {
			t.Fatalf("history = %+v", h)
		}
		var p productJSON
		f.do("GET", fmt.Sprintf("/api/v1/products/%d", w.ProductID), "", "").decode(t, &p)
		if p.Price == nil || *p.Price != "24.99" || p.Title != "Kettle" || p.LastCheckedAt == nil {
			t.Errorf("product = %+v", p)
		}
		// Bounded by time: only the change at now+2min.
		from := time.UnixMilli(now + 90_000).UTC().Format(time.RFC3339)
		f.do("GET", fmt.Sprintf("/api/v1/products/%d/history?from=%s", w.ProductID, from), "", "").decode(t, &h)
		if len(h.Points) != 1 || *h.Points[0].Price != "24.99" {
			t.Errorf("bounded history = %+v", h)
		}
		f.do("GET", fmt.Sprintf("/api/v1/products/%d/history?from=yesterday", w.ProductID), "", "").problem(t, http.StatusBadRequest)
	})
}

func TestBadInputWritesNothing(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		cases := []struct {
			name, contentType, body, field string
		}{
			{"empty body", "", "", ""},
			{"not json", "", "url=https://example.com", ""},
			{"array", "", `["https://example.com"]`, ""},
			{"unknown field", "", `{"url":"https://example.com/p","price":"1"}`, ""},
			{"trailing data", "", `{"url":"https://example.com/p"} {"url":"x"}`, ""},
			{"url missing", "", `{"target_price":"1"}`, "url"},
			{"url wrong type", "", `{"url":42}`, ""},
			{"url not http", "", `{"url":"ftp://example.com/p"}`, "url"},
			{"url malformed", "", `{"url":"https://exa mple.com/p"}`, "url"},
			{"url no scheme", "", `{"url":"example.com/p"}`, "url"},
			{"url with credentials", "", `{"url":"https://a:b@example.com/p"}`, "url"},
			{"url too long", "", `{"url":"https://example.com/` + strings.Repeat("a", 3000) + `"}`, "url"},
			{"target not a number", "", `{"url":"https://example.com/p","target_price":"cheap"}`, "target_price"},
			{"target negative", "", `{"url":"https://example.com/p","target_price":-5}`, "target_price"},
			{"target too precise", "", `{"url":"https://example.com/p","target_price":"1.23456"}`, "target_price"},
			{"bad currency", "", `{"url":"https://example.com/p","currency":"euro"}`, "currency"},
			{"too many tags", "", `{"url":"https://example.com/p","tags":[` + strings.TrimSuffix(strings.Repeat(`"t",`, 30), ",") + `]}`, "tags"},
			{"empty tag", "", `{"url":"https://example.com/p","tags":[" "]}`, "tags"},
			{"wrong content type", "text/html", `{"url":"https://example.com/p"}`, ""},
			{"huge body", "", `{"url":"https://example.com/p","notes":"` + strings.Repeat("x", 70<<10) + `"}`, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				p := f.do("POST", "/api/v1/watches", tc.contentType, tc.body).problem(t, http.StatusBadRequest)
				if p.Detail == "" && len(p.Errors) == 0 {
					t.Errorf("problem says nothing: %+v", p)
				}
				if tc.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != tc.field) {
					t.Errorf("errors = %+v, want field %q", p.Errors, tc.field)
				}
			})
		}
		var list watchList
		f.do("GET", "/api/v1/watches", "", "").decode(t, &list)
		if len(list.Items) != 0 {
			t.Fatalf("bad input wrote %d watches", len(list.Items))
		}
		if p, err := f.st.GetProductByCanonicalURL(context.Background(), "https://example.com/p"); err == nil {
			t.Fatalf("bad input wrote product %+v", p)
		}
	})
}

func TestPagination(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		for i := 0; i < 7; i++ {
			r := f.do("POST", "/api/v1/watches", "", fmt.Sprintf(`{"url":"https://example.com/p/%d"}`, i))
			if r.code != http.StatusCreated {
				t.Fatalf("create %d: %d %s", i, r.code, r.body)
			}
		}
		var seen []int64
		path := "/api/v1/watches?limit=3"
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
			var l watchList
			f.do("GET", path, "", "").decode(t, &l)
			for _, w := range l.Items {
				seen = append(seen, w.ID)
			}
			if l.NextCursor == nil {
				break
			}
			path = "/api/v1/watches?limit=3&cursor=" + *l.NextCursor
		}
		if len(seen) != 7 {
			t.Fatalf("saw %d watches: %v", len(seen), seen)
		}
		for i := 1; i < len(seen); i++ {
			if seen[i] >= seen[i-1] {
				t.Fatalf("not newest first / duplicates: %v", seen)
			}
		}
		f.do("GET", "/api/v1/watches?cursor=bogus", "", "").problem(t, http.StatusBadRequest)
		f.do("GET", "/api/v1/watches?limit=0", "", "").problem(t, http.StatusBadRequest)
		f.do("GET", "/api/v1/watches?limit=501", "", "").problem(t, http.StatusBadRequest)
	})
}

// Another workspace's ids answer 404, exactly like ids that do not exist.
func TestOtherWorkspaceIsInvisible(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		p := &store.Product{URL: "https://example.com/secret", CanonicalURL: "https://example.com/secret", Domain: "example.com",
			Availability: store.Unknown, Status: store.StatusActive, NextCheckAt: now, CreatedAt: now, UpdatedAt: now}
		w := &store.Watch{WorkspaceID: f.other, CreatedAt: now, UpdatedAt: now}
		if _, err := f.st.CreateWatchForURL(ctx, f.other, p, w); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{
			fmt.Sprintf("/api/v1/watches/%d", w.ID),
			fmt.Sprintf("/api/v1/products/%d", p.ID),
			fmt.Sprintf("/api/v1/products/%d/history", p.ID),
		} {
			f.do("GET", path, "", "").problem(t, http.StatusNotFound)
		}
		f.do("DELETE", fmt.Sprintf("/api/v1/watches/%d", w.ID), "", "").problem(t, http.StatusNotFound)
		var l watchList
		f.do("GET", "/api/v1/watches", "", "").decode(t, &l)
		if len(l.Items) != 0 {
			t.Fatalf("list shows another workspace's watch: %+v", l)
		}
		if _, err := f.st.GetWatch(ctx, f.other, w.ID); err != nil {
			t.Fatalf("the other workspace's watch was touched: %v", err)
		}
		// Watching the same product here is allowed and shares the product row.
		var mine watchJSON
		r := f.do("POST", "/api/v1/watches", "", `{"url":"https://example.com/secret"}`)
		r.decode(t, &mine)
		if r.code != http.StatusCreated || mine.ProductID != p.ID {
			t.Fatalf("shared product: %d %s", r.code, r.body)
		}
	})
}

func TestRoutingErrorsAreProblems(t *testing.T) {
	f := newFixture(t, db.SQLite)
	f.do("GET", "/api/v1/nope", "", "").problem(t, http.StatusNotFound)
	f.do("GET", "/api/v1/watches/abc", "", "").problem(t, http.StatusNotFound)
	f.do("GET", "/api/v1/watches/-1", "", "").problem(t, http.StatusNotFound)
	r := f.do("PUT", "/api/v1/watches", "", "{}")
	r.problem(t, http.StatusMethodNotAllowed)
	if r.header.Get("Allow") == "" {
		t.Error("405 without Allow header")
	}
}
