package storesim

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/extract"
)

// TestStartHosts: with Hosts = 3 the store listens on 127.0.0.2–4 at one
// port, each product's URL names its host, and each host's sitemap and
// feed list only its products.
func TestStartHosts(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	st := New(Options{Products: 30, Seed: 8, Hosts: 3})
	base, err := st.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Skipf("cannot listen on extra loopback addresses here: %v", err)
	}
	defer func() { cancel(); st.Wait() }()
	origins := st.Origins()
	if len(origins) != 3 || !strings.HasPrefix(origins[0], "http://127.0.0.2:") || !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("base %s, origins %v", base, origins)
	}
	for id := 1; id <= 6; id++ {
		u := st.URL(id)
		if !strings.HasPrefix(u, origins[id%3]+"/p/") {
			t.Errorf("product %d URL %s not on %s", id, u, origins[id%3])
		}
		body := getOK(t, http.DefaultClient, u)
		p, _ := st.Product(id)
		if o := extract.Extract(body, u, extract.Options{}); !samePrice(o.Price, p.Price) {
			t.Errorf("product %d over the network: price %q, want %q", id, o.Price, p.Price)
		}
	}
	feed := string(getOK(t, http.DefaultClient, origins[1]+"/products.json?limit=250"))
	if n := strings.Count(feed, `"handle"`); n != 10 {
		t.Errorf("host 2 feed lists %d products, want 10", n)
	}
	sm := gunzipGet(t, origins[2]+"/sitemaps/products-1.xml.gz")
	for id := 1; id <= 30; id++ {
		if on := strings.Contains(sm, "<loc>"+st.URL(id)+"</loc>"); on != (id%3 == 2) {
			t.Errorf("host 3 sitemap lists product %d: %v", id, on)
		}
	}
	if all := strings.Count(string(getOK(t, http.DefaultClient, base+"/products.json?limit=250")), `"handle"`); all != 30 {
		t.Errorf("base feed lists %d products, want 30", all)
	}
}

func TestStartTLS(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	st := New(Options{Products: 5, Seed: 8, TLS: true})
	base, err := st.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(base, "https://127.0.0.1:") || st.CertPool() == nil {
		t.Fatalf("base %s, pool %v", base, st.CertPool())
	}
	if _, err := http.Get(base + "/robots.txt"); err == nil {
		t.Error("an untrusting client accepted the self-signed certificate")
	}
	client := st.Client()
	if body := getOK(t, client, st.URL(2)); len(body) < 150_000 {
		t.Errorf("page over TLS: %d bytes", len(body))
	}
	if _, err := st.Start(ctx, "127.0.0.1:0"); err == nil {
		t.Error("second Start succeeded")
	}
	cancel()
	st.Wait()
	if _, err := client.Get(base + "/robots.txt"); err == nil {
		t.Error("store still serving after its context ended")
	}
}

func getOK(t *testing.T, c *http.Client, url string) []byte {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return b
}

func gunzipGet(t *testing.T, url string) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(getOK(t, http.DefaultClient, url)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestStartBusyPortCanRetry(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := New(Options{Products: 2})
	base, err := a.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := New(Options{Products: 2})
	if _, err := b.Start(ctx, strings.TrimPrefix(base, "http://")); err == nil {
		t.Fatal("second store started on a busy port")
	}
	if _, err := b.Start(ctx, "127.0.0.1:0"); err != nil {
		t.Fatalf("retry on a free port: %v", err)
	}
	cancel()
	a.Wait()
	b.Wait()
}
