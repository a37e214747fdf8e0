package ui

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/auth"
)

// Product images are served through shelfwatch (GET /watches/{id}/image)
// rather than hot-linked: the browser never tells a store who is looking
// (no IP, no cookie, no referrer), the page's CSP stays `img-src 'self'`,
// and only real raster images pass.

// ImageFetcher fetches an image URL under the SSRF guard.
type ImageFetcher interface {
	Do(req *http.Request) (*http.Response, error)
}

const (
	maxImageBytes   = 2 << 20
	imageCacheBytes = 32 << 20
	imageTTL        = 6 * time.Hour
)

// imageTypes are the only types served: raster formats the browser
// decodes as images. SVG (scriptable) and anything else are refused.
var imageTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true, "image/avif": true}

type cachedImage struct {
	url, ctype string
	body       []byte
	at         time.Time
}

// imageCache keeps recently served images in memory, bounded by bytes.
type imageCache struct {
	mu    sync.Mutex
	order *list.List // front: most recent
	byURL map[string]*list.Element
	bytes int
}

func newImageCache() *imageCache {
	return &imageCache{order: list.New(), byURL: map[string]*list.Element{}}
}

func (c *imageCache) get(url string, now time.Time) (*cachedImage, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byURL[url]
	if !ok {
		return nil, false
	}
	img := e.Value.(*cachedImage)
	if now.Sub(img.at) > imageTTL {
		c.remove(e)
		return nil, false
	}
	c.order.MoveToFront(e)
	return img, true
}

func (c *imageCache) put(img *cachedImage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byURL[img.url]; ok {
		c.remove(e)
	}
	c.byURL[img.url] = c.order.PushFront(img)
	c.bytes += len(img.body)
	for c.bytes > imageCacheBytes && c.order.Len() > 1 {
		c.remove(c.order.Back())
	}
}

func (c *imageCache) remove(e *list.Element) {
	img := c.order.Remove(e).(*cachedImage)
	delete(c.byURL, img.url)
	c.bytes -= len(img.body)
}

var errNotImage = errors.New("not an image")

// productImage serves the image of a watch's product.
func (h *Handler) productImage(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	watchID, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	wt, err := h.Store.GetWatch(r.Context(), id.WorkspaceID, watchID)
	if err != nil || wt.Product == nil || wt.Product.ImageURL == "" || h.Images == nil {
		http.NotFound(w, r)
		return
	}
	src := wt.Product.ImageURL
	img, ok := h.images.get(src, h.now())
	if !ok {
		ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
		defer cancel()
		img, err = h.fetchImage(ctx, src)
		if err != nil {
			h.Logger.DebugContext(r.Context(), "product image", "watch", watchID, "err", err)
			http.NotFound(w, r)
			return
		}
		h.images.put(img)
	}
	hd := w.Header()
	hd.Set("Content-Type", img.ctype)
	hd.Set("Content-Length", strconv.Itoa(len(img.body)))
	hd.Set("Cache-Control", "private, max-age=3600")
	// Served from our origin: never let it be anything but an image.
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	_, _ = w.Write(img.body)
}

func (h *Handler) fetchImage(ctx context.Context, src string) (*cachedImage, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, err
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return nil, fmt.Errorf("image URL scheme %q", req.URL.Scheme)
	}
	req.Header.Set("Accept", "image/avif,image/webp,image/png,image/jpeg,image/gif;q=0.8")
	if h.UserAgent != "" {
		req.Header.Set("User-Agent", h.UserAgent)
	}
	resp, err := h.Images.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("image: HTTP %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxImageBytes+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxImageBytes {
		return nil, fmt.Errorf("image larger than %d bytes", maxImageBytes)
	}
	// Trust the bytes, not the store's Content-Type.
	ctype := http.DetectContentType(body)
	if !imageTypes[ctype] {
		if ct := resp.Header.Get("Content-Type"); ct == "image/avif" && len(body) > 12 && string(body[4:12]) == "ftypavif" {
			ctype = ct
		} else {
			return nil, fmt.Errorf("%w: %s", errNotImage, ctype)
		}
	}
	return &cachedImage{url: src, ctype: ctype, body: body, at: h.now()}, nil
}
