package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"

	"github.com/shelfwatch/shelfwatch/internal/bench"
)

// benchUsage is printed for -h; bad flags get one line on stderr instead.
const benchUsage = `usage: shelfwatch bench [flags]

Measure the check pipeline: a simulated store on loopback, a temporary
database and the monitor (claim → domain slot → fetch → extract → record),
for a first round where every page is new and then rounds where a share of
prices changed. Per-domain rate limits are lifted; robots.txt, pacing and
breakers stay in the path. See docs/performance.md.

  --products N          products in the store and the database (default 1000)
  --rounds R            rounds after the first (default 3)
  --changed-share S     share of prices changed before each round (0..1, default 0.1)
  --tls                 serve the store over HTTPS (self-signed, trusted by this process only)
  --hosts K             spread products over 127.0.0.2 … 127.0.0.(K+1) (default 16)
  --concurrency C       checks at once (default 8)
  --batch B             products claimed at once (default 4 × concurrency, as serve)
  --no-validators       the store sends no ETag/Last-Modified: every check downloads the page
  --no-reuse            the store closes every connection: a new TCP (and TLS) connection per request
  --idle-products N     then add N products that are not due and time claiming a due batch
  --alert-drops N       then drop N prices with a workspace any-drop rule and a webhook on loopback, and
                        time each alert from its commit to the webhook (default 100; 0 skips)
  --database-url URL    PostgreSQL to use (a fresh schema, dropped after); default SQLite in a temp dir
  --seed S              store content seed (default 1)
  --json                print one JSON object instead of the table
  --cpuprofile FILE     write a CPU profile of the whole run (go tool pprof FILE)

shelfwatch bench --seed-products N --seed-history-days D fills a database with
N products and their history and measures it (--seed-products -h for more).
`

func runBench(ctx context.Context, e env, args []string) int {
	if isBenchSeed(args) { // bench_seed.go: fill a database and measure it
		return runBenchSeed(ctx, e, args)
	}
	opt, asJSON, profile, err := parseBenchFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(e.stdout, benchUsage)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "shelfwatch bench: %s\n", oneLine(err))
		return exitUsage
	}
	opt.Logger = slog.New(slog.NewTextHandler(e.stderr, nil))
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			fmt.Fprintf(e.stderr, "shelfwatch bench: %s\n", oneLine(err))
			return exitFailure
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(e.stderr, "shelfwatch bench: %s\n", oneLine(err))
			return exitFailure
		}
		defer pprof.StopCPUProfile()
	}
	res, err := bench.Run(ctx, opt)
	if err != nil {
		fmt.Fprintf(e.stderr, "shelfwatch bench: %s\n", oneLine(err))
		return exitFailure
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		if err := enc.Encode(res); err != nil {
			fmt.Fprintf(e.stderr, "shelfwatch bench: %s\n", oneLine(err))
			return exitFailure
		}
	} else {
		printBench(e.stdout, res)
	}
	if !res.CheckedEveryRound || res.HistoryRows != int64(res.PricesChanged) {
		fmt.Fprintln(e.stderr, "shelfwatch bench: invariant broken: not every product was checked each round, or history rows ≠ prices changed")
		return exitFailure
	}
	return exitOK
}

