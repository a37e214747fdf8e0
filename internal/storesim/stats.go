package storesim

import "sync/atomic"

// stats counts responses by kind; GET /_sim/stats reports them.
type stats struct {
	page, notModified, redirect, robots, sitemap, feed, control, other atomic.Uint64
	err500, status429, blocked                                         atomic.Uint64
}

// Stats is a snapshot of the request counters.
type Stats struct {
	Total       uint64 `json:"total"`
	Pages       uint64 `json:"pages"`        // product pages served in full (200)
	NotModified uint64 `json:"not_modified"` // conditional GETs answered 304
	Redirects   uint64 `json:"redirects"`    // product URLs with an outdated slug
	Robots      uint64 `json:"robots"`
	Sitemaps    uint64 `json:"sitemaps"` // index and gzip sitemaps
	Feed        uint64 `json:"feed"`     // /products.json
	Control     uint64 `json:"control"`  // /_sim/
	Other       uint64 `json:"other"`    // home page, 404s
	Errors      uint64 `json:"errors"`   // injected 500s
	Status429   uint64 `json:"status_429"`
	Blocked     uint64 `json:"blocked"` // injected bot walls
}

// Stats returns the request counters.
func (st *Store) Stats() Stats {
	s := &st.stats
	out := Stats{
		Pages: s.page.Load(), NotModified: s.notModified.Load(), Redirects: s.redirect.Load(), Robots: s.robots.Load(),
		Sitemaps: s.sitemap.Load(), Feed: s.feed.Load(), Control: s.control.Load(), Other: s.other.Load(),
		Errors: s.err500.Load(), Status429: s.status429.Load(), Blocked: s.blocked.Load(),
	}
	out.Total = out.Pages + out.NotModified + out.Redirects + out.Robots + out.Sitemaps + out.Feed + out.Control + out.Other +
		out.Errors + out.Status429 + out.Blocked
	return out
}
