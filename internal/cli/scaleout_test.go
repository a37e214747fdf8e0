package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/storesim"
)

// Issue 9's multi-process proof: on PostgreSQL, three `serve --role worker`
// processes and one `serve --role web` share one database and a store of
// 5,000 products. Watches come in through the web process's API. In each
// slot (every product due once: the test moves next_check_at to now, as
// time passing would) every product is fetched exactly once across the
// workers. In the last slot one worker is SIGKILLed mid-run: its leases
// expire, the others take its products over, every product is still
// checked, and only products whose lease died with the worker may have
// been fetched twice. The web process answers the API throughout.
func TestScaleOutWorkersCheckEachProductOncePerSlot(t *testing.T) {
	dbtest.SkipUnlessAvailable(t, db.Postgres)
	const (
		n       = 5000
		hosts   = 8
		workers = 3
	)
	sim := storesim.New(storesim.Options{Products: n, Seed: 11})
	hits := startCountingStore(t, sim, hosts)

	c := e2eConfig(t, db.Postgres)
	d, _, _ := migratedSide(t, c)
	count := func(where string, args ...any) int {
		t.Helper()
		var k int
		if err := d.Read.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM products WHERE `+where, args...).Scan(&k); err != nil {
			t.Fatal(err)
		}
		return k
	}

	bin := processBinary(t)
	webPort := freePort(t)
	web := startProcess(t, bin, "web", "serve", "--role", "web", "--listen", "127.0.0.1:"+webPort, "--data-dir", c.DataDir,
		"--database-url", c.DatabaseURL, "--api-rate-limit", "0")
	base := "http://127.0.0.1:" + webPort
	waitUntil(t, time.Minute, "the web process to be ready", func() bool { return get(base+"/readyz", "") == nil })
	token := testToken(t, c)

	// The web process must answer all along: a client polls the API
	// until the end of the test.
	var apiOK, apiFailed atomic.Int64
	var apiErr atomic.Value
	pollCtx, stopPolling := context.WithCancel(context.Background())
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		for pollCtx.Err() == nil {
			if err := get(base+"/api/v1/watches?limit=1", token); err != nil {
				apiFailed.Add(1)
				apiErr.Store(err.Error())
			} else {
				apiOK.Add(1)
			}
			select {
			case <-pollCtx.Done():
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	defer func() {
		stopPolling()
		<-polled
		if f := apiFailed.Load(); f > 0 || apiOK.Load() == 0 {
			t.Errorf("web API: %d requests failed (last: %v), %d answered", f, apiErr.Load(), apiOK.Load())
		}
		if web.exited() {
			t.Errorf("the web process exited")
		}
	}()

	var victim *process
	for i := range workers {
		w := startProcess(t, bin, fmt.Sprintf("worker %d", i+1), "serve", "--role", "worker", "--listen", "127.0.0.1:0",
			"--data-dir", c.DataDir, "--database-url", c.DatabaseURL, "--allow-private-networks", "--fetch-rate", "6000")
		if i == 0 {
			victim = w
		}
	}

	// Slot 1: the watches come in through the API, each product due at
	// once; the workers check them while the rest are still being added.
	slot1 := time.Now().UnixMilli()
	if err := createWatches(base, token, hits.urls, 8); err != nil {
		t.Fatal(err)
	}
	awaitSlot(t, count, slot1, n)
	assertOncePerProduct(t, "slot 1", hits.take(), n, nil)

	// Slot 2: time passes, every product is due again (304s now).
	slot2 := makeDue(t, d)
	awaitSlot(t, count, slot2, n)
	assertOncePerProduct(t, "slot 2", hits.take(), n, nil)

	// Slot 3: one worker is SIGKILLed a quarter of the way through.
	slot3 := makeDue(t, d)
	waitUntil(t, 2*time.Minute, "a quarter of slot 3", func() bool { return count(`last_checked_at >= $1`, slot3) >= n/4 })
	owner := fmt.Sprintf("%%-%d-________", victim.cmd.Process.Pid) // host-pid-8 hex digits, see monitor.WorkerID
	// Between two batches a worker holds no lease: freeze it until it is
	// caught holding some, then kill it.
	waitUntil(t, time.Minute, "the worker to hold leases", func() bool {
		if err := victim.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		if count(`lease_owner LIKE $1`, owner) > 0 {
			return true
		}
		if err := victim.cmd.Process.Signal(syscall.SIGCONT); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
		return false
	})
	if err := victim.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-victim.done
	// A claim the frozen worker had already sent still runs and commits on
	// the server after the kill: let it land before the leases are counted.
	time.Sleep(time.Second)
	orphans := map[int]bool{} // store ids of the products the dead worker held
	rows, err := d.Read.QueryContext(t.Context(), `SELECT url FROM products WHERE lease_owner LIKE $1`, owner)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			t.Fatal(err)
		}
		orphans[hits.idOf(u)] = true
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if len(orphans) == 0 {
		t.Fatalf("the killed worker held no leases; the test needs it mid-run")
	}
	// The survivors leave the dead worker's leases alone until they expire
	// (5 min); we move them into the past rather than wait.
	time.Sleep(1500 * time.Millisecond) // more than a poll interval
	if k := count(`lease_owner LIKE $1`, owner); k != len(orphans) {
		t.Fatalf("%d of the dead worker's %d leases left before they expired", k, len(orphans))
	}
	if _, err := d.Write.ExecContext(t.Context(), `UPDATE products SET lease_until = $1 WHERE lease_owner LIKE $2`,
		time.Now().Add(-time.Second).UnixMilli(), owner); err != nil {
		t.Fatal(err)
	}
	awaitSlot(t, count, slot3, n)
	twice := assertOncePerProduct(t, "slot 3", hits.take(), n, func(id int) bool { return orphans[id] })
	t.Logf("slot 3: the killed worker held %d leases; %d of those products were fetched twice (its requests in flight), the rest once",
		len(orphans), twice)

	// Nothing was lost or written twice: one history row per product (no
	// price changed), no lease left.
	var historyRows int
	if err := d.Read.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM price_history`).Scan(&historyRows); err != nil {
		t.Fatal(err)
	}
	if historyRows != n {
		t.Errorf("%d history rows, want %d (one per product)", historyRows, n)
	}
	if k := count(`lease_owner <> ''`); k != 0 {
		t.Errorf("%d leases left", k)
	}
}

