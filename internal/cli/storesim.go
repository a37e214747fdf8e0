package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/storesim"
)

// storesimUsage is printed for -h; bad flags get one line on stderr instead.
const storesimUsage = `usage: shelfwatch storesim [flags]

Run a simulated store (product pages, robots.txt, sitemaps, /products.json and
a control API under /_sim/) until SIGINT or SIGTERM.

  --listen ADDR        address to listen on (default 127.0.0.1:8090; port 0 picks one)
  --products N         number of products (default 1000)
  --seed S             content seed (default 1)
  --hosts K            spread products over 127.0.0.2 … 127.0.0.(K+1), one port (default 1)
  --latency D          delay before each store response, e.g. 50ms
  --error-rate R       share of responses that are 500 (0..1)
  --429-rate R         share of responses that are 429 (0..1)
  --block-rate R       share of responses that are a bot wall (0..1)
  --crawl-delay SEC    Crawl-delay written to robots.txt
  --layouts L,L        layout mix (jsonld, jsonld-end, microdata, opengraph, visible, shopify; default all)
  --no-validators      no ETag or Last-Modified on pages: every check is a full fetch
  --tls                serve HTTPS with a self-signed certificate
`

// runStoresim: `shelfwatch storesim --listen 127.0.0.1:PORT --products N …`.
func runStoresim(ctx context.Context, e env, args []string) int {
	opt, listen, err := parseStoresimFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(e.stdout, storesimUsage)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "shelfwatch storesim: %s\n", oneLine(err))
		return exitUsage
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	st := storesim.New(opt)
	base, err := st.Start(ctx, listen)
	if err != nil {
		fmt.Fprintf(e.stderr, "shelfwatch storesim: %s\n", oneLine(err))
		return exitFailure
	}
	printStoresim(e.stdout, st, opt, base)
	<-ctx.Done()
	st.Wait()
	fmt.Fprintln(e.stdout, "shelfwatch storesim: stopped")
	return exitOK
}

func parseStoresimFlags(args []string) (storesim.Options, string, error) {
	fs := flag.NewFlagSet("storesim", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported in one line by the caller
	listen := fs.String("listen", "127.0.0.1:8090", "")
	products := fs.Int("products", 1000, "")
	seed := fs.Uint64("seed", 1, "")
	hosts := fs.Int("hosts", 1, "")
	latency := fs.Duration("latency", 0, "")
	errRate := fs.Float64("error-rate", 0, "")
	rate429 := fs.Float64("429-rate", 0, "")
	blockRate := fs.Float64("block-rate", 0, "")
	crawlDelay := fs.Float64("crawl-delay", 0, "")
	useTLS := fs.Bool("tls", false, "")
	layouts := fs.String("layouts", "", "")
	noValidators := fs.Bool("no-validators", false, "")
	if err := fs.Parse(args); err != nil {
		return storesim.Options{}, "", err
	}
	if fs.NArg() > 0 {
		return storesim.Options{}, "", fmt.Errorf("unexpected argument %q (storesim takes only flags)", fs.Arg(0))
	}
	if *products < 1 {
		return storesim.Options{}, "", fmt.Errorf("--products must be at least 1, got %d", *products)
	}
	if *hosts < 1 {
		return storesim.Options{}, "", fmt.Errorf("--hosts must be at least 1, got %d", *hosts)
	}
	if *latency < 0 || *latency > time.Minute {
		return storesim.Options{}, "", fmt.Errorf("--latency must be between 0 and 1m, got %s", *latency)
	}
	if !strings.Contains(*listen, ":") {
		return storesim.Options{}, "", fmt.Errorf("--listen %q: want host:port", *listen)
	}
	opt := storesim.Options{
		Products: *products, Seed: *seed, Hosts: *hosts, TLS: *useTLS,
		Config: storesim.Config{
			LatencyMS: int(latency.Milliseconds()), ErrorRate: *errRate, Status429Rate: *rate429,
			BlockRate: *blockRate, CrawlDelay: *crawlDelay, NoValidators: *noValidators,
		},
	}
	if *layouts != "" {
		for l := range strings.SplitSeq(*layouts, ",") {
			opt.Layouts = append(opt.Layouts, storesim.Layout(strings.TrimSpace(l)))
		}
	}
	if err := opt.Validate(); err != nil {
		return storesim.Options{}, "", err
	}
	return opt, *listen, nil
}

func printStoresim(w io.Writer, st *storesim.Store, opt storesim.Options, base string) {
	fmt.Fprintf(w, "shelfwatch storesim: %d products, seed %d; SIGINT or SIGTERM stops it\n", st.Len(), opt.Seed)
	fmt.Fprintf(w, "base URL        %s\n", base)
	if o := st.Origins(); len(o) > 1 {
		fmt.Fprintf(w, "hosts           %s … %s (%d)\n", o[0], o[len(o)-1], len(o))
	}
	fmt.Fprintf(w, "sample product  %s\n", st.URL(1))
	fmt.Fprintf(w, "catalog         %s/sitemap.xml  %s/products.json?page=1\n", base, base)
	fmt.Fprintf(w, "control API     %s/_sim/products/1  %s/_sim/stats\n", base, base)
	if opt.TLS {
		fmt.Fprintln(w, "tls             self-signed certificate made at start (curl -k)")
	}
}
