package storesim

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// discardWriter is a ResponseWriter that only counts: the benchmark measures
// the store, not a recorder's buffer growth.
type discardWriter struct {
	h http.Header
	n int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(int)     {}
func (w *discardWriter) Write(b []byte) (int, error) {
	w.n += len(b)
	return len(b), nil
}

// BenchmarkServePage: the handler's cost per product page, pages spread over
// 1,000 products and every layout; plain and gzip.
func BenchmarkServePage(b *testing.B) {
	st := New(Options{Products: 1000, Seed: 1})
	h := st.Handler()
	for _, enc := range []string{"", "gzip"} {
		name := "plain"
		if enc != "" {
			name = enc
		}
		b.Run(name, func(b *testing.B) {
			reqs := make([]*http.Request, 1000)
			for i := range reqs {
				reqs[i] = httptest.NewRequest("GET", "http://127.0.0.2:8080"+st.URL(i+1), nil)
				if enc != "" {
					reqs[i].Header.Set("Accept-Encoding", enc)
				}
			}
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				clear(w.h)
				h.ServeHTTP(w, reqs[i%len(reqs)])
			}
			b.SetBytes(int64(w.n / max(b.N, 1)))
		})
	}
}

// BenchmarkServePageHTTP: pages over loopback HTTP with keep-alive, in
// parallel, client included. The client does not ask for gzip: inflating
// 200 KB costs the client more than serving the page costs the store.
func BenchmarkServePageHTTP(b *testing.B) {
	st := New(Options{Products: 1000, Seed: 1})
	srv := httptest.NewServer(st.Handler())
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			resp, err := client.Get(srv.URL + st.URL(1+i%1000))
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}

// BenchmarkServePageTLS: a new TLS connection and a gzip page per request,
// client included: the costliest way the pipeline benchmark fetches.
func BenchmarkServePageTLS(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	st := New(Options{Products: 1000, Seed: 1, TLS: true})
	base, err := st.Start(ctx, "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer func() { cancel(); st.Wait() }()
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: st.CertPool()}, DisableKeepAlives: true}
	client := &http.Client{Transport: tr}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			resp, err := client.Get(base + "/p/" + strings.TrimPrefix(st.URL(1+i%1000), "/p/"))
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}
