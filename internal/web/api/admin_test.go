package api

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/store"
)

func TestAdminDomainsAndSettings(t *testing.T) {
	forEachAcct(t, func(t *testing.T, f *acct) {
		adm := f.as("viewerA")
		adm.InstanceAdmin = true
		for body, field := range map[string]string{
			`{"selectors":{"price":"div[["}}`:                       "selectors.price",
			`{"selectors":{"cost":".p"}}`:                           "selectors",
			`{"selectors":"span.price"}`:                            "selectors",
			`{"rate_per_min":-1}`:                                   "rate_per_min",
			`{"rate_per_min":10000}`:                                "rate_per_min",
			`{"proxy_pool":"us"}`:                                   "proxy_pool",
			`{"selectors":{"title":"h1","image":"img:nth-child("}}`: "selectors.image",
		} {
			res := f.call(adm, "PATCH", "/api/v1/admin/domains/shop.example", body)
			if res.code != 400 || !strings.Contains(string(res.body), `"field":"`+field+`"`) {
				t.Errorf("PATCH %s = %d %s, want 400 naming %s", body, res.code, res.body, field)
			}
		}
		if res := f.call(adm, "PATCH", "/api/v1/admin/domains/not_a_host", `{"blocked":true}`); res.code != 400 {
			t.Errorf("bad host: %d", res.code)
		}
		f.h.ProxyPools = []string{"eu"}
		res := f.call(adm, "PATCH", "/api/v1/admin/domains/Shop.Example",
			`{"rate_per_min":6,"requires_js":true,"proxy_pool":"eu","selectors":{"price":" .price > span ","title":"h1"}}`)
		if res.code != 200 {
			t.Fatalf("PATCH: %d %s", res.code, res.body)
		}
		var d domainJSON
		res.decode(t, &d)
		if d.Domain != "shop.example" || d.RatePerMin != 6 || !d.RequiresJS || d.Blocked || d.Products != 2 || d.ProxyPool != "eu" ||
			string(d.Selectors) != `{"price":".price \u003e span","title":"h1"}` {
			t.Errorf("domain after PATCH: %+v selectors %s", d, d.Selectors)
		}
		// A failed check shows in the domain's health.
		ctx := context.Background()
		if _, err := f.st.ClaimDue(ctx, "w1", time.Now().UnixMilli(), time.Minute, 10); err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.RecordCheck(ctx, store.CheckResult{ProductID: f.prodA, Owner: "w1", At: time.Now().UnixMilli(),
			Kind: store.CheckFailed, Outcome: "network", Error: "connection refused", LatencyMS: 1234, BreakerState: "open"}); err != nil {
			t.Fatal(err)
		}
		var list struct {
			Items []domainJSON `json:"items"`
		}
		f.call(adm, "GET", "/api/v1/admin/domains", "").decode(t, &list)
		if len(list.Items) != 1 || list.Items[0].RatePerMin != 6 {
			t.Fatalf("domains: %+v", list.Items)
		}
		if hl := list.Items[0].Health; hl.Checks != 1 || hl.Failures != 1 || hl.SuccessRate >= 1 || hl.LastError != "connection refused" ||
			hl.LastLatencyMS != 1234 || hl.BreakerState != "open" || hl.Flagged {
			t.Errorf("health after a failed check: %+v", hl)
		}

		if res := f.call(adm, "PATCH", "/api/v1/admin/settings", `{"signup_mode":"sometimes"}`); res.code != 400 {
			t.Errorf("bad sign-up mode: %d", res.code)
		}
		if res := f.call(adm, "GET", "/api/v1/admin/settings", ""); !strings.Contains(string(res.body), `"signup_mode":"invite-only"`) {
			t.Errorf("default settings: %s", res.body)
		}
		if res := f.call(adm, "PATCH", "/api/v1/admin/settings", `{"signup_mode":"open"}`); res.code != 200 ||
			!strings.Contains(string(res.body), `"signup_mode":"open"`) {
			t.Errorf("set sign-up mode: %d %s", res.code, res.body)
		}

		// The instance audit log pages newest first; a workspace's own log
		// does not show instance-wide changes.
		var page struct {
			Items      []auditJSON `json:"items"`
			NextCursor *string     `json:"next_cursor"`
		}
		f.call(adm, "GET", "/api/v1/admin/audit?limit=1", "").decode(t, &page)
		if len(page.Items) != 1 || page.Items[0].Action != "instance.setting" || page.NextCursor == nil ||
			page.Items[0].ActorUserID == nil || *page.Items[0].ActorUserID != f.users["viewerA"] {
			t.Fatalf("audit page 1: %+v", page)
		}
		first := page.Items[0].ID
		f.call(adm, "GET", "/api/v1/admin/audit?limit=1&cursor="+*page.NextCursor, "").decode(t, &page)
		if len(page.Items) != 1 || page.Items[0].ID >= first || page.Items[0].Action != "domain.update" ||
			page.Items[0].Target != "domain:shop.example" {
			t.Fatalf("audit page 2: %+v", page)
		}
		if res := f.call(adm, "GET", "/api/v1/admin/audit?cursor=nonsense", ""); res.code != 400 {
			t.Errorf("bad cursor: %d", res.code)
		}
		var ws struct {
			Items []auditJSON `json:"items"`
		}
		f.call(f.as("ownerA"), "GET", "/api/v1/audit", "").decode(t, &ws)
		for _, e := range ws.Items {
			if strings.HasPrefix(e.Action, "domain.") || strings.HasPrefix(e.Action, "instance.") {
				t.Errorf("workspace audit shows an instance-wide entry: %+v", e)
			}
		}
	})
}
