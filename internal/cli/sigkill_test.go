package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/config"
	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/storesim"
)

// A worker process killed with SIGKILL mid-batch loses nothing: its leases
// stay until they expire, then another worker (on SQLite: the restarted
// process) claims the products and checks them, once each.
func TestSIGKILLedWorkerLosesNothing(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			const n = 5
			sim := startStore(t, n)
			// Slow pages keep the killed worker's checks in flight.
			if err := sim.SetConfig(storesim.Config{LatencyMS: 5000}); err != nil {
				t.Fatal(err)
			}
			c := e2eConfig(t, engine)
			if engine == db.Postgres {
				c.Role = config.RoleWorker // SQLite serves one process: role all there (a crash and a restart)
			}
			d, count := watchedStore(t, c, sim, n)

			cmd := exec.Command(os.Args[0], "serve", "--role", c.Role, "--listen", "127.0.0.1:0", "--data-dir", c.DataDir,
				"--database-url", c.DatabaseURL, "--allow-private-networks", "--fetch-rate", "600", "--log-level", "debug")
			cmd.Env = append(os.Environ(), "SHELFWATCH_TEST_AS_CLI=1")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				_ = cmd.Process.Kill()
				if t.Failed() {
					t.Logf("worker's log:\n%s", stderr.String())
				}
			})
			waitFor(t, "the worker to claim the batch", func() bool { return count(`lease_owner <> ''`) == n })
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			if k := count(`last_checked_at IS NOT NULL`); k != 0 {
				t.Fatalf("%d checks recorded before the kill; the test needs them in flight\n%s", k, stderr.String())
			}
			if k := count(`lease_owner <> ''`); k != n {
				t.Fatalf("%d of %d leases left after SIGKILL, want all (nobody released them)", k, n)
			}

			// Another worker starts; the dead worker's leases still hold.
			if err := sim.SetConfig(storesim.Config{}); err != nil {
				t.Fatal(err)
			}
			_, stop := startServe(t, c)
			defer func() {
				if err := stop(); err != nil {
					t.Errorf("stop: %v", err)
				}
			}()
			time.Sleep(1500 * time.Millisecond) // more than a poll interval
			if k := count(`last_checked_at IS NOT NULL`); k != 0 {
				t.Fatalf("%d products checked while another worker's lease held", k)
			}
			// Time passes beyond the lease (5 min): we move the leases into
			// the past rather than wait.
			if _, err := d.Write.ExecContext(t.Context(), `UPDATE products SET lease_until = $1 WHERE lease_owner <> ''`,
				time.Now().Add(-time.Second).UnixMilli()); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the work to be redone", func() bool { return count(`last_checked_at IS NOT NULL AND lease_owner = ''`) == n })
			var rows int
			if err := d.Read.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM price_history`).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if rows != n {
				t.Fatalf("%d history rows, want %d (one per product)", rows, n)
			}
		})
	}
}

// SIGTERM mid-batch: the checks in flight finish and are recorded, the
// claimed but unstarted ones are released at once (not left to expire),
// and the process exits 0 within the shutdown timeout.
func TestSIGTERMWorkerDrains(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			const n = 8
			sim := startStore(t, n)
			if err := sim.SetConfig(storesim.Config{LatencyMS: 1500}); err != nil {
				t.Fatal(err)
			}
			c := e2eConfig(t, engine)
			role := config.RoleAll
			if engine == db.Postgres {
				role = config.RoleWorker
			}
			_, count := watchedStore(t, c, sim, n)
			// One request a second: when SIGTERM comes, a few checks are in
			// flight and the rest of the batch waits for the domain's slot.
			cmd := exec.Command(os.Args[0], "serve", "--role", role, "--listen", "127.0.0.1:0", "--data-dir", c.DataDir,
				"--database-url", c.DatabaseURL, "--allow-private-networks", "--fetch-rate", "60", "--shutdown-timeout", "8s")
			cmd.Env = append(os.Environ(), "SHELFWATCH_TEST_AS_CLI=1")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				_ = cmd.Process.Kill()
				if t.Failed() {
					t.Logf("worker's log:\n%s", stderr.String())
				}
			})
			waitFor(t, "the worker to claim the batch", func() bool { return count(`lease_owner <> ''`) == n })
			// robots.txt is read (undelayed) just before the first page:
			// once it is, a check is in flight for the page's 1.5 s.
			waitFor(t, "the first fetch", func() bool { return sim.Stats().Robots > 0 })
			time.Sleep(300 * time.Millisecond)
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			waited := make(chan error, 1)
			go func() { waited <- cmd.Wait() }()
			select {
			case err := <-waited:
				if err != nil {
					t.Fatalf("exit after SIGTERM: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("still running 10 s after SIGTERM")
			}
			checked := count(`last_checked_at IS NOT NULL`)
			if checked == 0 || checked == n {
				t.Errorf("%d of %d checked; want the in-flight ones only", checked, n)
			}
			if k := count(`lease_owner <> ''`); k != 0 {
				t.Errorf("%d leases left after SIGTERM, want none", k)
			}
			if k := count(`last_checked_at IS NULL AND next_check_at > ` + fmt.Sprint(time.Now().UnixMilli())); k != 0 {
				t.Errorf("%d unchecked products no longer due", k)
			}
		})
	}
}

// watchedStore migrates serve's database, watches the store's first n
// products in the default workspace, and returns the database and a counter
// of products matching a WHERE clause: the setup of the process tests.
func watchedStore(t *testing.T, c config.Config, sim *storesim.Store, n int) (*db.DB, func(where string) int) {
	t.Helper()
	d, side, ws := migratedSide(t, c)
	for id := 1; id <= n; id++ {
		p := &store.Product{URL: sim.URL(id), CanonicalURL: sim.URL(id), Domain: "127.0.0.1"}
		if _, err := side.CreateWatchForURL(t.Context(), ws.ID, p, &store.Watch{}); err != nil {
			t.Fatal(err)
		}
	}
	return d, func(where string) int {
		t.Helper()
		var k int
		if err := d.Read.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM products WHERE `+where).Scan(&k); err != nil {
			t.Fatal(err)
		}
		return k
	}
}
