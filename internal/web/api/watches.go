package api

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/canonurl"
	"github.com/shelfwatch/shelfwatch/internal/price"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/problem"
)

type createWatchRequest struct {
	URL         *string         `json:"url"`
	TargetPrice json.RawMessage `json:"target_price"` // "19.99" or 19.99
	Currency    *string         `json:"currency"`     // ISO 4217 of the target, when known
	Tags        []string        `json:"tags"`
	Notes       *string         `json:"notes"`
	MinInterval *string         `json:"min_interval"` // "15m", "6h": check no more often; "" or "0" for no limit
}

var (
	decimalRe  = regexp.MustCompile(`^[0-9]{1,13}(\.[0-9]{1,4})?$`)
	currencyRe = regexp.MustCompile(`^[A-Z]{3}$`)
)

const (
	maxTags     = 20
	maxTagLen   = 40
	maxNotesLen = 2000
)

type patchWatchRequest struct {
	TargetPrice json.RawMessage `json:"target_price"` // "19.99", 19.99; null clears it
	Currency    *string         `json:"currency"`
	Tags        *[]string       `json:"tags"`
	Notes       *string         `json:"notes"`
	Paused      *bool           `json:"paused"`
	MinInterval *string         `json:"min_interval"`
}

// patchWatch: PATCH /api/v1/watches/{id} changes a watch's target, tags,
// notes, pause and minimum interval; fields left out stay as they are.
func (h *Handler) patchWatch(w http.ResponseWriter, r *http.Request) {
	var req patchWatchRequest
	if !decode(w, r, &req) {
		return
	}
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	wt, err := h.Store.GetWatch(r.Context(), h.workspace(r), id)
	if errors.Is(err, store.ErrNotFound) {
		problem.Status(w, http.StatusNotFound, "No such watch in this workspace.")
		return
	}
	if err != nil {
		h.internal(w, r, "get watch", err)
		return
	}
	var errs []problem.FieldError
	if req.Currency != nil {
		cur := strings.ToUpper(strings.TrimSpace(*req.Currency))
		if cur != "" && !currencyRe.MatchString(cur) {
			errs = append(errs, problem.FieldError{Field: "currency", Detail: "must be an ISO 4217 code such as USD or EUR"})
		}
		wt.TargetCurrency = cur
	}
	switch {
	case string(req.TargetPrice) == "null":
		wt.TargetMinor = nil
	case len(req.TargetPrice) > 0:
		minor, ok := parseTarget(req.TargetPrice, wt.TargetCurrency)
		if !ok {
			errs = append(errs, problem.FieldError{Field: "target_price", Detail: `must be a non-negative decimal amount such as "19.99", or null`})
		} else {
			wt.TargetMinor = &minor
		}
	}
	if req.Tags != nil {
		tags, tagErr := cleanTags(*req.Tags)
		if tagErr != "" {
			errs = append(errs, problem.FieldError{Field: "tags", Detail: tagErr})
		}
		wt.Tags = tags
	}
	if req.Notes != nil {
		wt.Notes = strings.TrimSpace(*req.Notes)
		if len(wt.Notes) > maxNotesLen {
			errs = append(errs, problem.FieldError{Field: "notes", Detail: fmt.Sprintf("must be at most %d bytes", maxNotesLen)})
		}
	}
	if req.Paused != nil {
		wt.Paused = *req.Paused
	}
	if req.MinInterval != nil {
		var detail string
		if wt.MinInterval, detail = parseMinInterval(*req.MinInterval); detail != "" {
			errs = append(errs, problem.FieldError{Field: "min_interval", Detail: detail})
		}
	}
	if len(errs) > 0 {
		problem.Invalid(w, "Fix the fields listed in errors.", errs...)
		return
	}
	if err := h.Store.UpdateWatch(r.Context(), wt); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			problem.Status(w, http.StatusNotFound, "No such watch in this workspace.")
			return
		}
		h.internal(w, r, "update watch", err)
		return
	}
	writeJSON(w, http.StatusOK, toWatchJSON(wt))
}

