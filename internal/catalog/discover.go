package catalog

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/shelfwatch/shelfwatch/internal/fetch"
)

// Fetcher is the part of the polite fetcher discovery uses.
type Fetcher interface {
	Fetch(ctx context.Context, req fetch.Request) (*fetch.Result, error)
}

// Limits bound one scan. Zero values take the defaults.
type Limits struct {
	MaxDocBytes int64 // per document, decompressed; default 50 MB
	MaxURLs     int   // product URLs per scan; default 200,000
	MaxSitemaps int   // sitemap documents per scan; default 1,000
	MaxDepth    int   // sitemap index nesting; default 3
	MaxPages    int   // product feed pages; default MaxURLs/250
}

func (l Limits) withDefaults() Limits {
	if l.MaxDocBytes <= 0 {
		l.MaxDocBytes = DefaultMaxDocBytes
	}
	if l.MaxURLs <= 0 {
		l.MaxURLs = DefaultMaxURLs
	}
	if l.MaxSitemaps <= 0 {
		l.MaxSitemaps = 1000
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = 3
	}
	if l.MaxPages <= 0 {
		l.MaxPages = max(l.MaxURLs/FeedPageSize, 1)
	}
	return l
}

// ErrNoProducts reports a scan that found nothing to read or no products.
// It is a failure, not an empty catalog: recording "nothing" would make the
// next good scan announce the whole store.
var ErrNoProducts = errors.New("catalog: no products found")

// FetchError is a document the fetcher could not get.
type FetchError struct {
	URL     string
	Outcome fetch.Outcome
	Status  int
	Err     error
}

func (e *FetchError) Error() string {
	switch {
	case e.Outcome == fetch.OutcomeHTTPError:
		return fmt.Sprintf("fetch %s: HTTP %d", e.URL, e.Status)
	case e.Outcome == fetch.OutcomeSSRF:
		return fmt.Sprintf("fetch %s: refused: the address is private (allow private networks to reach it)", e.URL)
	case e.Outcome == fetch.OutcomeTooLarge:
		return fmt.Sprintf("fetch %s: larger than the fetcher's body cap (--fetch-max-body)", e.URL)
	case e.Outcome == fetch.OutcomeDisallowed:
		return fmt.Sprintf("fetch %s: robots.txt disallows it", e.URL)
	}
	return fmt.Sprintf("fetch %s: %s", e.URL, e.Outcome)
}

func (e *FetchError) Unwrap() error { return e.Err }

// Discovery is what one scan of a catalog found.
type Discovery struct {
	Items    []Item
	Sitemaps int  // sitemap documents read
	Feed     bool // the items came (partly) from a product feed
	Skipped  int  // sitemap URLs left out as not product pages
}

// Discoverer finds a store's products. It is safe for concurrent use.
type Discoverer struct {
	Fetcher Fetcher
	Limits  Limits
}

// Discover reads the catalog at target: a store root (https://shop.example/)
// or a sitemap URL. For a store root, the sitemaps named in robots.txt (else
// /sitemap.xml) are read, and Shopify's /products.json when the store looks
// like Shopify or the sitemaps give nothing. A scan is all or nothing: any
// sitemap that fails fails the scan, because a partial scan would make the
// next full one announce what it had missed.
func (d *Discoverer) Discover(ctx context.Context, target string) (*Discovery, error) {
	base, err := url.Parse(target)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("catalog: %q is not an http(s) URL", target)
	}
	s := &scan{d: d, lim: d.Limits.withDefaults(), seen: map[string]bool{}, visited: map[string]bool{}, out: &Discovery{}}
	if !IsStoreRoot(base) {
		if err := s.sitemap(ctx, base.String(), 0); err != nil {
			return nil, err
		}
		return s.done()
	}

	root := base.ResolveReference(&url.URL{Path: "/"})
	sitemaps, shopify, err := s.robots(ctx, root)
	if err != nil {
		return nil, err
	}
	fromRobots := len(sitemaps) > 0
	if !fromRobots {
		sitemaps = []string{root.ResolveReference(&url.URL{Path: "/sitemap.xml"}).String()}
	}
	var smErr error
	for _, sm := range sitemaps {
		if strings.Contains(sm, "sitemap_products_") {
			shopify = true
		}
		if err := s.sitemap(ctx, sm, 0); err != nil {
			var fe *FetchError
			if !fromRobots && errors.As(err, &fe) && fe.Outcome == fetch.OutcomeHTTPError {
				smErr = err // no /sitemap.xml: the feed may still answer
				break
			}
			return nil, err
		}
	}
	if shopify || len(s.out.Items) == 0 {
		if err := s.feed(ctx, root); err != nil {
			if len(s.out.Items) > 0 && !errors.Is(err, ErrTooManyURLs) {
				return s.done() // the sitemaps suffice; a missing feed is normal
			}
			if smErr != nil {
				return nil, fmt.Errorf("%w: %w; product feed: %w", ErrNoProducts, smErr, err)
			}
			if len(s.out.Items) == 0 && !errors.Is(err, ErrTooManyURLs) {
				return nil, fmt.Errorf("%w in %d sitemaps; product feed: %w", ErrNoProducts, s.out.Sitemaps, err)
			}
			return nil, err
		}
	}
	return s.done()
}

// IsStoreRoot reports whether u names a store rather than a sitemap: its
// path is empty or "/".
func IsStoreRoot(u *url.URL) bool { return u.Path == "" || u.Path == "/" }

