package ui

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// catalogView is a catalog watch with its form values.
type catalogView struct {
	store.CatalogWatch
	Title           string // the name, else the URL
	IntervalMinutes int64
	Every           string // "6 h", "45 min"
	IncludeText     string
	ExcludeText     string
}

func viewCatalog(c store.CatalogWatch) catalogView {
	t := c.Name
	if t == "" {
		t = c.URL
	}
	return catalogView{CatalogWatch: c, Title: t, IntervalMinutes: int64(c.Interval / time.Minute), Every: every(c.Interval),
		IncludeText: joinComma(c.Include), ExcludeText: joinComma(c.Exclude)}
}

type catalogsData struct {
	Catalogs []catalogView
	CanWrite bool
}

func (h *Handler) catalogsData(w http.ResponseWriter, r *http.Request, id auth.Identity) (*catalogsData, bool) {
	cs, err := h.Store.ListCatalogWatches(r.Context(), id.WorkspaceID, store.FindCatalogWatches{Limit: 500})
	if err != nil {
		h.serverError(w, r, "list catalog watches", err)
		return nil, false
	}
	d := &catalogsData{CanWrite: id.CanWrite()}
	for _, c := range cs {
		d.Catalogs = append(d.Catalogs, viewCatalog(c))
	}
	return d, true
}

func (h *Handler) catalogsPage(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	if d, ok := h.catalogsData(w, r, id); ok {
		h.render(w, r, http.StatusOK, "catalogs.html", page{Title: "Catalogs", Nav: "catalogs", Live: true, Data: d})
	}
}

// catalogsList renders the list again after a scan (live updates).
func (h *Handler) catalogsList(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	if d, ok := h.catalogsData(w, r, id); ok {
		h.fragment(w, r, "catalogs.html", "alerts-catalog-list", d)
	}
}

// feedItem is one product a catalog watch found.
type feedItem struct {
	store.CatalogItem
	WatchID   int64  // the workspace's watch of it; 0 when not watched
	WatchBody string // POST /api/v1/watches body
}

type catalogData struct {
	Catalog  catalogView
	Items    []feedItem
	All      bool // everything seen, not only the announced products
	Next     string
	Base     string
	Refresh  string
	CanWrite bool
}

const catalogFeedSize = 50

func (h *Handler) catalogData(w http.ResponseWriter, r *http.Request, id auth.Identity) (*catalogData, bool) {
	cid, ok := pathInt64(r)
	if !ok {
		h.notFound(w, r)
		return nil, false
	}
	ctx := r.Context()
	c, err := h.Store.GetCatalogWatch(ctx, id.WorkspaceID, cid)
	if errors.Is(err, store.ErrNotFound) {
		h.notFound(w, r)
		return nil, false
	}
	if err != nil {
		h.serverError(w, r, "get catalog watch", err)
		return nil, false
	}
	q := r.URL.Query()
	all := q.Get("all") == "1"
	allParam := ""
	if all {
		allParam = "1"
	}
	path := "/catalogs/" + strconv.FormatInt(cid, 10)
	d := &catalogData{Catalog: viewCatalog(*c), All: all, CanWrite: id.CanWrite(), Base: withQuery(path, "all", allParam)}
	d.Refresh = withQuery(path+"/feed", "all", allParam, "cursor", q.Get("cursor"))
	f := store.FindCatalogItems{Limit: catalogFeedSize + 1, AnnouncedOnly: !all}
	if cur, err := strconv.ParseInt(q.Get("cursor"), 10, 64); err == nil && cur > 0 {
		f.AfterID = cur
	}
	items, err := h.Store.ListCatalogItems(ctx, id.WorkspaceID, cid, f)
	if err != nil {
		h.serverError(w, r, "list catalog items", err)
		return nil, false
	}
	if len(items) > catalogFeedSize {
		items = items[:catalogFeedSize]
		d.Next = withQuery(d.Base, "cursor", strconv.FormatInt(items[len(items)-1].ID, 10))
	}
	urls := make([]string, len(items))
	for i, it := range items {
		urls[i] = it.CanonicalURL
	}
	watched, err := h.Store.WatchedCanonicalURLs(ctx, id.WorkspaceID, urls)
	if err != nil {
		h.serverError(w, r, "watched products", err)
		return nil, false
	}
	for _, it := range items {
		body, _ := json.Marshal(map[string]string{"url": it.URL})
		d.Items = append(d.Items, feedItem{CatalogItem: it, WatchID: watched[it.CanonicalURL], WatchBody: string(body)})
	}
	return d, true
}

// catalogPage is a catalog watch's feed of products found.
func (h *Handler) catalogPage(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	if d, ok := h.catalogData(w, r, id); ok {
		h.render(w, r, http.StatusOK, "catalog.html", page{Title: d.Catalog.Title, Nav: "catalogs", Live: true, Data: d})
	}
}

// catalogFeed renders the feed again (live updates after a scan).
func (h *Handler) catalogFeed(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	if d, ok := h.catalogData(w, r, id); ok {
		h.fragment(w, r, "catalog.html", "alerts-catalog-feed", d)
	}
}

// every says an interval the way people do: "45 min", "6 h", "2 days".
func every(d time.Duration) string {
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + " days"
	case d >= time.Hour && d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + " h"
	}
	return strconv.FormatInt(int64(d/time.Minute), 10) + " min"
}
