package storesim

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
)

// TestPageSizes: pages weigh what real product pages weigh (150–300 KB), and
// vary between products.
func TestPageSizes(t *testing.T) {
	var sizes []int
	for seed := range uint64(4) {
		st := New(Options{Products: 120, Seed: seed})
		for id := 1; id <= st.Len(); id++ {
			b, _ := fetchPage(t, st, id)
			sizes = append(sizes, len(b))
			if len(b) < 150_000 || len(b) > 300_000 {
				t.Errorf("seed %d product %d: page is %d bytes, want 150–300 KB", seed, id, len(b))
			}
		}
	}
	slices.Sort(sizes)
	t.Logf("page bytes over %d pages: min %d, p10 %d, median %d, p90 %d, max %d", len(sizes), sizes[0], sizes[len(sizes)/10],
		sizes[len(sizes)/2], sizes[len(sizes)*9/10], sizes[len(sizes)-1])
	if sizes[len(sizes)-1]-sizes[0] < 50_000 {
		t.Errorf("page sizes barely vary: %d … %d", sizes[0], sizes[len(sizes)-1])
	}
}

// TestDeterministic: the same options give the same bytes; another seed
// gives other products; a bigger store has the same first products (the
// truth; carousels sample the whole catalog, so their bytes may differ).
func TestDeterministic(t *testing.T) {
	a := New(Options{Products: 50, Seed: 11})
	a2 := New(Options{Products: 50, Seed: 11})
	bigger := New(Options{Products: 80, Seed: 11})
	other := New(Options{Products: 50, Seed: 12})
	differ := 0
	for id := 1; id <= 50; id++ {
		x, _ := fetchPage(t, a, id)
		y, _ := fetchPage(t, a2, id)
		if !bytes.Equal(x, y) {
			t.Fatalf("product %d: two stores with the same options serve different pages", id)
		}
		pa, _ := a.Product(id)
		if pb, _ := bigger.Product(id); pa != pb {
			t.Fatalf("product %d differs in a bigger store with the same seed:\n%+v\n%+v", id, pa, pb)
		}
		if pc, _ := other.Product(id); pc.Title != pa.Title || pc.Price != pa.Price {
			differ++
		}
	}
	if differ < 45 {
		t.Errorf("another seed changed only %d of 50 products", differ)
	}
}

