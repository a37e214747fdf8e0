package render

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

var errForbidden = errors.New("forbidden")

// onlyTo is a stand-in for the fetcher's guarded dialer: it dials allowed
// and refuses everything else without connecting.
func onlyTo(allowed string) DialFunc {
	var d net.Dialer
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr != allowed {
			return nil, errForbidden
		}
		return d.DialContext(ctx, network, addr)
	}
}

func TestGuardedProxy(t *testing.T) {
	store := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "store") }))
	defer store.Close()
	storeAddr := store.Listener.Addr().String()
	p, err := startProxy("127.0.0.1:0", onlyTo(storeAddr), func(err error) bool { return errors.Is(err, errForbidden) })
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	proxyURL, _ := url.Parse("http://" + p.addr())
	hc := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL)}}

	// Plain http: allowed target passes, a refused one gets 403 and the mark.
	resp, err := hc.Get(store.URL + "/p")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if string(body) != "store" {
		t.Errorf("allowed: %d %q", resp.StatusCode, body)
	}
	resp, err = hc.Get("http://169.254.169.254/latest/meta-data/")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get(refusedHeader) == "" {
		t.Errorf("refused: %d %v", resp.StatusCode, resp.Header)
	}

	// CONNECT: the tunnel is refused before any connection.
	for target, want := range map[string]string{"10.0.0.1:443": "403", storeAddr: "200"} {
		c, err := net.Dial("tcp", p.addr())
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(c, "CONNECT "+target+" HTTP/1.1\r\nHost: "+target+"\r\n\r\n")
		line, _ := bufio.NewReader(c).ReadString('\n')
		_ = c.Close()
		if !strings.Contains(line, " "+want+" ") {
			t.Errorf("CONNECT %s: %q, want %s", target, line, want)
		}
	}
}
