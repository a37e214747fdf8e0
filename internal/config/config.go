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
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
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
	flag   string
	env    string
	def    string
	help   string
	secret bool // also read from $ENV_FILE
	set    func(c *Config, v string) error
}

func options() []option {
	return []option{
		{"listen", "SHELFWATCH_LISTEN", "127.0.0.1:8080", "address to serve HTTP on (host:port)", false, setListen},
		{"data-dir", "SHELFWATCH_DATA_DIR", "./data", "directory for the embedded database and local state", false,
			func(c *Config, v string) error {
				if strings.TrimSpace(v) == "" {
					return errors.New("must not be empty")
				}
				c.DataDir = v
				return nil
			}},
		{"database-url", "SHELFWATCH_DATABASE_URL", "", "postgres://user:pass@host:5432/db to use PostgreSQL (default: embedded SQLite in the data dir)", true, setDatabaseURL},
		{"role", "SHELFWATCH_ROLE", RoleAll, "what this process runs: all, web or worker", false,
			oneOf(func(c *Config) *string { return &c.Role }, RoleAll, RoleWeb, RoleWorker)},
		{"log-format", "SHELFWATCH_LOG_FORMAT", "text", "log format: text or json", false,
			oneOf(func(c *Config) *string { return &c.LogFormat }, "text", "json")},
		{"log-level", "SHELFWATCH_LOG_LEVEL", "info", "log level: debug, info, warn or error", false,
			oneOf(func(c *Config) *string { return &c.LogLevel }, "debug", "info", "warn", "error")},
		{"shutdown-timeout", "SHELFWATCH_SHUTDOWN_TIMEOUT", "8s", "how long to let requests and jobs finish on SIGTERM", false,
			duration(func(c *Config) *time.Duration { return &c.ShutdownTimeout }, time.Second, 5*time.Minute)},
		{"event-retention", "SHELFWATCH_EVENT_RETENTION", "90d", "how long to keep product events (e.g. 30d, 720h)", false,
			duration(func(c *Config) *time.Duration { return &c.EventRetention }, time.Hour, 100*365*24*time.Hour)},
	}
}

// Load parses args (the command's flags) and the environment read through
// getenv. Errors are single lines meant for the user: they name the flag or
// variable and say what to fix.
func Load(name string, args []string, getenv func(string) string, usageOut io.Writer) (Config, error) {
	return load(name, args, getenv, usageOut, os.ReadFile)
}

func load(name string, args []string, getenv func(string) string, usageOut io.Writer, readFile func(string) ([]byte, error)) (Config, error) {
	opts := options()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, by the caller
	values := make(map[string]*string, len(opts))
	for _, o := range opts {
		values[o.flag] = fs.String(o.flag, "", fmt.Sprintf("%s (env %s, default %q)", o.help, o.env, o.def))
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(usageOut)
			fmt.Fprintf(usageOut, "usage: shelfwatch %s [flags]\n\n", name)
			fs.PrintDefaults()
			return Config{}, ErrHelp
		}
		return Config{}, fmt.Errorf("%v (run 'shelfwatch %s -h' for the flags)", err, name)
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q (run 'shelfwatch %s -h' for the flags)", fs.Arg(0), name)
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })

	var c Config
	for _, o := range opts {
		v, source, err := resolve(o, explicit[o.flag], *values[o.flag], getenv, readFile)
		if err != nil {
			return Config{}, err
		}
		if err := o.set(&c, v); err != nil {
			return Config{}, fmt.Errorf("invalid %s %q: %v", source, redact(o, v), err)
		}
	}
	if c.Role != RoleAll && !c.Postgres() {
		return Config{}, fmt.Errorf("--role %s needs PostgreSQL: set --database-url postgres://… (SHELFWATCH_DATABASE_URL); the embedded SQLite database serves one process, use --role all", c.Role)
	}
	return c, nil
}

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

// ParseDuration accepts Go durations ("90s", "12h") and whole days ("30d").
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
