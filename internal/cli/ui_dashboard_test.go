package cli

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/price"
)

// The dashboard in the browser: watches with their store prices; search and
// status filters; a price change in the store reaches the open page over
// server-sent events and its row changes without a reload; bulk pause. On
// PostgreSQL the change travels by NOTIFY to the page-serving hub.
func TestUIDashboardLive(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) { testUIDashboardLive(t, engine) })
	}
}

func testUIDashboardLive(t *testing.T, engine db.Engine) {
	sim := startStore(t, 4)
	c := uiConfig(t, engine)
	base, stop := startServe(t, c)
	defer func() { _ = stop() }()
	side := openSide(t, c)
	for id := 1; id <= 4; id++ {
		if code, body := httpDo(t, "POST", base+"/api/v1/watches", fmt.Sprintf(`{"url":%q,"tags":["t%d"]}`, sim.URL(id), id%2)); code != http.StatusCreated {
			t.Fatalf("POST watch: %d %s", code, body)
		}
	}
	waitFor(t, "the first checks", func() bool {
		for _, w := range listWatches(t, base) {
			if w.Product.LastCheckedAt == nil {
				return false
			}
		}
		return true
	})
	var target apiWatch
	for _, w := range listWatches(t, base) {
		if w.Product.URL == sim.URL(1) {
			target = w
		}
	}
	truth, _ := sim.Product(1)

	b := newChrome(t, base)
	b.signIn(adminEmail, adminPassword)
	row := fmt.Sprintf("#w-%d", target.ID)
	b.waitText(row, truth.Title, 5*time.Second)
	if n := evalJS[int](b, `document.querySelectorAll("tr[id^=w-]").length`); n != 4 {
		t.Fatalf("dashboard shows %d rows, want 4", n)
	}

	// Search narrows the list in place (htmx) and into the URL.
	b.do(chromedp.SendKeys(chromedp.CSS("#q"), truth.Title[:6]))
	deadline := time.Now().Add(10 * time.Second)
	for evalJS[int](b, `document.querySelectorAll("tr[id^=w-]").length`) == 4 {
		if time.Now().After(deadline) {
			b.shot("failure")
			t.Fatal("search did not filter the list")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if loc := b.location(); !strings.Contains(loc, "q=") {
		t.Fatalf("search not in the URL: %s", loc)
	}
	b.open("/", row)

	// Live: the store's price drops; the product is checked; the open
	// page's row shows the new price without a reload.
	_ = evalJS[bool](b, `window.__noReload = true`)
	minor, _ := price.Price{Amount: truth.Price, Currency: truth.Currency}.Minor()
	newMinor := minor * 8 / 10
	if err := sim.SetPrice(1, price.Format(newMinor, truth.Currency)); err != nil {
		t.Fatal(err)
	}
	if _, err := side.CheckSoon(t.Context(), time.Now().UnixMilli(), target.Product.ID); err != nil {
		t.Fatal(err)
	}
	b.waitText(row+" [data-price]", shownDigits(newMinor, truth.Currency), 20*time.Second)
	if !evalJS[bool](b, `window.__noReload === true`) {
		t.Fatal("the page reloaded: the row should change in place")
	}
	if !strings.Contains(b.text(row), "-20.0 %") {
		t.Fatalf("the row does not show the change: %q", b.text(row))
	}

	// Bulk pause two rows.
	b.do(chromedp.Click(chromedp.CSS(`tr[id^=w-] input[name=ids]`)))
	b.do(chromedp.Click(chromedp.CSS(`tr[id^=w-]:nth-child(2) input[name=ids]`)))
	b.waitText("[data-bulk-count]", "2 selected", 5*time.Second)
	b.do(chromedp.Click(chromedp.CSS(`[data-bulk="pause"]`)))
	b.waitText("#watch-list", "Paused", 10*time.Second)
	b.open("/?status=paused", "#watch-list")
	if n := evalJS[int](b, `document.querySelectorAll("tr[id^=w-]").length`); n != 2 {
		t.Fatalf("%d paused rows, want 2", n)
	}
	b.open("/", row)
	b.shot("dashboard")

	// On a phone, in the dark theme: no sideways scrolling, rows as cards.
	b.do(chromedp.EmulateViewport(390, 844), chromedp.Click(chromedp.CSS("[data-theme-toggle]")))
	b.open("/", row)
	if w := evalJS[int](b, `document.documentElement.scrollWidth - window.innerWidth`); w > 0 {
		b.shot("failure")
		t.Fatalf("the dashboard is %d px wider than a phone", w)
	}
	if th := evalJS[string](b, `document.documentElement.dataset.theme`); th != "dark" && th != "light" {
		t.Fatalf("theme toggle set %q", th)
	}
	b.shot("dashboard-phone")
}
