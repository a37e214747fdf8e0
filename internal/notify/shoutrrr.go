package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/nicholas-fedor/shoutrrr/pkg/router"
	"github.com/nicholas-fedor/shoutrrr/pkg/types"
)

// Shoutrrr sends through a shoutrrr service URL (discord://…, slack://…,
// telegram://…, ntfy://…, gotify://…, pushover://…, matrix://…, teams://…,
// mattermost://…). Only services that take our HTTP client are allowed, so
// the SSRF guard sees every request; the rest (and email, which shelfwatch
// sends itself) are refused when the channel is saved.
type Shoutrrr struct {
	URL    string
	Client *http.Client
}

// ErrUnsupportedService reports a shoutrrr URL shelfwatch does not send to.
var ErrUnsupportedService = errors.New("notify: unsupported notification URL")

// quiet discards shoutrrr's log lines: they can contain the service URL,
// and with it the token.
var quiet = log.New(io.Discard, "", 0)

// locate builds the service for u with client injected.
func locate(u string, client types.HTTPClient) (types.Service, error) {
	r, err := router.NewWithOptions(quiet, types.SenderOptions{HTTPClient: client})
	if err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	scheme, _, _ := strings.Cut(u, "://")
	switch strings.ToLower(scheme) {
	case "smtp", "mqtt", "logger", "":
		return nil, fmt.Errorf("%w: %q (use the email channel for mail)", ErrUnsupportedService, scheme)
	}
	svc, err := r.Locate(u)
	if err != nil {
		// shoutrrr's errors can quote the URL: keep only the scheme.
		return nil, fmt.Errorf("%w: %s: the URL is not valid for this service", ErrUnsupportedService, scheme)
	}
	if _, ok := svc.(types.HTTPClientSetter); !ok {
		return nil, fmt.Errorf("%w: %q cannot be sent through the SSRF guard", ErrUnsupportedService, scheme)
	}
	return svc, nil
}

// ValidateShoutrrrURL checks that u is a shoutrrr URL shelfwatch can send to
// and returns its service name. The error never contains the URL.
func ValidateShoutrrrURL(u string) (string, error) {
	if _, err := locate(u, http.DefaultClient); err != nil {
		return "", err
	}
	scheme, _, _ := strings.Cut(u, "://")
	return strings.ToLower(scheme), nil
}

// Send sends m's subject and text.
func (s *Shoutrrr) Send(ctx context.Context, m Message) error {
	rec := &recordingClient{c: s.Client, ctx: ctx}
	svc, err := locate(s.URL, rec)
	if err != nil {
		return &Error{Err: err, Permanent: true}
	}
	text, err := RenderText(m)
	if err != nil {
		return &Error{Err: err, Permanent: true}
	}
	params := types.Params{"title": m.Subject}
	if err := svc.Send(text, &params); err != nil {
		return rec.classify(err)
	}
	return nil
}

// recordingClient carries ctx into shoutrrr's requests (its Send takes
// none) and remembers the last answer, so a failure can be classified by
// status and Retry-After rather than by shoutrrr's error text.
type recordingClient struct {
	c   *http.Client
	ctx context.Context

	mu        sync.Mutex
	last      *http.Response
	transport error
}

func (r *recordingClient) Do(req *http.Request) (*http.Response, error) {
	resp, err := r.c.Do(req.WithContext(r.ctx))
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last, r.transport = resp, err
	return resp, err
}

func (r *recordingClient) classify(sendErr error) *Error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.transport != nil {
		return classifyTransport(r.transport)
	}
	if r.last != nil && (r.last.StatusCode < 200 || r.last.StatusCode >= 300) {
		return statusError(r.last, time.Now())
	}
	// The service failed without an HTTP error we saw (a bad answer body):
	// temporary, and the text without any URL in it.
	return &Error{Err: fmt.Errorf("service error: %s", redactURLs(sendErr.Error()))}
}

// redactURLs drops anything that looks like a URL from s.
func redactURLs(s string) string {
	f := strings.Fields(s)
	for i, w := range f {
		if strings.Contains(w, "://") {
			f[i] = "[url]"
		} else if u, err := url.Parse(w); err == nil && u.User != nil {
			f[i] = "[url]"
		}
	}
	return strings.Join(f, " ")
}
