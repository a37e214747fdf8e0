package fetch

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// fakeStore answers requests in memory, so time-dependent tests can run in
// a testing/synctest bubble, where a real socket would keep the fake clock
// from advancing. robots.txt answers 404 (no rules) unless set.
type fakeStore struct {
	mu     sync.Mutex
	robots string
	pages  []string // request paths in order, robots.txt excluded
	answer func(n int, r *http.Request) (*http.Response, error)
}

func (f *fakeStore) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	if r.URL.Path == "/robots.txt" {
		robots := f.robots
		f.mu.Unlock()
		if robots == "" {
			return respond(r, http.StatusNotFound, nil, ""), nil
		}
		return respond(r, http.StatusOK, nil, robots), nil
	}
	f.pages = append(f.pages, r.URL.Path)
	n := len(f.pages)
	answer := f.answer
	f.mu.Unlock()
	if answer == nil {
		return respond(r, http.StatusOK, nil, "<p>ok</p>"), nil
	}
	return answer(n, r)
}

func (f *fakeStore) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.pages)
}

func respond(r *http.Request, status int, h http.Header, body string) *http.Response {
	if h == nil {
		h = http.Header{}
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)), Request: r, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
}

// newFakeClient builds a client whose direct route is the fake store. Call
// it inside the synctest bubble so its clock is the bubble's.
func newFakeClient(t *testing.T, o Options, f *fakeStore) *Client {
	t.Helper()
	c := newClient(t, o)
	c.direct.Transport = f
	c.robotsHTTP.Transport = f
	return c
}
