package fetch

import (
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// socksServer is a minimal SOCKS5 server (no auth, CONNECT only) on
// loopback that records the address form each CONNECT named and connects
// only to loopback.
type socksServer struct {
	ln      net.Listener
	mu      sync.Mutex
	targets []string // "ip 127.0.0.1:port" or "name localhost:port"
}

func newSocksServer(t *testing.T) *socksServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &socksServer{ln: ln}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(conn)
		}
	}()
	return s
}

func (s *socksServer) serve(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 262)
	if _, err := io.ReadFull(c, buf[:2]); err != nil {
		return
	}
	if _, err := io.ReadFull(c, buf[:buf[1]]); err != nil {
		return
	}
	_, _ = c.Write([]byte{5, 0})
	if _, err := io.ReadFull(c, buf[:4]); err != nil {
		return
	}
	var host, form string
	switch buf[3] {
	case 1:
		_, _ = io.ReadFull(c, buf[:4])
		host, form = netip.AddrFrom4([4]byte(buf[:4])).String(), "ip"
	case 3:
		_, _ = io.ReadFull(c, buf[:1])
		n := int(buf[0])
		_, _ = io.ReadFull(c, buf[:n])
		host, form = string(buf[:n]), "name"
	default:
		return
	}
	_, _ = io.ReadFull(c, buf[:2])
	addr := net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(buf[:2]))))
	s.mu.Lock()
	s.targets = append(s.targets, form+" "+addr)
	s.mu.Unlock()
	if form != "ip" || !strings.HasPrefix(host, "127.") {
		_, _ = c.Write([]byte{5, 2, 0, 1, 0, 0, 0, 0, 0, 0}) // not allowed
		return
	}
	up, err := net.Dial("tcp", addr)
	if err != nil {
		_, _ = c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0})
		return
	}
	defer up.Close()
	_, _ = c.Write([]byte{5, 0, 0, 1, 127, 0, 0, 1, 0, 0})
	go func() { _, _ = io.Copy(up, c) }()
	_, _ = io.Copy(c, up)
}

// Through socks5 we resolve and check the name ourselves and hand the
// proxy the checked IP, so the proxy cannot resolve it to something else.
func TestSocks5GetsCheckedIP(t *testing.T) {
	store := newServer(t, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "<p>via socks</p>") })
	sx := newSocksServer(t)
	c := newClient(t, Options{ProxyPools: map[string][]string{"s": {"socks5://" + sx.ln.Addr().String()}}})
	dom := Domain{RatePerMinute: 6e6, ProxyPool: "s"}
	_, port, _ := net.SplitHostPort(store.Listener.Addr().String())

	res := mustFetch(t, c, Request{URL: "http://localhost:" + port + "/p", Domain: dom})
	// localhost may also resolve to ::1, which 127.0.0.1/32 does not allow.
	if res.Outcome != OutcomeOK && res.Outcome != OutcomeSSRF {
		t.Fatalf("outcome %s: %v", res.Outcome, res.Err)
	}
	res = mustFetch(t, c, Request{URL: store.URL + "/p", Domain: dom})
	wantOutcome(t, res, OutcomeOK)
	if string(res.Body) != "<p>via socks</p>" || !strings.HasPrefix(res.ProxyUsed, "socks5://") {
		t.Errorf("body %q via %q", res.Body, res.ProxyUsed)
	}
	wantOutcome(t, mustFetch(t, c, Request{URL: "http://10.0.0.1/", Domain: dom}), OutcomeSSRF)

	sx.mu.Lock()
	defer sx.mu.Unlock()
	for _, tg := range sx.targets {
		if !strings.HasPrefix(tg, "ip 127.0.0.1:") {
			t.Errorf("socks CONNECT named %q; want only checked loopback IPs", tg)
		}
	}
	if len(sx.targets) == 0 {
		t.Error("socks proxy never used")
	}
}
