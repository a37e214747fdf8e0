package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"

	"code.dny.dev/ssrf"
)

// ErrForbiddenAddress is wrapped by every refusal of the SSRF guard.
var ErrForbiddenAddress = errors.New("fetch: address not allowed")

// guard decides which IP addresses the fetcher may connect to. It wraps
// code.dny.dev/ssrf, whose deny list is the IANA special-purpose registries
// (loopback, RFC 1918, link-local and the metadata service at
// 169.254.169.254, CGNAT, multicast, …) and everything outside IPv6 global
// unicast.
type guard struct {
	g *ssrf.Guardian
}

func newGuard(allowAll bool, allowed []netip.Prefix) *guard {
	var v4, v6 []netip.Prefix
	if allowAll {
		v4 = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}
		v6 = []netip.Prefix{netip.MustParsePrefix("::/0")}
	}
	for _, p := range allowed {
		if p.Addr().Is4() {
			v4 = append(v4, p.Masked())
		} else {
			v6 = append(v6, p.Masked())
		}
	}
	// Any port: stores and the simulated store listen on ports other than
	// 80 and 443, and the danger we guard against is the address.
	return &guard{g: ssrf.New(ssrf.WithAnyPort(), ssrf.WithAllowedV4Prefixes(v4...), ssrf.WithAllowedV6Prefixes(v6...))}
}

func (g *guard) checkAddr(ip netip.Addr) error {
	// ::ffff:10.0.0.1 is 10.0.0.1; check it against the IPv4 lists.
	if err := g.g.SafeAddr(ip.Unmap()); err != nil {
		return fmt.Errorf("%w: %w", ErrForbiddenAddress, err)
	}
	return nil
}

// control is the net.Dialer Control hook. It runs after DNS resolution,
// on the very address the socket is about to connect to, and before
// connect(2). Checking here rather than when the URL is parsed is what
// defeats DNS rebinding (a name that resolves to a public address for the
// check and to 127.0.0.1 for the connection) and covers every address
// Happy Eyeballs tries, every redirect hop and every keep-alive redial.
func (g *guard) control(network, address string, _ syscall.RawConn) error {
	if err := g.g.Safe(network, address, nil); err != nil {
		return fmt.Errorf("%w: %w", ErrForbiddenAddress, err)
	}
	return nil
}

// checkHost resolves host (a name or a literal IP) and refuses it if any of
// its addresses is forbidden. Connections through a proxy need it: the
// proxy, not our dialer, connects to the target. It also refuses literal
// forbidden IPs before anything is dialed. A proxy that resolves the name
// again may see a different answer; socks5 avoids that by being handed the
// address checked here (see proxy.go).
func (g *guard) checkHost(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip.Unmap()}, g.checkAddr(ip)
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	for i, ip := range ips {
		ips[i] = ip.Unmap()
		if err := g.checkAddr(ip); err != nil {
			return nil, err
		}
	}
	return ips, nil
}

// dialer returns a dialer whose every connection passes the guard.
func (g *guard) dialer(connectTimeout time.Duration) *net.Dialer {
	return &net.Dialer{Timeout: connectTimeout, KeepAlive: 30 * time.Second, Control: g.control}
}
