package monitor

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/extract"
	"github.com/shelfwatch/shelfwatch/internal/fetch"
	"github.com/shelfwatch/shelfwatch/internal/price"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// check runs one check of j.p. It waits for the product's reserved slot
// while start lasts (started is false when it gave up before fetching: the
// caller releases the lease); from the fetch on it runs on work. The result
// goes to rec, the batch's group-commit writer, or, when rec is nil, is
// recorded at once.
func (m *Monitor) check(start, work context.Context, j slotJob, confirm bool, rec *recorder) (started bool, err error) {
	p := j.p
	owner := m.o.Owner
	if confirm {
		owner = m.confirmOwner()
	}
	if ok := m.waitSlot(start, j.slotAt); !ok {
		return false, nil
	}

	began := time.Now()
	dom := j.dom
	if dom == nil {
		dom = &store.Domain{Domain: p.Domain}
	}
	req := fetch.Request{URL: p.URL, Domain: fetch.Domain{
		Name: p.Domain, RatePerMinute: dom.RatePerMin, RequiresJS: dom.RequiresJS, ProxyPool: dom.ProxyPool,
	}}
	if !confirm {
		// A confirm re-check reads the page whatever its validators say.
		req.ETag, req.LastModified, req.PrevBodyHash = p.ETag, p.LastModified, p.BodyHash
	}
	res, err := m.o.Fetcher.Fetch(work, req)
	if err != nil {
		if work.Err() != nil {
			return true, fmt.Errorf("fetch: %w", err) // stopping: the lease expires or is released
		}
		// An unusable URL: a failure of the page, recorded as such.
		res = &fetch.Result{Outcome: fetch.OutcomeNetwork, Err: err}
	}

	pc := &pendingCheck{p: p, began: began, r: store.CheckResult{
		ProductID: p.ID, Owner: owner, At: m.o.Now().UnixMilli(), Outcome: string(res.Outcome),
		LatencyMS: res.Duration.Milliseconds(), ETag: res.ETag, LastModified: res.LastModified, BodyHash: res.BodyHash,
		Confirm: confirm, BreakerState: res.BreakerState,
	}}
	r := &pc.r
	if res.Err != nil {
		r.Error = shortError(res.Err)
	}
	r.Kind = kindOf(res.Outcome)
	if r.Kind == store.CheckSeen {
		pageURL := res.FinalURL
		if pageURL == "" {
			pageURL = p.URL
		}
		ob := m.o.Extract(res.Body, pageURL)
		o := toStore(ob)
		r.Observation, pc.conf = &o, ob.Confidence
		if !confirm && m.o.Confirmer != nil {
			if r.Hold, err = m.suspicious(work, p, o, pc.conf, r.At); err != nil {
				return true, err
			}
		}
	}
	if r.Hold {
		r.InTx = func(ctx context.Context, tx *sql.Tx, out *store.CheckOutcome) error {
			inTx, err := m.o.Confirmer.EnqueueTx(ctx, tx, p.ID)
			pc.afterCommit = !inTx
			return err
		}
	}
	if rec != nil {
		rec.add(pc)
		return true, nil
	}
	out, err := m.o.Store.RecordCheck(work, pc.r)
	return true, m.recorded(work, pc, out, err)
}

// recorded finishes a check once its record committed (or failed): the
// confirm job that could not go in the transaction, metrics, the OnChecked
// hook and the debug line.
func (m *Monitor) recorded(ctx context.Context, pc *pendingCheck, out *store.CheckOutcome, err error) error {
	if err != nil {
		return err
	}
	if pc.afterCommit {
		// The engine cannot enqueue inside the store's transaction (see
		// docs/decisions.md): enqueue now. If this fails the pending value
		// waits for the next regular check, which holds it again.
		if err := m.o.Confirmer.Enqueue(ctx, pc.p.ID); err != nil {
			return fmt.Errorf("schedule confirm re-check: %w", err)
		}
	}
	m.metrics.observe(pc.r.Outcome, time.Since(pc.began), out.Changed, out.Held)
	if m.o.OnChecked != nil {
		m.o.OnChecked(Checked{ProductID: pc.p.ID, URL: pc.p.URL, Outcome: pc.r.Outcome, Changed: out.Changed,
			Held: out.Held, Events: len(out.Events), Began: pc.began})
	}
	if m.o.Logger.Enabled(ctx, slog.LevelDebug) {
		m.o.Logger.Debug("monitor: checked", "product", pc.p.ID, "outcome", pc.r.Outcome, "changed", out.Changed,
			"held", out.Held, "events", len(out.Events), "confidence", pc.conf)
	}
	return nil
}

// waitSlot waits for a reserved slot while start lasts. It gives up (false)
// when there is no slot, or it is further away than half the lease: the
// product stays due and is claimed again later.
func (m *Monitor) waitSlot(start context.Context, slotAt int64) bool {
	if slotAt == noSlot || slotAt > m.o.Now().Add(m.o.Lease/2).UnixMilli() {
		return false
	}
	wait := time.Duration(slotAt-m.o.Now().UnixMilli()) * time.Millisecond
	if wait <= 0 {
		return start.Err() == nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-start.Done():
		return false
	case <-t.C:
		return true
	}
}

// kindOf maps the fetcher's outcome onto what RecordCheck records.
func kindOf(o fetch.Outcome) store.CheckKind {
	switch o {
	case fetch.OutcomeOK:
		return store.CheckSeen
	case fetch.OutcomeNotModified, fetch.OutcomeUnchanged:
		return store.CheckUnchanged
	case fetch.OutcomeBlocked, fetch.OutcomeDisallowed:
		return store.CheckRefused
	case fetch.OutcomeBreakerOpen, fetch.OutcomeNoProxy:
		return store.CheckSkipped
	}
	return store.CheckFailed
}

// toStore converts an extraction into what the store records; a price that
// does not convert to minor units counts as no price.
func toStore(o extract.Observation) store.Observation {
	s := store.Observation{
		Title: o.Title, ImageURL: o.Image, Brand: o.Brand, SKU: o.SKU, GTIN: o.GTIN,
		Currency: o.Currency, Availability: string(o.Availability),
	}
	if minor, ok := (price.Price{Amount: o.Price, Currency: o.Currency}).Minor(); ok {
		s.PriceMinor = &minor
	}
	return s
}

func shortError(err error) string {
	s := err.Error()
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
