package cli

import (
	"fmt"
	"io"
	"net/url"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/config"
	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/storesim"
)

// BenchmarkWorkerProcesses measures checks/s with 1, 2 and 4
// `serve --role worker` processes sharing one PostgreSQL database, against
// a storesim store of 5,000 products on 32 loopback hosts. One iteration
// is one slot: every product made due, then checked once (304s: the first
// slot, full pages, is untimed and reported as first-checks/s). The
// per-domain rate is the flag's maximum (6,000/min), so 32 hosts cap the
// rate at 3,200 checks/s. Everything shares the machine: storesim and the
// benchmark, the workers, PostgreSQL.
//
//	SHELFWATCH_TEST_DATABASE_URL=postgres://… go test -run '^$' -bench WorkerProcesses -benchtime 3x ./internal/cli/
func BenchmarkWorkerProcesses(b *testing.B) {
	for _, workers := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) { benchWorkerProcesses(b, workers) })
	}
}

func benchWorkerProcesses(b *testing.B, workers int) {
	const n, hosts = 5000, 32
	dbtest.SkipUnlessAvailable(b, db.Postgres)
	sim := storesim.New(storesim.Options{Products: n, Seed: 11})
	hits := startCountingStore(b, sim, hosts)
	c, _, err := config.Load(serveCommand, []string{"--data-dir", b.TempDir(), "--database-url", dbtest.URL(b, db.Postgres),
		"--secret-key", testSecretKey},
		func(string) string { return "" }, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	d, err := db.Open(b.Context(), db.Options{URL: c.DatabaseURL, DataDir: c.DataDir})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = d.Close() })
	if err := d.Migrate(b.Context()); err != nil {
		b.Fatal(err)
	}
	side := store.New(d)
	ws, err := side.EnsureWorkspace(b.Context(), defaultWorkspaceSlug, "Default workspace")
	if err != nil {
		b.Fatal(err)
	}
	// Not due until the workers run, so the first slot is timed whole.
	future := time.Now().Add(time.Hour).UnixMilli()
	for _, u := range hits.urls {
		pu, err := url.Parse(u)
		if err != nil {
			b.Fatal(err)
		}
		p := &store.Product{URL: u, CanonicalURL: u, Domain: pu.Hostname()} // a domain per host, as the API sets it
		if _, err := side.CreateWatchForURL(b.Context(), ws.ID, p, &store.Watch{}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := d.Write.ExecContext(b.Context(), `UPDATE products SET next_check_at = $1`, future); err != nil {
		b.Fatal(err)
	}
	bin := processBinary(b)
	for i := range workers {
		startProcess(b, bin, fmt.Sprintf("worker %d", i+1), "serve", "--role", "worker", "--listen", "127.0.0.1:0",
			"--data-dir", c.DataDir, "--database-url", c.DatabaseURL, "--allow-private-networks", "--fetch-rate", "6000",
			"--log-level", "warn")
	}
	checked := func(since int64) int {
		var k int
		if err := d.Read.QueryRowContext(b.Context(), `SELECT COUNT(*) FROM products WHERE last_checked_at >= $1 AND lease_owner = ''`,
			since).Scan(&k); err != nil {
			b.Fatal(err)
		}
		return k
	}
	slot := func() time.Duration {
		start := makeDue(b, d)
		deadline := time.Now().Add(5 * time.Minute)
		for checked(start) < n {
			if time.Now().After(deadline) {
				b.Fatalf("a slot of %d products took more than 5 minutes", n)
			}
			time.Sleep(20 * time.Millisecond)
		}
		return time.Since(time.UnixMilli(start))
	}
	time.Sleep(2 * time.Second) // the workers start (migrations, River)
	first := slot()
	hits.take()
	b.ResetTimer()
	var total time.Duration
	for range b.N {
		total += slot()
	}
	b.StopTimer()
	fetched := 0
	for _, k := range hits.take() {
		fetched += k
	}
	if fetched != b.N*n {
		b.Errorf("%d page requests for %d slots of %d products", fetched, b.N, n)
	}
	b.ReportMetric(float64(b.N*n)/total.Seconds(), "checks/s")
	b.ReportMetric(float64(n)/first.Seconds(), "first-checks/s")
}
