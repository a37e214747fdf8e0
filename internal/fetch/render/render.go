// Package render loads pages in headless Chromium for stores that only show
// prices after JavaScript runs. It drives the system Chromium (or a running
// browser over the DevTools protocol) with chromedp, a small fixed number of
// pages at a time, each in a fresh browser context with a hard time limit,
// and sends all browser traffic through a local proxy that dials with the
// caller's SSRF-guarded dialer.
package render

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/remote"
)

// ErrNoBrowser is returned when no Chromium binary was found and no
// DevTools URL was configured.
var ErrNoBrowser = errors.New("render: no Chromium found (install chromium, or set its path or a DevTools URL)")

// ErrRefused wraps a page the SSRF guard would not let the browser reach.
var ErrRefused = errRefused

// ErrTooLarge is returned when the rendered document passes MaxBytes.
var ErrTooLarge = errors.New("render: rendered document exceeds the size cap")

// DialFunc dials a network address; Options.Dial must be SSRF-guarded.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Options configure a Renderer.
type Options struct {
	ExecPath    string        // "" → FindChromium
	RemoteURL   string        // a DevTools websocket URL; wins over ExecPath
	Concurrency int           // pages at once; default 2
	Timeout     time.Duration // hard limit per page, queueing excluded; default 45 s
	Settle      time.Duration // wait after the load event for late scripts; default 1 s
	MaxBytes    int64         // cap on the rendered HTML; default 10 MiB
	UserAgent   string
	ProxyListen string // default 127.0.0.1:0
	Dial        DialFunc
	IsRefused   func(error) bool // tells a guard refusal from other dial errors
}

// Page is a rendered page.
type Page struct {
	Status   int    // HTTP status of the main document
	FinalURL string // after redirects
	HTML     string // document.documentElement.outerHTML after scripts ran
}

// Renderer renders pages. The browser starts on the first Render and is
// restarted if it dies. Safe for concurrent use.
type Renderer struct {
	o   Options
	sem chan struct{}

	mu      sync.Mutex
	proxy   *guardedProxy
	browser context.Context // a chromedp context holding the running browser
	stop    context.CancelFunc
	dataDir string
}

// New returns a Renderer; nothing starts until the first Render.
func New(o Options) *Renderer {
	if o.Concurrency <= 0 {
		o.Concurrency = 2
	}
	if o.Timeout <= 0 {
		o.Timeout = 45 * time.Second
	}
	if o.Settle < 0 {
		o.Settle = 0
	} else if o.Settle == 0 {
		o.Settle = time.Second
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 10 << 20
	}
	if o.ProxyListen == "" {
		o.ProxyListen = "127.0.0.1:0"
	}
	if o.IsRefused == nil {
		o.IsRefused = func(error) bool { return false }
	}
	return &Renderer{o: o, sem: make(chan struct{}, o.Concurrency)}
}

// FindChromium looks for a Chromium or Chrome binary on PATH.
func FindChromium() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoBrowser
}

