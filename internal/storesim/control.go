package storesim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// controlRoutes registers the JSON control API. It is disallowed in
// robots.txt and never subject to fault injection.
func (st *Store) controlRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /_sim/products/{id}", st.ctlGetProduct)
	mux.HandleFunc("POST /_sim/products/{id}", st.ctlSetProduct)
	mux.HandleFunc("POST /_sim/products", st.ctlAddProducts)
	mux.HandleFunc("GET /_sim/config", st.ctlGetConfig)
	mux.HandleFunc("POST /_sim/config", st.ctlSetConfig)
	mux.HandleFunc("POST /_sim/tick", st.ctlTick)
	mux.HandleFunc("GET /_sim/stats", func(w http.ResponseWriter, r *http.Request) {
		st.stats.control.Add(1)
		writeJSON(w, http.StatusOK, st.Stats())
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// problem answers with an RFC 9457 problem document, like the main API.
func problem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "title": http.StatusText(status), "status": status, "detail": detail})
}

// decode reads a small JSON body strictly: unknown fields are a client bug
// worth reporting (a typo in "availabilty" would otherwise do nothing).
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		problem(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		return false
	}
	return true
}

func (st *Store) pathID(w http.ResponseWriter, r *http.Request) (int, bool) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		problem(w, http.StatusNotFound, "no such product")
		return 0, false
	}
	return id, true
}

func (st *Store) ctlGetProduct(w http.ResponseWriter, r *http.Request) {
	st.stats.control.Add(1)
	id, ok := st.pathID(w, r)
	if !ok {
		return
	}
	p, ok := st.Product(id)
	if !ok {
		problem(w, http.StatusNotFound, "no such product")
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (st *Store) ctlSetProduct(w http.ResponseWriter, r *http.Request) {
	st.stats.control.Add(1)
	id, ok := st.pathID(w, r)
	if !ok {
		return
	}
	var body struct {
		Price        string       `json:"price"`
		Availability Availability `json:"availability"`
	}
	if !decode(w, r, &body) {
		return
	}
	switch err := st.Update(id, body.Price, body.Availability); {
	case errors.Is(err, ErrNoProduct):
		problem(w, http.StatusNotFound, "no such product")
		return
	case err != nil:
		problem(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	p, _ := st.Product(id)
	writeJSON(w, http.StatusOK, p)
}

// ctlAddProducts takes {"count":N} for generated products or
// {"products":[{"title":…,"price":…,…}]} for chosen ones.
func (st *Store) ctlAddProducts(w http.ResponseWriter, r *http.Request) {
	st.stats.control.Add(1)
	var body struct {
		Count    int          `json:"count"`
		Products []NewProduct `json:"products"`
	}
	if !decode(w, r, &body) {
		return
	}
	specs := body.Products
	switch {
	case len(specs) > 0 && body.Count != 0:
		problem(w, http.StatusUnprocessableEntity, "give count or products, not both")
		return
	case len(specs) == 0 && (body.Count < 1 || body.Count > 100_000):
		problem(w, http.StatusUnprocessableEntity, fmt.Sprintf("count must be between 1 and 100000, got %d", body.Count))
		return
	case len(specs) > 100_000:
		problem(w, http.StatusUnprocessableEntity, "at most 100000 products at once")
		return
	case len(specs) == 0:
		specs = make([]NewProduct, body.Count)
	}
	ids, err := st.AddProducts(specs...)
	if err != nil {
		problem(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	out := make([]Product, 0, len(ids))
	for _, id := range ids {
		p, _ := st.Product(id)
		out = append(out, p)
	}
	writeJSON(w, http.StatusCreated, map[string]any{"products": out})
}

func (st *Store) ctlGetConfig(w http.ResponseWriter, r *http.Request) {
	st.stats.control.Add(1)
	writeJSON(w, http.StatusOK, st.Config())
}

// ctlSetConfig applies the fields present in the body over the current
// settings, so {"latency_ms":0} leaves the error rates alone.
func (st *Store) ctlSetConfig(w http.ResponseWriter, r *http.Request) {
	st.stats.control.Add(1)
	c := st.Config()
	if !decode(w, r, &c) {
		return
	}
	if err := st.SetConfig(c); err != nil {
		problem(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// ctlTick changes prices ("changed_share") and/or stock ("stock_share") of a
// random share of the products.
func (st *Store) ctlTick(w http.ResponseWriter, r *http.Request) {
	st.stats.control.Add(1)
	var body struct {
		ChangedShare *float64 `json:"changed_share"`
		StockShare   *float64 `json:"stock_share"`
	}
	if !decode(w, r, &body) {
		return
	}
	bad := func(f *float64) bool { return f != nil && (*f < 0 || *f > 1) }
	if (body.ChangedShare == nil && body.StockShare == nil) || bad(body.ChangedShare) || bad(body.StockShare) {
		problem(w, http.StatusUnprocessableEntity, "changed_share and/or stock_share must be given, between 0 and 1")
		return
	}
	out := map[string]any{"changed": 0, "ids": []int{}}
	if body.ChangedShare != nil {
		ids := st.Tick(*body.ChangedShare)
		out["changed"], out["ids"] = len(ids), ids
	}
	if body.StockShare != nil {
		ids := st.TickStock(*body.StockShare)
		out["stock_changed"], out["stock_ids"] = len(ids), ids
	}
	writeJSON(w, http.StatusOK, out)
}
