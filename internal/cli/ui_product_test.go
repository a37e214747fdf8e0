package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/extract"
	"github.com/shelfwatch/shelfwatch/internal/fetch"
	"github.com/shelfwatch/shelfwatch/internal/price"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// The add-product and product pages in the browser: a storesim product is
// previewed (its real title and price) and saved; its page shows the price
// and a uPlot chart whose ranges switch data; a target set in the settings
// form and an alert rule added in the editor are there after a reload;
// bulk add creates the valid lines and shows the API's message for the
// invalid one; a bad URL gets the API's field error; another workspace's
// watch is the 404 page.
func TestUIProduct(t *testing.T) {
	sim := startStore(t, 4)
	c := uiConfig(t, db.SQLite)
	base, stop := startServe(t, c)
	defer func() { _ = stop() }()
	side := openSide(t, c)
	b := newChrome(t, base)
	b.signIn(adminEmail, adminPassword)

	// A channel, which the rule editor offers (checked: it is enabled).
	if code, body := httpDo(t, "POST", base+"/api/v1/channels", `{"kind":"webhook","name":"Team hook","url":"http://127.0.0.1:9/hook"}`); code != 201 {
		t.Fatalf("create channel: %d %s", code, body)
	}
	sp, ok := sim.Product(1)
	if !ok {
		t.Fatal("storesim has no product 1")
	}
	// Add page: the preview shows what storesim serves.
	b.open("/watches/new", "#url")
	b.fill("#url", sim.URL(1))
	b.waitText("#preview [data-preview-title]", sp.Title, 30*time.Second)
	if got := strings.ReplaceAll(b.text("#preview [data-preview-price]"), ",", ""); !strings.Contains(got, sp.Price) {
		t.Fatalf("preview price %q, storesim's is %s %s", got, sp.Price, sp.Currency)
	}
	if ev := b.text("#preview details.evidence summary"); !strings.Contains(ev, "Evidence") {
		t.Fatalf("no evidence in the preview: %q", ev)
	}
	b.shot("add-preview-light")
	b.do(chromedp.Click(chromedp.CSS(`[data-theme-toggle]`)))
	b.shot("add-preview-dark")
	b.do(chromedp.Click(chromedp.CSS(`[data-theme-toggle]`)))

	// A target, and two alerts: at the target (checked by default) and back in stock.
	minor, ok := price.Price{Amount: sp.Price, Currency: sp.Currency}.Minor()
	if !ok {
		t.Fatalf("storesim price %q", sp.Price)
	}
	b.fill("#target_price", price.Format(minor*2, sp.Currency))
	b.do(chromedp.Click(chromedp.CSS(`[data-alert="back_in_stock"]`)))
	b.do(chromedp.Click(chromedp.CSS(`#add-form button[type=submit]`)))
	b.waitJS(`/^\/watches\/[0-9]+$/.test(location.pathname) && document.getElementById("product-title") != null`, 20*time.Second)
	loc := b.location()
	watchID, err := strconv.ParseInt(loc[strings.LastIndex(loc, "/")+1:], 10, 64)
	if err != nil || !strings.Contains(loc, "/watches/") {
		t.Fatalf("saving went to %s", loc)
	}
	path := fmt.Sprintf("/watches/%d", watchID)

	// The first check fills the price in (the page is reloaded until then:
	// live updates are another page's business).
	waitFor(t, "the first check's title and price on the product page", func() bool {
		b.open(path, "#product-title")
		return strings.Contains(b.text("#product-title"), sp.Title) &&
			strings.Contains(strings.ReplaceAll(b.text("[data-current-price]"), ",", ""), sp.Price)
	})
	b.waitJS(`document.getElementById("chart").dataset.points !== undefined`, 20*time.Second)
	if n := evalJS[int](b, `document.getElementById("chart")._uplot.data[0].length`); n < 1 {
		t.Fatalf("the chart has %d points", n)
	}

	// Backfill ~100 history rows over 200 days, then the ranges differ.
	for _, want := range []string{"Price at or below the watch's target → Team hook", "Back in stock → Team hook"} {
		if got := b.text("[data-rules]"); !strings.Contains(got, want) {
			t.Fatalf("rules after adding: %q, want %q", got, want)
		}
	}
	productID := watchProductID(t, base, watchID)
	now := time.Now().Add(-2 * time.Hour).UnixMilli()
	var rows []store.HistoryImportRow
	for i := 100; i >= 1; i-- {
		p := minor + int64((i%7)-3)*minor/40
		avail := store.InStock
		if i%17 == 0 {
			avail = store.OutOfStock
		}
		rows = append(rows, store.HistoryImportRow{ProductID: productID, ObservedAt: now - int64(i)*2*store.DayMS,
			PriceMinor: &p, Currency: sp.Currency, Availability: avail})
	}
	if err := side.ImportHistory(t.Context(), rows); err != nil {
		t.Fatal(err)
	}
	b.open(path, "#product-title")
	b.waitJS(`document.getElementById("chart").dataset.range === "30d" && document.getElementById("chart")._uplot != null`, 20*time.Second)
	n30 := evalJS[int](b, `document.getElementById("chart")._uplot.data[0].length`)
	b.do(chromedp.Click(chromedp.CSS(`button[data-range="all"]`)))
	b.waitJS(`document.getElementById("chart").dataset.range === "all"`, 20*time.Second)
	nAll := evalJS[int](b, `document.getElementById("chart")._uplot.data[0].length`)
	if nAll <= n30 || nAll < 50 {
		t.Fatalf("range all has %d points, 30 d has %d: the ranges do not switch data", nAll, n30)
	}
	if p := evalJS[string](b, `document.querySelector('button[data-range="all"]').getAttribute("aria-pressed")`); p != "true" {
		t.Fatalf("the pressed range button says aria-pressed=%q", p)
	}
	b.do(chromedp.Click(chromedp.CSS(`.chart-table summary`)))
	if rows := evalJS[int](b, `document.querySelectorAll("[data-chart-rows] tr").length`); rows < 50 {
		t.Fatalf("the table fallback has %d rows", rows)
	}

	// Live: the store's price drops; the next check updates the header and
	// the chart without a reload.
	evalJS[bool](b, `(window.__swNoReload = true)`)
	dropped := price.Format(minor*9/10, sp.Currency)
	if err := sim.SetPrice(1, dropped); err != nil {
		t.Fatal(err)
	}
	if _, err := side.CheckSoon(t.Context(), time.Now().UnixMilli(), productID); err != nil {
		t.Fatal(err)
	}
	b.waitJS(`document.querySelector("[data-current-price]").textContent.replaceAll(",", "").includes(`+jsString(dropped)+`)`, 30*time.Second)
	b.waitJS(`(function(){const u=document.getElementById("chart")._uplot; const p=u.data[1]; return p[p.length-1] === `+dropped+`})()`, 10*time.Second)
	b.waitText("#product-events", "Price", 10*time.Second) // the timeline is live too
	if !evalJS[bool](b, `window.__swNoReload === true`) {
		t.Fatal("the page reloaded for the live update")
	}

	// Settings: a target, kept after a reload.
	target := price.Format(minor/2, sp.Currency)
	b.fill("#w-target", target)
	b.clickAndReload(`[data-watch-settings] button[type=submit]`)
	b.open(path, "#w-target")
	if got := evalJS[string](b, `document.getElementById("w-target").value`); got != target {
		t.Fatalf("target after saving %s and reloading: %q", target, got)
	}

	// Alert rule editor: a 10 % drop rule, listed after it is added.
	evalJS[bool](b, `(function(){const s=document.getElementById("rule-kind");s.value="drop_percent";s.dispatchEvent(new Event("change"));return true})()`)
	b.fill("#rule-percent", "10")
	b.clickAndReload(`[data-rule-form] button[type=submit]`)
	b.waitText("[data-rules]", "Price drops 10 % or more", 20*time.Second)
	b.waitText("[data-rules]", "→ Team hook", 5*time.Second)
	b.waitJS(`document.getElementById("chart")._uplot != null`, 20*time.Second)
	b.do(chromedp.Click(chromedp.CSS(`button[data-range="all"]`)))
	b.waitJS(`document.getElementById("chart").dataset.range === "all"`, 20*time.Second)
	b.shot("product-light")
	b.do(chromedp.Click(chromedp.CSS(`[data-theme-toggle]`)))
	b.waitJS(`document.documentElement.dataset.theme === "dark" && document.getElementById("chart")._uplot != null`, 10*time.Second)
	b.shot("product-dark")
	// A phone: one column, the chart as wide as the screen.
	b.do(chromedp.EmulateViewport(390, 844))
	b.waitJS(`document.getElementById("chart")._uplot.width <= 390`, 10*time.Second)
	b.shot("product-phone-dark")
	b.do(chromedp.EmulateViewport(1280, 900))
	b.do(chromedp.Click(chromedp.CSS(`[data-theme-toggle]`)))

	// Bulk add: two good lines, one bad.
	b.open("/watches/new", "#bulk-urls")
	evalJS[bool](b, `(function(){document.getElementById("bulk-urls").value=`+jsString(sim.URL(2)+"\nnot a url\n"+sim.URL(3))+`;return true})()`)
	b.do(chromedp.Click(chromedp.CSS(`[data-bulk-add] button[type=submit]`)))
	b.waitText("[data-bulk-summary]", "2 of 3 added", 30*time.Second)
	if ok, bad := evalJS[int](b, `document.querySelectorAll('[data-result="ok"]').length`), evalJS[int](b, `document.querySelectorAll('[data-result="error"]').length`); ok != 2 || bad != 1 {
		t.Fatalf("bulk add: %d added, %d errors; want 2 and 1", ok, bad)
	}
	if msg := b.text(`[data-result="error"] .why`); msg == "" {
		t.Fatal("the failed bulk line shows no message")
	}
	b.shot("bulk-add")

	// A bad URL in the add form: the API's field error next to the field.
	b.open("/watches/new", "#url")
	b.fill("#url", "ftp://example.com/x")
	b.do(chromedp.Click(chromedp.CSS(`#add-form button[type=submit]`)))
	b.waitJS(`(function(){const e=document.querySelector("#url").closest(".url-row").parentElement.querySelector(".field-error");return !!e && e.textContent.length > 0})()`, 10*time.Second)
	if got := evalJS[string](b, `document.getElementById("url").getAttribute("aria-invalid")`); got != "true" {
		t.Fatalf("the URL field is not marked invalid: %q", got)
	}
	b.shot("add-bad-url")

	// The preview is polite and says why it has nothing to show.
	origin := sim.URL(1)[:strings.Index(sim.URL(1), "/p/")]
	for _, tc := range []struct{ url, want string }{
		{origin + "/cart", "robots.txt does not allow"},
		{origin + "/p/999999-nothing", "answered HTTP 404"},
	} {
		b.fill("#url", tc.url)
		b.waitText("#preview .preview-error", tc.want, 30*time.Second)
	}

	// Another workspace's watch is the 404 page.
	openSignUp(t, base)
	b.do(chromedp.Click(chromedp.CSS(`header [data-api="/api/v1/auth/signout"]`)))
	b.waitText("main h1", "Sign in", 10*time.Second)
	b.signUp("bo@example.com", "correct horse battery")
	b.open(path, "main h1")
	b.waitText("main h1", "Not found", 10*time.Second)
	b.shot("other-workspace")
}

