package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/shelfwatch/shelfwatch/internal/fetch/render"
)

// renderer runs a page in a headless browser; *render.Renderer in
// production.
type renderer interface {
	Render(ctx context.Context, url string) (render.Page, error)
	Close() error
}

// newChromium prepares (but does not start) the headless browser. Its
// traffic leaves through the same guarded dialer as the fetcher's own.
// Proxy pools do not apply to rendered pages.
func newChromium(o Options, g *guard) renderer {
	return render.New(render.Options{
		ExecPath:    o.ChromiumPath,
		RemoteURL:   o.ChromiumURL,
		Concurrency: o.RenderConcurrency,
		Timeout:     o.RenderTimeout,
		Settle:      o.RenderSettle,
		MaxBytes:    o.MaxBodyBytes,
		UserAgent:   o.UserAgent(),
		ProxyListen: o.RenderProxyListen,
		Dial:        g.dialer(o.ConnectTimeout).DialContext,
		IsRefused:   func(err error) bool { return errors.Is(err, ErrForbiddenAddress) },
	})
}

// render fetches u through the headless browser and fills res. Rendered
// pages are never conditional: the browser's cache is fresh each time.
func (c *Client) render(ctx context.Context, u *url.URL, prevHash string, res *Result) {
	res.Rendered = true
	// The browser proxy would refuse a forbidden page too; checking here
	// names the outcome properly and spares starting a tab.
	if _, err := c.guard.checkHost(ctx, u.Hostname()); err != nil {
		classify(res, err)
		return
	}
	p, err := c.renderer.Render(ctx, u.String())
	switch {
	case errors.Is(err, render.ErrRefused):
		classify(res, fmt.Errorf("%w: %w", ErrForbiddenAddress, err))
		return
	case errors.Is(err, render.ErrTooLarge):
		classify(res, fmt.Errorf("%w: %w", errTooLarge, err))
		return
	case errors.Is(err, context.DeadlineExceeded):
		res.Outcome, res.Err = OutcomeTimeout, err
		return
	case err != nil:
		res.Outcome, res.Err = OutcomeRender, err
		return
	}
	res.Status, res.FinalURL = p.Status, p.FinalURL
	body := []byte(p.HTML)
	res.Bytes = int64(len(body))
	if reason := detectBlock(p.Status, nil, body); reason != "" {
		res.Outcome, res.BlockReason = OutcomeBlocked, reason
		res.Err = fmt.Errorf("fetch: %s looks like a bot wall (%s)", res.FinalURL, reason)
		return
	}
	if p.Status < 200 || p.Status > 299 {
		res.Outcome, res.Err = OutcomeHTTPError, fmt.Errorf("fetch: %s: HTTP %d", res.FinalURL, p.Status)
		return
	}
	res.Body, res.BodyHash, res.ContentType = body, hashBody(body), "text/html; charset=utf-8"
	res.Outcome = OutcomeOK
	if prevHash != "" && prevHash == res.BodyHash {
		res.Outcome = OutcomeUnchanged
	}
}
