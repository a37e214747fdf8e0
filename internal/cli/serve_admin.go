package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/config"
	"github.com/shelfwatch/shelfwatch/internal/fetch"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/api"
)

// adminSlotWait bounds how long an admin's selector test waits for the
// domain's next request slot before giving up.
const adminSlotWait = 20 * time.Second

// adminPageFetcher builds the fetcher behind the admin's live selector test
// (every role has one: the web role serves the admin pages). Each fetch
// first takes the domain's request slot in the database, so a test counts
// against the same per-domain rate as the workers' checks; robots.txt and
// the SSRF guard apply inside the fetcher as for any check.
func adminPageFetcher(c config.Config, st *store.Store, log *slog.Logger) (api.PageFetchFunc, func() error, error) {
	client, err := fetch.New(fetchOptions(c, log))
	if err != nil {
		return nil, nil, fmt.Errorf("admin fetcher: %w", err)
	}
	rate := float64(c.Fetch.RatePerMinute)
	fn := func(ctx context.Context, pageURL string, d fetch.Domain) (*fetch.Result, error) {
		deadline := time.Now().Add(adminSlotWait)
		for {
			now := time.Now()
			ok, next, err := st.TakeDomainSlot(ctx, d.Name, now.UnixMilli(), rate)
			if err != nil {
				return nil, err
			}
			if ok {
				break
			}
			at := time.UnixMilli(next)
			if at.After(deadline) {
				return nil, fmt.Errorf("the next request slot of %s is at %s, too far to wait", d.Name, at.UTC().Format(time.RFC3339))
			}
			t := time.NewTimer(at.Sub(now))
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			case <-t.C:
			}
		}
		return client.Fetch(ctx, fetch.Request{URL: pageURL, Domain: d})
	}
	return fn, client.Close, nil
}

// adminProxyPools describes the configured proxy pools for the admin pages,
// without the proxies' credentials.
func adminProxyPools(f config.Fetch) []api.ProxyPool {
	pools, err := fetch.ParseProxyPools(f.Proxies)
	if err != nil {
		return nil
	}
	out := make([]api.ProxyPool, 0, len(pools))
	for name, urls := range pools {
		p := api.ProxyPool{Name: name, Default: name == f.DefaultProxyPool}
		for _, raw := range urls {
			u, err := url.Parse(raw)
			if err != nil {
				continue
			}
			u.User = nil
			p.Proxies = append(p.Proxies, u.String())
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b api.ProxyPool) int { return strings.Compare(a.Name, b.Name) })
	return out
}
