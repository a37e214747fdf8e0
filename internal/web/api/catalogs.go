package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shelfwatch/shelfwatch/internal/catalog"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/problem"
)

// catalogRoutes are the catalog watch routes (see routes in authz.go).
func (h *Handler) catalogRoutes() []route {
	return []route{
		{"POST /api/v1/catalogs", write, h.createCatalog},
		{"GET /api/v1/catalogs", read, h.listCatalogs},
		{"GET /api/v1/catalogs/{id}", read, h.getCatalog},
		{"PATCH /api/v1/catalogs/{id}", write, h.patchCatalog},
		{"DELETE /api/v1/catalogs/{id}", write, h.deleteCatalog},
		{"POST /api/v1/catalogs/{id}/scan", write, h.scanCatalog},
		{"GET /api/v1/catalogs/{id}/products", read, h.catalogProducts},
	}
}

const (
	maxKeywords   = 50
	maxKeywordLen = 100
	maxNameLen    = 200
)

type catalogRequest struct {
	URL              *string   `json:"url"`
	Name             *string   `json:"name"`
	Include          *[]string `json:"include"`
	Exclude          *[]string `json:"exclude"`
	IntervalMinutes  *int64    `json:"interval_minutes"`
	Paused           *bool     `json:"paused"`
	AnnounceExisting *bool     `json:"announce_existing"`
	AutoWatch        *bool     `json:"auto_watch"`
}

type catalogJSON struct {
	ID               int64    `json:"id"`
	URL              string   `json:"url"`
	Name             string   `json:"name"`
	Include          []string `json:"include"`
	Exclude          []string `json:"exclude"`
	IntervalMinutes  int64    `json:"interval_minutes"`
	Paused           bool     `json:"paused"`
	AnnounceExisting bool     `json:"announce_existing"`
	AutoWatch        bool     `json:"auto_watch"`
	// Scans counts successful scans; the first recorded the baseline.
	Scans               int64   `json:"scans"`
	NextScanAt          string  `json:"next_scan_at"`
	LastScanAt          *string `json:"last_scan_at"`
	LastError           string  `json:"last_error"`
	ConsecutiveFailures int     `json:"consecutive_failures"`
	LastScanItems       int64   `json:"last_scan_items"`
	LastScanNew         int64   `json:"last_scan_new"`
	LastScanAnnounced   int64   `json:"last_scan_announced"`
	ItemsSeen           int64   `json:"items_seen"`
	CreatedAt           string  `json:"created_at"`
}

func toCatalogJSON(c *store.CatalogWatch) catalogJSON {
	out := catalogJSON{ID: c.ID, URL: c.URL, Name: c.Name, Include: c.Include, Exclude: c.Exclude,
		IntervalMinutes: int64(c.Interval / time.Minute), Paused: c.Paused, AnnounceExisting: c.AnnounceExisting,
		AutoWatch: c.AutoWatch, Scans: c.Scans, NextScanAt: rfc3339(c.NextScanAt), LastScanAt: optTime(c.LastScanAt),
		LastError: c.LastError, ConsecutiveFailures: c.ConsecutiveFailures, LastScanItems: c.LastScanItems,
		LastScanNew: c.LastScanNew, LastScanAnnounced: c.LastScanAnnounced, ItemsSeen: c.ItemsSeen,
		CreatedAt: rfc3339(c.CreatedAt)}
	if out.Include == nil {
		out.Include = []string{}
	}
	if out.Exclude == nil {
		out.Exclude = []string{}
	}
	return out
}

type catalogItemJSON struct {
	ID           int64   `json:"id"`
	URL          string  `json:"url"`
	CanonicalURL string  `json:"canonical_url"`
	Title        string  `json:"title"`
	Price        *string `json:"price"`
	Currency     string  `json:"currency"` // "" when the store's feed does not say
	Matched      bool    `json:"matched"`
	Announced    bool    `json:"announced"`
	Lastmod      *string `json:"lastmod"`
	FirstSeenAt  string  `json:"first_seen_at"`
}

