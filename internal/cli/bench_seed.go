package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/shelfwatch/shelfwatch/internal/bench"
)

const benchSeedUsage = `usage: shelfwatch bench --seed-products N --seed-history-days D [flags]
       shelfwatch bench --measure-seeded [flags]

Fill an empty database with N products over many store domains, their
change-only history over the last D days (most products change rarely, some
often, stock comes and goes), its daily rollups, one watch per product and a
"dashboard" workspace; then measure it: sizes, frontier claims, chart series
(30 d, 90 d, 1 y), the dashboard, an hourly rollup run and optionally
retention. See docs/scaling.md.

  --seed-products N       products to create (1 … 10000000)
  --seed-history-days D   days of history before now (1 … 3650)
  --seed-watches W        watches in the dashboard workspace (default 10000)
  --database-url URL      postgres://… (COPY) or a SQLite file (default: ./data/shelfwatch.db)
  --no-measure            seed only
  --measure-seeded        measure a database seeded before, without seeding
  --retention-days R      also prune raw history older than R days and measure that (deletes rows; default 0: skip)
  --seed S                generator seed (default 1)
  --json                  print one JSON object instead of the table
`

// isBenchSeed tells the seeding form of bench by its flags.
func isBenchSeed(args []string) bool {
	return slices.ContainsFunc(args, func(a string) bool {
		a = strings.TrimLeft(a, "-")
		return strings.HasPrefix(a, "seed-products") || strings.HasPrefix(a, "seed-history-days") || a == "measure-seeded"
	})
}

func runBenchSeed(ctx context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	products := fs.Int("seed-products", 0, "")
	days := fs.Int("seed-history-days", 0, "")
	watches := fs.Int("seed-watches", 10_000, "")
	dbURL := fs.String("database-url", "", "")
	noMeasure := fs.Bool("no-measure", false, "")
	measureOnly := fs.Bool("measure-seeded", false, "")
	retention := fs.Int("retention-days", 0, "")
	seed := fs.Uint64("seed", 1, "")
	asJSON := fs.Bool("json", false, "")
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(e.stdout, benchSeedUsage)
		return exitOK
	}
	if err == nil {
		switch {
		case fs.NArg() > 0:
			err = fmt.Errorf("unexpected argument %q (bench takes only flags)", fs.Arg(0))
		case *measureOnly && (*products != 0 || *days != 0):
			err = errors.New("--measure-seeded measures a seeded database: drop --seed-products and --seed-history-days")
		case !*measureOnly && (*products < 1 || *products > 10_000_000):
			err = fmt.Errorf("--seed-products must be between 1 and 10000000, got %d", *products)
		case !*measureOnly && (*days < 1 || *days > 3650):
			err = fmt.Errorf("--seed-history-days must be between 1 and 3650, got %d", *days)
		case *watches < 1:
			err = fmt.Errorf("--seed-watches must be at least 1, got %d", *watches)
		case *retention != 0 && *retention <= 90:
			err = fmt.Errorf("--retention-days must be more than 90 (charts of up to 90 days read raw history), got %d", *retention)
		case *noMeasure && *measureOnly:
			err = errors.New("--no-measure and --measure-seeded contradict each other")
		}
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "shelfwatch bench: %s\n", oneLine(err))
		return exitUsage
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	out := struct {
		Seed    *bench.SeedResult  `json:"seed,omitempty"`
		Measure *bench.Measurement `json:"measure,omitempty"`
	}{}
	if !*measureOnly {
		out.Seed, err = bench.Seed(ctx, bench.SeedOptions{DatabaseURL: *dbURL, DataDir: "./data", Products: *products,
			HistoryDays: *days, DashboardWatches: *watches, Seed: *seed, Logger: log})
		if err != nil {
			fmt.Fprintf(e.stderr, "shelfwatch bench: %s\n", oneLine(err))
			return exitFailure
		}
	}
	if !*noMeasure {
		out.Measure, err = bench.MeasureSeeded(ctx, bench.MeasureOptions{DatabaseURL: *dbURL, DataDir: "./data",
			RetentionDays: *retention, Seed: *seed, Logger: log})
		if err != nil {
			fmt.Fprintf(e.stderr, "shelfwatch bench: %s\n", oneLine(err))
			return exitFailure
		}
	}
	if *asJSON {
		if err := json.NewEncoder(e.stdout).Encode(out); err != nil {
			fmt.Fprintf(e.stderr, "shelfwatch bench: %s\n", oneLine(err))
			return exitFailure
		}
		return exitOK
	}
	if s := out.Seed; s != nil {
		fmt.Fprintf(e.stdout, "seeded (%s): %d products, %d history rows over %d days, %d rollup rows, %d watches in %.0f s (%.0f history rows/s)\n",
			s.Engine, s.Products, s.HistoryRows, s.HistoryDays, s.RollupRows, s.Watches, s.Seconds, s.RowsPerSec)
	}
	if m := out.Measure; m != nil {
		printSeeded(e.stdout, m)
	}
	return exitOK
}

func printSeeded(w io.Writer, m *bench.Measurement) {
	mb := func(n int64) float64 { return float64(n) / (1 << 20) }
	fmt.Fprintf(w, "database (%s, %d CPUs): %d products, %d history rows, %d rollup rows, %d watches\n",
		m.Engine, m.CPUs, m.Products, m.HistoryRows, m.RollupRows, m.Watches)
	fmt.Fprintf(w, "size                   %.0f MB, %d bytes per product (products %.0f MB, watches %.0f MB, price_history %.0f MB, price_daily %.0f MB)\n",
		mb(m.DBBytes), m.BytesPerProduct, mb(m.Bytes["products"]), mb(m.Bytes["watches"]), mb(m.Bytes["price_history"]), mb(m.Bytes["price_daily"]))
	lat := func(name string, l bench.Latency, extra string) {
		fmt.Fprintf(w, "%-22s p50 %.2f ms, p95 %.2f ms, max %.2f ms (%d runs%s)\n", name, l.P50, l.P95, l.Max, l.N, extra)
	}
	lat("frontier claim", m.Claim, fmt.Sprintf(", batch of %d among %d due", m.ClaimBatch, m.DueAtClaim))
	lat("chart 30 d (raw)", m.Chart30d, fmt.Sprintf(", %.1f points each", m.Chart30d.MeanRows))
	lat("chart 90 d (raw)", m.Chart90d, fmt.Sprintf(", %.1f points each", m.Chart90d.MeanRows))
	lat("chart 1 y (rollups)", m.Chart1y, fmt.Sprintf(", %.1f days+points each", m.Chart1y.MeanRows))
	lat("dashboard rows", m.Dashboard, fmt.Sprintf(", %d watches", m.DashboardWatches))
	lat("dashboard page", m.DashboardPage, ", GET / (50 rows shown)")
	lat("dashboard by 30d chg", m.DashboardSortedByChange, ", GET /?sort=change30")
	fmt.Fprintf(w, "rollup after an hour   %.2f s for %d changed products (%d products, %d days rewritten)\n",
		m.RollupSeconds, m.RollupChanged, m.Rollup.Products, m.Rollup.Days)
	if r := m.Retention; r != nil {
		fmt.Fprintf(w, "retention %d d         %.1f s: %d partitions dropped, %d rows deleted; %d history rows left, %.0f MB\n",
			r.Days, r.Seconds, r.PartitionsDropped, r.RowsDeleted, r.HistoryRowsAfter, mb(r.DBBytesAfter))
		lat("chart 1 y after", r.Chart1yAfter, "")
	}
}
