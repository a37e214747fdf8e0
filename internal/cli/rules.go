package cli

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/extract"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// domainRules hands the instance admins' per-domain CSS selectors (PATCH
// /api/v1/admin/domains/{domain}) to the extractor. They are reloaded from
// the database at most every ttl, so an edit applies within that time in
// every worker process, at the cost of one small query per ttl.
type domainRules struct {
	st  *store.Store
	log *slog.Logger
	ttl time.Duration
	now func() time.Time

	mu     sync.Mutex
	loaded time.Time
	rules  []extract.Rule
}

func newDomainRules(st *store.Store, log *slog.Logger) *domainRules {
	return &domainRules{st: st, log: log, ttl: 30 * time.Second, now: time.Now}
}

// Extract is monitor.Options.Extract with the current rules.
func (d *domainRules) Extract(html []byte, pageURL string) extract.Observation {
	return extract.Extract(html, pageURL, extract.Options{Rules: d.current()})
}

func (d *domainRules) current() []extract.Rule {
	d.mu.Lock()
	defer d.mu.Unlock()
	if now := d.now(); now.Sub(d.loaded) >= d.ttl {
		// On failure the old rules stay and the next load waits a ttl: a
		// database hiccup must not slow every check down.
		d.loaded = now
		if rules, err := d.load(); err != nil {
			d.log.Warn("domain selectors not reloaded", "err", err)
		} else {
			d.rules = rules
		}
	}
	return d.rules
}

func (d *domainRules) load() ([]extract.Rule, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ds, err := d.st.ListDomainSettings(ctx)
	if err != nil {
		return nil, err
	}
	var rules []extract.Rule
	for _, dom := range ds {
		var sel struct{ Price, Title, Availability, Image string }
		if err := json.Unmarshal([]byte(dom.Selectors), &sel); err != nil {
			d.log.Warn("domain selectors unreadable", "domain", dom.Domain.Domain, "err", err)
			continue
		}
		if sel == (struct{ Price, Title, Availability, Image string }{}) {
			continue
		}
		rules = append(rules, extract.Rule{Domain: dom.Domain.Domain, Price: sel.Price, Title: sel.Title,
			Availability: sel.Availability, Image: sel.Image})
	}
	return rules, nil
}
