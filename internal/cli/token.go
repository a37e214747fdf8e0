package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/config"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

func runToken(ctx context.Context, e env, args []string) int {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(e.stderr, "shelfwatch token: say what to do: 'shelfwatch token create --email E [--workspace SLUG] [--scope read|read-write] [--name N]'")
		return exitUsage
	}
	var email, slug, scope, name string
	cmd := config.Command{Name: "token create", Groups: []config.Group{config.GroupDatabase, config.GroupLog},
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&email, "email", "", "the token's user (required)")
			fs.StringVar(&slug, "workspace", "", "slug of the workspace the token acts in (default: the user's own)")
			fs.StringVar(&scope, "scope", string(auth.ScopeReadWrite), "read or read-write")
			fs.StringVar(&name, "name", "cli", "a name to recognise the token by")
		}}
	c, _, code, ok := loadConfig(cmd, e, args[1:])
	if !ok {
		return code
	}
	if strings.TrimSpace(email) == "" {
		fmt.Fprintln(e.stderr, "shelfwatch token create: --email is required")
		return exitUsage
	}
	if s := auth.Scope(scope); s != auth.ScopeRead && s != auth.ScopeReadWrite {
		fmt.Fprintf(e.stderr, "shelfwatch token create: --scope must be read or read-write, not %q\n", scope)
		return exitUsage
	}
	log := quietLogger(c, e.stderr)
	d, err := openDB(ctx, c, log)
	if err != nil {
		fmt.Fprintf(e.stderr, "shelfwatch token create: %s\n", oneLine(err))
		return exitFailure
	}
	defer d.Close()
	a := auth.New(auth.Options{Store: store.New(d), Logger: log})
	token, _, err := a.CreateTokenForEmail(ctx, email, slug, name, auth.Scope(scope))
	var in *auth.InputError
	switch {
	case errors.As(err, &in):
		fmt.Fprintf(e.stderr, "shelfwatch token create: %s: %s\n", flagOf(in.Field), in.Detail)
		return exitUsage
	case err != nil:
		fmt.Fprintf(e.stderr, "shelfwatch token create: %s\n", oneLine(err))
		return exitFailure
	}
	// Only the token on stdout, so TOKEN=$(shelfwatch token create …) works.
	fmt.Fprintln(e.stdout, token)
	return exitOK
}
