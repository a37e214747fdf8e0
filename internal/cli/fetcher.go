package cli

import (
	"log/slog"

	"github.com/shelfwatch/shelfwatch/internal/config"
	"github.com/shelfwatch/shelfwatch/internal/fetch"
)

// fetchOptions maps the configuration onto the fetcher's options. The proxy
// pool text was validated by config; ParseProxyPools cannot fail on it.
func fetchOptions(c config.Config, log *slog.Logger) fetch.Options {
	f := c.Fetch
	pools, _ := fetch.ParseProxyPools(f.Proxies)
	return fetch.Options{
		Version:              Version,
		ContactURL:           f.ContactURL,
		AllowPrivateNetworks: f.AllowPrivateNetworks,
		AllowedCIDRs:         f.AllowedCIDRs,
		RequestTimeout:       f.Timeout,
		MaxBodyBytes:         f.MaxBodyBytes,
		DefaultRatePerMinute: float64(f.RatePerMinute),
		RobotsTTL:            f.RobotsTTL,
		ProxyPools:           pools,
		DefaultProxyPool:     f.DefaultProxyPool,
		ChromiumPath:         f.ChromiumPath,
		ChromiumURL:          f.ChromiumURL,
		RenderConcurrency:    f.RenderConcurrency,
		RenderTimeout:        f.RenderTimeout,
		Logger:               log,
	}
}
