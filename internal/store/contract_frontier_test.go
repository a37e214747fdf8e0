package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/frontier"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// TestFrontierContract runs the frontier's contract on every engine, like
// TestContract.
func TestFrontierContract(t *testing.T) {
	t.Parallel()
	tests := []contractTest{
		{"ClaimDueFilters", testClaimDueFilters},
		{"ClaimDueLeaseExpiry", testClaimDueLeaseExpiry},
		{"ClaimDueConcurrent", testClaimDueConcurrent},
		{"ClaimProduct", testClaimProduct},
		{"DomainSlot", testDomainSlot},
		{"DomainSlotConcurrent", testDomainSlotConcurrent},
		{"ReserveDomainSlots", testReserveDomainSlots},
		{"ReserveDomainSlotsConcurrent", testReserveDomainSlotsConcurrent},
		{"RecordChecksBatch", testRecordChecksBatch},
		{"RecordChecksAllOrNothing", testRecordChecksAllOrNothing},
		{"DomainBreakerState", testDomainBreakerState},
		{"ClaimAndRecordConcurrently", testClaimAndRecordConcurrently},
		{"ClaimBatch", testClaimBatch},
		{"RecordCheckSequence", testRecordCheckSequence},
		{"RecordCheckFailures", testRecordCheckFailures},
		{"RecordCheckHoldAndConfirm", testRecordCheckHoldAndConfirm},
		{"DomainHealth", testDomainHealth},
		{"PriceMedian", testPriceMedian},
		{"WatchMinInterval", testWatchMinInterval},
	}
	runContract(t, tests)
}

// future is a "now" after every product created by the test is due.
func future() int64 { return time.Now().Add(time.Minute).UnixMilli() }