// createWatch: POST /api/v1/watches. The product is found or created by its
// canonical URL and the watch inserted in one transaction; any invalid field
// answers 400 before anything is written.
func (h *Handler) createWatch(w http.ResponseWriter, r *http.Request) {
	var req createWatchRequest
	if !decode(w, r, &req) {
		return
	}
	var errs []problem.FieldError
	var canonical, host string
	if req.URL == nil {
		errs = append(errs, problem.FieldError{Field: "url", Detail: "is required"})
	} else {
		var err error
		canonical, host, err = canonurl.Canonicalize(*req.URL)
		if err != nil {
			errs = append(errs, problem.FieldError{Field: "url", Detail: err.Error()})
		}
	}
	cur := ""
	if req.Currency != nil {
		cur = strings.ToUpper(strings.TrimSpace(*req.Currency))
		if !currencyRe.MatchString(cur) {
			errs = append(errs, problem.FieldError{Field: "currency", Detail: "must be an ISO 4217 code such as USD or EUR"})
		}
	}
	var target *int64
	if len(req.TargetPrice) > 0 && string(req.TargetPrice) != "null" {
		minor, ok := parseTarget(req.TargetPrice, cur)
		if !ok {
			errs = append(errs, problem.FieldError{Field: "target_price", Detail: `must be a non-negative decimal amount such as "19.99"`})
		} else {
			target = &minor
		}
	}
	tags, tagErr := cleanTags(req.Tags)
	if tagErr != "" {
		errs = append(errs, problem.FieldError{Field: "tags", Detail: tagErr})
	}
	notes := ""
	if req.Notes != nil {
		notes = strings.TrimSpace(*req.Notes)
		if len(notes) > maxNotesLen {
			errs = append(errs, problem.FieldError{Field: "notes", Detail: fmt.Sprintf("must be at most %d bytes", maxNotesLen)})
		}
	}
	var minInterval time.Duration
	if req.MinInterval != nil {
		var detail string
		if minInterval, detail = parseMinInterval(*req.MinInterval); detail != "" {
			errs = append(errs, problem.FieldError{Field: "min_interval", Detail: detail})
		}
	}
	if len(errs) > 0 {
		problem.Invalid(w, "Fix the fields listed in errors.", errs...)
		return
	}

	now := h.Now()
	p := &store.Product{URL: strings.TrimSpace(*req.URL), CanonicalURL: canonical, Domain: host,
		Availability: store.Unknown, Status: store.StatusActive, NextCheckAt: now, CreatedAt: now, UpdatedAt: now}
	wt := &store.Watch{WorkspaceID: h.workspace(r), TargetMinor: target, TargetCurrency: cur, Tags: tags, Notes: notes,
		MinInterval: minInterval, CreatedAt: now, UpdatedAt: now}
	if _, err := h.Store.CreateWatchForURL(r.Context(), wt.WorkspaceID, p, wt); err != nil {
		if errors.Is(err, store.ErrConflict) {
			problem.Write(w, problem.Problem{Type: problem.TypeConflict, Status: http.StatusConflict,
				Title: "Already watched", Detail: "This workspace already watches that product."})
			return
		}
		h.internal(w, r, "create watch", err)
		return
	}
	wt.Product = p
	w.Header().Set("Location", fmt.Sprintf("/api/v1/watches/%d", wt.ID))
	writeJSON(w, http.StatusCreated, toWatchJSON(wt))
}

// parseTarget reads a target price given as a JSON string ("19.99") or
// number (19.99) into minor units of currency.
func parseTarget(raw json.RawMessage, currency string) (int64, bool) {
	var text string
	if err := json.Unmarshal(raw, &text); err != nil {
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return 0, false
		}
		text = n.String()
	}
	text = strings.TrimSpace(text)
	if !decimalRe.MatchString(text) {
		return 0, false
	}
	return price.Price{Amount: text, Currency: currency}.Minor()
}

// maxMinInterval caps a watch's minimum interval: the frontier checks
// every product at least weekly anyway.
const maxMinInterval = 7 * 24 * time.Hour

