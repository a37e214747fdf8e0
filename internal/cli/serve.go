package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/catalog"
	"github.com/shelfwatch/shelfwatch/internal/config"
	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/fetch"
	"github.com/shelfwatch/shelfwatch/internal/history"
	"github.com/shelfwatch/shelfwatch/internal/jobs"
	"github.com/shelfwatch/shelfwatch/internal/monitor"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web"
	"github.com/shelfwatch/shelfwatch/internal/web/api"
	"github.com/shelfwatch/shelfwatch/internal/web/ratelimit"
	"github.com/shelfwatch/shelfwatch/internal/web/sse"
	"github.com/shelfwatch/shelfwatch/internal/web/ui"
)

// Watches made before accounts live in this workspace; the first user to
// sign up (or be created with 'shelfwatch user create') adopts it.
const defaultWorkspaceSlug = "default"

var (
	serveCommand   = config.Command{Name: "serve", Groups: []config.Group{config.GroupServe, config.GroupDatabase, config.GroupLog, config.GroupFetch, config.GroupMail}}
	migrateCommand = config.Command{Name: "migrate", Groups: []config.Group{config.GroupDatabase, config.GroupLog}}
)

// loadConfig parses a command's flags and environment; on failure it prints
// one line and returns the exit code to use.
func loadConfig(cmd config.Command, e env, args []string) (config.Config, []string, int, bool) {
	c, pos, err := config.Load(cmd, args, e.getenv, e.stdout)
	if errors.Is(err, config.ErrHelp) {
		return c, nil, exitOK, false
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "shelfwatch %s: %v\n", cmd.Name, err)
		return c, nil, exitUsage, false
	}
	return c, pos, 0, true
}

func newLogger(c config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.LogLevel)) // validated by config
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openDB opens and migrates the database. Migrating on every start is safe
// with several processes: goose and River serialise their migrations.
func openDB(ctx context.Context, c config.Config, log *slog.Logger) (*db.DB, error) {
	d, err := db.Open(ctx, db.Options{URL: c.DatabaseURL, DataDir: c.DataDir, Logger: log})
	if err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx); err != nil {
		_ = d.Close()
		return nil, err
	}
	return d, nil
}

func runMigrate(ctx context.Context, e env, args []string) int {
	c, _, code, ok := loadConfig(migrateCommand, e, args)
	if !ok {
		return code
	}
	log := newLogger(c, e.stderr)
	d, err := openDB(ctx, c, log)
	if err != nil {
		fmt.Fprintf(e.stderr, "shelfwatch migrate: %s\n", oneLine(err))
		return exitFailure
	}
	defer d.Close()
	fmt.Fprintf(e.stdout, "shelfwatch migrate: %s database is up to date\n", d.Engine)
	return exitOK
}

func runServe(ctx context.Context, e env, args []string) int {
	c, _, code, ok := loadConfig(serveCommand, e, args)
	if !ok {
		return code
	}
	log := newLogger(c, e.stderr)
	var ready chan string
	if c.Demo { // demo.go
		dm, err := startDemo(ctx, &c, log, e.stdout, e.getenv)
		if err != nil {
			fmt.Fprintf(e.stderr, "shelfwatch serve --demo: %s\n", oneLine(err))
			return exitFailure
		}
		defer dm.stop()
		ready = dm.ready
	}
	if err := serve(ctx, c, log, ready); err != nil {
		fmt.Fprintf(e.stderr, "shelfwatch serve: %s\n", oneLine(err))
		return exitFailure
	}
	return exitOK
}

