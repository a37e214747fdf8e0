package monitor

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/extract"
	"github.com/shelfwatch/shelfwatch/internal/fetch"
	"github.com/shelfwatch/shelfwatch/internal/price"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// check runs one check of p. It waits for the domain's slot while start
// lasts (started is false when it gave up before fetching: the caller
// releases the lease); from the fetch on it runs on work.
func (m *Monitor) check(start, work context.Context, p store.Product, confirm bool) (started bool, err error) {
	owner := m.o.Owner
	if confirm {
		owner = m.confirmOwner()
	}
	dom, err := m.o.Store.GetDomain(work, p.Domain)
	if errors.Is(err, store.ErrNotFound) {
		dom, err = &store.Domain{Domain: p.Domain}, nil
	}
	if err != nil {
		return false, err
	}
	if ok, err := m.waitSlot(start, p); !ok || err != nil {
		return false, err
	}

	began := time.Now()
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

	r := store.CheckResult{
		ProductID: p.ID, Owner: owner, At: m.o.Now().UnixMilli(), Outcome: string(res.Outcome),
		LatencyMS: res.Duration.Milliseconds(), ETag: res.ETag, LastModified: res.LastModified, BodyHash: res.BodyHash,
		Confirm: confirm,
	}
	if res.Err != nil {
		r.Error = shortError(res.Err)
	}
	r.Kind = kindOf(res.Outcome)
	var conf float64
	if r.Kind == store.CheckSeen {
		pageURL := res.FinalURL
		if pageURL == "" {
			pageURL = p.URL
		}
		ob := m.o.Extract(res.Body, pageURL)
		o := toStore(ob)
		r.Observation, conf = &o, ob.Confidence
		if !confirm && m.o.Confirmer != nil {
			if r.Hold, err = m.suspicious(work, p, o, conf, r.At); err != nil {
				return true, err
			}
		}
	}
	afterCommit := false
	if r.Hold {
		r.InTx = func(ctx context.Context, tx *sql.Tx, out *store.CheckOutcome) error {
			inTx, err := m.o.Confirmer.EnqueueTx(ctx, tx, p.ID)
			afterCommit = !inTx
			return err
		}
	}
	out, err := m.o.Store.RecordCheck(work, r)
	if err != nil {
		return true, err
	}
	if afterCommit {
		// The engine cannot enqueue inside the store's transaction (see
		// docs/decisions.md): enqueue now. If this fails the pending value
		// waits for the next regular check, which holds it again.
		if err := m.o.Confirmer.Enqueue(work, p.ID); err != nil {
			return true, fmt.Errorf("schedule confirm re-check: %w", err)
		}
	}
	m.metrics.observe(r.Outcome, time.Since(began), out.Changed, out.Held)
	m.o.Logger.Debug("monitor: checked", "product", p.ID, "outcome", r.Outcome, "changed", out.Changed,
		"held", out.Held, "events", len(out.Events), "confidence", conf)
	return true, nil
}

// waitSlot takes the domain's request slot, waiting for it while start
// lasts. It gives up (false) when the slot is further away than half the
// lease: the product stays due and is claimed again later.
func (m *Monitor) waitSlot(start context.Context, p store.Product) (bool, error) {
	deadline := m.o.Now().Add(m.o.Lease / 2).UnixMilli()
	for {
		ok, nextAt, err := m.o.Store.TakeDomainSlot(start, p.Domain, m.o.Now().UnixMilli(), m.o.DefaultRatePerMin)
		if err != nil {
			if start.Err() != nil {
				return false, nil
			}
			return false, err
		}
		if ok {
			return true, nil
		}
		if nextAt > deadline {
			return false, nil
		}
		wait := time.Duration(nextAt-m.o.Now().UnixMilli()) * time.Millisecond
		t := time.NewTimer(max(wait, time.Millisecond))
		select {
		case <-start.Done():
			t.Stop()
			return false, nil
		case <-t.C:
		}
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
