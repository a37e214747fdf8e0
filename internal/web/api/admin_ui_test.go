package api

import (
	"context"
	"strings"
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/fetch"
)

const selectorTestPage = `<!doctype html><html><head><title>Lamp</title>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product","name":"Desk lamp",
"offers":{"@type":"Offer","price":"15.00","priceCurrency":"EUR","availability":"https://schema.org/InStock"}}</script>
</head><body><h1>Desk lamp</h1><div class="buy"><span class="cost">€12,34</span></div></body></html>`

func TestAdminSelectorTest(t *testing.T) {
	forEachAcct(t, func(t *testing.T, f *acct) {
		adm := f.as("viewerA")
		adm.InstanceAdmin = true
		var fetched []string
		var gotDomain fetch.Domain
		f.h.FetchPage = func(_ context.Context, u string, d fetch.Domain) (*fetch.Result, error) {
			fetched, gotDomain = append(fetched, u), d
			return &fetch.Result{Outcome: fetch.OutcomeOK, Status: 200, FinalURL: u, Body: []byte(selectorTestPage)}, nil
		}
		call := func(body string) response {
			return f.call(adm, "POST", "/api/v1/admin/domains/shop.example/test-selectors", body)
		}

		for body, field := range map[string]string{
			`{"selectors":{"price":"div[["}}`: "selectors.price",
			`{}`:                              "selectors",
			`{"url":"https://elsewhere.example/p/1","selectors":{"price":"x"}}`: "url",
			`{"url":"file:///etc/passwd","selectors":{"price":"x"}}`:            "url",
		} {
			if res := call(body); res.code != 400 || !strings.Contains(string(res.body), `"field":"`+field+`"`) {
				t.Errorf("%s = %d %s, want 400 naming %s", body, res.code, res.body, field)
			}
		}
		if len(fetched) != 0 {
			t.Fatalf("refused tests fetched %v", fetched)
		}

		rate := `{"rate_per_min":7,"requires_js":false}`
		if res := f.call(adm, "PATCH", "/api/v1/admin/domains/shop.example", rate); res.code != 200 {
			t.Fatalf("PATCH: %d %s", res.code, res.body)
		}
		res := call(`{"selectors":{"price":".buy .cost","title":"h1","image":"img.none"}}`)
		if res.code != 200 {
			t.Fatalf("test: %d %s", res.code, res.body)
		}
		var out struct {
			URL     string                   `json:"url"`
			Matched map[string]selectorMatch `json:"matched"`
			With    *extractedJSON           `json:"with_rules"`
			Without *extractedJSON           `json:"without_rules"`
		}
		res.decode(t, &out)
		// No url given: one of the domain's watched products.
		if len(fetched) != 1 || !strings.HasPrefix(out.URL, "https://shop.example/") || fetched[0] != out.URL {
			t.Fatalf("fetched %v, answered url %q", fetched, out.URL)
		}
		if gotDomain.Name != "shop.example" || gotDomain.RatePerMinute != 7 {
			t.Errorf("fetched with domain settings %+v", gotDomain)
		}
		if out.With == nil || out.With.Price == nil || *out.With.Price != "12.34" || out.With.Source != "rule" {
			t.Errorf("with rules: %+v", out.With)
		}
		if out.Without == nil || out.Without.Price == nil || *out.Without.Price != "15.00" {
			t.Errorf("without rules: %+v", out.Without)
		}
		if m := out.Matched["price"]; m.Matches != 1 || m.First == nil || *m.First != "€12,34" {
			t.Errorf("price selector matched %+v", m)
		}
		if m := out.Matched["image"]; m.Matches != 0 || m.First != nil {
			t.Errorf("image selector matched %+v", m)
		}
		// Nothing is saved by a test.
		if r := f.call(adm, "GET", "/api/v1/admin/domains", ""); strings.Contains(string(r.body), ".buy .cost") {
			t.Errorf("the test saved its selectors: %s", r.body)
		}

		if res := call(`{"url":"https://www.shop.example/p/9","selectors":{"price":".cost"}}`); res.code != 200 ||
			fetched[len(fetched)-1] != "https://www.shop.example/p/9" {
			t.Errorf("a subdomain url: %d %s (fetched %v)", res.code, res.body, fetched)
		}

		if r := f.call(adm, "PATCH", "/api/v1/admin/domains/shop.example", `{"blocked":true}`); r.code != 200 {
			t.Fatal(r.code)
		}
		n := len(fetched)
		if res := call(`{"selectors":{"price":".cost"}}`); res.code != 409 || len(fetched) != n {
			t.Errorf("blocked domain: %d %s, fetched %d more", res.code, res.body, len(fetched)-n)
		}
	})
}

func TestAdminUsersJobsProxies(t *testing.T) {
	forEachAcct(t, func(t *testing.T, f *acct) {
		adm := f.as("viewerA")
		adm.InstanceAdmin = true
		var users struct {
			Items []adminUserJSON `json:"items"`
		}
		f.call(adm, "GET", "/api/v1/admin/users", "").decode(t, &users)
		if len(users.Items) != len(f.users) {
			t.Fatalf("users: %+v, want %d", users.Items, len(f.users))
		}
		for _, u := range users.Items {
			want := int64(1)
			if u.Email == "outsider@example.com" {
				want = 0 // a member of no workspace
			}
			if u.Email == "" || u.Workspaces != want {
				t.Errorf("user %+v", u)
			}
		}
		var jobs struct {
			Totals map[string]int64 `json:"totals"`
			Counts []jobCountJSON   `json:"counts"`
			Dead   []deadJobJSON    `json:"dead"`
		}
		f.call(adm, "GET", "/api/v1/admin/jobs", "").decode(t, &jobs)
		if _, ok := jobs.Totals["discarded"]; !ok || jobs.Counts == nil || jobs.Dead == nil {
			t.Errorf("jobs: %+v", jobs)
		}
		f.h.Proxies = []ProxyPool{{Name: "eu", Proxies: []string{"http://10.0.0.5:3128"}, Default: true}}
		if r := f.call(adm, "GET", "/api/v1/admin/proxies", ""); !strings.Contains(string(r.body), `"name":"eu"`) {
			t.Errorf("proxies: %s", r.body)
		}
	})
}
