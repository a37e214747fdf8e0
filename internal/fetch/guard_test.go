package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

func TestPrivateTargetRefusedByDefault(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("secret")) })
	c := newClient(t, Options{AllowedCIDRs: []netip.Prefix{}})
	for _, u := range []string{
		s.URL + "/", // literal 127.0.0.1: refused before dialing
		strings.Replace(s.URL, "127.0.0.1", "localhost", 1), // a name: refused in the dialer's Control
	} {
		res := mustFetch(t, c, Request{URL: u})
		wantOutcome(t, res, OutcomeSSRF)
		if !errors.Is(res.Err, ErrForbiddenAddress) {
			t.Errorf("%s: err = %v, want ErrForbiddenAddress", u, res.Err)
		}
	}
	if n := s.hits.Load(); n != 0 {
		t.Errorf("server saw %d requests, want none", n)
	}
}

func TestAllowPrivateNetworks(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	c := newClient(t, Options{AllowPrivateNetworks: true})
	wantOutcome(t, mustFetch(t, c, Request{URL: strings.Replace(s.URL, "127.0.0.1", "localhost", 1)}), OutcomeOK)
}

// With only 127.0.0.1/32 allowed, a redirect to the metadata service or
// the LAN is refused before anything is dialed: no packet leaves loopback.
func TestRedirectToPrivateRefused(t *testing.T) {
	for _, target := range []string{
		"http://169.254.169.254/latest/meta-data/",
		"http://10.0.0.1/",
		"http://[::1]/",
		"http://[::ffff:10.0.0.1]/",
		"http://127.0.0.2/",
	} {
		t.Run(target, func(t *testing.T) {
			s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, target, http.StatusFound)
			})
			c := newClient(t, Options{})
			res := mustFetch(t, c, Request{URL: s.URL + "/p"})
			wantOutcome(t, res, OutcomeSSRF)
		})
	}
}

// The dialer's Control hook is the line DNS rebinding cannot cross: it
// sees the resolved address just before connect(2).
func TestDialerControlRefusesBeforeConnect(t *testing.T) {
	g := newGuard(false, loopbackOnly)
	d := g.dialer(0)
	for _, addr := range []string{"169.254.169.254:80", "10.0.0.1:443", "[::1]:80", "192.168.1.1:8080"} {
		_, err := d.DialContext(context.Background(), "tcp", addr)
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("dial %s: err = %v, want ErrForbiddenAddress", addr, err)
		}
	}
}

func TestRedirectLimits(t *testing.T) {
	var s *server
	s = newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/loop":
			http.Redirect(w, r, "/loop?"+r.URL.RawQuery+"x", http.StatusFound)
		case "/ftp":
			http.Redirect(w, r, "ftp://"+s.Listener.Addr().String()+"/", http.StatusFound)
		case "/five":
			if n := len(r.URL.RawQuery); n < 5 {
				http.Redirect(w, r, "/five?"+r.URL.RawQuery+"x", http.StatusFound)
				return
			}
			_, _ = w.Write([]byte("arrived"))
		default:
			http.NotFound(w, r)
		}
	})
	c := newClient(t, Options{})
	wantOutcome(t, mustFetch(t, c, Request{URL: s.URL + "/loop"}), OutcomeRedirects)
	wantOutcome(t, mustFetch(t, c, Request{URL: s.URL + "/ftp"}), OutcomeRedirects)
	res := mustFetch(t, c, Request{URL: s.URL + "/five"})
	wantOutcome(t, res, OutcomeOK)
	if !strings.HasSuffix(res.FinalURL, "/five?xxxxx") {
		t.Errorf("FinalURL = %s", res.FinalURL)
	}
}

func TestNonHTTPURLIsAnError(t *testing.T) {
	c := newClient(t, Options{})
	for _, u := range []string{"file:///etc/passwd", "gopher://x/", "http:///nohost", "::"} {
		if _, err := c.Fetch(context.Background(), Request{URL: u}); err == nil {
			t.Errorf("Fetch(%q): no error", u)
		}
	}
}
