package api

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/store"
)

// catalogTenancyRows are the catalog routes' rows of the tenancy table: a
// catalog watch in A and one in B.
func (f *acct) catalogTenancyRows() map[string]tenancyRow {
	mk := func(ws int64) int64 {
		c := &store.CatalogWatch{WorkspaceID: ws, URL: "https://shop.example/", Interval: time.Hour}
		if err := f.st.CreateCatalogWatch(context.Background(), c); err != nil {
			f.t.Fatal(err)
		}
		return c.ID
	}
	a, b := mk(f.wsA), mk(f.wsB)
	one := func(method string, id int64, suffix, body string) string {
		s := fmt.Sprintf("%s /api/v1/catalogs/%d%s", method, id, suffix)
		if body != "" {
			s += " " + body
		}
		return s
	}
	return map[string]tenancyRow{
		"POST /api/v1/catalogs": {own: `POST /api/v1/catalogs {"url":"https://other.example/"}`,
			other: `POST /api/v1/catalogs {"url":"https://third.example/"}`, wantOther: 201, wantViewer: 403, wantReadToken: 403},
		"GET /api/v1/catalogs": {own: "GET /api/v1/catalogs", other: "GET /api/v1/catalogs",
			wantOther: 200, wantViewer: 200, wantReadToken: 200},
		"GET /api/v1/catalogs/{id}": {own: one("GET", a, "", ""), other: one("GET", b, "", ""),
			wantOther: 404, wantViewer: 200, wantReadToken: 200},
		"PATCH /api/v1/catalogs/{id}": {own: one("PATCH", a, "", `{"paused":true}`), other: one("PATCH", b, "", `{"paused":true}`),
			wantOther: 404, wantViewer: 403, wantReadToken: 403},
		"DELETE /api/v1/catalogs/{id}": {own: one("DELETE", a, "", ""), other: one("DELETE", b, "", ""),
			wantOther: 404, wantViewer: 403, wantReadToken: 403},
		"POST /api/v1/catalogs/{id}/scan": {own: one("POST", a, "/scan", ""), other: one("POST", b, "/scan", ""),
			wantOther: 404, wantViewer: 403, wantReadToken: 403},
		"GET /api/v1/catalogs/{id}/products": {own: one("GET", a, "/products", ""), other: one("GET", b, "/products", ""),
			wantOther: 404, wantViewer: 200, wantReadToken: 200},
	}
}

// catalogA creates a catalog watch in A (hourly) and returns its id.
func (f *acct) catalogA() int64 {
	c := &store.CatalogWatch{WorkspaceID: f.wsA, URL: "https://a.example/", Interval: time.Hour}
	if err := f.st.CreateCatalogWatch(context.Background(), c); err != nil {
		f.t.Fatal(err)
	}
	return c.ID
}

type catalogDoc struct {
	ID              int64    `json:"id"`
	URL             string   `json:"url"`
	Name            string   `json:"name"`
	Include         []string `json:"include"`
	Exclude         []string `json:"exclude"`
	IntervalMinutes int64    `json:"interval_minutes"`
	Paused          bool     `json:"paused"`
	AutoWatch       bool     `json:"auto_watch"`
	Scans           int64    `json:"scans"`
	NextScanAt      string   `json:"next_scan_at"`
}

