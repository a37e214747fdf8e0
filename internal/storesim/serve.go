package storesim

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"
)

// hostIP is the loopback address of host k (0-based): 127.0.0.2, 127.0.0.3, …
func hostIP(k int) net.IP { return net.IPv4(127, 0, 0, byte(2+k)) }

// Start listens on listen ("127.0.0.1:8080"; port 0 picks a free one) and,
// with Options.Hosts = K > 1, on 127.0.0.2 … 127.0.0.(K+1) at the same port,
// then serves in the background until ctx is cancelled. It returns the base
// URL of listen; Origins lists every host's. Wait blocks until the servers
// have stopped. A store can be started once; a failed Start may be retried.
func (st *Store) Start(ctx context.Context, listen string) (string, error) {
	if !st.started.CompareAndSwap(false, true) {
		return "", errors.New("storesim: already started")
	}
	ok := false
	defer func() {
		if !ok {
			st.started.Store(false) // a failed Start may be retried, e.g. on another port
		}
	}()
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("listen address %q: %w", listen, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	lns, port, err := listenAll(host, port, st.opt.Hosts)
	if err != nil {
		return "", err
	}
	scheme := "http"
	if st.opt.TLS {
		scheme = "https"
		ips := []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
		if ip := net.ParseIP(host); ip != nil {
			ips = append(ips, ip)
		}
		for k := range st.opt.Hosts {
			ips = append(ips, hostIP(k))
		}
		cert, pool, err := selfSigned(ips)
		if err != nil {
			closeAll(lns)
			return "", fmt.Errorf("tls certificate: %w", err)
		}
		st.certPool = pool
		cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}
		for i, ln := range lns {
			lns[i] = tls.NewListener(ln, cfg)
		}
	}
	base := scheme + "://" + net.JoinHostPort(host, port)
	origins := []string{base}
	if st.opt.Hosts > 1 {
		origins = origins[:0]
		for k := range st.opt.Hosts {
			origins = append(origins, scheme+"://"+net.JoinHostPort(hostIP(k).String(), port))
		}
	}
	st.mu.Lock()
	st.origins = origins
	st.mu.Unlock()
	ok = true

	srv := &http.Server{
		Handler:           st.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       60 * time.Second,
		// Clients that hang up mid-page are normal in tests; keep them quiet.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	for _, ln := range lns {
		st.wg.Go(func() { _ = srv.Serve(ln) })
	}
	st.wg.Go(func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			_ = srv.Close()
		}
	})
	return base, nil
}

// Wait blocks until a started store has stopped serving.
func (st *Store) Wait() { st.wg.Wait() }

// listenAll opens host:port and the K extra loopback hosts on one port. With
// port 0 the first listener picks the port and the others may find it taken
// on their address; then all are closed and another port is tried.
func listenAll(host, port string, hosts int) ([]net.Listener, string, error) {
	var lastErr error
	for range 20 {
		lns, err := tryListen(host, port, hosts)
		if err == nil {
			_, p, _ := net.SplitHostPort(lns[0].Addr().String())
			return lns, p, nil
		}
		lastErr = err
		if port != "0" {
			break
		}
	}
	return nil, "", lastErr
}

func tryListen(host, port string, hosts int) ([]net.Listener, error) {
	first, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", net.JoinHostPort(host, port), err)
	}
	lns := []net.Listener{first}
	if hosts <= 1 {
		return lns, nil
	}
	_, p, _ := net.SplitHostPort(first.Addr().String())
	for k := range hosts {
		ip := hostIP(k).String()
		if ip == host {
			continue // already listening there
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(ip, p))
		if err != nil {
			closeAll(lns)
			return nil, fmt.Errorf("listen on %s (host %d of %d): %w", net.JoinHostPort(ip, p), k+1, hosts, err)
		}
		lns = append(lns, ln)
	}
	return lns, nil
}

func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		_ = ln.Close()
	}
}

// Client returns an HTTP client for the started store: it trusts the
// store's certificate when TLS is on. Its transport is new, so connections
// are not shared with other clients.
func (st *Store) Client() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if pool := st.CertPool(); pool != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}
