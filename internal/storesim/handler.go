package storesim

import (
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Handler serves the store and its control API. It can be mounted on any
// server (httptest included); Start is only needed for several hosts or TLS.
func (st *Store) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /robots.txt", st.serveRobots)
	mux.HandleFunc("GET /sitemap.xml", st.faulty(st.serveSitemapIndex))
	mux.HandleFunc("GET /sitemaps/{file}", st.faulty(st.serveSitemap))
	mux.HandleFunc("GET /products.json", st.faulty(st.serveFeed))
	mux.HandleFunc("GET /p/{idslug}", st.faulty(st.servePage))
	mux.HandleFunc("GET /img/{id}/{file}", st.serveImage)
	mux.HandleFunc("GET /{$}", st.faulty(st.serveHome))
	st.controlRoutes(mux)
	mux.HandleFunc("/", st.faulty(func(w http.ResponseWriter, r *http.Request) {
		st.stats.other.Add(1)
		http.Error(w, "404 page not found", http.StatusNotFound)
	}))
	return mux
}

// faulty adds the configured latency and failures in front of a store
// response. robots.txt is exempt: RFC 9309 tells crawlers to treat a 5xx
// there as "disallow everything", which would turn an error-rate test into
// an outage test.
func (st *Store) faulty(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		cfg := st.Config()
		if cfg.LatencyMS > 0 {
			t := time.NewTimer(time.Duration(cfg.LatencyMS) * time.Millisecond)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		if cfg.ErrorRate+cfg.Status429Rate+cfg.BlockRate > 0 {
			u := st.roll()
			switch {
			case u < cfg.ErrorRate:
				st.stats.err500.Add(1)
				http.Error(w, "500 internal server error", http.StatusInternalServerError)
				return
			case u < cfg.ErrorRate+cfg.Status429Rate:
				st.stats.status429.Add(1)
				w.Header().Set("Retry-After", "1")
				http.Error(w, "429 too many requests", http.StatusTooManyRequests)
				return
			case u < cfg.ErrorRate+cfg.Status429Rate+cfg.BlockRate:
				st.stats.blocked.Add(1)
				serveBotWall(w)
				return
			}
		}
		h(w, r)
	}
}

// roll returns a number in [0, 1) from the seed and a request counter: the
// sequence of faults is the same in every run with the same seed and order.
func (st *Store) roll() float64 {
	x := st.opt.Seed ^ (st.reqN.Add(1) * 0x9E3779B97F4A7C15)
	x ^= x >> 30
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 27
	x *= 0x94D049BB133111EB
	x ^= x >> 31
	return float64(x>>11) / (1 << 53)
}

// serveBotWall answers like a bot-protection interstitial: 403, no product
// data, a challenge form. Clients should back off, not parse it.
func serveBotWall(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write([]byte(`<!doctype html><html lang="en"><head><title>Just a moment...</title><meta name="robots" content="noindex"></head>` +
		`<body><div id="challenge"><h1>Verify you are human</h1><p>Our systems have detected unusual traffic from your network. ` +
		`Please complete the security check to continue.</p><form id="challenge-form" action="/_challenge" method="post">` +
		`<div class="captcha" data-sitekey="sim-0000"></div><button type="submit">I am not a robot</button></form></div></body></html>`))
}

func origin(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

func (st *Store) servePage(w http.ResponseWriter, r *http.Request) {
	idPart, slug, _ := strings.Cut(r.PathValue("idslug"), "-")
	id, err := strconv.Atoi(idPart)
	st.mu.RLock()
	if err != nil || id < 1 || id > len(st.items) {
		st.mu.RUnlock()
		st.stats.other.Add(1)
		http.Error(w, "404 page not found", http.StatusNotFound)
		return
	}
	it := st.items[id-1] // a copy: render without holding the lock
	st.mu.RUnlock()

	if slug != it.slug {
		st.stats.redirect.Add(1)
		http.Redirect(w, r, "/p/"+itoa(id)+"-"+it.slug, http.StatusMovedPermanently)
		return
	}
	h := w.Header()
	gz := acceptsGzip(r.Header.Get("Accept-Encoding"))
	h.Set("Vary", "Accept-Encoding")
	if st.Config().NoValidators {
		h.Set("Cache-Control", "no-store")
	} else {
		etag := it.etag
		if gz {
			// Each encoding is its own representation with its own strong ETag.
			etag = gzipETag(etag)
		}
		h.Set("ETag", etag)
		lastMod := time.Unix(it.modified, 0).UTC()
		h.Set("Last-Modified", lastMod.Format(http.TimeFormat))
		h.Set("Cache-Control", "max-age=0, must-revalidate")
		if notModified(r, it.etag, lastMod) {
			st.stats.notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	p := st.pages.Get().(*page)
	defer st.pages.Put(p)
	p.reset()
	st.render(p, &it, origin(r))
	size := p.finish()
	body := p.segs
	if gz {
		size = p.gzipSegs()
		body = p.gz
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(size))
	st.stats.page.Add(1)
	if r.Method == http.MethodHead {
		return
	}
	for _, s := range body {
		if _, err := w.Write(s); err != nil {
			return
		}
	}
}

func gzipETag(etag string) string { return strings.TrimSuffix(etag, `"`) + `-gz"` }

// notModified follows RFC 9110 §13.2.2: If-None-Match wins over
// If-Modified-Since. etag is the identity ETag; its gzip variant matches too.
func notModified(r *http.Request, etag string, lastMod time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == etag || t == gzipETag(etag) || t == "*" {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		if t, err := http.ParseTime(ims); err == nil && !lastMod.After(t) {
			return true
		}
	}
	return false
}

func (st *Store) serveHome(w http.ResponseWriter, r *http.Request) {
	st.stats.other.Add(1)
	st.mu.RLock()
	var b strings.Builder
	b.WriteString("<!doctype html><html lang=\"en\"><head><title>" + st.chrome.storeName + "</title></head><body><h1>" + st.chrome.storeName + "</h1><ul>")
	for i := range min(len(st.items), 50) {
		it := &st.items[i]
		b.WriteString("<li><a href=\"/p/" + itoa(it.id) + "-" + it.slug + "\">" + html.EscapeString(it.title) + "</a></li>")
	}
	st.mu.RUnlock()
	b.WriteString("</ul></body></html>\n")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}
