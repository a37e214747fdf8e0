package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/url"
)

// page is what a renderer hands back: the DOM after scripts ran.
type page struct {
	Status   int
	FinalURL string
	HTML     string
}

// renderer runs a page in a headless browser.
type renderer interface {
	Render(ctx context.Context, url string) (page, error)
	Close() error
}

var errNoRenderer = errors.New("fetch: headless rendering is not available")

type noRenderer struct{}

func (noRenderer) Render(context.Context, string) (page, error) { return page{}, errNoRenderer }
func (noRenderer) Close() error                                 { return nil }

func newChromium(Options, *guard) renderer { return noRenderer{} }

// render fetches u through the headless browser and fills res.
func (c *Client) render(ctx context.Context, u *url.URL, res *Result) {
	res.Rendered = true
	p, err := c.renderer.Render(ctx, u.String())
	if err != nil {
		if errors.Is(err, ErrForbiddenAddress) {
			classify(res, err)
			return
		}
		res.Outcome, res.Err = OutcomeRender, fmt.Errorf("render %s: %w", u.Redacted(), err)
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
	if p.Status != 0 && (p.Status < 200 || p.Status > 299) {
		res.Outcome, res.Err = OutcomeHTTPError, fmt.Errorf("fetch: %s: HTTP %d", res.FinalURL, p.Status)
		return
	}
	res.Body, res.BodyHash, res.ContentType = body, hashBody(body), "text/html; charset=utf-8"
	res.Outcome = OutcomeOK
}
