// Package config turns command-line flags and SHELFWATCH_* environment
// variables into one validated Config. Flags win over the environment, which
// wins over defaults. Secrets may also come from a file named by the
// variable's *_FILE twin, so they stay out of process listings and unit files.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/secret"
)

// Roles a serve process can take.
const (
	RoleAll    = "all"
	RoleWeb    = "web"
	RoleWorker = "worker"
)

// Config is everything serve and migrate need. It is built once and passed
// explicitly; nothing reads the environment after Load.
type Config struct {
	Listen          string
	DataDir         string
	DatabaseURL     string // "" → <DataDir>/shelfwatch.db
	Role            string
	LogFormat       string // text | json
	LogLevel        string // debug | info | warn | error
	ShutdownTimeout time.Duration
	EventRetention  time.Duration
	Fetch           Fetch
	HTTP            HTTP
	Accounts        Accounts
	// SecretKey seals channel secrets: base64 32-byte keys, current first
	// ("" → a key generated into DataDir; required with PostgreSQL).
	SecretKey string
	// Demo runs a simulated store on loopback with a demo account and
	// watches whose prices move (serve --demo; embedded SQLite only).
	Demo bool

	// HistoryRetention is how long raw price-history rows are kept (0:
	// forever); daily rollups are kept forever.
	HistoryRetention time.Duration
}

// Accounts configures sessions and the email accounts send (password resets).
type Accounts struct {
	SessionIdle     time.Duration // a session unused this long ends
	SessionLifetime time.Duration // a session ends this long after sign-in, used or not
	SecureCookies   bool          // mark the session cookie Secure (automatic with TLS)
	// BaseURL is the address people reach shelfwatch at, for links in
	// emails ("" → built from --listen).
	BaseURL  string
	SMTPURL  string // smtp://user:pass@host:port; "" → no email
	MailFrom string
}

// HTTP configures the web server's TLS and its defences.
type HTTP struct {
	// TLSCert and TLSKey are PEM files; with both set serve speaks HTTPS.
	TLSCert string
	TLSKey  string
	// TrustedProxies may set X-Forwarded-For; by default nobody may.
	TrustedProxies []netip.Prefix
	// APIRatePerMin limits API requests per client IP and per API token;
	// SignInRatePerMin limits sign-in, sign-up and reset requests per IP.
	// 0 turns a limit off.
	APIRatePerMin    int
	SignInRatePerMin int
}

// Fetch configures the outbound fetcher (see internal/fetch).
type Fetch struct {
	AllowPrivateNetworks bool
	AllowedCIDRs         []netip.Prefix
	ContactURL           string
	RatePerMinute        int
	Timeout              time.Duration
	MaxBodyBytes         int64
	RobotsTTL            time.Duration
	Proxies              string // "name=url,url;name2=url" or a bare list (pool "default")
	DefaultProxyPool     string
	ChromiumPath         string
	ChromiumURL          string
	RenderConcurrency    int
	RenderTimeout        time.Duration
}

// Group is a set of options a command takes.
type Group int

const (
	GroupServe Group = iota
	GroupDatabase
	GroupLog
	GroupFetch
	GroupMail
)

// Command describes what a command accepts.
type Command struct {
	Name   string
	Groups []Group
	// Flags registers the command's own flags, if any.
	Flags func(fs *flag.FlagSet)
	// Args names the positional arguments the command takes, for messages
	// ("URL"); "" means none.
	Args string
}

// Postgres reports whether the configuration selects PostgreSQL.
func (c Config) Postgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// ErrHelp is returned when -h or --help was asked for; usage was printed.
var ErrHelp = flag.ErrHelp

// option describes one setting: its flag, its environment variable and how
// to store a value. Keeping them in one table keeps help, env lookup and
// error messages in step.
type option struct {
	group  Group
	flag   string
	env    string
	def    string
	help   string
	secret bool // also read from $ENV_FILE
	set    func(c *Config, v string) error
	isBool bool // takes no value on the command line
}