// parseMinInterval reads a watch's minimum interval, a Go duration of whole
// seconds ("15m", "1h30m"); "" and "0" mean no limit.
func parseMinInterval(s string) (time.Duration, string) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, ""
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return 0, `must be a duration such as "15m" or "6h"`
	case d < 0 || d > maxMinInterval || d%time.Second != 0:
		return 0, "must be whole seconds from 0 to 168h"
	}
	return d, ""
}

// FormatInterval writes d as parseMinInterval (and so the API) reads it, without zero units
// ("15m", not "15m0s"); "" for none.
func FormatInterval(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func cleanTags(in []string) ([]string, string) {
	if len(in) > maxTags {
		return nil, fmt.Sprintf("at most %d tags", maxTags)
	}
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, t := range in {
		t = strings.TrimSpace(t)
		if t == "" || len(t) > maxTagLen {
			return nil, fmt.Sprintf("each tag must be 1 to %d characters", maxTagLen)
		}
		if !seen[strings.ToLower(t)] {
			seen[strings.ToLower(t)] = true
			out = append(out, t)
		}
	}
	return out, ""
}

type watchList struct {
	Items      []watchJSON `json:"items"`
	NextCursor *string     `json:"next_cursor"`
}

// listWatches: GET /api/v1/watches?limit=N&cursor=C, newest first.
func (h *Handler) listWatches(w http.ResponseWriter, r *http.Request) {
	limit, ok := intParam(w, r, "limit", 50, 1, 500)
	if !ok {
		return
	}
	var after int64
	if c := r.URL.Query().Get("cursor"); c != "" {
		id, err := decodeCursor(c)
		if err != nil {
			problem.Invalid(w, "The cursor is not one this server gave out.", problem.FieldError{Field: "cursor", Detail: "is invalid"})
			return
		}
		after = id
	}
	// Ask for one more than a page to learn whether another page exists.
	ws, err := h.Store.ListWatches(r.Context(), h.workspace(r), store.FindWatches{AfterID: after, Limit: limit + 1})
	if err != nil {
		h.internal(w, r, "list watches", err)
		return
	}
	out := watchList{Items: make([]watchJSON, 0, len(ws))}
	if len(ws) > limit {
		ws = ws[:limit]
		c := encodeCursor(ws[len(ws)-1].ID)
		out.NextCursor = &c
	}
	for i := range ws {
		out.Items = append(out.Items, toWatchJSON(&ws[i]))
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) getWatch(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	wt, err := h.Store.GetWatch(r.Context(), h.workspace(r), id)
	if errors.Is(err, store.ErrNotFound) {
		problem.Status(w, http.StatusNotFound, "No such watch.")
		return
	}
	if err != nil {
		h.internal(w, r, "get watch", err)
		return
	}
	writeJSON(w, http.StatusOK, toWatchJSON(wt))
}

func (h *Handler) deleteWatch(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	err := h.Store.DeleteWatch(r.Context(), h.workspace(r), id)
	if errors.Is(err, store.ErrNotFound) {
		problem.Status(w, http.StatusNotFound, "No such watch.")
		return
	}
	if err != nil {
		h.internal(w, r, "delete watch", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// pathID reads the {id} path value; a malformed id is simply not found.
func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		problem.Status(w, http.StatusNotFound, "No such resource.")
		return 0, false
	}
	return id, true
}

func intParam(w http.ResponseWriter, r *http.Request, name string, def, min, max int) (int, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		problem.Invalid(w, "", problem.FieldError{Field: name, Detail: fmt.Sprintf("must be a whole number from %d to %d", min, max)})
		return 0, false
	}
	return n, true
}

// Cursors are opaque to clients so the paging scheme can change.
func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("w" + strconv.FormatInt(id, 10)))
}

func decodeCursor(c string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 2 || b[0] != 'w' {
		return 0, errors.New("bad cursor")
	}
	id, err := strconv.ParseInt(string(b[1:]), 10, 64)
	if err != nil || id <= 0 {
		return 0, errors.New("bad cursor")
	}
	return id, nil
}
