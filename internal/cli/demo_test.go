package cli

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/price"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/storesim"
)

// demoProcess is a running 'shelfwatch serve --demo' (this test binary
// re-executed as the command).
type demoProcess struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	done           chan error
}

func startDemoProcess(t *testing.T, dir string) *demoProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--demo", "--data-dir", dir, "--listen", "127.0.0.1:"+freePort(t))
	// A short tick keeps the test short; the demo's promise (a
	// notification within a minute) holds at the default 20 s too.
	cmd.Env = append(os.Environ(), "SHELFWATCH_TEST_AS_CLI=1", demoTickEnv+"=2s")
	p := &demoProcess{cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// banner waits for the demo's banner and returns the URL and password it
// printed.
func (p *demoProcess) banner(t *testing.T) (base, password string) {
	t.Helper()
	waitFor(t, "the demo banner", func() bool {
		select {
		case err := <-p.done:
			t.Fatalf("serve --demo exited: %v\nstdout:\n%s\nstderr:\n%s", err, p.stdout, p.stderr)
		default:
		}
		return strings.Contains(p.stdout.String(), "  alerts ")
	})
	out := p.stdout.String()
	base, password = field(out, "  open"), field(out, "  password")
	if !strings.HasPrefix(base, "http://127.0.0.1:") || field(out, "  email") != demoEmail {
		t.Fatalf("banner:\n%s", out)
	}
	return base, password
}

// stop sends SIGTERM and wants a clean exit.
func (p *demoProcess) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, p.stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("still running 20 s after SIGTERM\n%s", p.stderr)
	}
}

type demoWatch struct {
	ID      int64   `json:"id"`
	Target  *string `json:"target_price"`
	Product struct {
		ID           int64   `json:"id"`
		URL          string  `json:"url"`
		Price        *string `json:"price"`
		Currency     string  `json:"currency"`
		Availability string  `json:"availability"`
	} `json:"product"`
}

func demoWatches(t *testing.T, b *browser) []demoWatch {
	t.Helper()
	var list struct {
		Items []demoWatch `json:"items"`
	}
	b.want(200, "GET", "/api/v1/watches?limit=500", "", &list)
	return list.Items
}