// serve runs until ctx is cancelled (SIGINT/SIGTERM), then drains: the HTTP
// server stops accepting and finishes in-flight requests, running jobs
// finish, and the database closes. ready, if not nil, receives the bound
// address once the server accepts connections (tests listen on :0).
func serve(ctx context.Context, c config.Config, log *slog.Logger, ready chan<- string) error {
	d, err := openDB(ctx, c, log)
	if err != nil {
		return err
	}
	defer d.Close()
	st := store.New(d)
	ws, err := st.EnsureWorkspace(ctx, defaultWorkspaceSlug, "Default workspace")
	if err != nil {
		return fmt.Errorf("default workspace: %w", err)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	// The monitor (role all or worker) checks due products; its confirm
	// re-checks run as River jobs, so River is built with its worker.
	var mon *monitor.Monitor
	confirmer := &monitor.JobsConfirmer{}
	jobOpts := jobs.Options{Logger: log, EventRetention: c.EventRetention}
	catOpts := catalog.Options{Store: st, Logger: log, AllowPrivateNetworks: c.Fetch.AllowPrivateNetworks,
		AllowedCIDRs: c.Fetch.AllowedCIDRs}
	if c.Role != config.RoleWeb {
		fetcher, err := fetch.New(fetchOptions(c, log))
		if err != nil {
			return fmt.Errorf("fetcher: %w", err)
		}
		defer func() { _ = fetcher.Close() }()
		mon, err = monitor.New(monitor.Options{
			Store: st, Fetcher: fetcher, Owner: monitor.WorkerID(), Confirmer: confirmer,
			DefaultRatePerMin: float64(c.Fetch.RatePerMinute), DrainTimeout: drainTimeout(c.ShutdownTimeout), Logger: log,
			Registerer: reg, Extract: newDomainRules(st, log).Extract,
		})
		if err != nil {
			return err
		}
		jobOpts.Register = mon.Register
		catOpts.Fetcher = fetcher
	}
	// Catalog scans run where the monitor runs; every role registers the
	// workers so that the API's "scan now" can enqueue a scan.
	cat, err := catalog.New(catOpts)
	if err != nil {
		return err
	}
	jobOpts.Register = cat.RegisterWith(jobOpts.Register)
	// Accounts: sign-in, sessions and API tokens; expired sessions and
	// tokens are cleaned up by a River job.
	accounts, err := newAccounts(c, st, log)
	if err != nil {
		return err
	}
	jobOpts.Register = chainRegister(jobOpts.Register, accounts.RegisterJobs)
	// Price history: partitions ahead, daily rollups, retention.
	jobOpts.Register = chainRegister(jobOpts.Register, history.New(history.Options{Store: st, Retention: c.HistoryRetention, Logger: log}).Register)
	// Alerts: events become notifications in their transaction; deliveries
	// run on River's notify queue in every role that runs jobs.
	alerts, err := newAlerting(c, st, log, reg, &jobOpts)
	if err != nil {
		return err
	}
	runner, err := jobs.New(d, st, jobOpts)
	if err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	lv := startLive(ctx, c, d, log) // live.go
	defer lv.stop()
	alerts.start(st, runner, c.Accounts.BaseURL, lv.pub)
	confirmer.Runner = runner
	cat.Jobs = runner
	if c.Role != config.RoleWeb {
		if err := runner.Start(ctx); err != nil {
			return fmt.Errorf("start job queue: %w", err)
		}
	}
	monCtx, stopMonitor := context.WithCancel(ctx)
	defer stopMonitor()
	monDone := make(chan error, 1)
	if mon != nil {
		log.Info("monitor started", "owner", mon.Owner())
		go func() { monDone <- mon.Run(monCtx) }()
	} else {
		monDone <- nil
	}

	apiIPLimit, apiTokenLimit, signInLimit := rateLimiters(c.HTTP)
	adminFetch, closeAdminFetch, err := adminPageFetcher(c, st, log) // serve_admin.go
	if err != nil {
		return err
	}
	defer func() { _ = closeAdminFetch() }()
	preview, closePreview, err := newPreview(c, log, st) // preview.go
	if err != nil {
		return err
	}
	defer func() { _ = closePreview() }()
	imgOpts := fetchOptions(c, log)
	var events http.Handler
	if lv.hub != nil {
		events = sse.Handler(lv.hub, signedInWorkspace, st.WatchedProductIDs)
	}
	pages, err := ui.New(&ui.Handler{Store: st, Auth: accounts, Logger: log, Preview: preview, Live: events,
		Images: fetch.NewOutboundClient(imgOpts, 10*time.Second), UserAgent: imgOpts.UserAgent()})
	if err != nil {
		return fmt.Errorf("web pages: %w", err)
	}
	handler := web.Handler(web.Deps{
		UI:       pages.Routes(),
		Live:     lv.hub,
		Logger:   log,
		Registry: reg,
		API: &api.Handler{Store: st, Logger: log, DefaultWorkspace: ws.ID, Now: func() int64 { return time.Now().UnixMilli() },
			Catalogs:     cat,
			TokenLimiter: apiTokenLimit, Auth: accounts, SwitchWorkspace: accounts.SwitchWorkspace, BaseURL: c.Accounts.BaseURL,
			ProxyPools: proxyPoolNames(c.Fetch.Proxies), Notify: alerts.service,
			FetchPage: adminFetch, Proxies: adminProxyPools(c.Fetch)},
		TLS:            c.HTTP.TLSCert != "",
		TrustedProxies: c.HTTP.TrustedProxies,
		TrustedOrigins: trustedOrigins(c.Accounts.BaseURL),
		APILimiter:     apiIPLimit,
		SignInLimiter:  signInLimit,
		Ready: func(ctx context.Context) error {
			if err := d.Ping(ctx); err != nil {
				return fmt.Errorf("database: %w", err)
			}
			return runner.Ping(ctx)
		},
	})
	if mon != nil {
		handler = wakeOnNewWatch(handler, mon)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if lv.hub != nil {
		srv.RegisterOnShutdown(lv.hub.Close) // open event streams end, or Shutdown would wait for them
	}
	scheme := "http"
	if c.HTTP.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(c.HTTP.TLSCert, c.HTTP.TLSKey)
		if err != nil {
			return fmt.Errorf("TLS certificate %s and key %s: %w", c.HTTP.TLSCert, c.HTTP.TLSKey, err)
		}
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
		scheme = "https"
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another shelfwatch running? set --listen)", c.Listen, err)
	}
	log.Info("shelfwatch serving", "addr", scheme+"://"+displayAddr(ln.Addr()), "database", string(d.Engine), "role", c.Role)
	if ready != nil {
		ready <- ln.Addr().String()
	}

	serveErr := make(chan error, 1)
	go func() {
		if srv.TLSConfig != nil {
			serveErr <- srv.ServeTLS(ln, "", "")
			return
		}
		serveErr <- srv.Serve(ln)
	}()
	select {
	case err := <-serveErr:
		stopCtx, cancel := context.WithTimeout(context.Background(), c.ShutdownTimeout)
		defer cancel()
		stopMonitor()
		select {
		case <-monDone:
		case <-stopCtx.Done():
		}
		_ = runner.Stop(stopCtx)
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}

	log.Info("shutting down", "timeout", c.ShutdownTimeout)
	stopCtx, cancel := context.WithTimeout(context.Background(), c.ShutdownTimeout)
	defer cancel()
	var errs []error
	if err := srv.Shutdown(stopCtx); err != nil {
		errs = append(errs, fmt.Errorf("http shutdown: %w", err))
	}
	// The monitor saw ctx end with the rest: it finishes in-flight checks
	// (within its drain time) and releases the leases of unstarted ones.
	select {
	case err := <-monDone:
		if err != nil {
			errs = append(errs, fmt.Errorf("monitor: %w", err))
		}
	case <-stopCtx.Done():
		errs = append(errs, fmt.Errorf("monitor shutdown: %w", stopCtx.Err()))
	}
	if c.Role != config.RoleWeb {
		if err := runner.Stop(stopCtx); err != nil {
			errs = append(errs, fmt.Errorf("job queue shutdown: %w", err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	log.Info("shelfwatch stopped cleanly")
	return nil
}

// proxyPoolNames lists the configured proxy pools (config.Load checked the
// syntax), for the admin API's domain settings.
func proxyPoolNames(proxies string) []string {
	pools, err := fetch.ParseProxyPools(proxies)
	if err != nil {
		return nil
	}
	return slices.Sorted(maps.Keys(pools))
}

// trustedOrigins lets browser requests from the public base URL through the
// cross-site check even when a proxy rewrites the Host header.
func trustedOrigins(baseURL string) []string {
	u, err := url.Parse(baseURL)
	if baseURL == "" || err != nil || u.Host == "" {
		return nil
	}
	return []string{u.Scheme + "://" + u.Host} // an origin has no path
}

// rateLimiters builds the per-IP API, per-token API and per-IP sign-in
// limiters (nil when turned off). Bursts allow ten seconds' worth of API
// requests (at least 10) and half a minute's of sign-ins (at least 1).
func rateLimiters(h config.HTTP) (apiIP, apiToken, signIn *ratelimit.Limiter) {
	if n := h.APIRatePerMin; n > 0 {
		burst := max(n/6, 10)
		apiIP = ratelimit.New(float64(n), burst, 0, nil)
		apiToken = ratelimit.New(float64(n), burst, 0, nil)
	}
	if n := h.SignInRatePerMin; n > 0 {
		signIn = ratelimit.New(float64(n), max(n/2, 1), 0, nil)
	}
	return apiIP, apiToken, signIn
}

// wakeOnNewWatch pokes the in-process monitor after a watch is created, so a
// new product (due at once) is checked now rather than at the next poll.
// Other processes' monitors find it at their next poll.
func wakeOnNewWatch(next http.Handler, mon *monitor.Monitor) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		if r.Method == http.MethodPost && r.URL.Path == "/api/v1/watches" {
			mon.Wake()
		}
	})
}

// drainTimeout leaves in-flight checks most of the shutdown time, and the
// rest to release leases and stop the job queue.
func drainTimeout(shutdown time.Duration) time.Duration {
	return max(shutdown*3/4, time.Second)
}

// oneLine flattens an error (drivers like to add newlines and tabs) so the
// user gets a single line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

func displayAddr(a net.Addr) string {
	s := a.String()
	if strings.HasPrefix(s, "[::]:") {
		return "localhost" + strings.TrimPrefix(s, "[::]")
	}
	return s
}

// signedInWorkspace is the workspace of a page's session, for live updates.
func signedInWorkspace(r *http.Request) (int64, bool) {
	id, ok := auth.FromContext(r.Context())
	return id.WorkspaceID, ok && id.WorkspaceID != 0
}
