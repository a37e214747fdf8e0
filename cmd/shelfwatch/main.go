// Command shelfwatch watches online stores for price drops, restocks and new products.
package main

import (
	"os"

	"github.com/shelfwatch/shelfwatch/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