func options() []option {
	str := func(field func(*Config) *string) func(*Config, string) error {
		return func(c *Config, v string) error { *field(c) = strings.TrimSpace(v); return nil }
	}
	return []option{
		{group: GroupServe, flag: "listen", env: "SHELFWATCH_LISTEN", def: "127.0.0.1:8080", help: "address to serve HTTP on (host:port)", set: setListen},
		{group: GroupServe, flag: "role", env: "SHELFWATCH_ROLE", def: RoleAll, help: "what this process runs: all, web or worker",
			set: oneOf(func(c *Config) *string { return &c.Role }, RoleAll, RoleWeb, RoleWorker)},
		{group: GroupServe, flag: "shutdown-timeout", env: "SHELFWATCH_SHUTDOWN_TIMEOUT", def: "8s", help: "how long to let requests and jobs finish on SIGTERM",
			set: duration(func(c *Config) *time.Duration { return &c.ShutdownTimeout }, time.Second, 5*time.Minute)},
		{group: GroupServe, flag: "tls-cert", env: "SHELFWATCH_TLS_CERT", help: "PEM certificate (chain) file: serve HTTPS (with --tls-key)",
			set: str(func(c *Config) *string { return &c.HTTP.TLSCert })},
		{group: GroupServe, flag: "tls-key", env: "SHELFWATCH_TLS_KEY", help: "PEM private key file of --tls-cert",
			set: str(func(c *Config) *string { return &c.HTTP.TLSKey })},
		{group: GroupServe, flag: "trusted-proxies", env: "SHELFWATCH_TRUSTED_PROXIES",
			help: "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed (default: none)", set: setTrustedProxies},
		{group: GroupServe, flag: "api-rate-limit", env: "SHELFWATCH_API_RATE_LIMIT", def: "600", help: "API requests a minute per client IP and per API token (0: no limit)",
			set: integer(func(c *Config) *int { return &c.HTTP.APIRatePerMin }, 0, 1_000_000)},
		{group: GroupServe, flag: "signin-rate-limit", env: "SHELFWATCH_SIGNIN_RATE_LIMIT", def: "10", help: "sign-in, sign-up and password-reset requests a minute per client IP (0: no limit)",
			set: integer(func(c *Config) *int { return &c.HTTP.SignInRatePerMin }, 0, 100_000)},
		{group: GroupServe, flag: "session-idle-timeout", env: "SHELFWATCH_SESSION_IDLE_TIMEOUT", def: "7d", help: "sign a browser session out after this long unused",
			set: duration(func(c *Config) *time.Duration { return &c.Accounts.SessionIdle }, time.Minute, 365*24*time.Hour)},
		{group: GroupServe, flag: "session-lifetime", env: "SHELFWATCH_SESSION_LIFETIME", def: "30d", help: "sign a browser session out this long after sign-in, however much it is used",
			set: duration(func(c *Config) *time.Duration { return &c.Accounts.SessionLifetime }, time.Minute, 365*24*time.Hour)},
		{group: GroupServe, flag: "secure-cookies", env: "SHELFWATCH_SECURE_COOKIES", def: "false", isBool: true,
			help: "mark session cookies Secure (HTTPS only); automatic with --tls-cert, set it behind a TLS-terminating proxy",
			set:  boolean(func(c *Config) *bool { return &c.Accounts.SecureCookies })},
		{group: GroupServe, flag: "base-url", env: "SHELFWATCH_BASE_URL", help: "the address people reach shelfwatch at, for links in emails, e.g. https://shelfwatch.example.com (default: from --listen)",
			set: setBaseURL},
		{group: GroupServe, flag: "secret-key", env: "SHELFWATCH_SECRET_KEY", secret: true,
			help: "base64 32-byte key sealing channel secrets (webhook URLs, tokens, SMTP passwords); several, comma-separated, current first, to rotate (default: generated into the data dir; required with PostgreSQL)",
			set:  setSecretKey},
		{group: GroupServe, flag: "event-retention", env: "SHELFWATCH_EVENT_RETENTION", def: "90d", help: "how long to keep product events (e.g. 30d, 720h)",
			set: duration(func(c *Config) *time.Duration { return &c.EventRetention }, time.Hour, 100*365*24*time.Hour)},
		{group: GroupServe, flag: "history-retention", env: "SHELFWATCH_HISTORY_RETENTION", def: "0", help: "how long to keep raw price-history rows, more than 90 days (e.g. 400d); older days stay as daily rollups (0: keep forever)",
			set: setHistoryRetention},

		{group: GroupServe, flag: "demo", env: "SHELFWATCH_DEMO", def: "false", isBool: true,
			help: "demo mode: a simulated store on loopback, a demo account (password printed once) and a dozen watches whose prices move (embedded SQLite only)",
			set:  boolean(func(c *Config) *bool { return &c.Demo })},

		{group: GroupMail, flag: "smtp-url", env: "SHELFWATCH_SMTP_URL", secret: true,
			help: "SMTP server for account email: smtp://user:password@host:587 (STARTTLS required), smtps://…:465, or smtp://host:25?tls=none for a local relay (default: none, reset links are not sent)", set: setSMTPURL},
		{group: GroupMail, flag: "mail-from", env: "SHELFWATCH_MAIL_FROM", help: "From address of shelfwatch's email, e.g. shelfwatch@example.com",
			set: str(func(c *Config) *string { return &c.Accounts.MailFrom })},

		{group: GroupDatabase, flag: "data-dir", env: "SHELFWATCH_DATA_DIR", def: "./data", help: "directory for the embedded database and local state",
			set: func(c *Config, v string) error {
				if strings.TrimSpace(v) == "" {
					return errors.New("must not be empty")
				}
				c.DataDir = v
				return nil
			}},
		{group: GroupDatabase, flag: "database-url", env: "SHELFWATCH_DATABASE_URL", help: "postgres://user:pass@host:5432/db to use PostgreSQL (default: embedded SQLite in the data dir)",
			secret: true, set: setDatabaseURL},

		{group: GroupLog, flag: "log-format", env: "SHELFWATCH_LOG_FORMAT", def: "text", help: "log format: text or json",
			set: oneOf(func(c *Config) *string { return &c.LogFormat }, "text", "json")},
		{group: GroupLog, flag: "log-level", env: "SHELFWATCH_LOG_LEVEL", def: "info", help: "log level: debug, info, warn or error",
			set: oneOf(func(c *Config) *string { return &c.LogLevel }, "debug", "info", "warn", "error")},

		{group: GroupFetch, flag: "allow-private-networks", env: "SHELFWATCH_ALLOW_PRIVATE_NETWORKS", def: "false", isBool: true,
			help: "let the fetcher reach private, loopback and link-local addresses (for local test stores only)",
			set:  boolean(func(c *Config) *bool { return &c.Fetch.AllowPrivateNetworks })},
		{group: GroupFetch, flag: "fetch-allow-cidrs", env: "SHELFWATCH_FETCH_ALLOW_CIDRS", help: "comma-separated private CIDRs the fetcher may reach, e.g. 10.1.2.0/24",
			set: setCIDRs},
		{group: GroupFetch, flag: "fetch-contact-url", env: "SHELFWATCH_FETCH_CONTACT_URL", def: "https://github.com/shelfwatch/shelfwatch",
			help: "contact URL named in the User-Agent, so store operators can reach you", set: setContactURL},
		{group: GroupFetch, flag: "fetch-rate", env: "SHELFWATCH_FETCH_RATE_PER_MIN", def: "30", help: "default requests per minute per store domain",
			set: integer(func(c *Config) *int { return &c.Fetch.RatePerMinute }, 1, 6000)},
		{group: GroupFetch, flag: "fetch-timeout", env: "SHELFWATCH_FETCH_TIMEOUT", def: "45s", help: "time limit for one request attempt, body included",
			set: duration(func(c *Config) *time.Duration { return &c.Fetch.Timeout }, time.Second, 10*time.Minute)},
		{group: GroupFetch, flag: "fetch-max-body", env: "SHELFWATCH_FETCH_MAX_BODY", def: "10485760", help: "largest page accepted, in decompressed bytes",
			set: func(c *Config, v string) error {
				var n int
				if err := integer(func(*Config) *int { return &n }, 64<<10, 1<<30)(c, v); err != nil {
					return err
				}
				c.Fetch.MaxBodyBytes = int64(n)
				return nil
			}},
		{group: GroupFetch, flag: "robots-ttl", env: "SHELFWATCH_ROBOTS_TTL", def: "24h", help: "how long a store's robots.txt is cached",
			set: duration(func(c *Config) *time.Duration { return &c.Fetch.RobotsTTL }, time.Minute, 30*24*time.Hour)},
		{group: GroupFetch, flag: "fetch-proxies", env: "SHELFWATCH_FETCH_PROXIES", secret: true,
			help: "proxy pools: name=http://u:p@host:port,socks5://host:port;other=… (a bare list is pool \"default\")", set: setProxies},
		{group: GroupFetch, flag: "fetch-default-proxy-pool", env: "SHELFWATCH_FETCH_DEFAULT_PROXY_POOL", help: "proxy pool for domains without one (empty: direct)",
			set: str(func(c *Config) *string { return &c.Fetch.DefaultProxyPool })},
		{group: GroupFetch, flag: "chromium-path", env: "SHELFWATCH_CHROMIUM_PATH", help: "Chromium binary for pages that need JavaScript (default: found on PATH)",
			set: str(func(c *Config) *string { return &c.Fetch.ChromiumPath })},
		{group: GroupFetch, flag: "chromium-url", env: "SHELFWATCH_CHROMIUM_URL", help: "ws:// DevTools URL of a running Chromium to use instead of starting one",
			set: str(func(c *Config) *string { return &c.Fetch.ChromiumURL })},
		{group: GroupFetch, flag: "render-concurrency", env: "SHELFWATCH_RENDER_CONCURRENCY", def: "2", help: "pages rendered in Chromium at once",
			set: integer(func(c *Config) *int { return &c.Fetch.RenderConcurrency }, 1, 32)},
		{group: GroupFetch, flag: "render-timeout", env: "SHELFWATCH_RENDER_TIMEOUT", def: "45s", help: "time limit for rendering one page",
			set: duration(func(c *Config) *time.Duration { return &c.Fetch.RenderTimeout }, time.Second, 10*time.Minute)},
	}
}