func parseBenchFlags(args []string) (bench.Options, bool, string, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported in one line by the caller
	products := fs.Int("products", 1000, "")
	rounds := fs.Int("rounds", 3, "")
	share := fs.Float64("changed-share", 0.1, "")
	useTLS := fs.Bool("tls", false, "")
	hosts := fs.Int("hosts", 16, "")
	conc := fs.Int("concurrency", 8, "")
	batch := fs.Int("batch", 0, "")
	noValidators := fs.Bool("no-validators", false, "")
	noReuse := fs.Bool("no-reuse", false, "")
	idle := fs.Int("idle-products", 0, "")
	alertDrops := fs.Int("alert-drops", 100, "")
	dbURL := fs.String("database-url", "", "")
	seed := fs.Uint64("seed", 1, "")
	asJSON := fs.Bool("json", false, "")
	profile := fs.String("cpuprofile", "", "")
	if err := fs.Parse(args); err != nil {
		return bench.Options{}, false, "", err
	}
	switch {
	case fs.NArg() > 0:
		return bench.Options{}, false, "", fmt.Errorf("unexpected argument %q (bench takes only flags)", fs.Arg(0))
	case *products < 1 || *products > 1_000_000:
		return bench.Options{}, false, "", fmt.Errorf("--products must be between 1 and 1000000, got %d", *products)
	case *rounds < 1:
		return bench.Options{}, false, "", fmt.Errorf("--rounds must be at least 1, got %d", *rounds)
	case !(*share >= 0 && *share <= 1):
		return bench.Options{}, false, "", fmt.Errorf("--changed-share must be between 0 and 1, got %g", *share)
	case *hosts < 1 || *hosts > 250:
		return bench.Options{}, false, "", fmt.Errorf("--hosts must be between 1 and 250, got %d", *hosts)
	case *conc < 1:
		return bench.Options{}, false, "", fmt.Errorf("--concurrency must be at least 1, got %d", *conc)
	case *batch < 0:
		return bench.Options{}, false, "", fmt.Errorf("--batch must be at least 1 (or 0 for the default), got %d", *batch)
	case *idle < 0 || *idle > 10_000_000:
		return bench.Options{}, false, "", fmt.Errorf("--idle-products must be between 0 and 10000000, got %d", *idle)
	case *alertDrops < 0:
		return bench.Options{}, false, "", fmt.Errorf("--alert-drops must be at least 0, got %d", *alertDrops)
	case *dbURL != "" && !isPostgres(*dbURL):
		return bench.Options{}, false, "", fmt.Errorf("--database-url must be a postgres:// URL (the default is SQLite in a temporary directory)")
	}
	return bench.Options{
		Products: *products, Rounds: *rounds, ChangedShare: *share, TLS: *useTLS, Hosts: *hosts,
		Concurrency: *conc, Batch: *batch, NoValidators: *noValidators, NoReuse: *noReuse, IdleProducts: *idle, AlertDrops: *alertDrops, DatabaseURL: *dbURL, Seed: *seed,
	}, *asJSON, *profile, nil
}

func isPostgres(u string) bool {
	return len(u) > 11 && (u[:11] == "postgres://" || (len(u) > 13 && u[:13] == "postgresql://"))
}

func printBench(w io.Writer, r *bench.Result) {
	scheme := "http"
	if r.TLS {
		scheme = "https"
	}
	if r.NoReuse {
		scheme += ", no connection reuse"
	}
	if r.NoValidators {
		scheme += ", no validators"
	}
	fmt.Fprintf(w, "shelfwatch bench: %d products over %d hosts (%s), %s, concurrency %d, %d CPUs\n",
		r.Products, r.Hosts, scheme, r.Engine, r.Concurrency, r.CPUs)
	fmt.Fprintf(w, "%-22s %8s %9s %10s %12s %8s %8s\n", "", "checks", "checks/s", "extracted", "CPU µs/check", "p50 ms", "p99 ms")
	for _, p := range []struct {
		name string
		ph   bench.Phase
	}{{"first round (all new)", r.First}, {fmt.Sprintf("%d change rounds", r.Rounds), r.Change}} {
		fmt.Fprintf(w, "%-22s %8d %9.0f %10d %12.0f %8.2f %8.2f\n", p.name, p.ph.Checks, p.ph.ChecksPerSec,
			p.ph.FullFetches, p.ph.CPUMicrosCheck, p.ph.P50MS, p.ph.P99MS)
	}
	fmt.Fprintf(w, "prices changed         %d (share %g a round)\n", r.PricesChanged, r.ChangedShare)
	fmt.Fprintf(w, "history rows           %d in the change rounds (%d in the first)\n", r.HistoryRows, r.HistoryRowsFirst)
	fmt.Fprintf(w, "every product checked  %t each round; failed checks %d\n", r.CheckedEveryRound, r.FailedChecks)
	fmt.Fprintf(w, "peak RSS               %.1f MB (whole process, simulated store included)\n", float64(r.PeakRSSKB)/1024)
	fmt.Fprintf(w, "database               %d bytes, %d bytes per product\n", r.DBBytes, r.DBBytesPerProduct)
	if ic := r.Idle; ic != nil {
		fmt.Fprintf(w, "idle claim             batch of %d among %d idle products: p50 %.2f ms, max %.2f ms (%d claims; insert %.1f s)\n",
			ic.Batch, ic.IdleProducts, ic.P50MS, ic.MaxMS, ic.Claims, ic.InsertSec)
	}
	if a := r.Alerts; a != nil {
		fmt.Fprintf(w, "alerts                 %d prices dropped → %d notifications: commit → webhook p50 %.0f ms, p95 %.0f ms, max %.0f ms\n",
			a.Drops, a.Notifications, a.P50MS, a.P95MS, a.MaxMS)
	}
	fmt.Fprintln(w, "goals (issues 5 and 6):")
	for _, g := range r.GoalsMet {
		verdict := "-"
		switch {
		case g.Met == nil:
		case *g.Met:
			verdict = "met"
		default:
			verdict = "NOT MET"
		}
		fmt.Fprintf(w, "  %-8s %s: %s\n", verdict, g.Goal, g.Measured)
	}
}
