package fetch

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"time"
)

// NewOutboundClient returns an HTTP client for requests that are not page
// fetches — webhooks and chat services — under the same SSRF guard as the
// fetcher (o.AllowPrivateNetworks, o.AllowedCIDRs): every connection, every
// redirect hop and every redial is checked on the address it connects to.
// No robots.txt or pacing (we are not crawling), no proxy from the
// environment, at most 5 redirects, and a whole-request timeout. The caller
// sets the User-Agent (o.UserAgent()).
func NewOutboundClient(o Options, timeout time.Duration) *http.Client {
	o = o.withDefaults()
	g := newGuard(o.AllowPrivateNetworks, o.AllowedCIDRs)
	tr := &http.Transport{
		DialContext:           g.dialer(o.ConnectTimeout).DialContext,
		TLSHandshakeTimeout:   o.TLSHandshakeTimeout,
		ResponseHeaderTimeout: o.ResponseHeaderTimeout,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          32,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
		Proxy:                 nil,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return fmt.Errorf("%w: more than %d redirects", errRedirect, maxRedirects)
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("%w: scheme %q", errRedirect, req.URL.Scheme)
			}
			return nil
		},
	}
}

// CheckOutboundHost resolves host and refuses it when the guard would:
// a clear error when a channel is saved or tested, before any send. The
// dialer still checks every connection (a name may resolve differently
// later).
func CheckOutboundHost(ctx context.Context, o Options, host string) error {
	o = o.withDefaults()
	_, err := newGuard(o.AllowPrivateNetworks, o.AllowedCIDRs).checkHost(ctx, host)
	return err
}

// NewGuardedDialer returns a dialer whose every connection passes the SSRF
// guard, for protocols other than HTTP (SMTP).
func NewGuardedDialer(o Options) *net.Dialer {
	o = o.withDefaults()
	return newGuard(o.AllowPrivateNetworks, o.AllowedCIDRs).dialer(o.ConnectTimeout)
}
