package sse

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// workspaces: the X-Workspace header signs a request in.
func testWho(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.Header.Get("X-Workspace"), 10, 64)
	return id, err == nil && id > 0
}

// watchList is a workspace → watched products table that tests change.
type watchList struct {
	mu    sync.Mutex
	m     map[int64]map[int64]bool
	loads int
}

func (l *watchList) watched(ctx context.Context, ws int64) (map[int64]bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.loads++
	return maps.Clone(l.m[ws]), nil
}

func (l *watchList) add(ws, product int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m[ws] == nil {
		l.m[ws] = map[int64]bool{}
	}
	l.m[ws][product] = true
}

func (l *watchList) loadCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.loads
}

// sseEvent is one event read off a stream.
type sseEvent struct{ name, data string }

// stream is a client's open event stream.
type stream struct {
	resp   *http.Response
	events chan sseEvent
	cancel context.CancelFunc
}

// open connects as workspace ws and waits for the stream's first line (the
// retry hint), which is written once the handler has subscribed.
func open(t *testing.T, url string, ws int64) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	req.Header.Set("X-Workspace", strconv.FormatInt(ws, 10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		cancel()
		t.Fatalf("status %d", resp.StatusCode)
	}
	s := &stream{resp: resp, events: make(chan sseEvent, 100), cancel: cancel}
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	br := bufio.NewReader(resp.Body)
	first, err := br.ReadString('\n')
	if err != nil || first != "retry: 3000\n" {
		t.Fatalf("first line %q, %v", first, err)
	}
	go func() {
		defer close(s.events)
		var ev sseEvent
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimSuffix(line, "\n")
			switch {
			case line == "":
				if ev.name != "" {
					s.events <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return s
}

func (s *stream) next(t *testing.T) sseEvent {
	t.Helper()
	select {
	case ev, ok := <-s.events:
		if !ok {
			t.Fatal("stream ended")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}
	return sseEvent{}
}

func TestHandlerSendsOnlyTheWorkspacesOwn(t *testing.T) {
	hub := NewHub()
	wl := &watchList{m: map[int64]map[int64]bool{}}
	wl.add(1, 10)
	wl.add(1, 30)
	wl.add(2, 20)
	wl.add(2, 30)
	srv := httptest.NewServer(Handler(hub, testWho, wl.watched))
	t.Cleanup(srv.Close) // after the streams' cleanups: it waits for open requests

	one, two := open(t, srv.URL, 1), open(t, srv.URL, 2)
	if got := one.resp.Header; got.Get("Content-Type") != "text/event-stream" || got.Get("Cache-Control") != "no-store" ||
		got.Get("X-Accel-Buffering") != "no" {
		t.Errorf("headers %v", got)
	}
	for _, m := range []Message{
		{Kind: KindProduct, ProductID: 20},
		{Kind: KindProduct, ProductID: 10},
		{Kind: KindProduct, ProductID: 99}, // nobody's
		{Kind: KindNotification, WorkspaceID: 2, ID: 5, Status: "sent"},
		{Kind: KindNotification, WorkspaceID: 1, ID: 6, Status: "dead"},
		{Kind: KindCatalog, WorkspaceID: 2, ID: 8},
		{Kind: KindCatalog, WorkspaceID: 1, ID: 9},
		{Kind: KindProduct, ProductID: 30}, // both watch it
		{Kind: KindResync},
	} {
		hub.Publish(m)
	}
	want1 := []sseEvent{
		{"product", `{"product_id":10}`},
		{"notification", `{"id":6,"status":"dead"}`},
		{"catalog", `{"id":9}`},
		{"product", `{"product_id":30}`},
		{"resync", `{}`},
	}
	want2 := []sseEvent{
		{"product", `{"product_id":20}`},
		{"notification", `{"id":5,"status":"sent"}`},
		{"catalog", `{"id":8}`},
		{"product", `{"product_id":30}`},
		{"resync", `{}`},
	}
	for i, w := range want1 {
		if got := one.next(t); got != w {
			t.Errorf("workspace 1 event %d = %+v, want %+v", i, got, w)
		}
	}
	for i, w := range want2 {
		if got := two.next(t); got != w {
			t.Errorf("workspace 2 event %d = %+v, want %+v", i, got, w)
		}
	}
}

func TestHandlerUnauthorized(t *testing.T) {
	hub := NewHub()
	wl := &watchList{m: map[int64]map[int64]bool{}}
	rec := httptest.NewRecorder()
	Handler(hub, testWho, wl.watched).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/events", nil))
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct == "text/event-stream" {
		t.Fatal("an unauthorized request got a stream")
	}
	if hub.Subscribers() != 0 || wl.loadCount() != 0 {
		t.Fatal("an unauthorized request subscribed or read watches")
	}
}

func TestHandlerWatchedError(t *testing.T) {
	hub := NewHub()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/events", nil)
	req.Header.Set("X-Workspace", "1")
	Handler(hub, testWho, func(context.Context, int64) (map[int64]bool, error) {
		return nil, errors.New("database down")
	}).ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", rec.Code)
	}
	if strings.Contains(rec.Body.String(), "database down") {
		t.Fatal("the internal error reached the client")
	}
	if hub.Subscribers() != 0 {
		t.Fatal("subscription left open")
	}
}

// recorder is a ResponseWriter safe to read while the handler writes.
type recorder struct {
	mu   sync.Mutex
	hdr  http.Header
	code int
	buf  bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.hdr }
func (r *recorder) WriteHeader(code int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.code = code
}
func (r *recorder) Write(b []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.Write(b)
}
func (r *recorder) Flush() {}
func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.String()
}

// serveBubbled runs the handler for workspace ws in a goroutine of the
// current synctest bubble; cancel ends the request, done closes when the
// handler returned.
func serveBubbled(h http.Handler, ws int64) (rec *recorder, cancel context.CancelFunc, done chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/events", nil)
	req.Header.Set("X-Workspace", strconv.FormatInt(ws, 10))
	rec = &recorder{hdr: http.Header{}}
	done = make(chan struct{})
	go func() {
		defer close(done)
		h.ServeHTTP(rec, req)
	}()
	return rec, cancel, done
}

func TestHandlerPings(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hub := NewHub()
		wl := &watchList{m: map[int64]map[int64]bool{}}
		rec, cancel, done := serveBubbled(Handler(hub, testWho, wl.watched), 1)
		synctest.Wait()
		if got := rec.String(); got != "retry: 3000\n\n" {
			t.Fatalf("stream starts %q", got)
		}
		time.Sleep(pingEvery - time.Second)
		synctest.Wait()
		if strings.Contains(rec.String(), "ping") {
			t.Fatal("pinged early")
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if got := rec.String(); got != "retry: 3000\n\n: ping\n\n" {
			t.Fatalf("after 16 s the stream is %q", got)
		}
		time.Sleep(pingEvery)
		synctest.Wait()
		if n := strings.Count(rec.String(), ": ping\n\n"); n != 2 {
			t.Fatalf("%d pings after 31 s, want 2", n)
		}
		cancel()
		<-done
	})
}

// The disconnect ends the handler and its subscription; synctest.Test
// fails if any goroutine of the bubble is left behind.
func TestHandlerDisconnectUnsubscribes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hub := NewHub()
		wl := &watchList{m: map[int64]map[int64]bool{}}
		_, cancel, done := serveBubbled(Handler(hub, testWho, wl.watched), 1)
		synctest.Wait()
		if n := hub.Subscribers(); n != 1 {
			t.Fatalf("subscribers = %d, want 1", n)
		}
		cancel()
		<-done
		if n := hub.Subscribers(); n != 0 {
			t.Fatalf("subscribers after disconnect = %d, want 0", n)
		}
	})
}

