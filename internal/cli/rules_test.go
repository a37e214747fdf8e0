package cli

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/extract"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// TestDomainRulesReachTheExtractor: selectors an admin sets for a domain
// decide that domain's price after the next reload, and no other domain's.
func TestDomainRulesReachTheExtractor(t *testing.T) {
	t.Parallel()
	st := store.New(dbtest.Open(t, db.SQLite))
	clock := time.Unix(1_700_000_000, 0)
	r := newDomainRules(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	r.now = func() time.Time { return clock }
	page := []byte(`<html><body><h1>Widget</h1>
		<div class="box"><span class="odd-price">EUR 12.34</span></div>
		<p>Our price: EUR 99.00</p></body></html>`)

	if obs := r.Extract(page, "https://shop.example/p/1"); obs.Source == extract.SourceRule {
		t.Fatalf("a rule applied before any was set: %+v", obs)
	}
	sel := `{"price":".box .odd-price"}`
	if _, err := st.UpdateDomainSettings(context.Background(), store.Actor{}, "shop.example", store.DomainPatch{Selectors: &sel}); err != nil {
		t.Fatal(err)
	}
	if obs := r.Extract(page, "https://shop.example/p/1"); obs.Source == extract.SourceRule {
		t.Fatal("rules reloaded before their time-to-live passed")
	}
	clock = clock.Add(r.ttl)
	obs := r.Extract(page, "https://www.shop.example/p/1")
	if obs.Source != extract.SourceRule || obs.Price != "12.34" {
		t.Fatalf("with the rule: source %q price %q", obs.Source, obs.Price)
	}
	if obs := r.Extract(page, "https://other.example/p/1"); obs.Source == extract.SourceRule {
		t.Fatalf("another domain used shop.example's rule: %+v", obs)
	}
}
