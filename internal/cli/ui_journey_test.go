package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/price"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// The headline journey, all in the browser: sign up → add a
// storesim product (its preview first) → see its price → set a target →
// a webhook channel and a rule → the price drops in storesim → the open
// dashboard updates live and the notification shows as delivered.
func TestUIJourney(t *testing.T) {
	sim := startStore(t, 3)
	sink := newWebhookSink(t)
	c := uiConfig(t, db.SQLite)
	base, stop := startServe(t, c)
	defer func() { _ = stop() }()
	side := openSide(t, c)
	openSignUp(t, base)
	truth, _ := sim.Product(2)
	minor, _ := price.Price{Amount: truth.Price, Currency: truth.Currency}.Minor()

	b := newChrome(t, base)
	b.signUp("maya@example.com", "a long enough passphrase")

	// Add the product: the preview shows what the page says, then save.
	b.open("/watches/new", "#url")
	b.do(chromedp.SendKeys(chromedp.CSS("#url"), sim.URL(2)))
	b.waitText("#preview", truth.Title, 20*time.Second)
	b.waitText("#preview", price.Format(minor, truth.Currency)[:1], 5*time.Second)
	b.do(chromedp.Click(chromedp.CSS(`#add-form button[type=submit]`)))
	b.waitText("#product-title", truth.Title, 20*time.Second)
	loc := b.location()
	watchPath := loc[strings.Index(loc, "/watches/"):]
	b.waitText("#product-summary", shownDigits(minor, truth.Currency), 30*time.Second)
	// The chart draws the first check too, also when the page was open before it.
	b.waitJS(`(function(){const c=document.getElementById("chart"); return !!(c && c._uplot && c._uplot.data[0].length >= 1)})()`, 20*time.Second)

	// A target 10 % under today's price.
	target := minor * 9 / 10
	b.fill("#w-target", price.Format(target, truth.Currency))
	b.do(chromedp.Click(chromedp.CSS(`form[data-watch-settings] button[type=submit]`)))
	b.waitText("#product-summary", shownDigits(target, truth.Currency), 10*time.Second)
	b.open(watchPath, "#w-target")
	if got := run(b, chromedp.Value(chromedp.CSS("#w-target"))); got != price.Format(target, truth.Currency) {
		t.Fatalf("target after reload: %q", got)
	}

	// A signed webhook channel (its secret shown once) and a workspace rule
	// "at or below the watch's target" sending to it.
	b.open("/channels", "#new-channel")
	b.fill("#ch-name", "Maya's hook", "#ch-url-w", sink.srv.URL)
	b.do(chromedp.Click(chromedp.CSS(`#new-channel button[type=submit]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS("dialog [data-secret]")))
	sink.mu.Lock()
	sink.secret = b.text("dialog [data-secret]")
	sink.mu.Unlock()
	b.do(chromedp.Click(chromedp.CSS("dialog button.primary")))
	b.waitText("main", "Maya's hook", 10*time.Second)

	b.open("/alerts", "#new-rule")
	_ = evalJS[bool](b, `(function(){const s=document.querySelector("#new-rule [name=kind]");s.value="price_at_or_below";s.dispatchEvent(new Event("change",{bubbles:true}));return true})()`)
	b.do(chromedp.Click(chromedp.CSS("#new-rule [data-rule-channel]")))
	b.do(chromedp.Click(chromedp.CSS(`#new-rule button[type=submit]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS("li.rule")))
	b.waitText("li.rule", "Maya's hook", 10*time.Second)

	// The dashboard is open when the price drops under the target.
	b.open("/", "tr[id^=w-]")
	_ = evalJS[bool](b, `window.__noReload = true`)
	drop := minor * 8 / 10
	if err := sim.SetPrice(2, price.Format(drop, truth.Currency)); err != nil {
		t.Fatal(err)
	}
	var productID int64
	for _, w := range listWatchesOf(t, side, "maya@example.com") {
		productID = w
	}
	if _, err := side.CheckSoon(t.Context(), time.Now().UnixMilli(), productID); err != nil {
		t.Fatal(err)
	}
	b.waitText("tr[id^=w-] [data-price]", shownDigits(drop, truth.Currency), 20*time.Second)
	if !evalJS[bool](b, `window.__noReload === true`) {
		t.Fatal("the dashboard reloaded instead of updating in place")
	}
	if !strings.Contains(b.text("tr[id^=w-]"), "target") {
		t.Fatalf("the row does not say the target is reached: %q", b.text("tr[id^=w-]"))
	}

	// The notification: delivered to the webhook once, shown as sent.
	waitFor(t, "the webhook delivery", func() bool { n, _, _ := sink.got(); return n >= 1 })
	b.open("/notifications", "main h1")
	b.waitText("main", "Sent", 20*time.Second)
	if n, bad, _ := sink.got(); n != 1 || bad != 0 {
		t.Fatalf("webhook got %d deliveries (%d badly signed), want exactly 1", n, bad)
	}
	b.shot("journey-notifications")
	b.open("/", "tr[id^=w-]")
	b.shot("journey-dashboard")
}

// shownDigits is an amount as the pages print it, without the currency
// symbol: "1,299.00".
func shownDigits(minor int64, currency string) string {
	s := price.Format(minor, currency)
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, ch := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	return b.String()
}

// listWatchesOf returns the product ids watched in a user's home workspace.
func listWatchesOf(t *testing.T, st *store.Store, email string) []int64 {
	t.Helper()
	u, err := st.GetUserByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := st.HomeWorkspace(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	ws2, err := st.ListWatches(t.Context(), ws, store.FindWatches{})
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, w := range ws2 {
		out = append(out, w.ProductID)
	}
	if len(out) == 0 {
		t.Fatalf("%s watches nothing", email)
	}
	return out
}