// Load parses a command's flags and the environment read through getenv and
// returns the configuration and the positional arguments. Errors are single
// lines meant for the user: they name the flag or variable and say what to
// fix. Flags may come before or after positional arguments.
func Load(cmd Command, args []string, getenv func(string) string, usageOut io.Writer) (Config, []string, error) {
	return load(cmd, args, getenv, usageOut, os.ReadFile)
}

func load(cmd Command, args []string, getenv func(string) string, usageOut io.Writer, readFile func(string) ([]byte, error)) (Config, []string, error) {
	var opts []option
	for _, o := range options() {
		if slices.Contains(cmd.Groups, o.group) {
			opts = append(opts, o)
		}
	}
	fs := flag.NewFlagSet(cmd.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, by the caller
	if cmd.Flags != nil {
		cmd.Flags(fs)
	}
	values := make(map[string]*flagValue, len(opts))
	for _, o := range opts {
		v := &flagValue{isBool: o.isBool}
		values[o.flag] = v
		env := o.env
		if o.secret {
			env += " or " + o.env + "_FILE"
		}
		fs.Var(v, o.flag, fmt.Sprintf("%s (env %s, default %q)", o.help, env, o.def))
	}
	hint := fmt.Sprintf("run 'shelfwatch %s -h' for the flags", cmd.Name)
	var positional []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(usageOut)
				fmt.Fprintf(usageOut, "usage: shelfwatch %s [flags] %s\n\n", cmd.Name, cmd.Args)
				fs.PrintDefaults()
				return Config{}, nil, ErrHelp
			}
			return Config{}, nil, fmt.Errorf("%v (%s)", err, hint)
		}
		if fs.NArg() == 0 {
			break
		}
		if cmd.Args == "" {
			return Config{}, nil, fmt.Errorf("unexpected argument %q (%s)", fs.Arg(0), hint)
		}
		positional = append(positional, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })

	var c Config
	for _, o := range opts {
		v, source, err := resolve(o, explicit[o.flag], values[o.flag].v, getenv, readFile)
		if err != nil {
			return Config{}, nil, err
		}
		if err := o.set(&c, v); err != nil {
			return Config{}, nil, fmt.Errorf("invalid %s %q: %v", source, redact(o, v), err)
		}
	}
	if (c.HTTP.TLSCert == "") != (c.HTTP.TLSKey == "") {
		return Config{}, nil, errors.New("--tls-cert and --tls-key go together: set both (SHELFWATCH_TLS_CERT, SHELFWATCH_TLS_KEY) to serve HTTPS, or neither")
	}
	if slices.Contains(cmd.Groups, GroupMail) && c.Accounts.SMTPURL != "" {
		if a, err := mail.ParseAddress(c.Accounts.MailFrom); err != nil || a.Name != "" && a.Address == "" {
			return Config{}, nil, errors.New("--smtp-url needs --mail-from (SHELFWATCH_MAIL_FROM): the address shelfwatch's email comes from, e.g. shelfwatch@example.com")
		}
	}
	if slices.Contains(cmd.Groups, GroupServe) && c.Demo && c.Postgres() {
		return Config{}, nil, errors.New("--demo runs on the embedded SQLite database only: drop --database-url (SHELFWATCH_DATABASE_URL), or --demo (SHELFWATCH_DEMO)")
	}
	if slices.Contains(cmd.Groups, GroupServe) && c.Postgres() && c.SecretKey == "" {
		return Config{}, nil, errors.New("--secret-key (SHELFWATCH_SECRET_KEY or SHELFWATCH_SECRET_KEY_FILE) is required with PostgreSQL: every process must seal and open channel secrets with the same key; make one with: head -c 32 /dev/urandom | base64")
	}
	if slices.Contains(cmd.Groups, GroupServe) && c.Role != RoleAll && !c.Postgres() {
		return Config{}, nil, fmt.Errorf("--role %s needs PostgreSQL: set --database-url postgres://… (SHELFWATCH_DATABASE_URL); the embedded SQLite database serves one process, use --role all", c.Role)
	}
	return c, positional, nil
}

