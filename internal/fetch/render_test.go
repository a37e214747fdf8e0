package fetch

import (
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/fetch/render"
)

// needChromium skips, loudly, when no browser is installed, unless
// SHELFWATCH_REQUIRE_CHROMIUM is set (CI sets it), where that is a failure.
func needChromium(t *testing.T) {
	t.Helper()
	if _, err := render.FindChromium(); err != nil {
		if os.Getenv("SHELFWATCH_REQUIRE_CHROMIUM") != "" {
			t.Fatalf("SHELFWATCH_REQUIRE_CHROMIUM is set but %v", err)
		}
		t.Skipf("\n\n*** SKIPPING headless Chromium test: %v ***\n*** install the Debian package \"chromium\" to run it ***\n\n", err)
	}
}

func TestRenderJavaScriptPrice(t *testing.T) {
	needChromium(t)

	// A listener on 127.0.0.2: loopback, but outside the allow-list. The
	// page asks for an image there; the guarded proxy must refuse it.
	var forbiddenHits atomic.Int64
	forbidden := ""
	if ln, err := net.Listen("tcp", "127.0.0.2:0"); err == nil {
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { forbiddenHits.Add(1) })}
		go func() { _ = srv.Serve(ln) }()
		t.Cleanup(func() { _ = srv.Close() })
		forbidden = "http://" + ln.Addr().String() + "/pixel.gif"
	} else {
		t.Logf("no 127.0.0.2 listener (%v); not checking subresource refusal", err)
	}

	var ua atomic.Value
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/api/price":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"cents":1999}`))
		case "/product":
			ua.Store(r.UserAgent())
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			img := ""
			if forbidden != "" {
				img = `<img src="` + forbidden + `">`
			}
			_, _ = w.Write([]byte(`<!doctype html><html><head><title>Kettle</title></head><body>
<h1>Kettle</h1><span id="price">loading…</span><span id="stock"></span>` + img + `
<script>
fetch('/api/price').then(r => r.json()).then(j => {
  document.getElementById('price').textContent = '€' + (j.cents / 100).toFixed(2);
});
setTimeout(() => { document.getElementById('stock').textContent = 'In stock'; }, 100);
</script></body></html>`))
		default:
			http.NotFound(w, r)
		}
	})
	c := newClient(t, Options{RenderSettle: 500 * time.Millisecond, RenderTimeout: 30 * time.Second})
	res := mustFetch(t, c, Request{URL: s.URL + "/product", Domain: Domain{RatePerMinute: 6e6, RequiresJS: true}})
	wantOutcome(t, res, OutcomeOK)
	body := string(res.Body)
	if !res.Rendered || res.Status != 200 || !strings.Contains(body, `<span id="price">€19.99</span>`) || !strings.Contains(body, "In stock") {
		t.Errorf("rendered=%v status=%d body:\n%s", res.Rendered, res.Status, body)
	}
	if got, _ := ua.Load().(string); !strings.HasPrefix(got, "shelfwatch/") {
		t.Errorf("browser User-Agent %q", got)
	}
	if n := forbiddenHits.Load(); n != 0 {
		t.Errorf("the browser reached 127.0.0.2 %d times past the guard", n)
	}

	// Robots and the guard apply to rendered pages as to fetched ones.
	wantOutcome(t, mustFetch(t, c, Request{URL: "http://169.254.169.254/latest/", Domain: Domain{RequiresJS: true}}), OutcomeSSRF)
}

// Without private networks allowed, a requires_js page on loopback is
// refused before any browser starts.
func TestRenderGuardedWithoutBrowser(t *testing.T) {
	c := newClient(t, Options{AllowedCIDRs: []netip.Prefix{}, ChromiumPath: "/nonexistent/chromium"})
	res := mustFetch(t, c, Request{URL: "http://127.0.0.1:9/p", Domain: Domain{RatePerMinute: 6e6, RequiresJS: true}})
	wantOutcome(t, res, OutcomeSSRF)
}

func TestRenderNoBrowserIsRenderError(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	c := newClient(t, Options{ChromiumPath: "/nonexistent/chromium", MaxAttempts: 1})
	res := mustFetch(t, c, Request{URL: s.URL + "/p", Domain: Domain{RatePerMinute: 6e6, RequiresJS: true}})
	wantOutcome(t, res, OutcomeRender)
}
