package render

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func needChromium(t *testing.T) {
	t.Helper()
	if _, err := FindChromium(); err != nil {
		if os.Getenv("SHELFWATCH_REQUIRE_CHROMIUM") != "" {
			t.Fatalf("SHELFWATCH_REQUIRE_CHROMIUM is set but %v", err)
		}
		t.Skipf("\n\n*** SKIPPING headless Chromium test: %v ***\n*** install the Debian package \"chromium\" to run it ***\n\n", err)
	}
}

// loopbackDial allows 127.0.0.1 only, as the fetcher's guard would with
// an allow-list of 127.0.0.1/32.
func loopbackDial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host != "127.0.0.1" {
		return nil, errForbidden
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// At most Concurrency pages load at once; the rest wait their turn, and
// a page that never finishes is cut off at Timeout.
func TestConcurrencyAndTimeout(t *testing.T) {
	needChromium(t)
	var now, peak atomic.Int64
	release, arrived := make(chan struct{}), make(chan struct{}, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			n := now.Add(1)
			defer now.Add(-1)
			arrived <- struct{}{}
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
			_, _ = w.Write([]byte("<p>done</p>"))
		case "/hang":
			<-r.Context().Done()
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	r := New(Options{Concurrency: 2, Timeout: 20 * time.Second, Settle: -1, Dial: loopbackDial,
		IsRefused: func(err error) bool { return errors.Is(err, errForbidden) }})
	defer r.Close()

	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			_, err := r.Render(context.Background(), srv.URL+"/slow")
			errs <- err
		})
	}
	// Two pages reach the store and hold their slots; the semaphore must
	// keep the other two out until they are released.
	for range 2 {
		select {
		case <-arrived:
		case <-time.After(20 * time.Second):
			t.Fatal("pages never reached the store")
		}
	}
	if n := len(r.sem); n != 2 {
		t.Errorf("%d slots taken, want 2", n)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if p := peak.Load(); p != 2 {
		t.Errorf("peak concurrent pages %d, want 2", p)
	}

	short := New(Options{Timeout: time.Second, Settle: -1, Dial: loopbackDial})
	defer short.Close()
	if _, err := short.Render(context.Background(), srv.URL+"/hang"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hanging page: err = %v, want DeadlineExceeded", err)
	}
}

func TestRefusedMainDocument(t *testing.T) {
	needChromium(t)
	r := New(Options{Timeout: 20 * time.Second, Settle: -1, Dial: loopbackDial,
		IsRefused: func(err error) bool { return errors.Is(err, errForbidden) }})
	defer r.Close()
	// 127.0.0.3 is loopback: nothing leaves the machine even if the guard failed.
	_, err := r.Render(context.Background(), "http://127.0.0.3:8081/")
	if !errors.Is(err, ErrRefused) {
		t.Errorf("err = %v, want ErrRefused", err)
	}
}