// process is a shelfwatch command run as a real process (this test binary
// re-executed, see TestMain).
type process struct {
	cmd    *exec.Cmd
	done   chan struct{} // closed when it has exited
	stderr lockedBuffer
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// processBinary is the shelfwatch binary the multi-process tests run: this
// test binary re-executed (see TestMain), except under the race detector,
// where a plain build of cmd/shelfwatch stands in. Race-instrumented
// processes check 5,000 pages about ten times slower, which would take the
// test past minutes in CI; the in-process tests are what the race detector
// is for.
func processBinary(t testing.TB) string {
	t.Helper()
	if !raceDetector {
		return os.Args[0]
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("under -race the multi-process tests build cmd/shelfwatch and need the go command: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "shelfwatch")
	start := time.Now()
	out, err := exec.Command(goTool, "build", "-o", bin, "github.com/shelfwatch/shelfwatch/cmd/shelfwatch").CombinedOutput()
	if err != nil {
		t.Fatalf("go build cmd/shelfwatch: %v\n%s", err, out)
	}
	t.Logf("under -race: the processes run a plain build of cmd/shelfwatch (built in %v)", time.Since(start).Round(time.Millisecond))
	return bin
}

// startProcess starts bin (see processBinary) with args; it is killed at
// the end of the test, and its log shown if the test failed.
func startProcess(t testing.TB, bin, name string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin, args...), done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), "SHELFWATCH_TEST_AS_CLI=1")
	p.cmd.Stderr = &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			log := p.stderr.String()
			t.Logf("%s's log (last 4 kB):\n%s", name, log[max(0, len(log)-4096):])
		}
	})
	return p
}

// hitCounter counts the requests for each product page of a storesim
// store, whatever the answer (200 or 304): one request is one check.
type hitCounter struct {
	urls []string // index i: store product i+1
	ids  map[string]int
	mu   sync.Mutex
	hits []int // index: store id
}

