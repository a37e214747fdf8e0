package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// What a new user sees after `serve --demo`: sign in with the printed
// password → a dozen watches with images and sparklines → a product page
// with a drawn chart of half a year → a notification sent within a minute.
func TestUIDemo(t *testing.T) {
	p := startDemoProcess(t, t.TempDir())
	base, password := p.banner(t)
	start := time.Now()
	b := newChrome(t, base)
	b.signIn(demoEmail, password)
	if n := evalJS[int](b, `document.querySelectorAll("tr[id^=w-]").length`); n != 12 {
		t.Fatalf("the demo dashboard shows %d watches, want 12", n)
	}
	if n := evalJS[int](b, `document.querySelectorAll("tr[id^=w-] .spark polyline").length`); n < 10 {
		t.Fatalf("only %d of 12 rows have a sparkline", n)
	}
	b.do(chromedp.WaitVisible(chromedp.CSS("tr[id^=w-] img")))
	// The first checks (title, image) take a few seconds at the demo
	// store's polite rate.
	deadline := time.Now().Add(40 * time.Second)
	for evalJS[int](b, `[...document.querySelectorAll("tr[id^=w-] img")].filter(i => i.complete && i.naturalWidth > 0).length`) < 12 {
		if time.Now().After(deadline) {
			b.shot("failure")
			t.Fatal("the product images did not load")
		}
		time.Sleep(time.Second)
		b.open("/", "tr[id^=w-]")
	}
	b.shot("demo-dashboard")

	b.do(chromedp.Click(chromedp.CSS("tr[id^=w-] td.title a")))
	b.do(chromedp.WaitVisible(chromedp.CSS("#chart canvas")))
	b.waitText("main", "What happened", 10*time.Second)
	b.shot("demo-product")

	b.open("/notifications", "main h1")
	b.waitText("main", "Sent", time.Minute-time.Since(start))
	if !strings.Contains(b.text("main"), "Demo inbox") {
		t.Fatalf("the notification is not to the Demo inbox: %q", b.text("main"))
	}
	b.shot("demo-notifications")
	p.stop(t)
}
