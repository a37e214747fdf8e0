package fetch

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

func TestHonestHeaders(t *testing.T) {
	var mu sync.Mutex
	var ua, ae string
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/p" {
			mu.Lock()
			ua, ae = r.UserAgent(), r.Header.Get("Accept-Encoding")
			mu.Unlock()
		}
		_, _ = w.Write([]byte("<p>ok</p>"))
	})
	c := newClient(t, Options{Version: "1.2.3", ContactURL: "https://shop-watch.example/about"})
	wantOutcome(t, mustFetch(t, c, Request{URL: s.URL + "/p"}), OutcomeOK)
	mu.Lock()
	defer mu.Unlock()
	if want := "shelfwatch/1.2.3 (+https://shop-watch.example/about)"; ua != want {
		t.Errorf("User-Agent = %q, want %q", ua, want)
	}
	if ae != "gzip, deflate, br" {
		t.Errorf("Accept-Encoding = %q", ae)
	}
}

func TestBodyCap(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(bytes.Repeat([]byte("a"), 5000))
	})
	c := newClient(t, Options{MaxBodyBytes: 1000})
	res := mustFetch(t, c, Request{URL: s.URL + "/big"})
	wantOutcome(t, res, OutcomeTooLarge)
	if res.Body != nil {
		t.Errorf("a too-large result carries a body of %d bytes", len(res.Body))
	}
	c2 := newClient(t, Options{MaxBodyBytes: 5000})
	wantOutcome(t, mustFetch(t, c2, Request{URL: s.URL + "/exact"}), OutcomeOK)
}

// A 10 MiB run of zeros gzips to about 10 KiB; the cap counts the
// inflated bytes, so the fetch stops at 1 MiB.
func TestGzipBombStopsAtCap(t *testing.T) {
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zero := make([]byte, 1<<20)
	for range 10 {
		_, _ = zw.Write(zero)
	}
	_ = zw.Close()
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write(bomb.Bytes())
	})
	c := newClient(t, Options{MaxBodyBytes: 1 << 20})
	res := mustFetch(t, c, Request{URL: s.URL + "/bomb"})
	wantOutcome(t, res, OutcomeTooLarge)
	if res.Bytes > 1<<20 {
		t.Errorf("read %d decompressed bytes, want at most the cap", res.Bytes)
	}
}

// A server that trickles a byte at a time never trips the header timeout;
// the whole-request deadline ends it.
func TestSlowBodyCutOff(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusOK)
		for range 500 {
			if _, err := w.Write([]byte("<")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
	c := newClient(t, Options{RequestTimeout: 300 * time.Millisecond, MaxAttempts: 1})
	res := mustFetch(t, c, Request{URL: s.URL + "/slow"})
	wantOutcome(t, res, OutcomeTimeout)
}

func TestSlowHeadersCutOff(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	c := newClient(t, Options{ResponseHeaderTimeout: 200 * time.Millisecond, MaxAttempts: 1})
	wantOutcome(t, mustFetch(t, c, Request{URL: s.URL + "/slow"}), OutcomeTimeout)
}

func TestCharsetDecoding(t *testing.T) {
	cases := []struct {
		name, contentType string
		body              []byte
		want              string
	}{
		{"latin-1 header", "text/html; charset=ISO-8859-1", []byte("<p>Caf\xe9 \xa312,50</p>"), "<p>Café £12,50</p>"},
		{"windows-1252 euro", "text/html; charset=windows-1252", []byte("<p>\x80 9,99</p>"), "<p>€ 9,99</p>"},
		{"meta charset", "text/html", []byte("<html><head><meta charset=\"iso-8859-1\"></head><body>Gr\xfc\xdfe</body></html>"),
			`<html><head><meta charset="iso-8859-1"></head><body>Grüße</body></html>`},
		{"utf-8 bom", "text/html", []byte("\xef\xbb\xbf<p>naïve</p>"), "<p>naïve</p>"},
		{"shift_jis", "text/html; charset=shift_jis", []byte("\x89\xbf\x8a\x69"), "価格"},
		{"binary untouched", "image/png", []byte("\x89PNG\xe9"), "\x89PNG\xe9"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.contentType)
				_, _ = w.Write(tc.body)
			})
			res := mustFetch(t, newClient(t, Options{}), Request{URL: s.URL + "/p"})
			wantOutcome(t, res, OutcomeOK)
			if string(res.Body) != tc.want {
				t.Errorf("body = %q, want %q", res.Body, tc.want)
			}
		})
	}
}

