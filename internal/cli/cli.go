// Package cli implements shelfwatch's commands. Each command parses its own
// flags and returns a process exit code: 0 ok, 1 runtime failure, 2 bad usage
// or bad configuration.
package cli

import (
	"context"
	"fmt"
	"io"
	"os/signal"
	"syscall"
)

// Exit codes shared by every command.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// env gives a command its streams and environment without globals.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e env, args []string) int
}

func commands() []command {
	return []command{
		{"serve", "run the web UI, API, scheduler and workers", runServe},
		{"migrate", "apply database migrations and exit", runMigrate},
		{"backup", "copy the SQLite database while serve runs: backup --to FILE [--force]", runBackup},
		{"check", "fetch or read a product page and print what was extracted", runCheck},
		{"user", "create a user: user create --email E [--admin] (password on stdin)", runUser},
		{"token", "create an API token: token create --email E", runToken},
		{"storesim", "run a simulated store for demos, tests and benchmarks", runStoresim},
		{"bench", "measure the check pipeline against a simulated store", runBench},
		{"version", "print the version", runVersion},
	}
}

// Main runs the command named by args[0].
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return mainEnv(args, env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: osGetenv})
}

func mainEnv(args []string, e env) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(e.stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return c.run(ctx, e, args[1:])
		}
	}
	fmt.Fprintf(e.stderr, "shelfwatch: unknown command %q (run 'shelfwatch help' for the list)\n", args[0])
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: shelfwatch <command> [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'shelfwatch <command> -h' for a command's flags.")
}