func TestCatalogCRUD(t *testing.T) {
	forEachAcct(t, func(t *testing.T, f *acct) {
		owner, viewer := f.as("ownerA"), f.as("viewerA")
		res := f.call(owner, "POST", "/api/v1/catalogs",
			`{"url":"HTTPS://Shop.Example/?utm_source=x", "name":" Kettles ", "include":["kettle", " Kettle ", "tea  pot"], "exclude":["used"], "auto_watch":true}`)
		var c catalogDoc
		res.decode(t, &c)
		if res.code != http.StatusCreated || res.header.Get("Location") != fmt.Sprintf("/api/v1/catalogs/%d", c.ID) {
			t.Fatalf("POST: %d %s", res.code, res.body)
		}
		if c.URL != "https://shop.example/" || c.Name != "Kettles" || len(c.Include) != 2 || c.Include[1] != "tea pot" ||
			c.IntervalMinutes != 360 || !c.AutoWatch || c.Paused || c.Scans != 0 {
			t.Errorf("created %+v", c)
		}
		if res := f.call(owner, "POST", "/api/v1/catalogs", `{"url":"https://shop.example/"}`); res.code != http.StatusConflict {
			t.Errorf("same store twice: %d %s", res.code, res.body)
		}
		res = f.call(viewer, "GET", fmt.Sprintf("/api/v1/catalogs/%d", c.ID), "")
		var got catalogDoc
		res.decode(t, &got)
		if res.code != 200 || got.ID != c.ID || got.Include[0] != "kettle" {
			t.Errorf("GET: %d %s", res.code, res.body)
		}
		res = f.call(owner, "PATCH", fmt.Sprintf("/api/v1/catalogs/%d", c.ID), `{"exclude":[], "interval_minutes":60, "paused":true}`)
		res.decode(t, &got)
		if res.code != 200 || len(got.Exclude) != 0 || got.IntervalMinutes != 60 || !got.Paused || got.Include[0] != "kettle" {
			t.Errorf("PATCH: %d %s", res.code, res.body)
		}
		// Paused or not, "scan now" makes it due now.
		res = f.call(owner, "POST", fmt.Sprintf("/api/v1/catalogs/%d/scan", c.ID), "")
		res.decode(t, &got)
		if res.code != http.StatusAccepted || got.NextScanAt != rfc3339(now) {
			t.Errorf("scan now: %d %s", res.code, res.body)
		}
		var list struct {
			Items      []catalogDoc `json:"items"`
			NextCursor *string      `json:"next_cursor"`
		}
		f.call(owner, "POST", "/api/v1/catalogs", `{"url":"https://two.example/sitemap.xml"}`).decode(t, &got)
		res = f.call(owner, "GET", "/api/v1/catalogs?limit=1", "")
		res.decode(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != got.ID || list.NextCursor == nil {
			t.Fatalf("first page %s", res.body)
		}
		f.call(owner, "GET", "/api/v1/catalogs?limit=1&cursor="+*list.NextCursor, "").decode(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != c.ID || list.NextCursor != nil {
			t.Errorf("second page %+v", list)
		}
		if res := f.call(owner, "DELETE", fmt.Sprintf("/api/v1/catalogs/%d", c.ID), ""); res.code != http.StatusNoContent {
			t.Errorf("DELETE: %d %s", res.code, res.body)
		}
		if res := f.call(owner, "GET", fmt.Sprintf("/api/v1/catalogs/%d", c.ID), ""); res.code != http.StatusNotFound {
			t.Errorf("GET after DELETE: %d", res.code)
		}
	})
}

func TestCatalogBadInputWritesNothing(t *testing.T) {
	forEachAcct(t, func(t *testing.T, f *acct) {
		owner := f.as("ownerA")
		for body, fields := range map[string][]string{
			`{}`:                                                               {"url"},
			`{"url":"ftp://shop.example/"}`:                                    {"url"},
			`{"url":"http://127.0.0.1:8081/"}`:                                 {"url"},
			`{"url":"http://169.254.169.254/"}`:                                {"url"},
			`{"url":"http://localhost/"}`:                                      {"url"},
			`{"url":"https://s.example/", "include":[""]}`:                     {"include"},
			`{"url":"https://s.example/", "exclude":["*"]}`:                    {"exclude"},
			`{"url":"https://s.example/", "interval_minutes":5}`:               {"interval_minutes"},
			`{"url":"10.0.0.1", "include":[""], "interval_minutes":100000000}`: {"url", "include", "interval_minutes"},
		} {
			res := f.call(owner, "POST", "/api/v1/catalogs", body)
			doc := res.problem(t, http.StatusBadRequest)
			var got []string
			for _, e := range doc.Errors {
				got = append(got, e.Field)
			}
			if fmt.Sprint(got) != fmt.Sprint(fields) {
				t.Errorf("%s: field errors %v, want %v", body, got, fields)
			}
		}
		if res := f.call(owner, "POST", "/api/v1/catalogs", `{"url":"https://s.example/", "bogus":1}`); res.code != http.StatusBadRequest {
			t.Errorf("unknown field: %d", res.code)
		}
		if cs, err := f.st.ListCatalogWatches(context.Background(), f.wsA, store.FindCatalogWatches{}); err != nil || len(cs) != 0 {
			t.Fatalf("after bad input: %d catalog watches, %v", len(cs), err)
		}
		id := f.catalogA()
		for _, body := range []string{`{"url":"https://x.example/"}`, `{"interval_minutes":0, "name":"x"}`, `{"include":["ok", ""]}`} {
			res := f.call(owner, "PATCH", fmt.Sprintf("/api/v1/catalogs/%d", id), body)
			res.problem(t, http.StatusBadRequest)
		}
		if c, err := f.st.GetCatalogWatch(context.Background(), f.wsA, id); err != nil || c.Name != "" || c.Interval != time.Hour {
			t.Errorf("a refused PATCH wrote %+v, %v", c, err)
		}
		if res := f.call(owner, "GET", fmt.Sprintf("/api/v1/catalogs/%d/products?announced=maybe", id), ""); res.code != http.StatusBadRequest {
			t.Errorf("announced=maybe: %d", res.code)
		}
	})
}

func TestCatalogFeed(t *testing.T) {
	forEachAcct(t, func(t *testing.T, f *acct) {
		ctx := context.Background()
		id := f.catalogA()
		item := func(u string, matched bool) store.CatalogScanItem {
			return store.CatalogScanItem{CanonicalURL: u, Title: "T", Matched: matched}
		}
		if _, err := f.st.RecordCatalogScan(ctx, id, store.CatalogScan{At: now, Items: []store.CatalogScanItem{item("https://shop.example/p/1", true)}}); err != nil {
			t.Fatal(err)
		}
		price := int64(1250)
		second := []store.CatalogScanItem{item("https://shop.example/p/2", true), item("https://shop.example/p/3", false), item("https://shop.example/p/4", true)}
		second[0].PriceMinor, second[0].Currency = &price, "EUR"
		if _, err := f.st.RecordCatalogScan(ctx, id, store.CatalogScan{At: now + 1000, Items: second}); err != nil {
			t.Fatal(err)
		}
		var feed struct {
			Items []struct {
				URL       string  `json:"url"`
				Price     *string `json:"price"`
				Currency  string  `json:"currency"`
				Matched   bool    `json:"matched"`
				Announced bool    `json:"announced"`
			} `json:"items"`
			NextCursor *string `json:"next_cursor"`
		}
		viewer := f.as("viewerA")
		f.call(viewer, "GET", fmt.Sprintf("/api/v1/catalogs/%d/products?limit=3", id), "").decode(t, &feed)
		if len(feed.Items) != 3 || feed.NextCursor == nil || feed.Items[0].URL != "https://shop.example/p/4" || feed.Items[1].Matched ||
			feed.Items[1].Announced || feed.Items[2].Price == nil || *feed.Items[2].Price != "12.50" || feed.Items[2].Currency != "EUR" {
			t.Fatalf("feed page 1 %+v", feed)
		}
		f.call(viewer, "GET", fmt.Sprintf("/api/v1/catalogs/%d/products?limit=3&cursor=%s", id, *feed.NextCursor), "").decode(t, &feed)
		if len(feed.Items) != 1 || feed.Items[0].URL != "https://shop.example/p/1" || feed.Items[0].Announced || feed.NextCursor != nil {
			t.Fatalf("feed page 2 (the baseline item, not announced) %+v", feed)
		}
		f.call(viewer, "GET", fmt.Sprintf("/api/v1/catalogs/%d/products?announced=true", id), "").decode(t, &feed)
		if len(feed.Items) != 2 {
			t.Errorf("announced feed %+v", feed)
		}
	})
}