// clickAndReload clicks sel (a data-api control whose success reloads the
// page) and waits for the new page, so the test's next navigation does not
// race the reload.
func (b *chrome) clickAndReload(sel string) {
	b.t.Helper()
	evalJS[bool](b, `(window.__swBeforeReload = true)`)
	b.do(chromedp.Click(chromedp.CSS(sel)))
	b.waitJS(`window.__swBeforeReload === undefined && document.readyState === "complete"`, 20*time.Second)
}

// waitJS polls a JS condition until it is true.
func (b *chrome) waitJS(cond string, timeout time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		// Errors (a page between documents) count as false.
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){try{return !!(`+cond+`)}catch(e){return false}})()`))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.shot("failure")
			b.t.Fatalf("waited %s for %s (page %s)", timeout, cond, b.location())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func watchProductID(t *testing.T, base string, watchID int64) int64 {
	t.Helper()
	code, body := httpDo(t, "GET", fmt.Sprintf("%s/api/v1/watches/%d", base, watchID), "")
	if code != 200 {
		t.Fatalf("GET watch %d: %d %s", watchID, code, body)
	}
	var w apiWatch
	if err := json.Unmarshal(body, &w); err != nil {
		t.Fatal(err)
	}
	return w.Product.ID
}

// previewOf turns an extraction into the add page's preview: the price in
// minor units, the winning strategy, evidence lines capped.
func TestPreviewOf(t *testing.T) {
	var ev []extract.Evidence
	for i := range maxPreviewEvidence + 3 {
		ev = append(ev, extract.Evidence{Strategy: "jsonld", Field: "price", Value: strconv.Itoa(i), Where: "offers"})
	}
	p := previewOf("https://shop.example/p", extract.Observation{Title: "Lamp", Price: "19.9", Currency: "EUR",
		Availability: extract.Availability(store.InStock), Image: "https://shop.example/i.png", Source: "jsonld", Evidence: ev})
	if p.PriceMinor == nil || *p.PriceMinor != 1990 || p.Currency != "EUR" || p.Strategy != "jsonld" || p.Title != "Lamp" {
		t.Fatalf("preview %+v", p)
	}
	if len(p.Evidence) != maxPreviewEvidence+1 || p.Evidence[0] != "jsonld · price: 0 (offers)" || p.Evidence[maxPreviewEvidence] != "… and 3 more" {
		t.Fatalf("evidence %q", p.Evidence)
	}
	if p := previewOf("https://shop.example/p", extract.Observation{Title: "Gift card"}); p.PriceMinor != nil {
		t.Fatalf("a page without a price has price %d", *p.PriceMinor)
	}
}

func TestPreviewFailure(t *testing.T) {
	for _, tc := range []struct {
		r    fetch.Result
		want string
	}{
		{fetch.Result{Outcome: fetch.OutcomeDisallowed}, "robots.txt does not allow"},
		{fetch.Result{Outcome: fetch.OutcomeBlocked, BlockReason: "captcha"}, "bot wall (captcha)"},
		{fetch.Result{Outcome: fetch.OutcomeSSRF}, "private, loopback or link-local"},
		{fetch.Result{Outcome: fetch.OutcomeHTTPError, Status: 410}, "HTTP 410"},
		{fetch.Result{Outcome: fetch.OutcomeNoProxy}, "(no proxy available)"},
	} {
		if got := previewFailure(&tc.r); !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want %q in it", tc.r.Outcome, got, tc.want)
		}
	}
}