// start launches (or attaches to) the browser and the guarded proxy.
func (r *Renderer) start() (context.Context, string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.browser != nil && r.browser.Err() == nil {
		return r.browser, r.proxy.addr(), nil
	}
	r.shutdownLocked()
	if r.o.Dial == nil {
		return nil, "", errors.New("render: no guarded dialer configured")
	}
	p, err := startProxy(r.o.ProxyListen, r.o.Dial, r.o.IsRefused)
	if err != nil {
		return nil, "", fmt.Errorf("render: guarded proxy: %w", err)
	}
	r.proxy = p
	proxyURL := "http://" + p.addr()

	var alloc context.Context
	var cancelAlloc context.CancelFunc
	if r.o.RemoteURL != "" {
		alloc, cancelAlloc = remote.NewAllocator(context.Background(), r.o.RemoteURL)
	} else {
		path := r.o.ExecPath
		if path == "" {
			if path, err = FindChromium(); err != nil {
				r.shutdownLocked()
				return nil, "", err
			}
		}
		dir, err := os.MkdirTemp("", "shelfwatch-chromium-")
		if err != nil {
			r.shutdownLocked()
			return nil, "", fmt.Errorf("render: user data dir: %w", err)
		}
		r.dataDir = dir
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.UserDataDir(dir),
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-domain-reliability", true),
			chromedp.Flag("dns-prefetch-disable", true),
			// Everything through the guarded proxy, loopback included
			// ("<-loopback>" removes Chromium's implicit bypass), and no
			// WebRTC UDP around it.
			chromedp.ProxyServer(proxyURL),
			chromedp.Flag("proxy-bypass-list", "<-loopback>"),
			chromedp.Flag("force-webrtc-ip-handling-policy", "disable_non_proxied_udp"),
		)
		if r.o.UserAgent != "" {
			opts = append(opts, chromedp.UserAgent(r.o.UserAgent))
		}
		alloc, cancelAlloc = chromedp.NewExecAllocator(context.Background(), opts...)
	}
	// The first Do binds the browser's life to the context it is given, so
	// it gets bctx itself (no timeout) and the browser lives until Close.
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	if err := chromedp.Do(bctx); err != nil {
		cancelBrowser()
		cancelAlloc()
		r.shutdownLocked()
		return nil, "", fmt.Errorf("render: start browser: %w", err)
	}
	r.browser = bctx
	r.stop = func() { cancelBrowser(); cancelAlloc() }
	return bctx, proxyURL, nil
}

// Render loads url and returns the document after its scripts ran. It
// waits for a free slot (respecting ctx), then has Timeout for the page.
func (r *Renderer) Render(ctx context.Context, url string) (Page, error) {
	select {
	case r.sem <- struct{}{}:
		defer func() { <-r.sem }()
	case <-ctx.Done():
		return Page{}, ctx.Err()
	}
	browser, proxyURL, err := r.start()
	if err != nil {
		return Page{}, err
	}
	// A fresh browser context per page: no cookies or storage carried
	// between stores or checks, and the proxy set again at this level so
	// a remote browser (RemoteURL) is guarded too.
	tab, closeTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext(func(p *target.CreateBrowserContextParams) {
		p.ProxyServer = proxyURL
		p.ProxyBypassList = "<-loopback>"
	}))
	defer closeTab()
	ctx, cancel := context.WithTimeout(ctx, r.o.Timeout)
	defer cancel()
	stopOnCancel := context.AfterFunc(ctx, closeTab)
	defer stopOnCancel()

	resp, err := chromedp.Run(tab, chromedp.NavigateResponse(url))
	if err != nil {
		if ctx.Err() != nil {
			return Page{}, fmt.Errorf("render %s: %w", url, ctx.Err())
		}
		return Page{}, fmt.Errorf("render %s: %w", url, err)
	}
	if _, refused := resp.Headers[refusedHeader]; refused {
		return Page{}, fmt.Errorf("render %s: %w", url, errRefused)
	}
	if r.o.Settle > 0 {
		if err := chromedp.Do(tab, chromedp.Sleep(r.o.Settle)); err != nil {
			return Page{}, fmt.Errorf("render %s: %w", url, err)
		}
	}
	html, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	if err != nil {
		return Page{}, fmt.Errorf("render %s: read DOM: %w", url, err)
	}
	if int64(len(html)) > r.o.MaxBytes {
		return Page{}, fmt.Errorf("render %s: %w", url, ErrTooLarge)
	}
	final, err := chromedp.Run(tab, chromedp.Evaluate[string](`location.href`))
	if err != nil {
		final = resp.URL
	}
	return Page{Status: int(resp.Status), FinalURL: final, HTML: html}, nil
}

// Close stops the browser and the proxy.
func (r *Renderer) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.shutdownLocked()
	return nil
}

func (r *Renderer) shutdownLocked() {
	if r.stop != nil {
		r.stop()
		r.stop = nil
	}
	r.browser = nil
	if r.proxy != nil {
		r.proxy.close()
		r.proxy = nil
	}
	if r.dataDir != "" {
		_ = os.RemoveAll(r.dataDir)
		r.dataDir = ""
	}
}
