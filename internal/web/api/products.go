package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/problem"
)

// product loads a product the request's workspace watches. Products are
// global, but a workspace sees only those it watches: any other id is 404.
func (h *Handler) product(w http.ResponseWriter, r *http.Request) (*store.Product, bool) {
	id, ok := pathID(w, r)
	if !ok {
		return nil, false
	}
	watched, err := h.Store.IsWatchedIn(r.Context(), h.workspace(r), id)
	if err != nil {
		h.internal(w, r, "check product access", err)
		return nil, false
	}
	if !watched {
		problem.Status(w, http.StatusNotFound, "No such product.")
		return nil, false
	}
	p, err := h.Store.GetProduct(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		problem.Status(w, http.StatusNotFound, "No such product.")
		return nil, false
	}
	if err != nil {
		h.internal(w, r, "get product", err)
		return nil, false
	}
	return p, true
}

func (h *Handler) getProduct(w http.ResponseWriter, r *http.Request) {
	if p, ok := h.product(w, r); ok {
		writeJSON(w, http.StatusOK, toProductJSON(p))
	}
}

type historyJSON struct {
	ProductID int64       `json:"product_id"`
	Currency  string      `json:"currency"`
	Points    []pointJSON `json:"points"`
}

// productHistory: GET /api/v1/products/{id}/history?from=&to=&limit=, where
// from and to are RFC 3339 times. Rows exist only where something changed, so
// the points draw a step line.
func (h *Handler) productHistory(w http.ResponseWriter, r *http.Request) {
	p, ok := h.product(w, r)
	if !ok {
		return
	}
	var f store.FindHistory
	var errs []problem.FieldError
	for _, b := range []struct {
		name string
		dst  *int64
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := r.URL.Query().Get(b.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				errs = append(errs, problem.FieldError{Field: b.name, Detail: "must be an RFC 3339 time such as 2026-01-02T15:04:05Z"})
				continue
			}
			*b.dst = t.UnixMilli()
		}
	}
	if len(errs) > 0 {
		problem.Invalid(w, "", errs...)
		return
	}
	limit, ok := intParam(w, r, "limit", 1000, 1, 100000)
	if !ok {
		return
	}
	f.Limit = limit
	pts, err := h.Store.ListPriceHistory(r.Context(), p.ID, f)
	if err != nil {
		h.internal(w, r, "list history", err)
		return
	}
	out := historyJSON{ProductID: p.ID, Currency: p.Currency, Points: make([]pointJSON, 0, len(pts))}
	for _, pt := range pts {
		out.Points = append(out.Points, pointJSON{At: rfc3339(pt.ObservedAt), Price: money(pt.PriceMinor, pt.Currency),
			Currency: pt.Currency, Availability: pt.Availability})
	}
	writeJSON(w, http.StatusOK, out)
}