// A product watched after the page opened: its change is shown once the
// watched set is read again, which happens at most every reloadEvery.
func TestHandlerReloadsWatchedSet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hub := NewHub()
		wl := &watchList{m: map[int64]map[int64]bool{}}
		wl.add(1, 10)
		rec, cancel, done := serveBubbled(Handler(hub, testWho, wl.watched), 1)
		synctest.Wait()
		wl.add(1, 40)
		for range 5 {
			hub.Publish(Message{Kind: KindProduct, ProductID: 40})
			synctest.Wait()
		}
		if strings.Contains(rec.String(), "product") || wl.loadCount() != 1 {
			t.Fatalf("within %v of connecting: %d loads, stream %q", reloadEvery, wl.loadCount(), rec.String())
		}
		time.Sleep(reloadEvery)
		hub.Publish(Message{Kind: KindProduct, ProductID: 40})
		hub.Publish(Message{Kind: KindProduct, ProductID: 77}) // unknown, but too soon to reload again
		synctest.Wait()
		if got, want := rec.String(), "retry: 3000\n\nevent: product\ndata: {\"product_id\":40}\n\n"; got != want {
			t.Fatalf("stream %q, want %q", got, want)
		}
		if n := wl.loadCount(); n != 2 {
			t.Fatalf("%d loads, want 2", n)
		}
		cancel()
		<-done
	})
}

// Shutdown is not held up by open streams when the hub closes with it, and
// the server's read and write timeouts do not cut streams short.
func TestHandlerServerTimeoutsAndShutdown(t *testing.T) {
	hub := NewHub()
	wl := &watchList{m: map[int64]map[int64]bool{}}
	wl.add(1, 10)
	srv := &http.Server{Handler: Handler(hub, testWho, wl.watched), ReadTimeout: 100 * time.Millisecond,
		WriteTimeout: 200 * time.Millisecond}
	srv.RegisterOnShutdown(hub.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	s := open(t, "http://"+ln.Addr().String(), 1)

	// Well past both timeouts, the stream still delivers.
	time.Sleep(500 * time.Millisecond)
	hub.Publish(Message{Kind: KindProduct, ProductID: 10})
	if got := s.next(t); got.name != "product" {
		t.Fatalf("got %+v", got)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown with an open stream: %v after %v", err, time.Since(start))
	}
	if err := <-serveErr; !errors.Is(err, http.ErrServerClosed) {
		t.Fatal(err)
	}
	select {
	case _, ok := <-s.events:
		if ok {
			t.Fatal("an event after shutdown")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream stayed open after shutdown")
	}
}
