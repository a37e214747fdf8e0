package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shelfwatch/shelfwatch/internal/config"
	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/fetch/render"
)

// chrome drives one headless Chromium tab through the web UI. Every test
// using it ends with shot(), a PNG of its final page in the test's artifact
// directory: `go test ./internal/cli -run TestUI -artifacts -outputdir DIR`
// keeps them (under DIR/_artifacts/...).
type chrome struct {
	t    *testing.T
	ctx  context.Context
	base string

	mu      sync.Mutex
	console []string // JS exceptions and console errors (CSP refusals among them)
}

// newChrome starts Chromium for the test. Without Chromium the test is
// skipped loudly, or fails when SHELFWATCH_REQUIRE_CHROMIUM is set (CI).
func newChrome(t *testing.T, base string) *chrome {
	t.Helper()
	path, err := render.FindChromium()
	if err != nil {
		if os.Getenv("SHELFWATCH_REQUIRE_CHROMIUM") != "" {
			t.Fatalf("SHELFWATCH_REQUIRE_CHROMIUM is set but %v", err)
		}
		t.Skipf("SKIPPING browser test: %v (install the Debian package chromium)", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("proxy-server", "direct://"),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	b := &chrome{t: t, ctx: ctx, base: base}
	msgs := chromedp.Console(ctx)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			// A 4xx answer to a request the test provoked on purpose is
			// logged by the browser too; it is not a page error.
			// So is the live stream's reconnect once the test has stopped
			// the server.
			if m.Type == chromedp.ConsoleException || (m.Type == chromedp.ConsoleError &&
				!strings.Contains(m.Text, "the server responded with a status of 4") &&
				!strings.Contains(m.Text, "net::ERR_CONNECTION_REFUSED")) {
				b.mu.Lock()
				b.console = append(b.console, string(m.Type)+": "+m.Text)
				b.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		b.checkConsole()
		cancel()
		cancelAlloc()
	})
	return b
}

// do runs steps, failing the test (with a screenshot) when one fails or
// takes more than 30 s.
func (b *chrome) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.shot("failure")
		b.t.Fatalf("browser: %v (page: %s)", err, b.location())
	}
}

// run evaluates one action that returns a value.
func run[T any](b *chrome, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.shot("failure")
		b.t.Fatalf("browser: %v (page: %s)", err, b.location())
	}
	return v
}

func (b *chrome) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	l, _ := chromedp.Run(ctx, chromedp.Location())
	return l
}

// open navigates to a path of the server and waits for sel.
func (b *chrome) open(path, sel string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS(sel)))
}

// text is the visible text of the first element matching sel.
func (b *chrome) text(sel string) string {
	b.t.Helper()
	return run(b, chromedp.Text(chromedp.CSS(sel)))
}

// eval evaluates a JS expression.
func evalJS[T any](b *chrome, expr string) T {
	b.t.Helper()
	return run(b, chromedp.Evaluate[T](expr))
}

// waitText polls until the element's text contains want (up to timeout,
// at least 45 s: under -race on two busy cores a first check can take a
// while, and the wait only ends early on success).
func (b *chrome) waitText(sel, want string, timeout time.Duration) {
	b.t.Helper()
	timeout = max(timeout, 45*time.Second)
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(function(){const e=document.querySelector(`+jsString(sel)+`);return e?e.innerText:""})()`))
		cancel()
		if err == nil && strings.Contains(got, want) {
			return
		}
		if time.Now().After(deadline) {
			b.shot("failure")
			b.t.Fatalf("waited %s for %q in %s; it shows %q (page %s)", timeout, want, sel, got, b.location())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// fill types into form fields by CSS selector.
func (b *chrome) fill(fields ...string) {
	b.t.Helper()
	for i := 0; i+1 < len(fields); i += 2 {
		// Empty the field as a user would (select all, delete): Clear
		// leaves a value typed earlier in place.
		_ = evalJS[bool](b, `(function(){const e=document.querySelector(`+jsString(fields[i])+`);if(!e)return false;`+
			`e.value="";e.dispatchEvent(new Event("input",{bubbles:true}));return true})()`)
		b.do(chromedp.SendKeys(chromedp.CSS(fields[i]), fields[i+1]))
	}
}

// shot saves a full-page PNG as <artifact dir>/<name>.png.
func (b *chrome) shot(name string) string {
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	p := filepath.Join(b.t.ArtifactDir(), name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Errorf("save screenshot: %v", err)
	}
	b.t.Logf("screenshot: %s", p)
	return p
}

// checkConsole fails the test on JS exceptions and console errors: a page
// that throws, or a resource the CSP refused, is a broken page.
func (b *chrome) checkConsole() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.console {
		b.t.Errorf("browser console: %s", m)
	}
}

// signUp creates an account through the sign-up page and lands on the
// dashboard.
func (b *chrome) signUp(email, password string) {
	b.t.Helper()
	b.open("/signup", "#email")
	b.fill("#email", email, "#password", password)
	b.do(chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.waitText("main h1", "Watches", 20*time.Second)
}

// signIn signs in through the sign-in page.
func (b *chrome) signIn(email, password string) {
	b.t.Helper()
	b.open("/signin", "#email")
	b.fill("#email", email, "#password", password)
	b.do(chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.waitText("main h1", "Watches", 20*time.Second)
}

func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "`", "\\`", "$", `\$`)
	return "`" + r.Replace(s) + "`"
}

// The serve of the tests already has its first user (test@example.com,
// "test password", the instance admin behind the test token), so sign-up
// is invite-only: openSignUp lets the browser tests create accounts.
func openSignUp(t *testing.T, base string) {
	t.Helper()
	if code, body := httpDo(t, "PATCH", base+"/api/v1/admin/settings", `{"signup_mode":"open"}`); code != 200 {
		t.Fatalf("open sign-up: %d %s", code, body)
	}
}

const adminEmail, adminPassword = "test@example.com", "test password"

// uiConfig is e2eConfig (storesim on loopback allowed) with a sign-in rate
// limit a test's many sign-ins from 127.0.0.1 stay under.
func uiConfig(t *testing.T, engine db.Engine) config.Config {
	t.Helper()
	c := e2eConfig(t, engine)
	c.HTTP.SignInRatePerMin = 1000
	return c
}
