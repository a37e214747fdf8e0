package ui

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

func pngBytes(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{255, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Product images come through shelfwatch: only raster images, only for the
// caller's own watches, cached, never scriptable.
func TestProductImageProxy(t *testing.T) {
	pic := pngBytes(t)
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		switch r.URL.Path {
		case "/a.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(pic)
		case "/evil.svg":
			w.Header().Set("Content-Type", "image/svg+xml")
			_, _ = w.Write([]byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`))
		case "/big.png":
			_, _ = w.Write(append(pic, make([]byte, maxImageBytes)...))
		}
	}))
	defer srv.Close()
	f := newFixture(t, db.SQLite)
	f.h.Images = srv.Client()
	ctx := context.Background()
	watchOf := func(ws int64, img string) int64 {
		p := &store.Product{URL: srv.URL + "/p/" + img}
		p.CanonicalURL = p.URL
		w := &store.Watch{}
		if _, err := f.st.CreateWatchForURL(ctx, ws, p, w); err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.RecordObservation(ctx, p.ID, store.Observation{Title: "x", ImageURL: srv.URL + "/" + img, Availability: store.InStock}, 1); err != nil {
			t.Fatal(err)
		}
		return w.ID
	}
	good, svg, big := watchOf(f.ws, "a.png"), watchOf(f.ws, "evil.svg"), watchOf(f.ws, "big.png")
	other := watchOf(f.ws2, "a.png")

	for range 2 {
		rec := f.get(t, f.ws, auth.RoleViewer, fmt.Sprintf("/watches/%d/image", good))
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/png" || !bytes.Equal(rec.Body.Bytes(), pic) ||
			!strings.Contains(rec.Header().Get("Content-Security-Policy"), "sandbox") {
			t.Fatalf("image: %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Content-Security-Policy"))
		}
	}
	if hits != 1 {
		t.Fatalf("the store was asked %d times for one image; the second should come from the cache", hits)
	}
	for name, id := range map[string]int64{"svg": svg, "too big": big} {
		if rec := f.get(t, f.ws, auth.RoleViewer, fmt.Sprintf("/watches/%d/image", id)); rec.Code != 404 {
			t.Errorf("%s image served: %d %q", name, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
	if rec := f.get(t, f.ws, auth.RoleOwner, fmt.Sprintf("/watches/%d/image", other)); rec.Code != 404 {
		t.Fatalf("another workspace's image: %d", rec.Code)
	}
}

func TestImageCacheBound(t *testing.T) {
	c := newImageCache()
	chunk := make([]byte, imageCacheBytes/4)
	for i := range 10 {
		c.put(&cachedImage{url: fmt.Sprint(i), body: chunk, at: time.Now()})
	}
	if c.bytes > imageCacheBytes || c.order.Len() != 4 {
		t.Fatalf("cache holds %d bytes in %d images", c.bytes, c.order.Len())
	}
	if _, ok := c.get("9", time.Now()); !ok {
		t.Fatal("the newest image was evicted")
	}
	if _, ok := c.get("0", time.Now()); ok {
		t.Fatal("the oldest image was kept")
	}
}
