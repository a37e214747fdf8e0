package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/shelfwatch/shelfwatch/internal/config"
	"github.com/shelfwatch/shelfwatch/internal/extract"
	"github.com/shelfwatch/shelfwatch/internal/fetch"
	"github.com/shelfwatch/shelfwatch/internal/price"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/ui"
)

// maxPreviewEvidence keeps the add page's evidence list short.
const maxPreviewEvidence = 12

// newPreview is the add-product page's live preview: `shelfwatch check`
// for one URL, through a fetch client of its own (robots.txt, the SSRF
// guard, per-domain pacing, breaker and proxies as configured) and the
// domain's stored settings and selectors. It works in every role, so a
// web-only process can preview too. close releases the client.
func newPreview(c config.Config, log *slog.Logger, st *store.Store) (ui.PreviewFunc, func() error, error) {
	client, err := fetch.New(fetchOptions(c, log))
	if err != nil {
		return nil, nil, fmt.Errorf("preview fetcher: %w", err)
	}
	rules := newDomainRules(st, log)
	fn := func(ctx context.Context, rawURL string) (*ui.Preview, error) {
		u, err := parsePageURL(rawURL)
		if err != nil {
			return nil, &ui.PreviewError{Msg: "Enter the product page's full address, starting with http:// or https://."}
		}
		host := strings.ToLower(u.Hostname())
		req := fetch.Request{URL: u.String(), Domain: fetch.Domain{Name: host}}
		dom, err := st.GetDomain(ctx, host)
		switch {
		case err == nil:
			if dom.Blocked {
				return nil, &ui.PreviewError{Msg: "The administrator has stopped all checks of " + host + "."}
			}
			req.Domain.RatePerMinute, req.Domain.RequiresJS, req.Domain.ProxyPool = dom.RatePerMin, dom.RequiresJS, dom.ProxyPool
		case !errors.Is(err, store.ErrNotFound):
			return nil, fmt.Errorf("preview: domain %s: %w", host, err)
		}
		res, err := client.Fetch(ctx, req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, &ui.PreviewError{Msg: "The store took too long to answer. Try again, or save the watch and let the checker retry."}
			}
			return nil, fmt.Errorf("preview: fetch %s: %w", u, err)
		}
		if res.Outcome != fetch.OutcomeOK {
			return nil, &ui.PreviewError{Msg: previewFailure(res)}
		}
		obs := rules.Extract(res.Body, res.FinalURL)
		return previewOf(res.FinalURL, obs), nil
	}
	return fn, client.Close, nil
}

// previewOf maps an extraction onto what the add page shows (pure).
func previewOf(pageURL string, o extract.Observation) *ui.Preview {
	p := &ui.Preview{URL: pageURL, Title: o.Title, Currency: o.Currency, Availability: string(o.Availability),
		ImageURL: o.Image, Strategy: o.Source}
	if o.Price != "" {
		if minor, ok := (price.Price{Amount: o.Price, Currency: o.Currency}).Minor(); ok {
			p.PriceMinor = &minor
		}
	}
	for _, ev := range o.Evidence {
		if len(p.Evidence) == maxPreviewEvidence {
			p.Evidence = append(p.Evidence, fmt.Sprintf("… and %d more", len(o.Evidence)-maxPreviewEvidence))
			break
		}
		line := ev.Strategy + " · " + ev.Field + ": " + ev.Value
		if ev.Where != "" {
			line += " (" + ev.Where + ")"
		}
		p.Evidence = append(p.Evidence, line)
	}
	return p
}

// previewFailure says in words, to the person adding the product, why
// there is nothing to preview.
func previewFailure(r *fetch.Result) string {
	switch r.Outcome {
	case fetch.OutcomeDisallowed:
		return "The store's robots.txt does not allow fetching this page, so shelfwatch will not check it."
	case fetch.OutcomeBlocked:
		return "The store answered with a bot wall (" + r.BlockReason + "); shelfwatch does not work around those."
	case fetch.OutcomeSSRF:
		return "That address is on a private, loopback or link-local network, which this server does not fetch."
	case fetch.OutcomeTimeout:
		return "The store took too long to answer. Try again later."
	case fetch.OutcomeBreakerOpen:
		return "Recent checks of this store kept failing, so shelfwatch is pausing it for a while. Try again later."
	case fetch.OutcomeTooLarge:
		return "The page is larger than this server reads."
	case fetch.OutcomeHTTPError:
		return fmt.Sprintf("The store answered HTTP %d: is the address right?", r.Status)
	case fetch.OutcomeNetwork:
		return "Could not connect to the store: is the address right?"
	case fetch.OutcomeRedirects:
		return "The page redirects too many times, or away from http(s)."
	}
	return "The page could not be fetched (" + strings.ReplaceAll(string(r.Outcome), "_", " ") + ")."
}