// startCountingStore serves sim's handler on hosts loopback addresses
// (127.0.0.2 …), so each host is its own domain with its own rate limit,
// behind a counter of product page requests.
func startCountingStore(t testing.TB, sim *storesim.Store, hosts int) *hitCounter {
	t.Helper()
	h := &hitCounter{ids: map[string]int{}, hits: make([]int, sim.Len()+1)}
	inner := sim.Handler()
	count := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rest, ok := strings.CutPrefix(r.URL.Path, "/p/"); ok {
			idPart, _, _ := strings.Cut(rest, "-")
			if id, err := strconv.Atoi(idPart); err == nil && id >= 1 && id < len(h.hits) {
				h.mu.Lock()
				h.hits[id]++
				h.mu.Unlock()
			}
		}
		inner.ServeHTTP(w, r)
	})
	var origins []string
	for k := range hosts {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", 2+k))
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: count, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		t.Cleanup(func() { _ = srv.Close() })
		origins = append(origins, "http://"+ln.Addr().String())
	}
	for id := 1; id <= sim.Len(); id++ {
		u := origins[id%len(origins)] + sim.URL(id) // not started: URL is the path alone
		h.urls = append(h.urls, u)
		h.ids[u] = id
	}
	return h
}

// take returns the counts since the last take and starts again from zero.
func (h *hitCounter) take() []int {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.hits
	h.hits = make([]int, len(out))
	return out
}

func (h *hitCounter) idOf(url string) int { return h.ids[url] }

// assertOncePerProduct checks a slot's counts: every product fetched
// exactly once, except those maybeTwice allows up to two fetches. It returns
// how many were fetched twice.
func assertOncePerProduct(t *testing.T, slot string, hits []int, n int, maybeTwice func(id int) bool) int {
	t.Helper()
	var twice, bad int
	for id := 1; id <= n; id++ {
		switch k := hits[id]; {
		case k == 1:
		case k == 2 && maybeTwice != nil && maybeTwice(id):
			twice++
		default:
			if bad++; bad <= 10 {
				t.Errorf("%s: product %d fetched %d times", slot, id, k)
			}
		}
	}
	if bad > 10 {
		t.Errorf("%s: %d products in all not fetched exactly once", slot, bad)
	}
	return twice
}

// createWatches adds a watch for each URL through the API, conc at a time.
func createWatches(base, token string, urls []string, conc int) error {
	work := make(chan string)
	errs := make(chan error, conc)
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for u := range work {
				code, body, err := do("POST", base+"/api/v1/watches", token, fmt.Sprintf(`{"url":%q}`, u))
				if err == nil && code != http.StatusCreated {
					err = fmt.Errorf("POST watch %s: %d %s", u, code, body)
				}
				if err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		})
	}
	for _, u := range urls {
		work <- u
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

func do(method, url, token, body string) (int, []byte, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// get fails unless url answers 200.
func get(url, token string) error {
	code, body, err := do("GET", url, token, "")
	if err == nil && code != http.StatusOK {
		err = fmt.Errorf("GET %s: %d %s", url, code, body)
	}
	return err
}

// waitUntil polls cond every 100 ms for up to limit.
func waitUntil(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// makeDue makes every product due now (time passing beyond their
// interval) and returns the slot's start.
func makeDue(t testing.TB, d *db.DB) int64 {
	t.Helper()
	now := time.Now().UnixMilli()
	if _, err := d.Write.ExecContext(t.Context(), `UPDATE products SET next_check_at = $1`, now); err != nil {
		t.Fatal(err)
	}
	return now
}

// awaitSlot waits until all n products were checked since the slot began
// and no lease is left.
func awaitSlot(t *testing.T, count func(string, ...any) int, start int64, n int) {
	t.Helper()
	waitUntil(t, 3*time.Minute, "every product checked in the slot", func() bool {
		return count(`last_checked_at >= $1 AND lease_owner = ''`, start) == n
	})
	took := time.Since(time.UnixMilli(start))
	t.Logf("slot of %d products done in %v (%.0f checks/s)", n, took.Round(time.Millisecond), float64(n)/took.Seconds())
}