// TestPageHeadersAndConditionalGET: a change gives the page a new ETag and
// Last-Modified and shows the new values; the old validators no longer
// match, the new ones answer 304.
func TestPageHeadersAndConditionalGET(t *testing.T) {
	st := New(Options{Products: 20, Seed: 5})
	h := st.Handler()
	get := func(id int, hdr map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "http://shop.test"+st.URL(id), nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	var id int
	for id = 1; ; id++ {
		if p, _ := st.Product(id); p.Availability == InStock && p.Currency == "USD" {
			break
		}
		if id == 20 {
			t.Skip("no in-stock USD product with this seed")
		}
	}
	r1 := get(id, nil)
	etag, lm := r1.Header().Get("ETag"), r1.Header().Get("Last-Modified")
	if etag == "" || lm == "" || r1.Header().Get("Content-Length") == "" {
		t.Fatalf("missing validators or length: %v", r1.Header())
	}
	if r := get(id, map[string]string{"If-None-Match": etag}); r.Code != 304 {
		t.Fatalf("If-None-Match with the current ETag: %d, want 304", r.Code)
	}
	if r := get(id, map[string]string{"If-Modified-Since": lm}); r.Code != 304 {
		t.Fatalf("If-Modified-Since with the current date: %d, want 304", r.Code)
	}
	if err := st.Update(id, "1234.56", OutOfStock); err != nil {
		t.Fatal(err)
	}
	r2 := get(id, map[string]string{"If-None-Match": etag})
	if r2.Code != 200 {
		t.Fatalf("old ETag after a change: %d, want 200", r2.Code)
	}
	if r2.Header().Get("ETag") == etag || r2.Header().Get("Last-Modified") == lm {
		t.Errorf("validators did not change: %s %s", r2.Header().Get("ETag"), r2.Header().Get("Last-Modified"))
	}
	body := r2.Body.String()
	for _, want := range []string{"$1,234.56", "Out of stock"} {
		if !bytes.Contains([]byte(body), []byte(want)) {
			t.Errorf("page after change lacks %q", want)
		}
	}
	if r := get(id, map[string]string{"If-Modified-Since": lm}); r.Code != 200 {
		t.Errorf("If-Modified-Since before the change: %d, want 200", r.Code)
	}
	// An unchanged value keeps the ETag: a conditional GET stays cheap.
	e2 := r2.Header().Get("ETag")
	if err := st.SetPrice(id, "1234.56"); err != nil {
		t.Fatal(err)
	}
	if r := get(id, map[string]string{"If-None-Match": e2}); r.Code != 304 {
		t.Errorf("same price set again: %d, want 304", r.Code)
	}
	// Without validators every GET is a full page.
	if err := st.SetConfig(Config{NoValidators: true}); err != nil {
		t.Fatal(err)
	}
	if r := get(id, map[string]string{"If-None-Match": e2}); r.Code != 200 || r.Header().Get("ETag") != "" || r.Header().Get("Last-Modified") != "" {
		t.Errorf("no_validators: %d, ETag %q, Last-Modified %q", r.Code, r.Header().Get("ETag"), r.Header().Get("Last-Modified"))
	}
	// An outdated slug redirects to the product's URL.
	req := httptest.NewRequest("GET", "http://shop.test/p/"+itoa(id)+"-old-name", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 301 || rec.Header().Get("Location") != st.URL(id) {
		t.Errorf("old slug: %d → %q, want 301 → %q", rec.Code, rec.Header().Get("Location"), st.URL(id))
	}
}

// TestGzipPages: a client that accepts gzip gets a valid gzip stream of the
// same page, much smaller, with its own ETag, and conditional GETs work with
// either ETag.
func TestGzipPages(t *testing.T) {
	st := New(Options{Products: 60, Seed: 6})
	h := st.Handler()
	var plain, zipped int
	for id := 1; id <= 60; id++ {
		want, _ := fetchPage(t, st, id)
		req := httptest.NewRequest("GET", "http://shop.test"+st.URL(id), nil)
		req.Header.Set("Accept-Encoding", "br, gzip;q=0.8")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("Content-Length") != strconv.Itoa(rec.Body.Len()) {
			t.Fatalf("product %d: headers %v, body %d bytes", id, rec.Header(), rec.Body.Len())
		}
		zr, err := gzip.NewReader(bytes.NewReader(rec.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		zr.Multistream(false) // one gzip member, as every HTTP client expects
		got, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("product %d: %v", id, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("product %d: gzip body differs from the plain one (%d vs %d bytes)", id, len(got), len(want))
		}
		plain += len(want)
		zipped += rec.Body.Len()
		etag := rec.Header().Get("ETag")
		if etag == "" || etag == st.items[id-1].etag {
			t.Errorf("gzip ETag %q equals the identity one", etag)
		}
		req = httptest.NewRequest("GET", "http://shop.test"+st.URL(id), nil)
		req.Header.Set("Accept-Encoding", "gzip")
		req.Header.Set("If-None-Match", etag)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 304 {
			t.Errorf("If-None-Match with the gzip ETag: %d", rec.Code)
		}
	}
	t.Logf("gzip: %d KB → %d KB (%.0f %%)", plain>>10, zipped>>10, 100*float64(zipped)/float64(plain))
	if zipped > plain/2 {
		t.Errorf("gzip pages are %d of %d bytes", zipped, plain)
	}
	for ae, want := range map[string]bool{"gzip": true, "deflate, gzip": true, "gzip;q=0": false, "identity": false, "": false, "x-gzip": true} {
		if acceptsGzip(ae) != want {
			t.Errorf("acceptsGzip(%q) = %v", ae, !want)
		}
	}
}
