package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

// robotsMaxBytes is the parsing limit RFC 9309 §2.5 asks crawlers to allow
// at least; anything longer is cut there.
const robotsMaxBytes = 512 << 10

// robotsAgent is the product token matched against User-agent lines.
const robotsAgent = "shelfwatch"

// robotsCache keeps one robots.txt per scheme://host:port.
type robotsCache struct {
	mu      sync.Mutex
	entries map[string]*robotsEntry

	ttl, errTTL time.Duration
	get         func(ctx context.Context, hc *http.Client, u string) (status int, body []byte, err error)
	now         func() time.Time
}

type robotsEntry struct {
	ready   chan struct{} // closed when the fetch below finished
	data    *robotstxt.RobotsData
	verdict RobotsVerdict // RobotsNone or RobotsUnreachable for whole-site answers
	refused error         // the SSRF guard refused the host: report that, not robots
	delay   time.Duration
	expires time.Time
}

func robotsKey(u *url.URL) string { return u.Scheme + "://" + u.Host }

// allowed returns the verdict for u and the host's Crawl-delay, fetching
// robots.txt through hc (the route the page will take) when it is not
// cached. Concurrent callers for one host share a single fetch. The error
// is non-nil when the host itself may not be contacted (the SSRF guard) or
// ctx ended before robots.txt was known.
func (rc *robotsCache) allowed(ctx context.Context, hc *http.Client, u *url.URL) (RobotsVerdict, time.Duration, error) {
	e, err := rc.entry(ctx, hc, u)
	if err != nil {
		return "", 0, fmt.Errorf("robots.txt: %w", err)
	}
	if e.refused != nil {
		return "", 0, e.refused
	}
	if e.data == nil {
		return e.verdict, e.delay, nil
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	g := e.data.FindGroup(robotsAgent)
	if !g.Test(path) {
		return RobotsDisallowed, e.delay, nil
	}
	return RobotsAllowed, e.delay, nil
}

func (rc *robotsCache) entry(ctx context.Context, hc *http.Client, u *url.URL) (*robotsEntry, error) {
	key := robotsKey(u)
	for {
		rc.mu.Lock()
		e, ok := rc.entries[key]
		if ok {
			select {
			case <-e.ready:
				if rc.now().Before(e.expires) {
					rc.mu.Unlock()
					return e, nil
				}
				ok = false // expired: fetch again below
			default:
			}
		}
		if !ok {
			e = &robotsEntry{ready: make(chan struct{})}
			rc.entries[key] = e
			rc.mu.Unlock()
			rc.load(ctx, hc, key, e)
			close(e.ready)
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			return e, nil
		}
		rc.mu.Unlock()
		select {
		case <-e.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// load fetches and parses robots.txt with RFC 9309 semantics.
func (rc *robotsCache) load(ctx context.Context, hc *http.Client, key string, e *robotsEntry) {
	status, body, err := rc.get(ctx, hc, key+"/robots.txt")
	now := rc.now()
	switch {
	case err != nil && ctx.Err() != nil:
		// Our caller gave up; do not remember a failure that is ours.
		e.verdict, e.expires = RobotsUnreachable, now
	case errors.Is(err, ErrForbiddenAddress):
		e.refused, e.expires = err, now.Add(rc.errTTL)
	case err != nil, status >= 500, status == http.StatusTooManyRequests:
		// §2.3.1.4: unreachable means complete disallow. 429 is treated
		// like 5xx: the site asked us to slow down, not that anything goes.
		e.verdict, e.expires = RobotsUnreachable, now.Add(rc.errTTL)
	case status >= 400:
		// §2.3.1.3: "unavailable" means no restrictions.
		e.verdict, e.expires = RobotsNone, now.Add(rc.ttl)
	default:
		data, perr := robotstxt.FromStatusAndBytes(http.StatusOK, body)
		if perr != nil {
			// §2.2: use the rules that parse; temoto rejects the file as
			// a whole, so treat an unparseable file as no rules.
			e.verdict, e.expires = RobotsNone, now.Add(rc.ttl)
			return
		}
		e.data, e.expires = data, now.Add(rc.ttl)
		e.delay = data.FindGroup(robotsAgent).CrawlDelay
	}
}

// robotsGet fetches a robots.txt through hc, a guarded client whose
// redirects are not themselves checked against robots.txt.
func (c *Client) robotsGet(ctx context.Context, hc *http.Client, u string) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, err
	}
	c.setHeaders(req)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("robots.txt: %w", err)
	}
	defer resp.Body.Close()
	body, err := readBody(resp, robotsMaxBytes)
	if errors.Is(err, errTooLarge) {
		err = nil // §2.5: parse the first 500 KiB and ignore the rest
	}
	return resp.StatusCode, body, err
}
