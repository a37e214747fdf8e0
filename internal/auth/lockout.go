package auth

import (
	"net"
	"net/netip"
	"strings"
	"time"
)

// Lockout is the growing delay after failed sign-ins, kept per account email
// and per client address.
type Lockout struct {
	// Free failures come without delay.
	Free int
	// First is the delay after the first failure beyond Free; each further
	// failure doubles it, up to Max.
	First time.Duration
	Max   time.Duration
	// Forget is how long after the last failure the count starts over.
	Forget time.Duration
}

// DefaultLockout: after 5 failures 1 s, 2 s, 4 s … capped at 15 minutes,
// forgotten after a day without failures.
var DefaultLockout = Lockout{Free: 4, First: time.Second, Max: 15 * time.Minute, Forget: 24 * time.Hour}

// Delay is how long a key is locked after its n-th failure in a row.
func (l Lockout) Delay(n int) time.Duration {
	if n <= l.Free {
		return 0
	}
	d := l.First
	for i := l.Free + 1; i < n; i++ {
		d *= 2
		if d >= l.Max {
			return l.Max
		}
	}
	return min(d, l.Max)
}

func emailKey(email string) string { return "email:" + strings.ToLower(strings.TrimSpace(email)) }

// ipKey groups IPv6 clients by /64, the block one subscriber usually holds,
// so rotating addresses inside it does not reset the count.
func ipKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return "ip:" + ip
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return "ip:" + p.String()
	}
	return "ip:" + a.String()
}

// RemoteIP is the client address of the connection (no proxy headers).
func RemoteIP(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	return host
}
