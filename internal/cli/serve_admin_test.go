package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/config"
	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/fetch"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

func TestAdminProxyPoolsHideCredentials(t *testing.T) {
	got := adminProxyPools(config.Fetch{Proxies: "us=socks5://127.0.0.1:1080;eu=http://user:secret@10.0.0.5:3128,https://p.example:443", DefaultProxyPool: "eu"})
	if len(got) != 2 || got[0].Name != "eu" || got[1].Name != "us" {
		t.Fatalf("pools %+v", got)
	}
	if !got[0].Default || got[1].Default {
		t.Errorf("default pool marked wrong: %+v", got)
	}
	if !slices.Equal(got[0].Proxies, []string{"http://10.0.0.5:3128", "https://p.example:443"}) {
		t.Errorf("eu proxies %v", got[0].Proxies)
	}
	for _, p := range got {
		for _, u := range p.Proxies {
			if strings.Contains(u, "secret") || strings.Contains(u, "user") {
				t.Errorf("credentials leaked: %s", u)
			}
		}
	}
	if got := adminProxyPools(config.Fetch{}); len(got) != 0 {
		t.Errorf("no pools configured: %+v", got)
	}
}

// The selector test's fetch takes the domain's request slot like a check:
// a second test inside the domain's interval waits for the slot, and one
// whose slot is further away than adminSlotWait is refused without a
// request.
func TestAdminPageFetcherTakesTheDomainSlot(t *testing.T) {
	var hits int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		hits++
		fmt.Fprint(w, `<html><h1>Lamp</h1><span class="p">€9.99</span></html>`)
	}))
	defer srv.Close()
	st := store.New(dbtest.Open(t, db.SQLite))
	c := testConfig(t, db.SQLite)
	c.Fetch.AllowPrivateNetworks = true
	c.Fetch.RatePerMinute = 6000 // 10 ms between requests by default
	fn, closeFn, err := adminPageFetcher(c, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = closeFn() }()
	ctx := context.Background()
	d := fetch.Domain{Name: "127.0.0.1"}
	for range 2 {
		res, err := fn(ctx, srv.URL+"/p/1", d)
		if err != nil || res.Outcome != fetch.OutcomeOK || !strings.Contains(string(res.Body), "€9.99") {
			t.Fatalf("fetch: %v %+v", err, res)
		}
	}
	if hits != 2 {
		t.Fatalf("%d page requests, want 2", hits)
	}
	// One request a minute: the next slot is a minute away.
	rate := 1.0
	if _, err := st.UpdateDomainSettings(ctx, store.Actor{}, "127.0.0.1", store.DomainPatch{RatePerMin: &rate}); err != nil {
		t.Fatal(err)
	}
	if _, err := fn(ctx, srv.URL+"/p/1", d); err != nil { // takes the free slot
		t.Fatal(err)
	}
	start := time.Now()
	_, err = fn(ctx, srv.URL+"/p/1", d)
	if err == nil || !strings.Contains(err.Error(), "too far to wait") {
		t.Fatalf("a test a minute early: %v", err)
	}
	if time.Since(start) > 5*time.Second || hits != 3 {
		t.Fatalf("refused after %s with %d requests (want at once, 3)", time.Since(start), hits)
	}
}
