package catalog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"code.dny.dev/ssrf"

	"github.com/shelfwatch/shelfwatch/internal/canonurl"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// Scan intervals: the default, and the shortest a catalog watch may ask for
// (a catalog is many requests; stores deserve restraint).
const (
	DefaultInterval = 6 * time.Hour
	MinInterval     = 15 * time.Minute
	MaxInterval     = 30 * 24 * time.Hour
)

// Options configures a Service.
type Options struct {
	Store   *store.Store
	Fetcher Fetcher // nil on a web-only process: it enqueues scans but runs none
	Limits  Limits
	Logger  *slog.Logger
	Now     func() time.Time
	// AllowPrivateNetworks and AllowedCIDRs mirror the fetcher's guard, so
	// a catalog URL at a private address is refused when it is created,
	// not only when it is scanned.
	AllowPrivateNetworks bool
	AllowedCIDRs         []netip.Prefix
}

// Service scans catalog watches and runs their River jobs.
type Service struct {
	o    Options
	disc *Discoverer
	// Jobs enqueues scan jobs; set after the River client is built (the
	// client needs this service's workers first).
	Jobs Inserter
}

// New returns a Service.
func New(o Options) (*Service, error) {
	if o.Store == nil {
		return nil, errors.New("catalog: a store is required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{o: o, disc: &Discoverer{Fetcher: o.Fetcher, Limits: o.Limits}}, nil
}

// ErrPrivateAddress refuses a catalog URL at a private, loopback or
// link-local address while private networks are not allowed.
var ErrPrivateAddress = errors.New("catalog: the URL points at a private address")

// CheckURL canonicalizes a catalog URL (a store root or a sitemap URL) and
// refuses a literal private address (or localhost) unless this service's
// guard settings allow it; see CheckURL.
func (s *Service) CheckURL(raw string) (string, error) {
	return CheckURL(raw, s.o.AllowPrivateNetworks, s.o.AllowedCIDRs)
}

// CheckURL canonicalizes a catalog URL and refuses a literal private,
// loopback or link-local address (or localhost) unless allowPrivate or one of
// allowed covers it. Names that resolve to private addresses are refused by
// the fetcher's guard at scan time, after resolution, as for watches.
func CheckURL(raw string, allowPrivate bool, allowed []netip.Prefix) (string, error) {
	canonical, host, err := canonurl.Canonicalize(strings.TrimSpace(raw))
	if err != nil {
		return "", err
	}
	if allowPrivate {
		return canonical, nil
	}
	addr, err := netip.ParseAddr(strings.Trim(host, "[]"))
	if err != nil {
		if host == "localhost" || strings.HasSuffix(host, ".localhost") {
			return "", ErrPrivateAddress
		}
		return canonical, nil
	}
	for _, p := range allowed {
		if p.Contains(addr.Unmap()) {
			return canonical, nil
		}
	}
	if err := ssrf.New().SafeAddr(addr.Unmap()); err != nil {
		return "", ErrPrivateAddress
	}
	return canonical, nil
}

// Enqueue enqueues a scan of catalog watch id now, unless one is already
// waiting or running; manual (a user's "scan now") scans it even when
// paused. Without a job queue it does nothing: the periodic job finds due
// catalog watches within DuePeriod.
func (s *Service) Enqueue(ctx context.Context, id int64, manual bool) error {
	if s == nil || s.Jobs == nil {
		return nil
	}
	if err := s.enqueue(ctx, id, manual); err != nil {
		return fmt.Errorf("catalog: enqueue scan: %w", err)
	}
	return nil
}

// Backoff is the wait after the n-th failed scan in a row: 15 minutes,
// doubling, but never longer than the scan interval (or a day): a passing
// outage is retried soon, a lasting one no more often than usual.
func Backoff(n int, interval time.Duration) time.Duration {
	d := MinInterval
	for i := 1; i < n && d < 24*time.Hour; i++ {
		d *= 2
	}
	return min(d, 24*time.Hour, max(interval, MinInterval))
}

// ScanResult says what one scan did.
type ScanResult struct {
	Found     int
	New       int
	Announced int
	Baseline  bool
	Watched   int // watches created for announced products (auto_watch)
}

// Scan scans one catalog watch now and records the outcome: the items found,
// or the error with a backoff. The returned error is only for failures to
// record (the job is then retried); a failed scan is recorded, not
// returned.
func (s *Service) Scan(ctx context.Context, id int64) (*ScanResult, error) {
	if s.o.Fetcher == nil {
		return nil, errors.New("catalog: this process has no fetcher")
	}
	cw, err := s.o.Store.CatalogWatchForScan(ctx, id)
	if err != nil {
		return nil, err
	}
	start := s.o.Now()
	disc, err := s.disc.Discover(ctx, cw.URL)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		now := s.o.Now()
		next := now.Add(Backoff(cw.ConsecutiveFailures+1, cw.Interval)).UnixMilli()
		msg := truncate(err.Error(), 500)
		s.o.Logger.WarnContext(ctx, "catalog scan failed", "catalog_watch", id, "url", cw.URL, "err", err)
		if rerr := s.o.Store.RecordCatalogScanFailure(ctx, id, now.UnixMilli(), msg, next); rerr != nil {
			return nil, rerr
		}
		return &ScanResult{}, nil
	}
	m := NewMatcher(cw.Include, cw.Exclude)
	items := make([]store.CatalogScanItem, 0, len(disc.Items))
	for _, it := range disc.Items {
		canonical, _, err := canonurl.Canonicalize(it.URL)
		if err != nil {
			continue
		}
		items = append(items, store.CatalogScanItem{CanonicalURL: canonical, URL: it.URL, Title: it.Title,
			PriceMinor: it.PriceMinor, Currency: it.Currency, Lastmod: it.Lastmod, Matched: m.Match(it.Title, it.URL)})
	}
	rec, err := s.o.Store.RecordCatalogScan(ctx, id, store.CatalogScan{At: s.o.Now().UnixMilli(), Items: items})
	if err != nil {
		return nil, err
	}
	out := &ScanResult{Found: len(items), New: rec.New, Announced: len(rec.Announced), Baseline: rec.Baseline}
	if cw.AutoWatch {
		out.Watched = s.autoWatch(ctx, cw, rec.Announced)
	}
	s.o.Logger.InfoContext(ctx, "catalog scanned", "catalog_watch", id, "url", cw.URL, "found", out.Found,
		"new", out.New, "announced", out.Announced, "baseline", out.Baseline, "sitemaps", disc.Sitemaps,
		"feed", disc.Feed, "skipped", disc.Skipped, "took", s.o.Now().Sub(start))
	return out, nil
}

// autoWatch gives announced products a watch in the catalog watch's
// workspace so their price is tracked. A product already watched there is
// fine; a failure is logged, as the announcement itself stands.
func (s *Service) autoWatch(ctx context.Context, cw *store.CatalogWatch, items []store.CatalogItem) int {
	n := 0
	for _, it := range items {
		p := &store.Product{URL: it.URL, CanonicalURL: it.CanonicalURL, Title: it.Title}
		w := &store.Watch{Tags: []string{"catalog"}}
		_, err := s.o.Store.CreateWatchForURL(ctx, cw.WorkspaceID, p, w)
		switch {
		case err == nil:
			n++
		case errors.Is(err, store.ErrConflict):
		default:
			s.o.Logger.WarnContext(ctx, "catalog auto-watch failed", "catalog_watch", cw.ID, "url", it.URL, "err", err)
		}
	}
	return n
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func isRuneStart(b byte) bool { return b&0xc0 != 0x80 }
