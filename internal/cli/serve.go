package cli

import (
	"context"
	"fmt"
)

func runServe(ctx context.Context, e env, args []string) int {
	fmt.Fprintln(e.stderr, "shelfwatch serve: not implemented yet")
	return exitFailure
}

func runMigrate(ctx context.Context, e env, args []string) int {
	fmt.Fprintln(e.stderr, "shelfwatch migrate: not implemented yet")
	return exitFailure
}