type scan struct {
	d       *Discoverer
	lim     Limits
	seen    map[string]bool // item URLs
	visited map[string]bool // sitemap URLs
	out     *Discovery
}

func (s *scan) done() (*Discovery, error) {
	if len(s.out.Items) == 0 {
		return nil, ErrNoProducts
	}
	return s.out, nil
}

func (s *scan) get(ctx context.Context, u string) (*fetch.Result, error) {
	res, err := s.d.Fetcher.Fetch(ctx, fetch.Request{URL: u})
	if err != nil {
		return nil, fmt.Errorf("catalog: fetch %s: %w", u, err)
	}
	if res.Outcome != fetch.OutcomeOK {
		return nil, &FetchError{URL: u, Outcome: res.Outcome, Status: res.Status, Err: res.Err}
	}
	return res, nil
}

// robots reads the Sitemap: lines of robots.txt and whether it says
// Shopify. A missing robots.txt is no error.
func (s *scan) robots(ctx context.Context, root *url.URL) ([]string, bool, error) {
	u := root.ResolveReference(&url.URL{Path: "/robots.txt"}).String()
	res, err := s.get(ctx, u)
	var fe *FetchError
	if errors.As(err, &fe) && fe.Outcome == fetch.OutcomeHTTPError {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(res.Body))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "sitemap") {
			continue
		}
		v = strings.TrimSpace(v)
		if ref, err := root.Parse(v); err == nil && (ref.Scheme == "http" || ref.Scheme == "https") {
			out = append(out, ref.String())
		}
	}
	return out, bytes.Contains(bytes.ToLower(res.Body), []byte("shopify")), nil
}

// sitemap reads one sitemap document, following an index into its
// children.
func (s *scan) sitemap(ctx context.Context, u string, depth int) error {
	if s.visited[u] {
		return nil
	}
	s.visited[u] = true
	if s.out.Sitemaps >= s.lim.MaxSitemaps {
		return fmt.Errorf("%w: more than %d sitemap documents", ErrTooManyURLs, s.lim.MaxSitemaps)
	}
	s.out.Sitemaps++
	res, err := s.get(ctx, u)
	if err != nil {
		return err
	}
	// The fetcher decoded text bodies to UTF-8; a .gz body is raw bytes.
	decoded := !bytes.HasPrefix(res.Body, []byte{0x1f, 0x8b})
	sm, err := ParseSitemap(bytes.NewReader(res.Body), s.lim.MaxDocBytes, s.lim.MaxURLs, decoded)
	if err != nil {
		return fmt.Errorf("sitemap %s: %w", u, err)
	}
	if sm.Index {
		if depth+1 >= s.lim.MaxDepth {
			return fmt.Errorf("sitemap %s: sitemap indexes nested deeper than %d", u, s.lim.MaxDepth)
		}
		for _, child := range sm.Sitemaps {
			ref, err := url.Parse(child.Loc)
			if err != nil || (ref.Scheme != "http" && ref.Scheme != "https") {
				continue
			}
			if !ProductSitemap(ref) {
				continue // pages, posts, categories: nothing to announce
			}
			if err := s.sitemap(ctx, ref.String(), depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	for _, e := range sm.URLs {
		ref, err := url.Parse(e.Loc)
		if err != nil || (ref.Scheme != "http" && ref.Scheme != "https") || ref.Host == "" {
			continue
		}
		if !ProductURL(ref) {
			s.out.Skipped++
			continue
		}
		if err := s.add(Item{URL: ref.String(), Title: e.Title, Lastmod: e.Lastmod}); err != nil {
			return err
		}
	}
	return nil
}

func (s *scan) add(it Item) error {
	if s.seen[it.URL] {
		return nil
	}
	if len(s.out.Items) >= s.lim.MaxURLs {
		return fmt.Errorf("%w of %d product URLs per scan", ErrTooManyURLs, s.lim.MaxURLs)
	}
	s.seen[it.URL] = true
	s.out.Items = append(s.out.Items, it)
	return nil
}

// feed pages through /products.json. A product already found in a sitemap
// gets the feed's title and price.
func (s *scan) feed(ctx context.Context, root *url.URL) error {
	index := make(map[string]int, len(s.out.Items))
	for i, it := range s.out.Items {
		index[it.URL] = i
	}
	for page := 1; ; page++ {
		if page > s.lim.MaxPages {
			return fmt.Errorf("%w: more than %d product feed pages", ErrTooManyURLs, s.lim.MaxPages)
		}
		u := root.ResolveReference(&url.URL{Path: "/products.json",
			RawQuery: "limit=" + strconv.Itoa(FeedPageSize) + "&page=" + strconv.Itoa(page)}).String()
		res, err := s.get(ctx, u)
		if err != nil {
			return fmt.Errorf("product feed: %w", err)
		}
		items, err := ParseFeed(res.Body, root)
		if err != nil {
			return fmt.Errorf("product feed %s: %w", u, err)
		}
		s.out.Feed = true
		for _, it := range items {
			if i, ok := index[it.URL]; ok {
				old := &s.out.Items[i]
				old.Title, old.PriceMinor = it.Title, it.PriceMinor
				continue
			}
			if err := s.add(it); err != nil {
				return err
			}
			index[it.URL] = len(s.out.Items) - 1
		}
		if len(items) < FeedPageSize {
			return nil
		}
	}
}
