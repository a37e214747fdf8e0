package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

const checkPage = `<!doctype html><html lang="en"><head><title>Trail Mug | Acme Outfitters</title>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product","name":"Trail Mug","sku":"TM-1",
"image":"/img/mug.jpg","offers":{"@type":"Offer","price":"12.50","priceCurrency":"USD","availability":"https://schema.org/InStock"}}</script>
</head><body><h1>Trail Mug</h1><span class="price">$12.50</span><button class="add-to-cart">Add to cart</button></body></html>`

func runCheckArgs(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := runCheck(context.Background(), env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}, args)
	return code, out.String(), errb.String()
}

func writePage(t *testing.T) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "page.html")
	if err := os.WriteFile(f, []byte(checkPage), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestCheckUsageErrors(t *testing.T) {
	f := writePage(t)
	for _, args := range [][]string{
		{},
		{"--html", f},
		{"--html", f, "https://a.example/x", "https://b.example/y"},
		{"--html", f, "not a url"},
		{"--html", f, "ftp://example.com/x"},
		{"--html", f, "https:///nohost"},
		{"--nope", "https://example.com/"},
		{"--html"},
	} {
		code, out, errs := runCheckArgs(t, args...)
		if code != exitUsage {
			t.Errorf("%q: exit %d, want %d", args, code, exitUsage)
		}
		if strings.Count(strings.TrimSpace(errs), "\n") != 0 || strings.TrimSpace(errs) == "" || out != "" {
			t.Errorf("%q: want one line on stderr only, got stdout %q stderr %q", args, out, errs)
		}
	}
}

func TestCheckJSONFlagsAnywhere(t *testing.T) {
	f := writePage(t)
	for _, args := range [][]string{
		{"--html", f, "--json", "https://shop.example/p/mug"},
		{"https://shop.example/p/mug", "--json", "--html", f},
		{"--json", "https://shop.example/p/mug", "--html=" + f},
	} {
		code, out, errs := runCheckArgs(t, args...)
		if code != exitOK {
			t.Fatalf("%q: exit %d: %s", args, code, errs)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%q: not one JSON object: %v\n%s", args, err, out)
		}
		if got["price"] != "12.50" || got["currency"] != "USD" || got["availability"] != "in_stock" || got["title"] != "Trail Mug" {
			t.Errorf("%q: got %v", args, got)
		}
		if got["image"] != "https://shop.example/img/mug.jpg" || got["source"] != "jsonld" {
			t.Errorf("%q: image/source %v %v", args, got["image"], got["source"])
		}
		for _, k := range []string{"confidence", "brand", "sku", "gtin", "evidence"} {
			if _, ok := got[k]; !ok {
				t.Errorf("%q: JSON lacks %q", args, k)
			}
		}
	}
}

func TestCheckNullPrice(t *testing.T) {
	f := filepath.Join(t.TempDir(), "p.html")
	_ = os.WriteFile(f, []byte(`<html><title>Nothing</title><body><h1>Gone</h1><p class="availability">Sold out</p></body></html>`), 0o644)
	code, out, _ := runCheckArgs(t, "--json", "--html", f, "https://shop.example/p")
	if code != exitOK || !strings.Contains(out, `"price":null`) || !strings.Contains(out, `"availability":"out_of_stock"`) {
		t.Fatalf("exit %d, %s", code, out)
	}
}

func TestCheckHumanOutput(t *testing.T) {
	code, out, _ := runCheckArgs(t, "--html", writePage(t), "https://shop.example/p/mug")
	if code != exitOK || !strings.Contains(out, "Trail Mug") || !strings.Contains(out, "12.50 USD") || !strings.Contains(out, "Evidence:") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestCheckFetches(t *testing.T) {
	var ua atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua.Store(r.Header.Get("User-Agent"))
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(checkPage))
	}))
	defer srv.Close()
	// Test stores live on loopback, which the fetcher refuses unless told.
	code, out, errs := runCheckArgs(t, "--json", srv.URL+"/p/mug", "--allow-private-networks")
	if code != exitOK || !strings.Contains(out, `"price":"12.50"`) {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	var got struct {
		Fetch struct {
			Outcome  string `json:"outcome"`
			Status   int    `json:"status"`
			Bytes    int64  `json:"bytes"`
			Robots   string `json:"robots"`
			Attempts int    `json:"attempts"`
		} `json:"fetch"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Fetch.Outcome != "ok" || got.Fetch.Status != 200 || got.Fetch.Bytes != int64(len(checkPage)) || got.Fetch.Attempts != 1 || got.Fetch.Robots == "" {
		t.Errorf("fetch outcome = %+v", got.Fetch)
	}
	// The human form leads with the fetch outcome, then the extraction.
	code, out, errs = runCheckArgs(t, "--allow-private-networks", srv.URL+"/p/mug")
	if code != exitOK || !strings.HasPrefix(out, "Fetch         ok · HTTP 200") || !strings.Contains(out, "robots") || !strings.Contains(out, "12.50 USD") {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	if agent, _ := ua.Load().(string); !strings.HasPrefix(agent, "shelfwatch/") || !strings.Contains(agent, "+https://github.com/shelfwatch/shelfwatch") {
		t.Errorf("User-Agent %q", agent)
	}
}

func TestCheckFetchFailure(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	code, _, errs := runCheckArgs(t, srv.URL+"/missing", "--allow-private-networks")
	if code != exitFailure || !strings.Contains(errs, "404") {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

func TestCheckRefusesPrivateAddressesByDefault(t *testing.T) {
	var hit atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit.Store(true) }))
	defer srv.Close()
	code, out, errs := runCheckArgs(t, srv.URL+"/p/mug")
	if code != exitFailure || !strings.Contains(errs, "--allow-private-networks") || !strings.Contains(out, "ssrf_refused") {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	if hit.Load() {
		t.Error("the request reached the loopback server")
	}
}

func TestCheckHonoursRobots(t *testing.T) {
	var pageHit atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			_, _ = w.Write([]byte("User-agent: *\nDisallow: /p/\n"))
			return
		}
		pageHit.Store(true)
		_, _ = w.Write([]byte(checkPage))
	}))
	defer srv.Close()
	code, out, errs := runCheckArgs(t, "--allow-private-networks", srv.URL+"/p/mug")
	if code != exitFailure || !strings.Contains(errs, "robots.txt") || !strings.Contains(out, "disallowed_by_robots") {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	if pageHit.Load() {
		t.Error("a disallowed page was fetched")
	}
}