// flagValue records a flag's raw text; options parse it after the
// environment is consulted, so both go through the same validation.
type flagValue struct {
	v      string
	isBool bool
}

func (f *flagValue) String() string     { return f.v }
func (f *flagValue) Set(s string) error { f.v = s; return nil }
func (f *flagValue) IsBoolFlag() bool   { return f.isBool }

// resolve picks the value for o and names where it came from, for messages.
func resolve(o option, explicit bool, flagValue string, getenv func(string) string, readFile func(string) ([]byte, error)) (value, source string, err error) {
	if explicit {
		return flagValue, "--" + o.flag, nil
	}
	envValue := getenv(o.env)
	if o.secret {
		if path := getenv(o.env + "_FILE"); path != "" {
			if envValue != "" {
				return "", "", fmt.Errorf("both %s and %s_FILE are set: keep one", o.env, o.env)
			}
			b, err := readFile(path)
			if err != nil {
				return "", "", fmt.Errorf("cannot read %s_FILE: %v", o.env, err)
			}
			return strings.TrimSpace(string(b)), o.env + "_FILE", nil
		}
	}
	if envValue != "" {
		return envValue, o.env, nil
	}
	return o.def, "default --" + o.flag, nil
}

// redact hides credentials in secret values before they reach a message.
func redact(o option, v string) string {
	if !o.secret {
		return v
	}
	if u, err := url.Parse(v); err == nil && u.User != nil {
		u.User = url.User("…")
		return u.String()
	}
	return "…"
}

