package fetch

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// Fetches of one host reuse a keep-alive connection.
func TestKeepAliveReuse(t *testing.T) {
	var conns atomic.Int64
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("<p>ok</p>"))
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	s.Start()
	defer s.Close()
	c := newClient(t, Options{})
	for range 10 {
		wantOutcome(t, mustFetch(t, c, Request{URL: s.URL + "/p"}), OutcomeOK)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for robots.txt and 10 pages, want 1", n)
	}
}

// A server that accepts TCP and never speaks TLS trips the handshake
// timeout, not the whole-request one.
func TestTLSHandshakeTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // hold it open, silent
		}
	}()
	c := newClient(t, Options{TLSHandshakeTimeout: 200 * time.Millisecond, RequestTimeout: time.Minute})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "https://"+ln.Addr().String()+"/p", nil)
	_, err = c.direct.Do(req)
	res := classify(&Result{}, err)
	wantOutcome(t, res, OutcomeTimeout)
}
