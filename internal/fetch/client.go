package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/sony/gobreaker/v2"
	"golang.org/x/time/rate"
)

// errInvalidURL is wrapped by Fetch's error for a URL it will not try.
var errInvalidURL = errors.New("fetch: invalid URL")

// Client fetches store pages politely and safely. It is safe for
// concurrent use; create one per process and Close it at shutdown.
type Client struct {
	opts       Options
	ua         string
	guard      *guard
	direct     *http.Client // pages
	robotsHTTP *http.Client // robots.txt: same transport, no robots check on redirects
	pools      map[string]*proxyPool
	robots     *robotsCache
	pacer      *pacer
	breakers   *breakers
	renderer   renderer
	now        func() time.Time

	closeOnce sync.Once
}

// New builds a Client. It fails only on invalid options.
func New(opts Options) (*Client, error) {
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("fetch options: %w", err)
	}
	c := &Client{
		opts:  opts,
		ua:    opts.UserAgent(),
		guard: newGuard(opts.AllowPrivateNetworks, opts.AllowedCIDRs),
		now:   time.Now,
		pacer: &pacer{limiters: map[string]*rate.Limiter{}, def: opts.DefaultRatePerMinute},
		breakers: &breakers{m: map[string]*gobreaker.CircuitBreaker[struct{}]{},
			failures: opts.BreakerFailures, openFor: opts.BreakerOpenFor, trials: opts.BreakerTrials, log: opts.Logger},
		pools: map[string]*proxyPool{},
	}
	rt := newTransport(opts, c.guard.dialer(opts.ConnectTimeout).DialContext)
	c.robotsHTTP = c.newHTTPClient(rt, false, nil)
	c.direct = c.newHTTPClient(rt, false, c.robotsHTTP)
	c.robots = &robotsCache{entries: map[string]*robotsEntry{}, ttl: opts.RobotsTTL, errTTL: opts.RobotsErrorTTL,
		get: c.robotsGet, now: func() time.Time { return c.now() }}
	for name, urls := range opts.ProxyPools {
		p := &proxyPool{name: name}
		for _, raw := range urls {
			u, err := parseProxyURL(raw)
			if err != nil {
				return nil, err
			}
			e, err := c.newProxyEntry(u)
			if err != nil {
				return nil, err
			}
			p.entries = append(p.entries, e)
		}
		c.pools[name] = p
	}
	c.renderer = newChromium(opts, c.guard)
	return c, nil
}

// Close releases idle connections and stops the browser, if one started.
func (c *Client) Close() error {
	var err error
	c.closeOnce.Do(func() {
		c.direct.CloseIdleConnections()
		for _, p := range c.pools {
			for _, e := range p.entries {
				e.http.CloseIdleConnections()
			}
		}
		err = c.renderer.Close()
	})
	return err
}

// UserAgent is the User-Agent the client sends.
func (c *Client) UserAgent() string { return c.ua }

func (c *Client) setHeaders(req *http.Request) {
	req.Header.Set("User-Agent", c.ua)
	req.Header.Set("Accept-Encoding", acceptEncoding)
}

// Fetch fetches one page. It returns a Result for every outcome, including
// failures of the page or the network (see Result.Outcome and Result.Err);
// the error is non-nil only when the request is unusable (not an http(s)
// URL with a host) or ctx ended, and then the Result is nil.
func (c *Client) Fetch(ctx context.Context, req Request) (*Result, error) {
	start := c.now()
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errInvalidURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return nil, fmt.Errorf("%w: %q is not an http(s) URL with a host", errInvalidURL, u.Redacted())
	}
	u.Fragment, u.RawFragment = "", ""
	domain := req.Domain.Name
	if domain == "" {
		domain = strings.ToLower(u.Hostname())
	}
	res := c.fetch(ctx, u, domain, req)
	res.BreakerState = c.breakers.get(domain).State().String()
	if err := ctx.Err(); err != nil && res.Outcome.Failure() {
		return nil, fmt.Errorf("fetch %s: %w", u.Redacted(), err)
	}
	if res.Attempts == 0 && errors.Is(res.Err, context.DeadlineExceeded) {
		// ctx's deadline came before the domain's next slot.
		return nil, fmt.Errorf("fetch %s: %w", u.Redacted(), res.Err)
	}
	res.Duration = c.now().Sub(start)
	return res, nil
}

func (c *Client) fetch(ctx context.Context, u *url.URL, domain string, req Request) *Result {
	res := &Result{FinalURL: u.String(), ETag: req.ETag, LastModified: req.LastModified}

	// Refuse a literal forbidden IP before anything else touches the
	// network, robots.txt included.
	if err := c.precheck(ctx, u, false); err != nil {
		return classify(res, err)
	}
	cb := c.breakers.get(domain)
	if st := cb.State(); st == gobreaker.StateOpen {
		res.Outcome, res.Err = OutcomeBreakerOpen, fmt.Errorf("fetch: circuit breaker for %s is open", domain)
		return res
	}
	// robots.txt goes the way the page will go: through the domain's
	// proxy pool if it has one (direct egress may be closed).
	first, err := c.route(req.Domain.ProxyPool)
	if err != nil {
		res.Outcome, res.Err = OutcomeNoProxy, err
		return res
	}
	robotsHC := c.robotsHTTP
	if first.proxy != nil {
		if err := c.precheck(ctx, u, true); err != nil {
			return classify(res, err)
		}
		robotsHC = first.proxy.robots
	}
	verdict, crawlDelay, err := c.robots.allowed(ctx, robotsHC, u)
	if err != nil {
		return classify(res, err)
	}
	res.RobotsVerdict = verdict
	if verdict == RobotsDisallowed || verdict == RobotsUnreachable {
		res.Outcome, res.Err = OutcomeDisallowed, fmt.Errorf("fetch: robots.txt of %s: %s", u.Host, verdict)
		return res
	}

	_, err = cb.Execute(func() (struct{}, error) {
		c.attempts(ctx, u, domain, crawlDelay, req, first, res)
		switch {
		case ctx.Err() != nil:
			return struct{}{}, errNotCounted
		case countsAgainstDomain(res):
			return struct{}{}, errCounted
		}
		return struct{}{}, nil
	})
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		res.Outcome, res.Err = OutcomeBreakerOpen, fmt.Errorf("fetch: circuit breaker for %s: %w", domain, err)
	}
	return res
}