// checkCatalogFields validates the editable fields of req into errs.
func checkCatalogFields(req *catalogRequest, errs []problem.FieldError) []problem.FieldError {
	if req.Name != nil {
		*req.Name = strings.TrimSpace(*req.Name)
		if utf8.RuneCountInString(*req.Name) > maxNameLen {
			errs = append(errs, problem.FieldError{Field: "name", Detail: fmt.Sprintf("must be at most %d characters", maxNameLen)})
		}
	}
	for _, kw := range []struct {
		field string
		list  *[]string
	}{{"include", req.Include}, {"exclude", req.Exclude}} {
		if kw.list == nil {
			continue
		}
		clean, msg := cleanKeywords(*kw.list)
		if msg != "" {
			errs = append(errs, problem.FieldError{Field: kw.field, Detail: msg})
			continue
		}
		*kw.list = clean
	}
	if m := req.IntervalMinutes; m != nil {
		d := time.Duration(*m) * time.Minute
		if *m < int64(catalog.MinInterval/time.Minute) || d > catalog.MaxInterval {
			errs = append(errs, problem.FieldError{Field: "interval_minutes",
				Detail: fmt.Sprintf("must be from %d to %d minutes", catalog.MinInterval/time.Minute, catalog.MaxInterval/time.Minute)})
		}
	}
	return errs
}

func cleanKeywords(in []string) ([]string, string) {
	if len(in) > maxKeywords {
		return nil, fmt.Sprintf("at most %d keywords", maxKeywords)
	}
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, k := range in {
		k = strings.Join(strings.Fields(k), " ")
		if k == "" || k == "*" || utf8.RuneCountInString(k) > maxKeywordLen {
			return nil, fmt.Sprintf("each keyword must be 1 to %d characters", maxKeywordLen)
		}
		if !seen[strings.ToLower(k)] {
			seen[strings.ToLower(k)] = true
			out = append(out, k)
		}
	}
	return out, ""
}