func exec(t *testing.T, st *store.Store, q string, args ...any) {
	t.Helper()
	if _, err := st.DB().Write.ExecContext(ctx(t), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func ids(ps []store.Product) []int64 {
	out := make([]int64, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

func testClaimDueFilters(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	now := future()
	var due []int64
	for i := range 3 {
		_, p := watch(t, st, ws.ID, productURL(i))
		exec(t, st, `UPDATE products SET next_check_at = $1 WHERE id = $2`, now-int64(10-i), p.ID) // ordered
		due = append(due, p.ID)
	}
	_, later := watch(t, st, ws.ID, productURL(10))
	exec(t, st, `UPDATE products SET next_check_at = $1 WHERE id = $2`, now+1, later.ID)
	w, unwatched := watch(t, st, ws.ID, productURL(11))
	noErr(t, st.DeleteWatch(c, ws.ID, w.ID))
	if _, err := st.GetProduct(c, unwatched.ID); err != nil {
		t.Fatalf("product of a deleted watch: %v", err)
	}
	w, _ = watch(t, st, ws.ID, productURL(12))
	exec(t, st, `UPDATE watches SET paused = $1 WHERE id = $2`, true, w.ID)
	_, paused := watch(t, st, ws.ID, productURL(13))
	exec(t, st, `UPDATE products SET status = 'paused' WHERE id = $1`, paused.ID)
	_, blocked := watch(t, st, ws.ID, "https://blocked.example/p/1")
	noErr(t, st.SetDomainSettings(c, store.Domain{Domain: blocked.Domain, Blocked: true}))
	// A product with a paused and an active watch is due.
	ws2 := workspace(t, st, "b")
	_, shared := watch(t, st, ws2.ID, productURL(12))
	exec(t, st, `UPDATE products SET next_check_at = $1 WHERE id = $2`, now-100, shared.ID)
	due = append([]int64{shared.ID}, due...)

	got := must[[]store.Product](t)(st.ClaimDue(c, "w1", now, time.Minute, 100))
	if !slices.Equal(ids(got), due) {
		t.Fatalf("claimed %v, want %v (earliest due first)", ids(got), due)
	}
	for _, p := range got {
		if p.LeaseOwner != "w1" || p.LeaseUntil == nil || *p.LeaseUntil != now+60_000 {
			t.Errorf("product %d: lease %q until %v, want w1 until %d", p.ID, p.LeaseOwner, p.LeaseUntil, now+60_000)
		}
	}
	if again := must[[]store.Product](t)(st.ClaimDue(c, "w2", now, time.Minute, 100)); len(again) != 0 {
		t.Fatalf("claimed leased products again: %v", ids(again))
	}
	if _, err := st.ClaimDue(c, "", now, time.Minute, 1); err == nil {
		t.Error("ClaimDue without an owner succeeded")
	}
}

func testClaimDueLeaseExpiry(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	for i := range 4 {
		watch(t, st, ws.ID, productURL(i))
	}
	now := future()
	first := must[[]store.Product](t)(st.ClaimDue(c, "crashed", now, time.Minute, 2))
	if len(first) != 2 {
		t.Fatalf("claimed %d, want 2 (limit)", len(first))
	}
	second := must[[]store.Product](t)(st.ClaimDue(c, "alive", now, time.Minute, 10))
	if len(second) != 2 || slices.ContainsFunc(second, func(p store.Product) bool { return slices.Contains(ids(first), p.ID) }) {
		t.Fatalf("second claimer got %v, want the 2 others than %v", ids(second), ids(first))
	}
	// The crashed worker never records or releases: its leases expire.
	if got := must[[]store.Product](t)(st.ClaimDue(c, "alive", now+60_000, time.Minute, 10)); len(got) != 0 {
		t.Fatalf("claimed %v while leases hold (until exactly now)", ids(got))
	}
	got := must[[]store.Product](t)(st.ClaimDue(c, "alive", now+60_001, time.Minute, 10))
	if len(got) != 4 {
		t.Fatalf("after expiry claimed %v, want all 4", ids(got))
	}
	// Releasing some, then all.
	n := must[int64](t)(st.ReleaseLeases(c, "alive", got[0].ID))
	if n != 1 {
		t.Fatalf("released %d, want 1", n)
	}
	if again := must[[]store.Product](t)(st.ClaimDue(c, "other", now+60_001, time.Minute, 10)); !slices.Equal(ids(again), ids(got[:1])) {
		t.Fatalf("after releasing one, claimed %v, want %v", ids(again), ids(got[:1]))
	}
	if n := must[int64](t)(st.ReleaseLeases(c, "alive")); n != 3 {
		t.Fatalf("released %d, want 3", n)
	}
	p := must[*store.Product](t)(st.GetProduct(c, got[1].ID))
	if p.LeaseOwner != "" || p.LeaseUntil != nil {
		t.Fatalf("released product still leased: %q %v", p.LeaseOwner, p.LeaseUntil)
	}
}

func testClaimDueConcurrent(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	const products = 40
	for i := range products {
		watch(t, st, ws.ID, productURL(i))
	}
	now := future()
	var mu sync.Mutex
	claimed := map[int64]string{}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Go(func() {
			owner := fmt.Sprintf("w%d", w)
			for {
				got, err := st.ClaimDue(c, owner, now, time.Minute, 3)
				if err != nil {
					errs <- err
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, p := range got {
					if prev, dup := claimed[p.ID]; dup {
						errs <- fmt.Errorf("product %d claimed by %s and %s", p.ID, prev, owner)
					}
					claimed[p.ID] = owner
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(claimed) != products {
		t.Fatalf("%d products claimed, want %d", len(claimed), products)
	}
}

func testClaimProduct(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))
	now := future()
	must[*store.Product](t)(st.ClaimProduct(c, "a", p.ID, now, time.Minute))
	must[*store.Product](t)(st.ClaimProduct(c, "a", p.ID, now, time.Minute)) // the owner may renew
	_, err := st.ClaimProduct(c, "b", p.ID, now, time.Minute)
	wantErr(t, err, store.ErrConflict, "claim of a leased product")
	_, err = st.ClaimProduct(c, "b", p.ID+1000, now, time.Minute)
	wantErr(t, err, store.ErrNotFound, "claim of an unknown product")
	must[*store.Product](t)(st.ClaimProduct(c, "b", p.ID, now+60_001, time.Minute))
}

func testDomainSlot(t *testing.T, st *store.Store) {
	c := ctx(t)
	const now = int64(1_800_000_000_000)
	noErr(t, st.SetDomainSettings(c, store.Domain{Domain: "slow.example", RatePerMin: 60}))
	steps := []struct {
		at     int64
		ok     bool
		nextAt int64
	}{
		{now, true, now + 1000},
		{now + 500, false, now + 1000},
		{now + 1000, true, now + 2000},
		{now + 5000, true, now + 6000}, // an idle domain does not bank slots
	}
	for i, s := range steps {
		ok, next, err := st.TakeDomainSlot(c, "slow.example", s.at, 30)
		if err != nil {
			t.Fatal(err)
		}
		if ok != s.ok || next != s.nextAt {
			t.Errorf("step %d: TakeDomainSlot = %v, %d; want %v, %d", i, ok, next, s.ok, s.nextAt)
		}
	}
	// An unknown domain gets a row and the default rate.
	ok, next := must2(t)(st.TakeDomainSlot(c, "new.example", now, 30))
	if !ok || next != now+2000 {
		t.Errorf("new domain: %v, %d; want true, %d", ok, next, now+2000)
	}
	d := must[*store.Domain](t)(st.GetDomain(c, "slow.example"))
	if d.RatePerMin != 60 || d.NextAllowedAt != now+6000 {
		t.Errorf("domain row %+v", d)
	}
	// Settings keep the slot.
	noErr(t, st.SetDomainSettings(c, store.Domain{Domain: "slow.example", RatePerMin: 6, ProxyPool: "eu"}))
	d = must[*store.Domain](t)(st.GetDomain(c, "slow.example"))
	if d.RatePerMin != 6 || d.ProxyPool != "eu" || d.NextAllowedAt != now+6000 {
		t.Errorf("after settings: %+v", d)
	}
}

func must2(t *testing.T) func(bool, int64, error) (bool, int64) {
	return func(ok bool, n int64, err error) (bool, int64) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return ok, n
	}
}

func testDomainSlotConcurrent(t *testing.T, st *store.Store) {
	c := ctx(t)
	const now = int64(1_800_000_000_000)
	var wg sync.WaitGroup
	var mu sync.Mutex
	taken := 0
	for range 10 {
		wg.Go(func() {
			ok, _, err := st.TakeDomainSlot(c, "shop.example", now, 60)
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				mu.Lock()
				taken++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if taken != 1 {
		t.Fatalf("%d claimers took the same slot, want 1", taken)
	}
}

func seen(price int64, currency, avail string) store.CheckResult {
	return store.CheckResult{Kind: store.CheckSeen, Outcome: "ok",
		Observation: &store.Observation{Title: "Thing", PriceMinor: &price, Currency: currency, Availability: avail}}
}

func kinds(evs []store.Event) []string {
	out := []string{}
	for _, e := range evs {
		out = append(out, e.Kind)
	}
	return out
}

func testRecordCheckSequence(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))
	at := future()
	steps := []struct {
		name        string
		r           store.CheckResult
		wantChanged bool
		wantEvents  []string
	}{
		{"first price", seen(1999, "EUR", store.InStock), true, []string{}},
		{"same", seen(1999, "EUR", store.InStock), false, []string{}},
		{"unchanged body", store.CheckResult{Kind: store.CheckUnchanged, Outcome: "unchanged", BodyHash: "h1"}, false, []string{}},
		{"drop", seen(1499, "EUR", store.InStock), true, []string{store.EventPriceChanged}},
		{"sold out", seen(1499, "EUR", store.OutOfStock), true, []string{store.EventOutOfStock}},
		{"back with a new price", seen(1599, "EUR", store.InStock), true, []string{store.EventPriceChanged, store.EventBackInStock}},
		{"skipped", store.CheckResult{Kind: store.CheckSkipped, Outcome: "breaker_open"}, false, []string{}},
	}
	var history int
	for i, s := range steps {
		at += 1000
		now := at
		must[[]store.Product](t)(st.ClaimDue(c, "w", now+10*int64(time.Hour/time.Millisecond)+1, time.Minute, 10))
		s.r.ProductID, s.r.Owner, s.r.At = p.ID, "w", now
		out := must[*store.CheckOutcome](t)(st.RecordCheck(c, s.r))
		if out.Changed != s.wantChanged || !slices.Equal(kinds(out.Events), s.wantEvents) {
			t.Fatalf("step %d (%s): changed %v events %v; want %v %v", i, s.name, out.Changed, kinds(out.Events), s.wantChanged, s.wantEvents)
		}
		if out.Changed {
			history++
		}
		got := must[*store.Product](t)(st.GetProduct(c, p.ID))
		if got.LeaseOwner != "" || got.LeaseUntil != nil {
			t.Errorf("step %d: lease not cleared: %q", i, got.LeaseOwner)
		}
		if s.r.Kind != store.CheckSkipped && (got.LastCheckedAt == nil || *got.LastCheckedAt != now) {
			t.Errorf("step %d: last_checked_at %v, want %d", i, got.LastCheckedAt, now)
		}
		if d := time.Duration(got.NextCheckAt-now) * time.Millisecond; d < frontier.MinInterval || d > frontier.MaxInterval || got.NextCheckAt != out.NextCheckAt {
			t.Errorf("step %d: next check in %v (outcome says %d, row %d)", i, d, out.NextCheckAt, got.NextCheckAt)
		}
		if got.LastOutcome != s.r.Outcome {
			t.Errorf("step %d: last_outcome %q, want %q", i, got.LastOutcome, s.r.Outcome)
		}
	}
	if hist := must[[]store.PricePoint](t)(st.ListPriceHistory(c, p.ID, store.FindHistory{})); len(hist) != history {
		t.Fatalf("history has %d rows, want %d", len(hist), history)
	}
	evs := must[[]store.Event](t)(st.ListEvents(c, p.ID, 100))
	if len(evs) != 4 {
		t.Fatalf("events %v, want 4", kinds(evs))
	}
	var data map[string]any
	for _, e := range evs {
		if e.Kind == store.EventPriceChanged {
			if err := json.Unmarshal([]byte(e.Data), &data); err != nil {
				t.Fatal(err)
			}
			break // the newest: 1499 → 1599
		}
	}
	if data["old_minor"] != 1499.0 || data["new_minor"] != 1599.0 || data["currency"] != "EUR" {
		t.Errorf("price_changed data %v", data)
	}
	got := must[*store.Product](t)(st.GetProduct(c, p.ID))
	if got.BodyHash != "h1" || got.Title != "Thing" || *got.PriceMinor != 1599 {
		t.Errorf("product after the sequence: %+v", got)
	}
}

func testRecordCheckFailures(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))
	at := future()
	record := func(r store.CheckResult) *store.CheckOutcome {
		t.Helper()
		at += 1000
		r.ProductID, r.At = p.ID, at
		return must[*store.CheckOutcome](t)(st.RecordCheck(c, r))
	}
	fail := store.CheckResult{Kind: store.CheckFailed, Outcome: "http_error", Error: "HTTP 500"}
	var intervals []int64
	for i := 1; i <= 4; i++ {
		out := record(fail)
		want := []string{}
		if i == store.FailingAfter {
			want = []string{store.EventProductFailing}
		}
		if !slices.Equal(kinds(out.Events), want) {
			t.Fatalf("failure %d: events %v, want %v", i, kinds(out.Events), want)
		}
		intervals = append(intervals, out.NextCheckAt-at)
	}
	got := must[*store.Product](t)(st.GetProduct(c, p.ID))
	if got.Status != store.StatusFailing || got.ConsecutiveFailures != 4 {
		t.Fatalf("after 4 failures: status %s, failures %d", got.Status, got.ConsecutiveFailures)
	}
	if !slices.IsSorted(intervals) || intervals[3] < 4*intervals[0] {
		t.Errorf("failure intervals %v do not back off", intervals)
	}
	// Blocked and robots: not failures of the page, one event per new outcome.
	for i, o := range []string{"blocked", "blocked", "disallowed_by_robots"} {
		out := record(store.CheckResult{Kind: store.CheckRefused, Outcome: o})
		if want := i != 1; (len(out.Events) == 1) != want {
			t.Errorf("refused %d (%s): events %v", i, o, kinds(out.Events))
		}
	}
	got = must[*store.Product](t)(st.GetProduct(c, p.ID))
	if got.ConsecutiveFailures != 4 || got.LastOutcome != "disallowed_by_robots" {
		t.Errorf("refusals counted as failures: %d, %s", got.ConsecutiveFailures, got.LastOutcome)
	}
	// A good check heals it.
	record(seen(100, "USD", store.InStock))
	got = must[*store.Product](t)(st.GetProduct(c, p.ID))
	if got.Status != store.StatusActive || got.ConsecutiveFailures != 0 {
		t.Fatalf("after success: %s, %d", got.Status, got.ConsecutiveFailures)
	}
	// No price on the page, repeatedly: needs_review once.
	miss := store.CheckResult{Kind: store.CheckSeen, Outcome: "ok", Observation: &store.Observation{Title: "Thing"}}
	for i := 1; i <= store.ReviewAfterMisses+1; i++ {
		out := record(miss)
		if out.Changed || (len(out.Events) == 1) != (i == store.ReviewAfterMisses) {
			t.Fatalf("miss %d: changed %v events %v", i, out.Changed, kinds(out.Events))
		}
	}
	got = must[*store.Product](t)(st.GetProduct(c, p.ID))
	if got.Status != store.StatusNeedsReview || got.PriceMinor == nil || *got.PriceMinor != 100 {
		t.Fatalf("after misses: status %s, price %v (a miss must not erase the price)", got.Status, got.PriceMinor)
	}
	record(seen(100, "USD", store.InStock))
	if got = must[*store.Product](t)(st.GetProduct(c, p.ID)); got.Status != store.StatusActive || got.ExtractionMisses != 0 {
		t.Fatalf("after a price again: %s, %d misses", got.Status, got.ExtractionMisses)
	}
	if hist := must[[]store.PricePoint](t)(st.ListPriceHistory(c, p.ID, store.FindHistory{})); len(hist) != 1 {
		t.Fatalf("history %d rows, want 1", len(hist))
	}
	if _, err := st.RecordCheck(c, store.CheckResult{ProductID: p.ID, Kind: store.CheckSeen}); err == nil {
		t.Error("CheckSeen without an observation was accepted")
	}
}

func testRecordCheckHoldAndConfirm(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))
	at := future()
	record := func(r store.CheckResult) *store.CheckOutcome {
		t.Helper()
		at += 1000
		r.ProductID, r.At = p.ID, at
		return must[*store.CheckOutcome](t)(st.RecordCheck(c, r))
	}
	r := seen(10000, "EUR", store.InStock)
	r.BodyHash = "h0"
	record(r)
	held := seen(100, "EUR", store.InStock)
	held.Hold, held.BodyHash = true, "h1"
	var inTx *store.CheckOutcome
	held.InTx = func(_ context.Context, _ *sql.Tx, out *store.CheckOutcome) error { inTx = out; return nil }
	out := record(held)
	if !out.Held || out.Changed || len(out.Events) != 0 || inTx != out {
		t.Fatalf("held: %+v (InTx saw %p)", out, inTx)
	}
	got := must[*store.Product](t)(st.GetProduct(c, p.ID))
	if *got.PriceMinor != 10000 || got.PendingChange == "" || got.BodyHash != "" {
		t.Fatalf("held product: price %d, pending %q, body hash %q", *got.PriceMinor, got.PendingChange, got.BodyHash)
	}
	confirm := seen(100, "EUR", store.InStock)
	confirm.Hold, confirm.Confirm = true, true // a confirm is never held again
	out = record(confirm)
	if !out.Changed || !slices.Equal(kinds(out.Events), []string{store.EventPriceChanged}) {
		t.Fatalf("confirm: %+v", out)
	}
	if !strings.Contains(out.Events[0].Data, `"confirmed":true`) {
		t.Errorf("confirmed event data %s", out.Events[0].Data)
	}
	got = must[*store.Product](t)(st.GetProduct(c, p.ID))
	if *got.PriceMinor != 100 || got.PendingChange != "" {
		t.Fatalf("confirmed product: price %d, pending %q", *got.PriceMinor, got.PendingChange)
	}
	// An InTx error rolls the whole check back.
	bad := seen(5, "EUR", store.InStock)
	bad.ProductID, bad.At = p.ID, at+1000
	bad.InTx = func(context.Context, *sql.Tx, *store.CheckOutcome) error { return errors.New("enqueue failed") }
	if _, err := st.RecordCheck(c, bad); err == nil {
		t.Fatal("InTx error not returned")
	}
	if got = must[*store.Product](t)(st.GetProduct(c, p.ID)); *got.PriceMinor != 100 {
		t.Fatalf("rolled-back check left price %d", *got.PriceMinor)
	}
	if n := len(must[[]store.Event](t)(st.ListEvents(c, p.ID, 100))); n != 1 {
		t.Fatalf("%d events after a rolled-back check, want 1", n)
	}
}

func testDomainHealth(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))
	at := future()
	for i := range 10 {
		r := store.CheckResult{ProductID: p.ID, At: at + int64(i), Kind: store.CheckFailed, Outcome: "timeout", Error: "timeout", LatencyMS: 40}
		if i < 3 {
			r = seen(1, "EUR", store.InStock)
			r.ProductID, r.At, r.LatencyMS = p.ID, at+int64(i), 20
		}
		must[*store.CheckOutcome](t)(st.RecordCheck(c, r))
		d := must[*store.Domain](t)(st.GetDomain(c, p.Domain))
		if i == 3 && d.Flagged {
			t.Errorf("flagged after one failure: %+v", d)
		}
	}
	d := must[*store.Domain](t)(st.GetDomain(c, p.Domain))
	if d.Checks != 10 || d.Successes != 3 || d.Failures != 7 || d.LastError != "timeout" || d.LastLatencyMS != 40 || !d.Flagged {
		t.Fatalf("domain health %+v", d)
	}
	if d.SuccessRate >= store.FlagBelowRate {
		t.Errorf("success rate %v", d.SuccessRate)
	}
	all := must[[]store.Domain](t)(st.ListDomains(c))
	if len(all) != 1 || all[0].Domain != p.Domain {
		t.Errorf("ListDomains = %+v", all)
	}
}

func testPriceMedian(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))
	if _, ok, err := st.PriceMedian(c, p.ID, "EUR", 0); err != nil || ok {
		t.Fatalf("median without history: %v %v", ok, err)
	}
	for i, v := range []int64{500, 100, 200, 300, 900} {
		must[bool](t)(st.RecordObservation(c, p.ID, store.Observation{PriceMinor: ptr(v), Currency: "EUR", Availability: store.InStock}, int64(1000*(i+1))))
	}
	// Since 2500: the price in effect then (100, from 2000) and later ones.
	if m, ok, err := st.PriceMedian(c, p.ID, "EUR", 2500); err != nil || !ok || m != 250 {
		t.Fatalf("median = %d %v %v, want 250", m, ok, err)
	}
	if m, _, _ := st.PriceMedian(c, p.ID, "EUR", 0); m != 300 {
		t.Fatalf("median of all = %d, want 300", m)
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func testWatchMinInterval(t *testing.T, st *store.Store) {
	c := ctx(t)
	a, b := workspace(t, st, "a"), workspace(t, st, "b")
	p := &store.Product{CanonicalURL: productURL(1)}
	wa := &store.Watch{MinInterval: 48 * time.Hour}
	must[bool](t)(st.CreateWatchForURL(c, a.ID, p, wa))
	got := must[*store.Watch](t)(st.GetWatch(c, a.ID, wa.ID))
	if got.MinInterval != 48*time.Hour {
		t.Fatalf("MinInterval read back as %v", got.MinInterval)
	}
	at := future()
	next := func() time.Duration {
		t.Helper()
		at += 1000
		out := must[*store.CheckOutcome](t)(st.RecordCheck(c, store.CheckResult{ProductID: p.ID, At: at, Kind: store.CheckUnchanged}))
		return time.Duration(out.NextCheckAt-at) * time.Millisecond
	}
	if d := next(); d < 48*time.Hour {
		t.Errorf("one watch asking for 48 h: next check in %v", d)
	}
	wb := &store.Watch{MinInterval: 24 * time.Hour}
	must[bool](t)(st.CreateWatchForURL(c, b.ID, &store.Product{CanonicalURL: productURL(1)}, wb))
	if d := next(); d < 24*time.Hour || d >= 48*time.Hour {
		t.Errorf("watches asking for 48 h and 24 h: next check in %v, want the more eager 24 h", d)
	}
	exec(t, st, `UPDATE watches SET paused = $1 WHERE id = $2`, true, wb.ID)
	if d := next(); d < 48*time.Hour {
		t.Errorf("the 24 h watch paused: next check in %v", d)
	}
	_, err := st.CreateWatchForURL(c, b.ID, &store.Product{CanonicalURL: productURL(2)}, &store.Watch{MinInterval: -time.Second})
	wantErr(t, err, store.ErrInvalid, "negative minimum interval")
}

func testReserveDomainSlots(t *testing.T, st *store.Store) {
	c := ctx(t)
	const now = int64(1_800_000_000_000)
	noErr(t, st.SetDomainSettings(c, store.Domain{Domain: "slow.example", RatePerMin: 60, ProxyPool: "eu", RequiresJS: true}))
	steps := []struct {
		at, n, first int64
	}{
		{now, 3, now},                 // slots at now, +1 s, +2 s
		{now + 500, 2, now + 3000},    // queued behind the first run
		{now + 60000, 1, now + 60000}, // an idle domain does not bank slots
	}
	for i, s := range steps {
		sl, err := st.ReserveDomainSlots(c, "slow.example", int(s.n), s.at, 30)
		if err != nil {
			t.Fatal(err)
		}
		if sl.First != s.first || sl.IntervalMS != 1000 || sl.At(1) != s.first+1000 {
			t.Errorf("step %d: slots %+v; want first %d, interval 1000", i, sl, s.first)
		}
		if d := sl.Domain; d.RatePerMin != 60 || d.ProxyPool != "eu" || !d.RequiresJS {
			t.Errorf("step %d: settings %+v", i, d)
		}
	}
	d := must[*store.Domain](t)(st.GetDomain(c, "slow.example"))
	if d.NextAllowedAt != now+61000 {
		t.Errorf("next_allowed_at = %d, want %d", d.NextAllowedAt, now+61000)
	}
	// TakeDomainSlot sees the reservations.
	if ok, next := must2(t)(st.TakeDomainSlot(c, "slow.example", now+60500, 30)); ok || next != now+61000 {
		t.Errorf("TakeDomainSlot inside a reserved run = %v, %d", ok, next)
	}
	// An unknown domain gets a row and the default rate.
	sl := must[store.Slots](t)(st.ReserveDomainSlots(c, "new.example", 2, now, 30))
	if sl.First != now || sl.IntervalMS != 2000 || sl.Domain.RatePerMin != 0 {
		t.Errorf("new domain: %+v", sl)
	}
	if d := must[*store.Domain](t)(st.GetDomain(c, "new.example")); d.NextAllowedAt != now+4000 {
		t.Errorf("new domain row: %+v", d)
	}
	_, err := st.ReserveDomainSlots(c, "new.example", 0, now, 30)
	wantErr(t, err, store.ErrInvalid, "zero slots")
}

// Concurrent reservations (as from several worker processes) get disjoint
// runs: every slot is an interval from every other.
func testReserveDomainSlotsConcurrent(t *testing.T, st *store.Store) {
	c := ctx(t)
	const now = int64(1_800_000_000_000)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var slots []int64
	for range 8 {
		wg.Go(func() {
			sl, err := st.ReserveDomainSlots(c, "shop.example", 3, now, 60)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for i := range 3 {
				slots = append(slots, sl.At(i))
			}
		})
	}
	wg.Wait()
	slices.Sort(slots)
	if len(slots) != 24 {
		t.Fatalf("%d slots, want 24", len(slots))
	}
	for i, at := range slots {
		if want := now + int64(i)*1000; at != want {
			t.Fatalf("slot %d at %d, want %d (slots %v)", i, at, want, slots)
		}
	}
}

// A batch records exactly what the same checks recorded one by one would:
// products, history, events and the domain's health.
func testRecordChecksBatch(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	at := future()
	mk := func(host string) []store.CheckResult {
		var rs []store.CheckResult
		for i := range 7 {
			_, p := watch(t, st, ws.ID, fmt.Sprintf("https://%s/p/%d", host, i))
			var r store.CheckResult
			switch i % 4 {
			case 0:
				r = seen(int64(100+i), "EUR", store.InStock)
			case 1:
				r = store.CheckResult{Kind: store.CheckUnchanged, Outcome: "not_modified"}
			case 2:
				r = store.CheckResult{Kind: store.CheckFailed, Outcome: "timeout", Error: fmt.Sprintf("timeout %d", i)}
			case 3:
				r = store.CheckResult{Kind: store.CheckSkipped, Outcome: "breaker_open"}
			}
			r.ProductID, r.At, r.LatencyMS, r.Owner = p.ID, at+int64(i), int64(10+i), "w"
			rs = append(rs, r)
		}
		return rs
	}
	one, batch := mk("one.example"), mk("batch.example")
	var want []*store.CheckOutcome
	for _, r := range one {
		want = append(want, must[*store.CheckOutcome](t)(st.RecordCheck(c, r)))
	}
	slices.Reverse(batch) // order within a batch does not matter to the result
	got := must[[]*store.CheckOutcome](t)(st.RecordChecks(c, batch))
	slices.Reverse(got)
	slices.Reverse(batch)
	for i := range want {
		w, g := want[i], got[i]
		// (NextCheckAt is jittered per product.)
		if w.Changed != g.Changed || w.Status != g.Status || len(w.Events) != len(g.Events) || g.NextCheckAt <= batch[i].At {
			t.Errorf("check %d: batch outcome %+v, one by one %+v", i, g, w)
		}
		pw := must[*store.Product](t)(st.GetProduct(c, one[i].ProductID))
		pg := must[*store.Product](t)(st.GetProduct(c, batch[i].ProductID))
		if !equalP(pw.PriceMinor, pg.PriceMinor) || pw.Status != pg.Status || pw.ConsecutiveFailures != pg.ConsecutiveFailures ||
			pw.LastOutcome != pg.LastOutcome || pg.LeaseOwner != "" {
			t.Errorf("product %d: batch %+v, one by one %+v", i, pg, pw)
		}
	}
	dw := must[*store.Domain](t)(st.GetDomain(c, "one.example"))
	dg := must[*store.Domain](t)(st.GetDomain(c, "batch.example"))
	if dw.Checks != dg.Checks || dw.Successes != dg.Successes || dw.Failures != dg.Failures || dw.LastError != dg.LastError ||
		dw.LastLatencyMS != dg.LastLatencyMS || dw.Flagged != dg.Flagged || math.Abs(dw.SuccessRate-dg.SuccessRate) > 1e-9 {
		t.Errorf("domain health: batch %+v, one by one %+v", dg, dw)
	}
	if dg.Checks != 6 || dg.LastError != "timeout 6" {
		t.Errorf("domain health %+v: want 6 checks (the skipped one does not count), last error timeout 6", dg)
	}
}

func equalP(a, b *int64) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

// A batch with a bad check writes nothing, leases included.
func testRecordChecksAllOrNothing(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))
	now := future()
	must[[]store.Product](t)(st.ClaimDue(c, "w", now, time.Minute, 10))
	good := seen(100, "EUR", store.InStock)
	good.ProductID, good.At, good.Owner = p.ID, now, "w"
	bad := store.CheckResult{ProductID: p.ID + 1000, At: now, Kind: store.CheckUnchanged, Owner: "w"}
	if _, err := st.RecordChecks(c, []store.CheckResult{good, bad}); err == nil {
		t.Fatal("a batch with an unknown product recorded")
	}
	got := must[*store.Product](t)(st.GetProduct(c, p.ID))
	if got.LastCheckedAt != nil || got.PriceMinor != nil || got.LeaseOwner != "w" {
		t.Errorf("after a failed batch: %+v", got)
	}
	if _, err := st.GetDomain(c, p.Domain); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("domain health written by a failed batch: %v", err)
	}
	_, err := st.RecordChecks(c, []store.CheckResult{good, {ProductID: p.ID, Kind: store.CheckSeen}})
	wantErr(t, err, store.ErrInvalid, "seen without an observation")
}