// The promise: one command, then sign in with the printed
// password and find a dozen watches with half a year of history; within a
// minute a price moves and a notification is sent. A second start on the
// same data directory keeps the account, its password and the watches.
func TestServeDemo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := startDemoProcess(t, dir)
	base, password := p.banner(t)
	if len(password) < 15 || strings.Contains(password, "unchanged") {
		t.Fatalf("first start printed no password: %q\n%s", password, p.stdout)
	}
	started := time.Now()
	b := newBrowser(t, base)
	b.want(200, "POST", "/api/v1/auth/signin", fmt.Sprintf(`{"email":%q,"password":%q}`, demoEmail, password), nil)

	ws := demoWatches(t, b)
	if len(ws) != 12 {
		t.Fatalf("%d watches, want 12", len(ws))
	}
	first := map[int64]string{}
	currencies := map[string]bool{}
	for _, w := range ws {
		var h struct {
			Points []struct {
				Price        *string `json:"price"`
				Availability string  `json:"availability"`
			} `json:"points"`
		}
		b.want(200, "GET", fmt.Sprintf("/api/v1/products/%d/history?limit=1000", w.Product.ID), "", &h)
		if len(h.Points) < 20 {
			t.Errorf("product %d (%s): %d history rows, want at least 20", w.Product.ID, w.Product.URL, len(h.Points))
		}
		if w.Product.Price == nil || w.Target == nil {
			t.Errorf("product %d: price %v, target %v; want both", w.Product.ID, w.Product.Price, w.Target)
			continue
		}
		first[w.Product.ID] = *w.Product.Price
		currencies[w.Product.Currency] = true
	}
	if len(currencies) < 4 {
		t.Errorf("demo currencies %v, want variety", currencies)
	}

	type notification struct {
		Status string `json:"status"`
		Kind   string `json:"kind"`
	}
	var sent []notification
	moved := 0
	waitFor(t, "a sent notification and a moved price", func() bool {
		var ns struct {
			Notifications []notification `json:"notifications"`
		}
		b.want(200, "GET", "/api/v1/notifications?status=sent", "", &ns)
		sent = ns.Notifications
		moved = 0
		for _, w := range demoWatches(t, b) {
			if w.Product.Price != nil && *w.Product.Price != first[w.Product.ID] {
				moved++
			}
		}
		return len(sent) > 0 && moved > 0
	})
	t.Logf("after %s: %d notifications sent, %d prices moved", time.Since(started).Round(100*time.Millisecond), len(sent), moved)
	if !strings.Contains(p.stderr.String(), "demo inbox: delivery received") {
		t.Errorf("the inbox logged no delivery:\n%s", p.stderr)
	}
	if !strings.Contains(p.stderr.String(), "level=WARN") || !strings.Contains(p.stderr.String(), "127.0.0.1/32") {
		t.Errorf("no warning that demo mode opens loopback:\n%s", p.stderr)
	}
	p.stop(t)

	// Again on the same data directory: the same account and password,
	// the same watches (no duplicates), a banner that says so.
	p2 := startDemoProcess(t, dir)
	base2, _ := p2.banner(t)
	if !strings.Contains(p2.stdout.String(), "unchanged") {
		t.Errorf("second start's banner does not say the password is unchanged:\n%s", p2.stdout)
	}
	b2 := newBrowser(t, base2)
	b2.want(200, "POST", "/api/v1/auth/signin", fmt.Sprintf(`{"email":%q,"password":%q}`, demoEmail, password), nil)
	ws2 := demoWatches(t, b2)
	urls := map[string]bool{}
	for _, w := range ws2 {
		urls[w.Product.URL] = true
		if _, ok := first[w.Product.ID]; !ok {
			t.Errorf("second start: watch of a new product %d (%s)", w.Product.ID, w.Product.URL)
		}
	}
	if len(ws2) != 12 || len(urls) != 12 {
		t.Errorf("second start: %d watches of %d products, want 12 of 12", len(ws2), len(urls))
	}
	// A third on the same directory cannot have the store's port: it says
	// why, in one line, and exits 1.
	p3 := startDemoProcess(t, dir)
	select {
	case err := <-p3.done:
		lines := strings.Split(strings.TrimSpace(p3.stderr.String()), "\n")
		last := lines[len(lines)-1]
		if code := p3.cmd.ProcessState.ExitCode(); code != exitFailure || !strings.HasPrefix(last, "shelfwatch serve --demo: ") ||
			!strings.Contains(last, "another 'serve --demo'") {
			t.Errorf("third start: exit %d (%v), last line %q", code, err, last)
		}
	case <-time.After(time.Minute):
		t.Errorf("a third 'serve --demo' on the same data directory is still running")
	}
	p2.stop(t)
}

