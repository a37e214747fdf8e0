package render

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// refusedHeader marks a response the guarded proxy made up because the
// guard refused the destination, so Render can tell a refused main
// document from the store's own 403.
const refusedHeader = "X-Shelfwatch-Refused"

// guardedProxy is the only way out for the browser. Chromium is told to
// send every request (loopback included) through it, and it dials with
// the fetcher's guarded dialer, so the SSRF rules hold for every script,
// image, iframe and redirect the page makes, with the address checked at
// connect time as in the fetcher. It listens on loopback only, for the
// life of the browser.
type guardedProxy struct {
	dial      DialFunc
	isRefused func(error) bool
	ln        net.Listener
	srv       *http.Server
	rt        *http.Transport
	wg        sync.WaitGroup
}

func startProxy(listen string, dial DialFunc, isRefused func(error) bool) (*guardedProxy, error) {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, err
	}
	p := &guardedProxy{dial: dial, isRefused: isRefused, ln: ln}
	p.rt = &http.Transport{
		DialContext:           dial,
		ResponseHeaderTimeout: 30 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		DisableCompression:    true, // the browser asked for its encodings; pass them through
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       30 * time.Second,
	}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	p.wg.Go(func() { _ = p.srv.Serve(ln) })
	return p, nil
}

func (p *guardedProxy) addr() string { return p.ln.Addr().String() }

func (p *guardedProxy) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = p.srv.Shutdown(ctx)
	_ = p.srv.Close() // hijacked tunnels are not closed by Shutdown
	p.rt.CloseIdleConnections()
	p.wg.Wait()
}

func (p *guardedProxy) refuse(w http.ResponseWriter, err error) {
	if p.isRefused(err) {
		w.Header().Set(refusedHeader, "ssrf")
		http.Error(w, "shelfwatch: destination refused", http.StatusForbidden)
		return
	}
	http.Error(w, "shelfwatch: upstream unreachable", http.StatusBadGateway)
}

func (p *guardedProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodConnect {
		p.tunnel(w, r)
		return
	}
	if !r.URL.IsAbs() || (r.URL.Scheme != "http" && r.URL.Scheme != "https") {
		http.Error(w, "shelfwatch: not a proxy request", http.StatusBadRequest)
		return
	}
	out := r.Clone(r.Context())
	out.RequestURI = ""
	for _, h := range []string{"Proxy-Connection", "Proxy-Authorization", "Connection", "Keep-Alive", "Te", "Trailer", "Upgrade"} {
		out.Header.Del(h)
	}
	resp, err := p.rt.RoundTrip(out)
	if err != nil {
		p.refuse(w, err)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// tunnel serves CONNECT (https) by dialing the target through the guard
// and splicing the two connections.
func (p *guardedProxy) tunnel(w http.ResponseWriter, r *http.Request) {
	up, err := p.dial(r.Context(), "tcp", r.Host)
	if err != nil {
		p.refuse(w, err)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		_ = up.Close()
		http.Error(w, "shelfwatch: cannot tunnel", http.StatusInternalServerError)
		return
	}
	down, buf, err := hj.Hijack()
	if err != nil {
		_ = up.Close()
		return
	}
	if _, err := down.Write([]byte("HTTP/1.1 200 Connection Established\r\n\r\n")); err != nil {
		_ = up.Close()
		_ = down.Close()
		return
	}
	splice(up, down, buf.Reader)
}

func splice(up, down net.Conn, buffered *bufio.Reader) {
	done := make(chan struct{}, 2)
	go func() {
		_, _ = io.Copy(up, buffered) // bytes the server read ahead, then the rest
		done <- struct{}{}
	}()
	go func() {
		_, _ = io.Copy(down, up)
		done <- struct{}{}
	}()
	<-done
	_ = up.Close()
	_ = down.Close()
	<-done
}

// errRefused is what Render returns when the guard refused the page itself.
var errRefused = errors.New("render: the guard refused the page's address")
