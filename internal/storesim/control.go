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

func (st *Store) ctlAddProducts(w http.ResponseWriter, r *http.Request) {
	st.stats.control.Add(1)
	body := struct {
		Count int `json:"count"`
	}{Count: 1}
	if !decode(w, r, &body) {
		return
	}
	if body.Count < 1 || body.Count > 100_000 {
		problem(w, http.StatusUnprocessableEntity, fmt.Sprintf("count must be between 1 and 100000, got %d", body.Count))
		return
	}
	ids := st.Add(body.Count)
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

func (st *Store) ctlTick(w http.ResponseWriter, r *http.Request) {
	st.stats.control.Add(1)
	var body struct {
		ChangedShare *float64 `json:"changed_share"`
	}
	if !decode(w, r, &body) {
		return
	}
	if body.ChangedShare == nil || *body.ChangedShare < 0 || *body.ChangedShare > 1 {
		problem(w, http.StatusUnprocessableEntity, "changed_share must be between 0 and 1")
		return
	}
	ids := st.Tick(*body.ChangedShare)
	writeJSON(w, http.StatusOK, map[string]any{"changed": len(ids), "ids": ids})
}
