package cli

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
)

// Version is set at build time with -ldflags "-X .../internal/cli.Version=v1.2.3".
var Version = "dev"

func osGetenv(k string) string { return os.Getenv(k) }

func runVersion(ctx context.Context, e env, args []string) int {
	v := Version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	fmt.Fprintf(e.stdout, "shelfwatch %s\n", v)
	return exitOK
}