func TestContentEncodings(t *testing.T) {
	const page = "<html><body><span class=price>€ 19,99</span></body></html>"
	enc := map[string]func(*bytes.Buffer){
		"gzip":    func(b *bytes.Buffer) { w := gzip.NewWriter(b); _, _ = w.Write([]byte(page)); _ = w.Close() },
		"br":      func(b *bytes.Buffer) { w := brotli.NewWriter(b); _, _ = w.Write([]byte(page)); _ = w.Close() },
		"deflate": func(b *bytes.Buffer) { w := zlib.NewWriter(b); _, _ = w.Write([]byte(page)); _ = w.Close() },
		"raw deflate": func(b *bytes.Buffer) {
			w, _ := flate.NewWriter(b, 5)
			_, _ = w.Write([]byte(page))
			_ = w.Close()
		},
	}
	for name, write := range enc {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			write(&b)
			s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.Header().Set("Content-Encoding", strings.TrimPrefix(name, "raw "))
				_, _ = w.Write(b.Bytes())
			})
			res := mustFetch(t, newClient(t, Options{}), Request{URL: s.URL + "/p"})
			wantOutcome(t, res, OutcomeOK)
			if string(res.Body) != page {
				t.Errorf("body = %q", res.Body)
			}
		})
	}
}

func TestConditionalGet(t *testing.T) {
	const etag, lastMod = `"v1"`, "Mon, 02 Jan 2026 15:04:05 GMT"
	var mu sync.Mutex
	var gotINM, gotIMS string
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/p" {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		gotINM, gotIMS = r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		if gotINM == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		_, _ = w.Write([]byte("<p>12.00</p>"))
	})
	c := newClient(t, Options{})
	first := mustFetch(t, c, Request{URL: s.URL + "/p"})
	wantOutcome(t, first, OutcomeOK)
	if first.ETag != etag || first.LastModified != lastMod || first.BodyHash == "" {
		t.Fatalf("validators = %q %q %q", first.ETag, first.LastModified, first.BodyHash)
	}
	second := mustFetch(t, c, Request{URL: s.URL + "/p", ETag: first.ETag, LastModified: first.LastModified, PrevBodyHash: first.BodyHash})
	wantOutcome(t, second, OutcomeNotModified)
	mu.Lock()
	defer mu.Unlock()
	if gotINM != etag || gotIMS != lastMod {
		t.Errorf("sent If-None-Match %q, If-Modified-Since %q", gotINM, gotIMS)
	}
	if second.Status != http.StatusNotModified || second.Body != nil || second.BodyHash != first.BodyHash || second.ETag != etag {
		t.Errorf("304 result = %+v", second)
	}
}

func TestUnchangedBodyHash(t *testing.T) {
	var body atomic.Value
	body.Store("<p>12.00</p>")
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(body.Load().(string))) })
	c := newClient(t, Options{})
	first := mustFetch(t, c, Request{URL: s.URL + "/p"})
	wantOutcome(t, first, OutcomeOK)
	wantOutcome(t, mustFetch(t, c, Request{URL: s.URL + "/p", PrevBodyHash: first.BodyHash}), OutcomeUnchanged)
	body.Store("<p>11.00</p>")
	changed := mustFetch(t, c, Request{URL: s.URL + "/p", PrevBodyHash: first.BodyHash})
	wantOutcome(t, changed, OutcomeOK)
	if changed.BodyHash == first.BodyHash {
		t.Error("a changed body kept its hash")
	}
}

// Gzip readers are pooled: pages read one after another (with a corrupt
// one between them) each come out whole and as their own.
func TestGzipReaderReuse(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Encoding", "gzip")
		if r.URL.Path == "/bad" {
			_, _ = w.Write([]byte("not gzip at all"))
			return
		}
		zw := gzip.NewWriter(w)
		_, _ = zw.Write([]byte(strings.Repeat("<p>page "+r.URL.Path+"</p>", 1000)))
		_ = zw.Close()
	})
	c := newClient(t, Options{MaxAttempts: 1})
	for _, p := range []string{"/a", "/bad", "/b", "/c", "/bad", "/d"} {
		res := mustFetch(t, c, Request{URL: s.URL + p})
		if p == "/bad" {
			if res.Outcome == OutcomeOK {
				t.Fatalf("%s: a corrupt gzip body read as OK", p)
			}
			continue
		}
		wantOutcome(t, res, OutcomeOK)
		if want := strings.Repeat("<p>page "+p+"</p>", 1000); string(res.Body) != want {
			t.Fatalf("%s: body of %d bytes starts %q", p, len(res.Body), res.Body[:min(len(res.Body), 40)])
		}
	}
}
