package catalog

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/fetch"
	"github.com/shelfwatch/shelfwatch/internal/storesim"
)

// loopbackFetcher is the real polite fetcher, allowed onto 127.0.0.1 and
// fast enough for a test.
func loopbackFetcher(t *testing.T) *fetch.Client {
	t.Helper()
	fc, err := fetch.New(fetch.Options{AllowedCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, DefaultRatePerMinute: 60000, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fc.Close() })
	return fc
}

func startSim(t *testing.T, o storesim.Options) (*storesim.Store, string) {
	t.Helper()
	sim := storesim.New(o)
	ctx, cancel := context.WithCancel(context.Background())
	base, err := sim.Start(ctx, "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); sim.Wait() })
	return sim, strings.TrimSuffix(base, "/")
}

// Through robots.txt to the sitemap index, its gzip sitemaps with image
// titles, and past the site sitemap's non-product pages.
func TestDiscoverStoreRoot(t *testing.T) {
	t.Parallel()
	sim, base := startSim(t, storesim.Options{Products: 120, Seed: 3, SitemapSize: 50})
	d := &Discoverer{Fetcher: loopbackFetcher(t)}
	got, err := d.Discover(t.Context(), base+"/")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != 120 || got.Feed || got.Sitemaps != 5 || got.Skipped < 5 {
		t.Fatalf("found %d items, feed %v, %d sitemaps, %d skipped; want 120 from 1 index + 3 product + 1 site sitemap",
			len(got.Items), got.Feed, got.Sitemaps, got.Skipped)
	}
	byURL := map[string]Item{}
	for _, it := range got.Items {
		byURL[it.URL] = it
	}
	for id := 1; id <= 120; id++ {
		p, _ := sim.Product(id)
		it, ok := byURL[sim.URL(id)]
		if !ok || it.Title != p.Title || it.Lastmod == nil {
			t.Fatalf("product %d: %+v (found %v), want title %q", id, it, ok, p.Title)
		}
	}
}

func TestDiscoverGivenSitemap(t *testing.T) {
	t.Parallel()
	_, base := startSim(t, storesim.Options{Products: 30, Seed: 4, SitemapSize: 20})
	d := &Discoverer{Fetcher: loopbackFetcher(t)}
	got, err := d.Discover(t.Context(), base+"/sitemaps/products-2.xml.gz")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != 10 || got.Sitemaps != 1 {
		t.Errorf("%d items from %d sitemaps, want 10 from 1", len(got.Items), got.Sitemaps)
	}
}

func TestDiscoverCaps(t *testing.T) {
	t.Parallel()
	_, base := startSim(t, storesim.Options{Products: 40, Seed: 5})
	fc := loopbackFetcher(t)
	_, err := (&Discoverer{Fetcher: fc, Limits: Limits{MaxURLs: 25}}).Discover(t.Context(), base+"/")
	if !errors.Is(err, ErrTooManyURLs) {
		t.Errorf("40 products over a cap of 25: %v", err)
	}
	_, err = (&Discoverer{Fetcher: fc, Limits: Limits{MaxDocBytes: 1000}}).Discover(t.Context(), base+"/")
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("documents over a 1000-byte cap: %v", err)
	}
	_, err = (&Discoverer{Fetcher: fc, Limits: Limits{MaxDepth: 1}}).Discover(t.Context(), base+"/")
	if err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Errorf("an index under a depth limit of 1: %v", err)
	}
}

// A store with no robots.txt and no sitemap but a Shopify feed.
func TestDiscoverFeedFallback(t *testing.T) {
	t.Parallel()
	sim := storesim.New(storesim.Options{Products: 260, Seed: 6})
	h := sim.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/products.json" {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	got, err := (&Discoverer{Fetcher: loopbackFetcher(t)}).Discover(t.Context(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != 260 || !got.Feed {
		t.Fatalf("%d items (feed %v), want 260 over two feed pages", len(got.Items), got.Feed)
	}
	p, _ := sim.Product(1)
	if it := got.Items[0]; it.Title != p.Title || it.PriceMinor == nil || it.URL != srv.URL+sim.URL(1) {
		t.Errorf("first feed item %+v, want %q at %s", it, p.Title, sim.URL(1))
	}
}

