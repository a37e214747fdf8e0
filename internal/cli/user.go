package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"github.com/riverqueue/river"

	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/config"
	"github.com/shelfwatch/shelfwatch/internal/fetch"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// newAccounts builds the accounts service from the configuration.
func newAccounts(c config.Config, st *store.Store, log *slog.Logger) (*auth.Service, error) {
	var mailer auth.Mailer
	if c.Accounts.SMTPURL != "" {
		m, err := auth.ParseSMTPURL(c.Accounts.SMTPURL, c.Accounts.MailFrom)
		if err != nil {
			return nil, fmt.Errorf("--smtp-url: %w", err)
		}
		// The SMTP server is set by the operator, like --database-url, never
		// by a user, so there is no request to forge: a relay on the LAN or
		// loopback is the common case, and private networks are allowed
		// whatever --allow-private-networks says for fetches (the guard then
		// refuses nothing; it stays so that every SMTP dial is built alike).
		o := fetchOptions(c, log)
		o.AllowPrivateNetworks = true
		m.Dial = fetch.NewGuardedDialer(o).DialContext
		mailer = m
	}
	base := c.Accounts.BaseURL
	if base == "" {
		scheme := "http"
		if c.HTTP.TLSCert != "" {
			scheme = "https"
		}
		host, port, _ := net.SplitHostPort(c.Listen)
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		base = scheme + "://" + net.JoinHostPort(host, port)
	}
	return auth.New(auth.Options{
		Store: st, Logger: log, Mailer: mailer, BaseURL: base,
		IdleTimeout: c.Accounts.SessionIdle, Lifetime: c.Accounts.SessionLifetime,
		SecureCookies: c.Accounts.SecureCookies || c.HTTP.TLSCert != "",
	}), nil
}

// chainRegister runs River registrations one after the other.
func chainRegister(fns ...func(*river.Workers) []*river.PeriodicJob) func(*river.Workers) []*river.PeriodicJob {
	return func(w *river.Workers) []*river.PeriodicJob {
		var out []*river.PeriodicJob
		for _, fn := range fns {
			if fn != nil {
				out = append(out, fn(w)...)
			}
		}
		return out
	}
}

// adminPasswordEnv holds the new user's password for scripted installs.
const adminPasswordEnv = "SHELFWATCH_ADMIN_PASSWORD"

func runUser(ctx context.Context, e env, args []string) int {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(e.stderr, "shelfwatch user: say what to do: 'shelfwatch user create --email E [--admin]'")
		return exitUsage
	}
	var email, name string
	var admin bool
	cmd := config.Command{Name: "user create", Groups: []config.Group{config.GroupDatabase, config.GroupLog},
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&email, "email", "", "the user's email address (required)")
			fs.StringVar(&name, "name", "", "the user's name")
			fs.BoolVar(&admin, "admin", false, "make the user an instance administrator (the first user always is one)")
		}}
	c, _, code, ok := loadConfig(cmd, e, args[1:])
	if !ok {
		return code
	}
	if strings.TrimSpace(email) == "" {
		fmt.Fprintln(e.stderr, "shelfwatch user create: --email is required")
		return exitUsage
	}
	password, err := readPassword(e)
	if err != nil {
		fmt.Fprintf(e.stderr, "shelfwatch user create: %v\n", err)
		return exitUsage
	}
	log := quietLogger(c, e.stderr)
	d, err := openDB(ctx, c, log)
	if err != nil {
		fmt.Fprintf(e.stderr, "shelfwatch user create: %s\n", oneLine(err))
		return exitFailure
	}
	defer d.Close()
	st := store.New(d)
	// The default workspace holds watches made before accounts; the first
	// user adopts it, as on sign-up.
	a := auth.New(auth.Options{Store: st, Logger: log})
	acct, err := a.CreateUser(ctx, auth.NewUser{Email: email, Password: password, Name: name, Admin: admin, ByOperator: true})
	var in *auth.InputError
	switch {
	case errors.As(err, &in):
		fmt.Fprintf(e.stderr, "shelfwatch user create: %s: %s\n", flagOf(in.Field), in.Detail)
		return exitUsage
	case errors.Is(err, auth.ErrEmailTaken):
		fmt.Fprintf(e.stderr, "shelfwatch user create: a user with the email %s exists\n", strings.ToLower(strings.TrimSpace(email)))
		return exitUsage
	case err != nil:
		fmt.Fprintf(e.stderr, "shelfwatch user create: %s\n", oneLine(err))
		return exitFailure
	}
	ws, err := st.GetWorkspace(ctx, acct.PersonalWorkspaceID)
	if err != nil {
		fmt.Fprintf(e.stderr, "shelfwatch user create: %s\n", oneLine(err))
		return exitFailure
	}
	role := "user"
	if acct.User.IsAdmin {
		role = "instance admin"
	}
	fmt.Fprintf(e.stdout, "created %s %s (id %d) with workspace %q\n", role, acct.User.Email, acct.User.ID, ws.Slug)
	return exitOK
}

// readPassword takes the password from SHELFWATCH_ADMIN_PASSWORD, else the
// first line of stdin (never from a flag, which would show in ps).
func readPassword(e env) (string, error) {
	if p := e.getenv(adminPasswordEnv); p != "" {
		return p, nil
	}
	line, err := bufio.NewReader(io.LimitReader(e.stdin, auth.MaxPasswordBytes+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the password from stdin: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("give the password on stdin (one line) or in %s", adminPasswordEnv)
	}
	return line, nil
}

// quietLogger is newLogger for one-shot commands whose output scripts read:
// at the default level, migration chatter stays out of stderr.
func quietLogger(c config.Config, w io.Writer) *slog.Logger {
	if c.LogLevel == "info" {
		c.LogLevel = "warn"
	}
	return newLogger(c, w)
}

func flagOf(field string) string {
	switch field {
	case "email", "name", "workspace", "scope":
		return "--" + field
	}
	return field
}
