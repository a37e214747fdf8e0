package cli

import (
	"context"
	"fmt"
)

// runCheck: `shelfwatch check [--html FILE] [--json] URL`. Placeholder.
func runCheck(ctx context.Context, e env, args []string) int {
	fmt.Fprintln(e.stderr, "shelfwatch check: not implemented yet")
	return exitFailure
}