// createCatalog: POST /api/v1/catalogs. The first scan runs soon and
// records a baseline (nothing announced unless announce_existing).
func (h *Handler) createCatalog(w http.ResponseWriter, r *http.Request) {
	var req catalogRequest
	if !decode(w, r, &req) {
		return
	}
	var errs []problem.FieldError
	var canonical string
	if req.URL == nil || strings.TrimSpace(*req.URL) == "" {
		errs = append(errs, problem.FieldError{Field: "url", Detail: "is required: a store's address (https://shop.example/) or a sitemap URL"})
	} else {
		var err error
		canonical, err = h.checkCatalogURL(*req.URL)
		switch {
		case errors.Is(err, catalog.ErrPrivateAddress):
			errs = append(errs, problem.FieldError{Field: "url", Detail: "points at a private, loopback or link-local address, which this server is not allowed to reach (--allow-private-networks)"})
		case err != nil:
			errs = append(errs, problem.FieldError{Field: "url", Detail: err.Error()})
		}
	}
	errs = checkCatalogFields(&req, errs)
	if len(errs) > 0 {
		problem.Invalid(w, "Fix the fields listed in errors.", errs...)
		return
	}
	c := &store.CatalogWatch{WorkspaceID: h.workspace(r), URL: canonical, Interval: catalog.DefaultInterval,
		NextScanAt: h.Now()}
	applyCatalogRequest(c, &req)
	if err := h.Store.CreateCatalogWatch(r.Context(), c); err != nil {
		if errors.Is(err, store.ErrConflict) {
			problem.Write(w, problem.Problem{Type: problem.TypeConflict, Status: http.StatusConflict,
				Title: "Already watched", Detail: "This workspace already has a catalog watch on that URL."})
			return
		}
		h.internal(w, r, "create catalog watch", err)
		return
	}
	if !c.Paused {
		if err := h.Catalogs.Enqueue(r.Context(), c.ID, false); err != nil {
			// The periodic job picks it up within a minute anyway.
			h.Logger.WarnContext(r.Context(), "enqueue first catalog scan", "catalog_watch", c.ID, "err", err)
		}
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/catalogs/%d", c.ID))
	writeJSON(w, http.StatusCreated, toCatalogJSON(c))
}

func (h *Handler) checkCatalogURL(raw string) (string, error) {
	if h.Catalogs != nil {
		return h.Catalogs.CheckURL(raw)
	}
	return catalog.CheckURL(raw, false, nil)
}

func applyCatalogRequest(c *store.CatalogWatch, req *catalogRequest) {
	if req.Name != nil {
		c.Name = *req.Name
	}
	if req.Include != nil {
		c.Include = *req.Include
	}
	if req.Exclude != nil {
		c.Exclude = *req.Exclude
	}
	if req.IntervalMinutes != nil {
		c.Interval = time.Duration(*req.IntervalMinutes) * time.Minute
	}
	if req.Paused != nil {
		c.Paused = *req.Paused
	}
	if req.AnnounceExisting != nil {
		c.AnnounceExisting = *req.AnnounceExisting
	}
	if req.AutoWatch != nil {
		c.AutoWatch = *req.AutoWatch
	}
}

type catalogList struct {
	Items      []catalogJSON `json:"items"`
	NextCursor *string       `json:"next_cursor"`
}

// listCatalogs: GET /api/v1/catalogs?limit=N&cursor=C, newest first.
func (h *Handler) listCatalogs(w http.ResponseWriter, r *http.Request) {
	limit, after, ok := pageParams(w, r)
	if !ok {
		return
	}
	cs, err := h.Store.ListCatalogWatches(r.Context(), h.workspace(r), store.FindCatalogWatches{AfterID: after, Limit: limit + 1})
	if err != nil {
		h.internal(w, r, "list catalog watches", err)
		return
	}
	out := catalogList{Items: make([]catalogJSON, 0, len(cs))}
	if len(cs) > limit {
		cs = cs[:limit]
		c := encodeCursor(cs[len(cs)-1].ID)
		out.NextCursor = &c
	}
	for i := range cs {
		out.Items = append(out.Items, toCatalogJSON(&cs[i]))
	}
	writeJSON(w, http.StatusOK, out)
}

// pageParams reads limit (1–500, default 50) and cursor.
func pageParams(w http.ResponseWriter, r *http.Request) (int, int64, bool) {
	limit, ok := intParam(w, r, "limit", 50, 1, 500)
	if !ok {
		return 0, 0, false
	}
	var after int64
	if c := r.URL.Query().Get("cursor"); c != "" {
		id, err := decodeCursor(c)
		if err != nil {
			problem.Invalid(w, "The cursor is not one this server gave out.", problem.FieldError{Field: "cursor", Detail: "is invalid"})
			return 0, 0, false
		}
		after = id
	}
	return limit, after, true
}

func (h *Handler) catalogNotFound(w http.ResponseWriter) {
	problem.Status(w, http.StatusNotFound, "No such catalog watch.")
}

func (h *Handler) getCatalog(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	c, err := h.Store.GetCatalogWatch(r.Context(), h.workspace(r), id)
	if errors.Is(err, store.ErrNotFound) {
		h.catalogNotFound(w)
		return
	}
	if err != nil {
		h.internal(w, r, "get catalog watch", err)
		return
	}
	writeJSON(w, http.StatusOK, toCatalogJSON(c))
}

// patchCatalog: PATCH /api/v1/catalogs/{id} changes the fields given. New
// keywords apply to products found from now on; products already seen are
// never announced, whatever the keywords become.
func (h *Handler) patchCatalog(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var req catalogRequest
	if !decode(w, r, &req) {
		return
	}
	var errs []problem.FieldError
	if req.URL != nil {
		errs = append(errs, problem.FieldError{Field: "url", Detail: "cannot be changed: create another catalog watch for another store"})
	}
	errs = checkCatalogFields(&req, errs)
	if len(errs) > 0 {
		problem.Invalid(w, "Fix the fields listed in errors.", errs...)
		return
	}
	u := store.UpdateCatalogWatch{Name: req.Name, Include: req.Include, Exclude: req.Exclude, Paused: req.Paused,
		AnnounceExisting: req.AnnounceExisting, AutoWatch: req.AutoWatch}
	if req.IntervalMinutes != nil {
		d := time.Duration(*req.IntervalMinutes) * time.Minute
		u.Interval = &d
	}
	c, err := h.Store.PatchCatalogWatch(r.Context(), h.workspace(r), id, u)
	if errors.Is(err, store.ErrNotFound) {
		h.catalogNotFound(w)
		return
	}
	if err != nil {
		h.internal(w, r, "patch catalog watch", err)
		return
	}
	writeJSON(w, http.StatusOK, toCatalogJSON(c))
}

func (h *Handler) deleteCatalog(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	err := h.Store.DeleteCatalogWatch(r.Context(), h.workspace(r), id)
	if errors.Is(err, store.ErrNotFound) {
		h.catalogNotFound(w)
		return
	}
	if err != nil {
		h.internal(w, r, "delete catalog watch", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// scanCatalog: POST /api/v1/catalogs/{id}/scan makes the catalog watch due
// now and enqueues its scan (paused or not: the user asked). 202: the scan
// runs in the background; GET the catalog watch for its result.
func (h *Handler) scanCatalog(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	ws := h.workspace(r)
	err := h.Store.ScheduleCatalogScan(r.Context(), ws, id, h.Now())
	if errors.Is(err, store.ErrNotFound) {
		h.catalogNotFound(w)
		return
	}
	if err != nil {
		h.internal(w, r, "schedule catalog scan", err)
		return
	}
	if err := h.Catalogs.Enqueue(r.Context(), id, true); err != nil {
		h.internal(w, r, "enqueue catalog scan", err)
		return
	}
	c, err := h.Store.GetCatalogWatch(r.Context(), ws, id)
	if err != nil {
		h.internal(w, r, "get catalog watch", err)
		return
	}
	writeJSON(w, http.StatusAccepted, toCatalogJSON(c))
}

type catalogItemList struct {
	Items      []catalogItemJSON `json:"items"`
	NextCursor *string           `json:"next_cursor"`
}

// catalogProducts: GET /api/v1/catalogs/{id}/products?limit&cursor&announced=true
// is the feed of what the catalog watch found, newest first.
func (h *Handler) catalogProducts(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	limit, after, ok := pageParams(w, r)
	if !ok {
		return
	}
	f := store.FindCatalogItems{AfterID: after, Limit: limit + 1}
	switch r.URL.Query().Get("announced") {
	case "", "false":
	case "true":
		f.AnnouncedOnly = true
	default:
		problem.Invalid(w, "", problem.FieldError{Field: "announced", Detail: "must be true or false"})
		return
	}
	items, err := h.Store.ListCatalogItems(r.Context(), h.workspace(r), id, f)
	if errors.Is(err, store.ErrNotFound) {
		h.catalogNotFound(w)
		return
	}
	if err != nil {
		h.internal(w, r, "list catalog items", err)
		return
	}
	out := catalogItemList{Items: make([]catalogItemJSON, 0, len(items))}
	if len(items) > limit {
		items = items[:limit]
		c := encodeCursor(items[len(items)-1].ID)
		out.NextCursor = &c
	}
	for _, it := range items {
		out.Items = append(out.Items, catalogItemJSON{ID: it.ID, URL: it.URL, CanonicalURL: it.CanonicalURL, Title: it.Title,
			Price: money(it.PriceMinor, it.Currency), Currency: it.Currency, Matched: it.Matched, Announced: it.Announced,
			Lastmod: optTime(it.Lastmod), FirstSeenAt: rfc3339(it.FirstSeenAt)})
	}
	writeJSON(w, http.StatusOK, out)
}