// A store that says Shopify in robots.txt gets its feed read too: titles
// and prices join the sitemap's URLs.
func TestDiscoverShopify(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	var srvURL string
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("# we use Shopify as our ecommerce platform\nUser-agent: *\nDisallow: /cart\nSitemap: " + srvURL + "/sitemap.xml\n"))
	})
	mux.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`<sitemapindex><sitemap><loc>` + srvURL + `/sitemap_products_1.xml?from=1&amp;to=9</loc></sitemap>` +
			`<sitemap><loc>` + srvURL + `/sitemap_pages_1.xml</loc></sitemap><sitemap><loc>` + srvURL + `/sitemap_blogs_1.xml</loc></sitemap></sitemapindex>`))
	})
	mux.HandleFunc("/sitemap_products_1.xml", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`<urlset><url><loc>` + srvURL + `/</loc></url><url><loc>` + srvURL + `/products/red-kettle</loc></url>` +
			`<url><loc>` + srvURL + `/products/blue-toaster</loc></url></urlset>`))
	})
	mux.HandleFunc("/products.json", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page") != "1" || r.URL.Query().Get("limit") != "250" {
			_, _ = w.Write([]byte(`{"products":[]}`))
			return
		}
		_, _ = w.Write([]byte(`{"products":[{"title":"Red Kettle","handle":"red-kettle","variants":[{"price":"24.50"}]},` +
			`{"title":"Green Mug","handle":"green-mug","variants":[{"price":"7.00"}]}]}`))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s", r.URL)
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(mux)
	srvURL = srv.URL
	t.Cleanup(srv.Close)
	got, err := (&Discoverer{Fetcher: loopbackFetcher(t)}).Discover(t.Context(), srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != 3 || !got.Feed || got.Sitemaps != 2 || got.Skipped != 1 {
		t.Fatalf("got %+v", got)
	}
	k := got.Items[0]
	if k.URL != srv.URL+"/products/red-kettle" || k.Title != "Red Kettle" || k.PriceMinor == nil || *k.PriceMinor != 2450 {
		t.Errorf("kettle %+v", k)
	}
	if m := got.Items[2]; m.URL != srv.URL+"/products/green-mug" || m.Title != "Green Mug" {
		t.Errorf("mug (only in the feed) %+v", m)
	}
}

func TestDiscoverFailures(t *testing.T) {
	t.Parallel()
	bodies := map[string]string{
		"/bad/sitemap.xml":   "<urlset><url><loc>x</loc></url>",
		"/empty/sitemap.xml": "<urlset></urlset>",
		"/pages/sitemap.xml": "<urlset><url><loc>http://127.0.0.1/blog/a</loc></url></urlset>",
		"/robots.txt":        "User-agent: *\nSitemap: /pages/sitemap.xml\n",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b, ok := bodies[r.URL.Path]; ok {
			_, _ = w.Write([]byte(b))
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	d := &Discoverer{Fetcher: loopbackFetcher(t)}
	for path, want := range map[string]string{
		"/bad/sitemap.xml":     "malformed",
		"/empty/sitemap.xml":   "no products",
		"/pages/sitemap.xml":   "no products",
		"/missing/sitemap.xml": "HTTP 404",
		"/":                    "no products found in 1 sitemaps", // robots.txt names a sitemap of pages only; no feed
	} {
		_, err := d.Discover(t.Context(), srv.URL+path)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one saying %q", path, err, want)
		}
	}
	// No robots.txt, no /sitemap.xml, no feed.
	empty := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(empty.Close)
	if _, err := d.Discover(t.Context(), empty.URL); !errors.Is(err, ErrNoProducts) || !strings.Contains(err.Error(), "HTTP 404") {
		t.Errorf("an empty site: %v", err)
	}
}

// Without private networks allowed, the fetcher's guard refuses a store on
// loopback, and the error says so.
func TestDiscoverSSRF(t *testing.T) {
	t.Parallel()
	_, base := startSim(t, storesim.Options{Products: 3, Seed: 8})
	fc, err := fetch.New(fetch.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fc.Close() })
	_, err = (&Discoverer{Fetcher: fc}).Discover(t.Context(), base+"/")
	var fe *FetchError
	if !errors.As(err, &fe) || fe.Outcome != fetch.OutcomeSSRF || !strings.Contains(err.Error(), "private") {
		t.Errorf("error %v, want the SSRF refusal", err)
	}
}

// A sitemap sent with Content-Encoding: gzip (decoded by the fetcher) reads
// like a .gz file (decoded here); one past the fetcher's body cap fails
// with a message naming the flag.
func TestDiscoverContentEncodingAndFetchCap(t *testing.T) {
	t.Parallel()
	doc := `<urlset><url><loc>http://x/p/1-kettle</loc><image:image><image:title>Kettle</image:title></image:image></url></urlset>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(gz(t, strings.ReplaceAll(doc, "http://x", "http://"+r.Host)))
	}))
	t.Cleanup(srv.Close)
	got, err := (&Discoverer{Fetcher: loopbackFetcher(t)}).Discover(t.Context(), srv.URL+"/sitemap.xml")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != 1 || got.Items[0].Title != "Kettle" {
		t.Errorf("items %+v", got.Items)
	}
	small, err := fetch.New(fetch.Options{AllowedCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
		DefaultRatePerMinute: 60000, MaxAttempts: 1, MaxBodyBytes: 50})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = small.Close() })
	_, err = (&Discoverer{Fetcher: small}).Discover(t.Context(), srv.URL+"/sitemap.xml")
	if err == nil || !strings.Contains(err.Error(), "--fetch-max-body") {
		t.Errorf("a sitemap past the fetcher's cap: %v", err)
	}
}