// attempts runs the request, retrying transient failures, and fills res.
func (c *Client) attempts(ctx context.Context, u *url.URL, domain string, crawlDelay time.Duration, req Request, rt route, res *Result) {
	for n := 1; ; n++ {
		if err := c.pacer.wait(ctx, domain, req.Domain.RatePerMinute, crawlDelay); err != nil {
			if n == 1 {
				classify(res, err)
			} // else keep the last attempt's result
			return
		}
		*res = Result{RobotsVerdict: res.RobotsVerdict, Attempts: n, ETag: req.ETag, LastModified: req.LastModified, FinalURL: u.String()}
		if n > 1 {
			// Each retry draws its proxy afresh, by recent success.
			var err error
			if rt, err = c.route(req.Domain.ProxyPool); err != nil {
				res.Outcome, res.Err = OutcomeNoProxy, err
				return
			}
		}
		if req.Domain.RequiresJS {
			c.render(ctx, u, req.PrevBodyHash, res)
		} else {
			c.once(ctx, u, req, rt, res)
		}
		if n >= c.opts.MaxAttempts || !transient(res) || ctx.Err() != nil {
			return
		}
		wait := backoff(n, c.opts.BackoffBase, c.opts.BackoffMax)
		c.opts.Logger.Debug("fetch: retrying", "url", u.Redacted(), "attempt", n, "outcome", string(res.Outcome), "status", res.Status, "retry_after", res.RetryAfter)
		if res.RetryAfter > 0 {
			if res.RetryAfter > c.opts.MaxRetryAfter {
				return // the caller reschedules; RetryAfter tells it when
			}
			wait = max(wait, res.RetryAfter)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// route is the way a request leaves: direct, or through one proxy.
type route struct {
	proxy *proxyEntry // nil for direct
}

// route picks the way out for a domain's proxy pool setting.
func (c *Client) route(pool string) (route, error) {
	if pool == "" {
		pool = c.opts.DefaultProxyPool
	}
	if pool == "" || pool == directPool {
		return route{}, nil
	}
	p, ok := c.pools[pool]
	if !ok {
		return route{}, fmt.Errorf("%w: pool %q is not configured", errNoProxy, pool)
	}
	pe, err := p.pick(c.now())
	if err != nil {
		return route{}, err
	}
	return route{proxy: pe}, nil
}

// once makes one request (redirects included) and fills res.
func (c *Client) once(ctx context.Context, u *url.URL, req Request, rt route, res *Result) {
	hc := c.direct
	if pe := rt.proxy; pe != nil {
		if err := c.precheck(ctx, u, true); err != nil {
			classify(res, err)
			return
		}
		hc, res.ProxyUsed = pe.http, pe.label
		defer func() {
			if pe.report(res, c.now(), c.opts.ProxyCooldown, c.opts.ProxyRetireAfter) {
				c.opts.Logger.Warn("fetch: proxy retired after repeated bot walls", "proxy", pe.label, "reason", res.BlockReason)
			}
		}()
	}

	ctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		classify(res, err)
		return
	}
	c.setHeaders(hreq)
	hreq.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	if req.ETag != "" {
		hreq.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hreq.Header.Set("If-Modified-Since", req.LastModified)
	}
	resp, err := hc.Do(hreq)
	if err != nil {
		classify(res, err)
		return
	}
	defer resp.Body.Close()
	res.Status = resp.StatusCode
	res.FinalURL = resp.Request.URL.String()
	res.ContentType = resp.Header.Get("Content-Type")
	res.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.now())
	if v := resp.Header.Get("ETag"); v != "" {
		res.ETag = v
	}
	if v := resp.Header.Get("Last-Modified"); v != "" {
		res.LastModified = v
	}
	if resp.StatusCode == http.StatusNotModified {
		res.Outcome, res.BodyHash = OutcomeNotModified, req.PrevBodyHash
		return
	}

	raw, err := readBody(resp, c.opts.MaxBodyBytes)
	res.Bytes = int64(len(raw))
	if err != nil {
		classify(res, err)
		return
	}
	if reason := detectBlock(resp.StatusCode, resp.Header, raw); reason != "" {
		res.Outcome, res.BlockReason = OutcomeBlocked, reason
		res.Err = fmt.Errorf("fetch: %s looks like a bot wall (%s)", res.FinalURL, reason)
		return
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		res.Outcome, res.Err = OutcomeHTTPError, fmt.Errorf("fetch: %s: HTTP %d", res.FinalURL, resp.StatusCode)
		return
	}
	res.BodyHash = hashBody(raw)
	body, err := toUTF8(raw, res.ContentType)
	if err != nil {
		classify(res, err)
		return
	}
	res.Body = body
	res.Outcome = OutcomeOK
	if req.PrevBodyHash != "" && req.PrevBodyHash == res.BodyHash {
		res.Outcome = OutcomeUnchanged
	}
}