func setListen(c *Config, v string) error {
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return errors.New("must be host:port, e.g. 127.0.0.1:8080 or :8080")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return errors.New("port must be a number from 0 to 65535")
	}
	_ = host // empty host means all interfaces
	c.Listen = v
	return nil
}

func setDatabaseURL(c *Config, v string) error {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
	case strings.HasPrefix(v, "postgres://"), strings.HasPrefix(v, "postgresql://"):
		u, err := url.Parse(v)
		if err != nil {
			return errors.New("not a valid URL: write postgres://user:password@host:5432/dbname")
		}
		if u.Host == "" {
			return errors.New("missing host: write postgres://user:password@host:5432/dbname")
		}
	case strings.HasPrefix(v, "sqlite:"), strings.HasPrefix(v, "file:"):
	default:
		return errors.New("must start with postgres:// (or sqlite: for another SQLite file); leave unset for the embedded database")
	}
	c.DatabaseURL = v
	return nil
}

func oneOf(field func(*Config) *string, allowed ...string) func(*Config, string) error {
	return func(c *Config, v string) error {
		for _, a := range allowed {
			if strings.EqualFold(v, a) {
				*field(c) = a
				return nil
			}
		}
		return fmt.Errorf("must be one of %s", strings.Join(allowed, ", "))
	}
}

