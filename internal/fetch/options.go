package fetch

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// DefaultContactURL is named in the User-Agent when Options.ContactURL is
// empty, so a store operator can always find out who is calling.
const DefaultContactURL = "https://github.com/shelfwatch/shelfwatch"

// Options configure a Client. Zero values mean the documented defaults.
type Options struct {
	// Version and ContactURL make the User-Agent
	// "shelfwatch/<Version> (+<ContactURL>)".
	Version    string
	ContactURL string

	// AllowPrivateNetworks lets requests reach loopback, private, link-local
	// and other special-purpose addresses. Off by default: a URL typed by a
	// user must not reach the cloud metadata service or the admin panel on
	// the LAN. AllowedCIDRs opens only the listed prefixes instead.
	AllowPrivateNetworks bool
	AllowedCIDRs         []netip.Prefix

	ConnectTimeout        time.Duration // default 10 s
	TLSHandshakeTimeout   time.Duration // default 10 s
	ResponseHeaderTimeout time.Duration // default 20 s
	RequestTimeout        time.Duration // whole attempt, body included; default 45 s
	MaxBodyBytes          int64         // decompressed; default 10 MiB

	DefaultRatePerMinute float64       // per domain; default 30
	RobotsTTL            time.Duration // a robots.txt read (2xx or 4xx) is kept this long; default 24 h
	RobotsErrorTTL       time.Duration // a 5xx/unreachable robots.txt means "disallow all" this long; default 30 min

	MaxAttempts   int           // per fetch, retries included; default 3
	BackoffBase   time.Duration // first retry waits about this long; default 2 s
	BackoffMax    time.Duration // default 30 s
	MaxRetryAfter time.Duration // a longer Retry-After ends the fetch instead of waiting; default 2 min

	BreakerFailures int           // consecutive failed fetches that open a domain's breaker; default 5
	BreakerOpenFor  time.Duration // open → half-open; default 60 s
	BreakerTrials   uint32        // requests allowed half-open; that many successes close it; default 3

	// ProxyPools maps a pool name to proxy URLs (http://, https:// or
	// socks5://, credentials in the userinfo). DefaultProxyPool is used
	// when a domain names none; "" means direct.
	ProxyPools       map[string][]string
	DefaultProxyPool string
	ProxyCooldown    time.Duration // a proxy that hit a bot wall rests this long; default 15 min
	ProxyRetireAfter int           // consecutive blocks that retire a proxy until restart; default 5

	// Headless rendering for Domain.RequiresJS. ChromiumPath "" looks up
	// chromium, chromium-browser, google-chrome on PATH; ChromiumURL, when
	// set, is a DevTools websocket URL of a running browser instead.
	ChromiumPath      string
	ChromiumURL       string
	RenderConcurrency int           // default 2
	RenderTimeout     time.Duration // hard limit per page; default 45 s
	RenderSettle      time.Duration // wait after the load event for late scripts; default 1 s
	// RenderProxyListen is where the guarded proxy the browser must use
	// listens; default 127.0.0.1:0. Set it to an address a remote browser
	// (ChromiumURL) can reach.
	RenderProxyListen string

	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if o.Version == "" {
		o.Version = "dev"
	}
	if o.ContactURL == "" {
		o.ContactURL = DefaultContactURL
	}
	def(&o.ConnectTimeout, 10*time.Second)
	def(&o.TLSHandshakeTimeout, 10*time.Second)
	def(&o.ResponseHeaderTimeout, 20*time.Second)
	def(&o.RequestTimeout, 45*time.Second)
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 10 << 20
	}
	if o.DefaultRatePerMinute <= 0 {
		o.DefaultRatePerMinute = 30
	}
	def(&o.RobotsTTL, 24*time.Hour)
	def(&o.RobotsErrorTTL, 30*time.Minute)
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 3
	}
	def(&o.BackoffBase, 2*time.Second)
	def(&o.BackoffMax, 30*time.Second)
	def(&o.MaxRetryAfter, 2*time.Minute)
	if o.BreakerFailures <= 0 {
		o.BreakerFailures = 5
	}
	def(&o.BreakerOpenFor, 60*time.Second)
	if o.BreakerTrials == 0 {
		o.BreakerTrials = 3
	}
	def(&o.ProxyCooldown, 15*time.Minute)
	if o.ProxyRetireAfter <= 0 {
		o.ProxyRetireAfter = 5
	}
	if o.RenderConcurrency <= 0 {
		o.RenderConcurrency = 2
	}
	def(&o.RenderTimeout, 45*time.Second)
	def(&o.RenderSettle, time.Second)
	if o.RenderProxyListen == "" {
		o.RenderProxyListen = "127.0.0.1:0"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

func (o Options) validate() error {
	var errs []error
	u, err := url.Parse(o.ContactURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "mailto") {
		errs = append(errs, fmt.Errorf("contact URL %q: want an http(s) or mailto URL", o.ContactURL))
	}
	if strings.ContainsAny(o.Version, " ()\r\n") {
		errs = append(errs, fmt.Errorf("version %q: no spaces or parentheses", o.Version))
	}
	for name, urls := range o.ProxyPools {
		if name == "" || name == directPool {
			errs = append(errs, fmt.Errorf("proxy pool name %q is reserved", name))
		}
		for _, raw := range urls {
			if _, err := parseProxyURL(raw); err != nil {
				errs = append(errs, fmt.Errorf("proxy pool %q: %w", name, err))
			}
		}
	}
	if p := o.DefaultProxyPool; p != "" && p != directPool {
		if _, ok := o.ProxyPools[p]; !ok {
			errs = append(errs, fmt.Errorf("default proxy pool %q is not configured", p))
		}
	}
	return errors.Join(errs...)
}

// UserAgent is the honest User-Agent every request carries.
func (o Options) UserAgent() string {
	o = o.withDefaults()
	return "shelfwatch/" + o.Version + " (+" + o.ContactURL + ")"
}
