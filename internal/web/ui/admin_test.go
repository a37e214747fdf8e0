package ui

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/store"
)

func domainNames(rows []domainRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Domain.Domain
	}
	return out
}

func TestSortDomains(t *testing.T) {
	mk := func(name string, products int64, rate float64, latency int64, breaker string, flagged bool) domainRow {
		return domainRow{DomainSettings: store.DomainSettings{Domain: store.Domain{Domain: name, SuccessRate: rate,
			LastLatencyMS: latency, BreakerState: breaker, Flagged: flagged}}, Products: products}
	}
	rows := []domainRow{
		mk("b.example", 5, 0.9, 300, "closed", false),
		mk("a.example", 1, 0.2, 900, "open", true),
		mk("c.example", 9, 1, 100, "half-open", false),
		mk("d.example", 5, 0.5, 200, "", true),
	}
	cases := []struct {
		q    string
		want []string
	}{
		{"", []string{"a.example", "d.example", "b.example", "c.example"}}, // flagged first, then by name
		{"sort=domain", []string{"a.example", "b.example", "c.example", "d.example"}},
		{"sort=domain&dir=desc", []string{"d.example", "c.example", "b.example", "a.example"}},
		{"sort=products&dir=desc", []string{"c.example", "b.example", "d.example", "a.example"}}, // ties by name
		{"sort=success", []string{"a.example", "d.example", "b.example", "c.example"}},
		{"sort=latency&dir=desc", []string{"a.example", "b.example", "d.example", "c.example"}},
		{"sort=breaker&dir=desc", []string{"a.example", "c.example", "b.example", "d.example"}},
		{"sort=nonsense", []string{"a.example", "d.example", "b.example", "c.example"}},
	}
	for _, c := range cases {
		q := parseDomainQuery(httptest.NewRequest("GET", "/admin/domains?"+c.q, nil))
		got := slices.Clone(rows)
		sortDomains(got, q)
		if names := domainNames(got); !slices.Equal(names, c.want) {
			t.Errorf("?%s: %v, want %v", c.q, names, c.want)
		}
	}
}

func TestDomainHeadersToggle(t *testing.T) {
	hs := domainHeaders(domainQuery{Sort: "products", Dir: "asc"})
	for _, h := range hs {
		switch h.Label {
		case "Products":
			if h.AriaSort != "ascending" || !strings.Contains(h.Href, "dir=desc") || !strings.Contains(h.Href, "sort=products") {
				t.Errorf("current column: %+v", h)
			}
		case "Domain":
			if h.AriaSort != "none" || !strings.Contains(h.Href, "dir=asc") {
				t.Errorf("other column: %+v", h)
			}
		}
	}
	for _, h := range domainHeaders(domainQuery{Sort: "products", Dir: "desc"}) {
		if h.Label == "Products" && (h.AriaSort != "descending" || !strings.Contains(h.Href, "dir=asc")) {
			t.Errorf("descending column: %+v", h)
		}
	}
}

func TestJobTable(t *testing.T) {
	totals, rows := jobTable([]store.JobCount{
		{Kind: "notify", Queue: "notify", State: "available", Count: 3},
		{Kind: "catalog_scan", Queue: "default", State: "discarded", Count: 2},
		{Kind: "notify", Queue: "notify", State: "retryable", Count: 1},
		{Kind: "catalog_scan", Queue: "default", State: "scheduled", Count: 4},
	})
	if totals["available"] != 3 || totals["discarded"] != 2 || totals["retryable"] != 1 || totals["scheduled"] != 4 || totals["running"] != 0 {
		t.Errorf("totals %v", totals)
	}
	if _, ok := totals["running"]; !ok {
		t.Error("a state with no jobs is missing from the totals")
	}
	if len(rows) != 2 || rows[0].Kind != "catalog_scan" || rows[1].Kind != "notify" ||
		rows[1].Counts["available"] != 3 || rows[1].Counts["retryable"] != 1 || rows[0].Counts["scheduled"] != 4 {
		t.Errorf("rows %+v", rows)
	}
}

func TestDeviceLabel(t *testing.T) {
	for ua, want := range map[string]string{
		"": "Unknown device",
		"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0":                                                                  "Firefox on Linux",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126":                     "Edge on Windows",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1": "Safari on iPhone",
		"curl/8.5.0": "curl",
	} {
		if got := deviceLabel(ua); got != want {
			t.Errorf("deviceLabel(%q) = %q, want %q", ua, got, want)
		}
	}
}

func TestTokenExpiries(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 30, 45, 0, time.UTC)
	got := tokenExpiries(now)
	if len(got) != 3 || got[0][0] != "2026-03-31T10:30:00Z" || got[0][1] != "30 days" || got[2][0] != "2027-03-01T10:30:00Z" {
		t.Errorf("expiries %v", got)
	}
}