func duration(field func(*Config) *time.Duration, min, max time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := ParseDuration(v)
		if err != nil {
			return err
		}
		if d < min || d > max {
			return fmt.Errorf("must be between %s and %s", min, max)
		}
		*field(c) = d
		return nil
	}
}

// setHistoryRetention refuses 90 days or less: charts of up to 90 days read
// raw rows.
func setHistoryRetention(c *Config, v string) error {
	d, err := ParseDuration(v)
	if err != nil {
		return err
	}
	if d < 0 || d != 0 && d <= 90*24*time.Hour {
		return errors.New("must be more than 90 days (charts of up to 90 days read raw history), or 0 to keep it forever")
	}
	c.HistoryRetention = d
	return nil
}

// ParseDuration accepts Go durations ("90s", "12h") and whole days ("30d").
func boolean(field func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return errors.New("must be true or false")
		}
		*field(c) = b
		return nil
	}
}

func integer(field func(*Config) *int, min, max int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < min || n > max {
			return fmt.Errorf("must be a whole number from %d to %d", min, max)
		}
		*field(c) = n
		return nil
	}
}

func setCIDRs(c *Config, v string) error {
	c.Fetch.AllowedCIDRs = nil
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return fmt.Errorf("%q is not a CIDR such as 10.1.2.0/24", part)
		}
		c.Fetch.AllowedCIDRs = append(c.Fetch.AllowedCIDRs, p.Masked())
	}
	return nil
}

func setBaseURL(c *Config, v string) error {
	v = strings.TrimRight(strings.TrimSpace(v), "/")
	if v == "" {
		c.Accounts.BaseURL = ""
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return errors.New("must be an http(s) URL such as https://shelfwatch.example.com")
	}
	c.Accounts.BaseURL = v
	return nil
}

// setSMTPURL checks the shape only; the error never repeats the password
// (load redacts the value of a secret option).
func setSecretKey(c *Config, v string) error {
	v = strings.TrimSpace(v)
	if v != "" {
		if _, err := secret.ParseKeys(v); err != nil {
			return errors.New("must be base64 of 32 random bytes (head -c 32 /dev/urandom | base64), several separated by commas")
		}
	}
	c.SecretKey = v
	return nil
}

func setSMTPURL(c *Config, v string) error {
	v = strings.TrimSpace(v)
	if v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
			return errors.New("must be smtp://user:password@host:port (or smtps:// for TLS from the start)")
		}
	}
	c.Accounts.SMTPURL = v
	return nil
}

// setTrustedProxies takes CIDRs or single addresses.
func setTrustedProxies(c *Config, v string) error {
	c.HTTP.TrustedProxies = nil
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			a, aerr := netip.ParseAddr(part)
			if aerr != nil {
				return fmt.Errorf("%q is not an address or CIDR such as 10.0.0.0/8", part)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		c.HTTP.TrustedProxies = append(c.HTTP.TrustedProxies, p.Masked())
	}
	return nil
}

func setContactURL(c *Config, v string) error {
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "mailto") || (u.Host == "" && u.Scheme != "mailto") {
		return errors.New("must be an http(s) or mailto: URL where store operators can reach you")
	}
	c.Fetch.ContactURL = u.String()
	return nil
}

// setProxies checks the pool syntax here so a typo fails at start-up; the
// fetcher parses the same text again with fetch.ParseProxyPools.
func setProxies(c *Config, v string) error {
	v = strings.TrimSpace(v)
	for _, pool := range strings.Split(v, ";") {
		pool = strings.TrimSpace(pool)
		if pool == "" {
			continue
		}
		list := pool
		if name, rest, ok := strings.Cut(pool, "="); ok && !strings.Contains(name, "://") {
			if strings.TrimSpace(name) == "" {
				return errors.New("a pool name is empty; write name=url,url;name2=url")
			}
			list = rest
		}
		for _, raw := range strings.Split(list, ",") {
			u, err := url.Parse(strings.TrimSpace(raw))
			if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5") {
				return errors.New("each proxy must be an http://, https:// or socks5:// URL with a host")
			}
		}
	}
	c.Fetch.Proxies = v
	return nil
}

func ParseDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, errors.New("must be a duration such as 30d, 12h or 90s")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, errors.New("must be a duration such as 30d, 12h or 90s")
	}
	return d, nil
}