// The backfill is change-only, inside its window, a few changes a week with
// sales and sell-outs, and ends at the product's current state.
func TestDemoBackfill(t *testing.T) {
	now := time.Now().UnixMilli()
	from := now - demoHistory.Milliseconds()
	for i, it := range demoCatalog() {
		minor, ok := price.Price{Amount: it.price, Currency: it.currency}.Minor()
		if !ok {
			t.Fatalf("%s: price %q", it.title, it.price)
		}
		lv := demoLive{currency: it.currency, base: minor, price: minor, avail: it.avail}
		rows := demoBackfill(rand.New(rand.NewPCG(demoSeed, uint64(i))), 7, lv, from, now)
		weeks := float64(demoHistory) / float64(7*24*time.Hour)
		if n := float64(len(rows)); n < 2*weeks || n > 7*weeks {
			t.Errorf("%s: %d rows over %.0f weeks, want a few changes a week", it.title, len(rows), weeks)
		}
		out, low := 0, false
		for k, r := range rows {
			if r.ProductID != 7 || r.Currency != it.currency || r.PriceMinor == nil || *r.PriceMinor <= 0 {
				t.Fatalf("%s row %d: %+v", it.title, k, r)
			}
			if r.ObservedAt < from || r.ObservedAt > now {
				t.Errorf("%s row %d at %d, outside [%d, %d]", it.title, k, r.ObservedAt, from, now)
			}
			if k > 0 {
				prev := rows[k-1]
				if r.ObservedAt <= prev.ObservedAt {
					t.Errorf("%s row %d: time does not move forward", it.title, k)
				}
				if *r.PriceMinor == *prev.PriceMinor && r.Availability == prev.Availability {
					t.Errorf("%s row %d repeats row %d: history is change-only", it.title, k, k-1)
				}
				if *r.PriceMinor*100 < *prev.PriceMinor*85 {
					low = true
				}
			}
			if r.Availability == store.OutOfStock {
				out++
			}
		}
		if last := rows[len(rows)-1]; *last.PriceMinor != minor || last.Availability != string(it.avail) {
			t.Errorf("%s: newest row %d %s, want the current %d %s", it.title, *last.PriceMinor, last.Availability, minor, it.avail)
		}
		if out == 0 || !low {
			t.Errorf("%s: %d out-of-stock rows, a sale: %v; want both", it.title, out, low)
		}
	}
}

// Live moves: the first tick puts the first product below its target; the
// third sells out at the second tick and is back later; no move is an
// outlier the monitor would hold for a confirm re-check; prices stay whole
// in whole-unit currencies.
func TestDemoTicks(t *testing.T) {
	items := demoCatalog()
	live := make([]demoLive, len(items))
	start := make([]int64, len(items))
	for i, it := range items {
		minor, _ := price.Price{Amount: it.price, Currency: it.currency}.Minor()
		live[i] = demoLive{currency: it.currency, base: minor, price: minor, avail: it.avail}
		start[i] = minor
	}
	backIn := 0
	for k := 1; k <= 500; k++ {
		r := rand.New(rand.NewPCG(demoSeed, uint64(k)<<8))
		for i := range live {
			before := live[i]
			live[i].next(r, k, i)
			lv := live[i]
			if lv.price*2 < before.price || lv.price > before.price*3/2 {
				t.Fatalf("tick %d product %d: %d → %d, an outlier move", k, i, before.price, lv.price)
			}
			if (lv.currency == "SEK" || lv.currency == "INR") && lv.price%100 != 0 {
				t.Fatalf("tick %d product %d: %d %s is not whole", k, i, lv.price, lv.currency)
			}
			if i == 2 && k > 2 && before.avail == storesim.OutOfStock && lv.avail == storesim.InStock && backIn == 0 {
				backIn = k
			}
		}
		switch k {
		case 1:
			if target := demoRound(start[0]*items[0].targetPct/100, items[0].currency); live[0].price > target {
				t.Errorf("tick 1: first product at %d, not at or below its target %d", live[0].price, target)
			}
		case 2:
			if live[2].avail != storesim.OutOfStock {
				t.Errorf("tick 2: third product %s, want out of stock", live[2].avail)
			}
		}
	}
	if backIn == 0 || backIn > 6 {
		t.Errorf("third product back in stock at tick %d, want within a few ticks", backIn)
	}
}

func TestDemoRound(t *testing.T) {
	for _, c := range []struct {
		minor    int64
		currency string
		want     int64
	}{
		{22410, "EUR", 22399}, {50, "USD", 99}, {18796, "JPY", 18800}, {3, "JPY", 10},
		{129935, "SEK", 129900}, {224910, "INR", 224900}, {450, "SEK", 500},
	} {
		if got := demoRound(c.minor, c.currency); got != c.want {
			t.Errorf("demoRound(%d, %s) = %d, want %d", c.minor, c.currency, got, c.want)
		}
	}
}
