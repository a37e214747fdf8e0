package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"strings"
	"testing"
)

// A product page of about 60 KB, the size of a modest store page.
var benchPage = []byte("<!doctype html><html><head><title>Kettle</title></head><body>" +
	strings.Repeat(`<div class="item"><a href="/p/123">Blue kettle, 1.7 l</a><span class="price">€ 19,99</span></div>`, 600) +
	"</body></html>")

func benchServer(b *testing.B, gz bool) *server {
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write(benchPage)
	_ = zw.Close()
	s := &server{}
	s.Server = newBenchHTTPServer(b, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			_, _ = w.Write([]byte("User-agent: *\nDisallow: /cart\n"))
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if gz {
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(zipped.Bytes())
			return
		}
		_, _ = w.Write(benchPage)
	})
	return s
}

func benchFetch(b *testing.B, gz bool) {
	s := benchServer(b, gz)
	c, err := New(Options{AllowedCIDRs: loopbackOnly, DefaultRatePerMinute: 1e9})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	req := Request{URL: s.URL + "/p/123"}
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(benchPage)))
	for b.Loop() {
		res, err := c.Fetch(ctx, req)
		if err != nil || res.Outcome != OutcomeOK {
			b.Fatalf("%v %v", res.Outcome, err)
		}
	}
}

// BenchmarkFetch is the hot path: robots cached, breaker closed, pacing
// out of the way, keep-alive connection reused, body hashed and checked
// for walls.
func BenchmarkFetch(b *testing.B)     { benchFetch(b, false) }
func BenchmarkFetchGzip(b *testing.B) { benchFetch(b, true) }

func BenchmarkFetchParallel(b *testing.B) {
	s := benchServer(b, true)
	c, err := New(Options{AllowedCIDRs: loopbackOnly, DefaultRatePerMinute: 1e9})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.ReportAllocs()
	b.SetBytes(int64(len(benchPage)))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := c.Fetch(context.Background(), Request{URL: s.URL + "/p/123"})
			if err != nil || res.Outcome != OutcomeOK {
				b.Errorf("%v %v", res.Outcome, err)
				return
			}
		}
	})
}

func BenchmarkToUTF8Latin1(b *testing.B) {
	page := bytes.ReplaceAll(benchPage, []byte("€"), []byte("\xa3"))
	b.ReportAllocs()
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		if _, err := toUTF8(page, "text/html; charset=iso-8859-1"); err != nil {
			b.Fatal(err)
		}
	}
}
