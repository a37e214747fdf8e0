package fetch

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"sync"
	"time"

	"golang.org/x/net/proxy"
)

// directPool is the pool name that means "no proxy".
const directPool = "direct"

// errNoProxy is returned when every proxy of a pool is resting or retired.
var errNoProxy = errors.New("fetch: no proxy available in pool")

func parseProxyURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("proxy URL: %w", err)
	}
	switch u.Scheme {
	case "http", "https", "socks5":
	default:
		return nil, fmt.Errorf("proxy %s: scheme must be http, https or socks5", u.Redacted())
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("proxy %s: no host", u.Redacted())
	}
	return u, nil
}

// proxyEntry is one operator-configured proxy and its recent record.
type proxyEntry struct {
	label  string // URL without credentials, for Result.ProxyUsed and logs
	http   *http.Client
	robots *http.Client

	mu            sync.Mutex
	success       float64 // moving average of success, 0…1
	blocks        int     // consecutive blocks
	cooldownUntil time.Time
	retired       bool
}

type proxyPool struct {
	name    string
	entries []*proxyEntry
}

// pick chooses among the proxies not resting or retired, with probability
// proportional to recent success (with a floor, so a proxy that failed a
// few times still gets the odd request and can recover).
func (p *proxyPool) pick(now time.Time) (*proxyEntry, error) {
	var total float64
	weights := make([]float64, len(p.entries))
	for i, e := range p.entries {
		e.mu.Lock()
		if !e.retired && !now.Before(e.cooldownUntil) {
			weights[i] = 0.05 + e.success
			total += weights[i]
		}
		e.mu.Unlock()
	}
	if total == 0 {
		return nil, fmt.Errorf("%w %q", errNoProxy, p.name)
	}
	x := rand.Float64() * total
	for i, w := range weights {
		if w == 0 {
			continue
		}
		if x < w {
			return p.entries[i], nil
		}
		x -= w
	}
	for i := len(weights) - 1; i >= 0; i-- { // rounding left x at the end
		if weights[i] > 0 {
			return p.entries[i], nil
		}
	}
	return nil, fmt.Errorf("%w %q", errNoProxy, p.name)
}

// report feeds a fetch outcome back. A bot wall rests the proxy for
// cooldown; retireAfter walls in a row retire it until restart, since an
// address a store has flagged only gets its owner more flagged. It reports
// whether this outcome retired the proxy.
func (e *proxyEntry) report(r *Result, now time.Time, cooldown time.Duration, retireAfter int) (retired bool) {
	const alpha = 0.2
	ok := 1.0
	switch r.Outcome {
	case OutcomeNetwork, OutcomeTimeout, OutcomeBlocked:
		ok = 0
	case OutcomeHTTPError:
		if r.Status >= 500 {
			ok = 0
		}
	case OutcomeSSRF, OutcomeDisallowed, OutcomeRedirects, OutcomeTooLarge:
		return false // says nothing about the proxy
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.success = (1-alpha)*e.success + alpha*ok
	if r.Outcome != OutcomeBlocked {
		e.blocks = 0
		return false
	}
	e.blocks++
	e.cooldownUntil = now.Add(cooldown)
	if e.blocks >= retireAfter && !e.retired {
		e.retired = true
		return true
	}
	return false
}

// newProxyEntry builds the transport that goes through one proxy.
//
// The proxy itself is trusted as a destination: the operator named it, and
// a local proxy (127.0.0.1:8118, a sidecar on the pod network) is common,
// so the SSRF guard is lifted for exactly the proxy's host:port and for
// nothing else; that transport dials no other address. The target is still
// guarded: precheck resolves and checks it before each request and each
// redirect. For socks5 we hand the proxy the checked IP rather than the
// name, so no second resolution can differ; an http(s) proxy resolves the
// name itself for CONNECT, and a rebinding race there is the remaining gap.
func (c *Client) newProxyEntry(u *url.URL) (*proxyEntry, error) {
	proxyAddr := net.JoinHostPort(u.Hostname(), portOf(u))
	base := &net.Dialer{Timeout: c.opts.ConnectTimeout, KeepAlive: 30 * time.Second}
	dialProxy := func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr != proxyAddr {
			return nil, fmt.Errorf("%w: proxy transport asked to dial %s", ErrForbiddenAddress, addr)
		}
		return base.DialContext(ctx, network, addr)
	}
	var rt *http.Transport
	switch u.Scheme {
	case "http", "https":
		rt = newTransport(c.opts, dialProxy)
		rt.Proxy = http.ProxyURL(u)
	case "socks5":
		var auth *proxy.Auth
		if u.User != nil {
			pw, _ := u.User.Password()
			auth = &proxy.Auth{User: u.User.Username(), Password: pw}
		}
		sd, err := proxy.SOCKS5("tcp", proxyAddr, auth, dialerFunc(dialProxy))
		if err != nil {
			return nil, fmt.Errorf("socks5 proxy %s: %w", u.Redacted(), err)
		}
		cd, ok := sd.(proxy.ContextDialer)
		if !ok {
			return nil, fmt.Errorf("socks5 proxy %s: dialer has no DialContext", u.Redacted())
		}
		rt = newTransport(c.opts, func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			ips, err := c.guard.checkHost(ctx, host)
			if err != nil {
				return nil, err
			}
			return cd.DialContext(ctx, network, netip.AddrPortFrom(ips[0], mustPort(port)).String())
		})
	}
	robots := c.newHTTPClient(rt, true, nil)
	return &proxyEntry{label: u.Scheme + "://" + u.Host, http: c.newHTTPClient(rt, true, robots), robots: robots, success: 1}, nil
}

type dialerFunc func(ctx context.Context, network, addr string) (net.Conn, error)

func (f dialerFunc) Dial(network, addr string) (net.Conn, error) {
	return f(context.Background(), network, addr)
}

func (f dialerFunc) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return f(ctx, network, addr)
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch u.Scheme {
	case "https":
		return "443"
	case "socks5":
		return "1080"
	}
	return "80"
}

func mustPort(s string) uint16 {
	n, _ := strconv.ParseUint(s, 10, 16)
	return uint16(n)
}