func testDomainBreakerState(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))
	at := future()
	steps := []struct {
		kind    store.CheckKind
		breaker string
		want    string
	}{
		{store.CheckFailed, "", "closed"},
		{store.CheckFailed, "open", "open"},
		{store.CheckSkipped, "open", "open"},
		{store.CheckSkipped, "half-open", "half-open"},
		{store.CheckUnchanged, "", "half-open"}, // "" keeps the stored state
		{store.CheckUnchanged, "closed", "closed"},
	}
	for i, s := range steps {
		at++
		must[*store.CheckOutcome](t)(st.RecordCheck(c, store.CheckResult{ProductID: p.ID, At: at, Kind: s.kind,
			Outcome: "x", BreakerState: s.breaker}))
		d := must[*store.Domain](t)(st.GetDomain(c, p.Domain))
		if d.BreakerState != s.want {
			t.Errorf("step %d: breaker state %q, want %q", i, d.BreakerState, s.want)
		}
		if i == 3 && d.Checks != 2 {
			t.Errorf("skipped checks counted: %+v", d)
		}
	}
	all := must[[]store.Domain](t)(st.ListDomains(c))
	if len(all) != 1 || all[0].BreakerState != "closed" {
		t.Errorf("ListDomains = %+v", all)
	}
}

// Claims, slot reservations and group commits from several goroutines on a
// fresh store (whose statements are being prepared meanwhile) all finish:
// preparing a statement waits for SQLite's one writer connection, which a
// recording transaction holds while it notes the statements it misses.
func testClaimAndRecordConcurrently(t *testing.T, st *store.Store) {
	c, cancel := context.WithTimeout(ctx(t), time.Minute)
	defer cancel()
	ws := workspace(t, st, "a")
	for i := range 36 { // 4 workers × 3 claims × 3 products
		watch(t, st, ws.ID, productURL(i))
	}
	var wg sync.WaitGroup
	for w := range 4 {
		owner := fmt.Sprintf("w%d", w)
		wg.Go(func() {
			for range 3 {
				now := future()
				ps, _, err := st.ClaimBatch(c, owner, now, time.Minute, 3, 6000, func(string, int) int { return 3 })
				if err != nil {
					t.Error(err)
					return
				}
				var rs []store.CheckResult
				for _, p := range ps {
					r := seen(int64(100+w), "EUR", store.InStock)
					r.ProductID, r.At, r.Owner = p.ID, now, owner
					rs = append(rs, r)
				}
				if _, err := st.RecordChecks(c, rs); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if c.Err() != nil {
		t.Fatal("claims and records did not finish: deadlock?")
	}
}

// ClaimBatch claims as ClaimDue and reserves each domain's slots in the
// same transaction, as many as slots() allows.
func testClaimBatch(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	for i := range 3 {
		watch(t, st, ws.ID, fmt.Sprintf("https://a.example/p/%d", i))
		watch(t, st, ws.ID, fmt.Sprintf("https://b.example/p/%d", i))
	}
	noErr(t, st.SetDomainSettings(c, store.Domain{Domain: "b.example", RatePerMin: 60, ProxyPool: "eu"}))
	now := future()
	asked := map[string]int{}
	batch, slots, err := st.ClaimBatch(c, "w", now, time.Minute, 10, 30, func(d string, n int) int {
		asked[d] = n
		if d == "b.example" {
			return 1
		}
		return n
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(batch) != 6 || asked["a.example"] != 3 || asked["b.example"] != 3 {
		t.Fatalf("claimed %d, slots asked %v; want 6 and 3 per domain", len(batch), asked)
	}
	a, b := slots["a.example"], slots["b.example"]
	if a.Count != 3 || a.First != now || a.IntervalMS != 2000 || b.Count != 1 || b.First != now || b.IntervalMS != 1000 ||
		b.Domain.ProxyPool != "eu" {
		t.Errorf("slots a %+v, b %+v", a, b)
	}
	if d := must[*store.Domain](t)(st.GetDomain(c, "a.example")); d.NextAllowedAt != now+6000 {
		t.Errorf("a.example next_allowed_at %d, want %d", d.NextAllowedAt, now+6000)
	}
	if d := must[*store.Domain](t)(st.GetDomain(c, "b.example")); d.NextAllowedAt != now+1000 {
		t.Errorf("b.example next_allowed_at %d, want %d", d.NextAllowedAt, now+1000)
	}
	for _, p := range batch {
		if got := must[*store.Product](t)(st.GetProduct(c, p.ID)); got.LeaseOwner != "w" {
			t.Errorf("product %d lease owner %q", p.ID, got.LeaseOwner)
		}
	}
	// Nothing due: nothing claimed, nothing reserved.
	batch, slots, err = st.ClaimBatch(c, "w", now, time.Minute, 10, 30, func(string, int) int { return 1 })
	if err != nil || len(batch) != 0 || len(slots) != 0 {
		t.Errorf("second claim: %d products, %v, %v", len(batch), slots, err)
	}
	_, _, err = st.ClaimBatch(c, "", now, time.Minute, 10, 30, nil)
	wantErr(t, err, store.ErrInvalid, "no owner")
}
