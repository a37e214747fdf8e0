package fetch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"time"
)

const maxRedirects = 5

// tlsSessionCacheSize bounds the TLS sessions kept for resumption (one per
// host and route).
const tlsSessionCacheSize = 1024

// newTransport builds the keep-alive transport for one route (direct, or
// one proxy). dial must already be guarded.
func newTransport(o Options, dial func(ctx context.Context, network, addr string) (net.Conn, error)) *http.Transport {
	return &http.Transport{
		DialContext:           dial,
		TLSHandshakeTimeout:   o.TLSHandshakeTimeout,
		ResponseHeaderTimeout: o.ResponseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
		TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12,
			// Resume TLS sessions, as browsers do: a store that closes
			// connections costs a new handshake per page, and a resumed
			// one skips the certificate chain and its verification.
			ClientSessionCache: tls.NewLRUClientSessionCache(tlsSessionCacheSize)},
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     90 * time.Second,
		// Pages are ~50 KB of gzip: a larger read buffer takes one in a
		// few reads instead of one per 4 KB.
		ReadBufferSize: 32 << 10,
		// We ask for gzip, deflate and br ourselves and decode them in
		// body.go, where the decompressed bytes are counted against the cap.
		DisableCompression: true,
		// An http(s) proxy is set per transport by the proxy pool; never
		// take one from the environment behind the operator's back.
		Proxy: nil,
	}
}

// errRedirect marks a redirect we refuse to follow.
var errRedirect = errors.New("fetch: redirect refused")

// newHTTPClient wraps rt with the redirect policy: at most 5 hops, http and
// https only, each hop's host checked by the guard before it is requested
// (and again by the dialer's Control when it connects), and, unless robots
// is nil, robots.txt (fetched through robots) consulted for a hop to
// another host.
func (c *Client) newHTTPClient(rt http.RoundTripper, proxied bool, robots *http.Client) *http.Client {
	return &http.Client{
		Transport: rt,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return fmt.Errorf("%w: more than %d redirects", errRedirect, maxRedirects)
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("%w: scheme %q", errRedirect, req.URL.Scheme)
			}
			if err := c.precheck(req.Context(), req.URL, proxied); err != nil {
				return err
			}
			if robots != nil && req.URL.Host != via[len(via)-1].URL.Host {
				v, _, err := c.robots.allowed(req.Context(), robots, req.URL)
				if err != nil {
					return err
				}
				if v == RobotsDisallowed || v == RobotsUnreachable {
					return &robotsRedirectError{verdict: v, url: req.URL.Redacted()}
				}
			}
			return nil
		},
	}
}

type robotsRedirectError struct {
	verdict RobotsVerdict
	url     string
}

func (e *robotsRedirectError) Error() string {
	return fmt.Sprintf("fetch: redirect to %s: robots.txt %s", e.url, e.verdict)
}

// precheck refuses a target before any connection is made. Direct
// connections only need literal IPs checked here, since Control checks
// whatever a name resolves to; through a proxy the name is resolved and
// checked here because the proxy, not we, will connect to it.
func (c *Client) precheck(ctx context.Context, u *url.URL, proxied bool) error {
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("%w: no host in %q", errInvalidURL, u.Redacted())
	}
	if !proxied {
		if _, err := netip.ParseAddr(host); err == nil {
			_, err := c.guard.checkHost(ctx, host)
			return err
		}
		return nil
	}
	_, err := c.guard.checkHost(ctx, host)
	return err
}
