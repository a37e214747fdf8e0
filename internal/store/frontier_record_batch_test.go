package store_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// On PostgreSQL a group of checks is written with a few statements for the
// whole group; step by step, through changes, holds, confirms, misses,
// failures and recoveries, it leaves the same products, history and events
// as the same checks recorded one by one.
func TestRecordChecksGroupMatchesOneByOne(t *testing.T) {
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			st := store.New(dbtest.Open(t, eng))
			c := ctx(t)
			ws := workspace(t, st, "a")
			const n = 6
			var one, group []int64
			for i := range n {
				_, p := watch(t, st, ws.ID, fmt.Sprintf("https://one.example/p/%d", i))
				one = append(one, p.ID)
				_, p = watch(t, st, ws.ID, fmt.Sprintf("https://group.example/p/%d", i))
				group = append(group, p.ID)
			}
			// Another worker's lease on product 2: a check recorded by "w"
			// must not release it.
			exec(t, st, `UPDATE products SET lease_owner = 'other', lease_until = $1 WHERE id IN ($2, $3)`, future()+3_600_000, one[2], group[2])

			obs := func(price int64, avail string) store.CheckResult {
				r := seen(price, "EUR", avail)
				r.Observation.Title, r.Observation.Brand, r.ETag = fmt.Sprintf("Thing %d", price), "Acme", fmt.Sprintf(`"%d"`, price)
				return r
			}
			unchanged := store.CheckResult{Kind: store.CheckUnchanged, Outcome: "not_modified"}
			failed := store.CheckResult{Kind: store.CheckFailed, Outcome: "timeout", Error: "timeout"}
			skipped := store.CheckResult{Kind: store.CheckSkipped, Outcome: "breaker_open"}
			noPrice := store.CheckResult{Kind: store.CheckSeen, Outcome: "ok", Observation: &store.Observation{Title: "Thing"}}
			held := obs(1, store.InStock)
			held.Hold = true
			confirm := obs(1, store.InStock)
			confirm.Confirm = true
			steps := [][n]store.CheckResult{
				{obs(100, store.InStock), obs(101, store.InStock), obs(102, store.OutOfStock), obs(103, store.InStock), obs(104, store.InStock), obs(105, store.InStock)},
				{obs(90, store.InStock), obs(101, store.OutOfStock), unchanged, failed, held, noPrice},
				{unchanged, obs(101, store.InStock), skipped, failed, confirm, noPrice},
				{obs(90, store.InStock), unchanged, obs(102, store.InStock), failed, unchanged, noPrice},
				{obs(95, store.PreOrder), failed, unchanged, unchanged, obs(1, store.OutOfStock), obs(105, store.InStock)},
			}
			at := future()
			for s, step := range steps {
				at += 1000
				var rs []store.CheckResult
				for i, r := range step {
					r.At, r.Owner, r.LatencyMS = at, "w", 5
					r.ProductID = one[i]
					must[*store.CheckOutcome](t)(st.RecordCheck(c, r))
					r.ProductID = group[i]
					rs = append(rs, r)
				}
				slices.Reverse(rs) // the order within a group does not matter
				outs := must[[]*store.CheckOutcome](t)(st.RecordChecks(c, rs))
				if len(outs) != n {
					t.Fatalf("step %d: %d outcomes", s, len(outs))
				}
			}
			for i := range n {
				pa := must[*store.Product](t)(st.GetProduct(c, one[i]))
				pb := must[*store.Product](t)(st.GetProduct(c, group[i]))
				if a, b := comparable(pa), comparable(pb); a != b {
					t.Errorf("product %d:\n one by one %s\n group      %s", i, a, b)
				}
				ha := must[[]store.PricePoint](t)(st.ListPriceHistory(c, one[i], store.FindHistory{}))
				hb := must[[]store.PricePoint](t)(st.ListPriceHistory(c, group[i], store.FindHistory{}))
				if a, b := historyString(ha), historyString(hb); a != b || len(ha) == 0 {
					t.Errorf("product %d history:\n one by one %s\n group      %s", i, a, b)
				}
				ea := must[[]store.Event](t)(st.ListEvents(c, one[i], 100))
				eb := must[[]store.Event](t)(st.ListEvents(c, group[i], 100))
				if a, b := eventsString(ea), eventsString(eb); a != b {
					t.Errorf("product %d events:\n one by one %s\n group      %s", i, a, b)
				}
			}
			// The scenario reaches what it means to: a change, a hold and
			// its confirm, failing and recovery, needs review and back.
			var all []store.Event
			for _, id := range group {
				all = append(all, must[[]store.Event](t)(st.ListEvents(c, id, 100))...)
			}
			for _, k := range []string{store.EventPriceChanged, store.EventOutOfStock, store.EventBackInStock,
				store.EventProductFailing, store.EventProductRecovered, store.EventExtractionMissing} {
				if !slices.Contains(kinds(all), k) {
					t.Errorf("no %s event in the scenario: %v", k, kinds(all))
				}
			}
			if p := must[*store.Product](t)(st.GetProduct(c, group[2])); p.LeaseOwner != "other" {
				t.Errorf("another worker's lease was released: %+v", p)
			}
		})
	}
}

// comparable is a product's recorded state, without what differs between
// the two sides by construction (ids, URLs, domain, jittered next check).
func comparable(p *store.Product) string {
	return fmt.Sprintf("title=%q brand=%q price=%v %s %s status=%s checked=%v failures=%d misses=%d pending=%q etag=%q body=%q outcome=%s lease=%q/%v",
		p.Title, p.Brand, deref(p.PriceMinor), p.Currency, p.Availability, p.Status, deref(p.LastCheckedAt),
		p.ConsecutiveFailures, p.ExtractionMisses, p.PendingChange, p.ETag, p.BodyHash, p.LastOutcome, p.LeaseOwner, p.LeaseUntil != nil)
}

func deref(v *int64) any {
	if v == nil {
		return nil
	}
	return *v
}

func historyString(h []store.PricePoint) string {
	var s string
	for _, x := range h {
		s += fmt.Sprintf("[%d %v %s %s]", x.ObservedAt, deref(x.PriceMinor), x.Currency, x.Availability)
	}
	return s
}

func eventsString(evs []store.Event) string {
	var s string
	for _, e := range evs {
		s += fmt.Sprintf("[%s %s %d]", e.Kind, e.Data, e.At)
	}
	return s
}
