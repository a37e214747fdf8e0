package cli

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/notify"
	"github.com/shelfwatch/shelfwatch/internal/notify/notifytest"
	"github.com/shelfwatch/shelfwatch/internal/price"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/storesim"
)

// liveEvents reports whether serve streams server-sent events (GET
// /events). Until it does, pages are checked after a reload; once it does,
// the same steps must show without one.
func liveEvents(t *testing.T, base string) bool {
	t.Helper()
	c := &http.Client{Timeout: 3 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + "/events")
	if err != nil {
		return true // a stream that did not end
	}
	resp.Body.Close()
	return resp.StatusCode != http.StatusNotFound
}

// retype replaces what a field holds, even after typing (fill clears the
// value attribute, which no longer counts once the field was typed in).
func (b *chrome) retype(sel, value string) {
	b.t.Helper()
	evalJS[bool](b, `(function(){const e=document.querySelector(`+jsString(sel)+`);e.value="";return true})()`)
	b.do(chromedp.SendKeys(chromedp.CSS(sel), value))
}

// liveRefresh does what app.js does on a server-sent event: each element
// matching sel is fetched again from its data-refresh URL and swapped in,
// without a reload (a marker on window shows there was none).
func liveRefresh(b *chrome, sel string) {
	b.t.Helper()
	evalJS[bool](b, `(window.__noReload=true,document.querySelectorAll(`+jsString(sel)+`).forEach(function(e){window.shelfwatch.refresh(e)}),true)`)
	waitFor(b.t, "the refreshed fragment", func() bool {
		return evalJS[bool](b, `window.__noReload===true && !document.querySelector(".htmx-request")`)
	})
}

// setSelect picks an option of a select and fires its change event.
func (b *chrome) setSelect(sel, value string) {
	b.t.Helper()
	evalJS[bool](b, `(function(){const s=document.querySelector(`+jsString(sel)+`);s.value=`+jsString(value)+
		`;s.dispatchEvent(new Event("change",{bubbles:true}));return true})()`)
}

type apiChannel struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

func channelByName(t *testing.T, base, name string) apiChannel {
	t.Helper()
	code, body := httpDo(t, "GET", base+"/api/v1/channels", "")
	var list struct {
		Channels []apiChannel `json:"channels"`
	}
	if err := json.Unmarshal(body, &list); err != nil || code != http.StatusOK {
		t.Fatalf("GET channels: %d %s %v", code, body, err)
	}
	for _, c := range list.Channels {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no channel %q in %s", name, body)
	return apiChannel{}
}

// A webhook channel made in the browser shows its signing secret once; its
// test send reaches the receiver, signed, and the page says so. A workspace
// any-drop rule on it is listed in words; a price drop in the store sends
// one notification, which shows on /notifications as sent.
func TestUIAlertsWebhookRuleNotification(t *testing.T) {
	sim := startStore(t, 2)
	c := uiConfig(t, db.SQLite)
	base, stop := startServe(t, c)
	defer func() { _ = stop() }()
	side := openSide(t, c)
	b := newChrome(t, base)
	b.signIn(adminEmail, adminPassword)

	b.open("/channels", "#new-channel")
	b.waitText("main", "No channel yet", 5*time.Second)
	hook := newWebhookSink(t)
	b.fill("#ch-name", "Hook", "#ch-url-w", hook.srv.URL+"/in")
	b.do(chromedp.Click(chromedp.CSS(`#new-channel button[type=submit]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`dialog [data-secret]`)))
	secret := b.text(`dialog [data-secret]`)
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("the dialog shows %q, not a signing secret", secret)
	}
	hook.mu.Lock()
	hook.secret = secret
	hook.mu.Unlock()
	b.do(chromedp.Click(chromedp.CSS(`dialog button.primary`)))
	b.waitText(".alert-list", "Hook", 10*time.Second)
	if html := evalJS[string](b, `document.documentElement.outerHTML`); strings.Contains(html, secret) {
		t.Fatal("the signing secret is on the page after it was shown")
	}
	ch := channelByName(t, base, "Hook")

	b.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#channel-%d [data-channel-test]`, ch.ID))))
	b.waitText(fmt.Sprintf("#test-%d", ch.ID), "Test sent", 20*time.Second)
	if n, bad, bodies := hook.got(); n != 1 || bad != 0 {
		t.Fatalf("the receiver got %d test messages (%d badly signed), want 1: %+v", n, bad, bodies)
	}
	b.shot("channel-tested")

	// A new URL gets a new signing secret, shown once; the alert below is
	// checked against it.
	b.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#channel-%d details.alert-edit summary`, ch.ID))))
	b.fill(fmt.Sprintf("#ch-url-%d", ch.ID), hook.srv.URL+"/v2")
	b.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#channel-%d details.alert-edit button[type=submit]`, ch.ID))))
	b.do(chromedp.WaitVisible(chromedp.CSS(`dialog [data-secret]`)))
	rotated := b.text(`dialog [data-secret]`)
	if !strings.HasPrefix(rotated, "whsec_") || rotated == secret {
		t.Fatalf("after a new URL the dialog shows %q (the old secret was %q)", rotated, secret)
	}
	hook.mu.Lock()
	hook.secret = rotated
	hook.mu.Unlock()
	b.do(chromedp.Click(chromedp.CSS(`dialog button.primary`)))
	b.waitText(".alert-list", "Hook", 10*time.Second)

	// The product is watched and checked before the rule exists.
	code, body := httpDo(t, "POST", base+"/api/v1/watches", fmt.Sprintf(`{"url":%q}`, sim.URL(1)))
	if code != http.StatusCreated {
		t.Fatalf("POST watch: %d %s", code, body)
	}
	var w apiWatch
	_ = json.Unmarshal(body, &w)
	waitFor(t, "the first check", func() bool {
		ws := listWatches(t, base)
		return len(ws) == 1 && ws[0].Product.LastCheckedAt != nil
	})

	b.open("/alerts", "#new-rule")
	b.setSelect("#kind-new", "any_drop")
	if hidden := evalJS[bool](b, `document.querySelector('#target-new').closest('fieldset').hidden`); !hidden {
		t.Fatal("the target field shows for an any-drop rule")
	}
	b.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#new-rule [data-rule-channel][value="%d"]`, ch.ID))))
	b.do(chromedp.Click(chromedp.CSS(`#new-rule button[type=submit]`)))
	b.waitText(".rule-section", "Price drops by any amount", 10*time.Second)
	b.waitText(".rule-section", "Hook · Webhook", 5*time.Second)
	b.shot("rules")

	live := liveEvents(t, base)
	b.open("/notifications", "#notification-list")
	b.waitText("#notification-list", "No notifications yet", 5*time.Second)

	truth, _ := sim.Product(1)
	start, ok := price.Price{Amount: truth.Price, Currency: truth.Currency}.Minor()
	if !ok {
		t.Fatalf("storesim price %q", truth.Price)
	}
	if err := sim.SetPrice(1, price.Format(start*80/100, truth.Currency)); err != nil {
		t.Fatal(err)
	}
	if _, err := side.DB().Write.ExecContext(t.Context(), `UPDATE products SET next_check_at = $1 WHERE id = $2`, time.Now().UnixMilli(), w.Product.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the alert at the receiver", func() bool { n, _, _ := hook.got(); return n == 2 })
	if live {
		b.waitText("#notification-list", "Sent", 20*time.Second)
	} else {
		// Until serve streams /events, do what its "notification" event
		// does: fetch the list's fragment again, in place.
		waitFor(t, "the notification marked sent", func() bool {
			ns, err := side.ListNotifications(t.Context(), workspaceOfWatch(t, side, w.ID), store.FindNotifications{Status: store.NotificationSent})
			return err == nil && len(ns) == 1
		})
		liveRefresh(b, "[data-live-notifications][data-refresh]")
	}
	b.waitText("#notification-list", "Sent", 10*time.Second)
	b.waitText("#notification-list", "Hook", 5*time.Second)
	// The filters swap the list in place and keep the URL.
	b.setSelect("#nf-status", "dead")
	b.waitText("#notification-list", "No notification matches these filters", 10*time.Second)
	if loc := b.location(); !strings.Contains(loc, "/notifications?") || !strings.Contains(loc, "status=dead") {
		t.Errorf("filtered page at %s", loc)
	}
	b.setSelect("#nf-status", "")
	b.waitText("#notification-list", "Sent", 10*time.Second)
	if !strings.Contains(b.text("#notification-list"), truth.Title) {
		t.Errorf("the notification does not name the product %q: %s", truth.Title, b.text("#notification-list"))
	}
	if n, bad, _ := hook.got(); n != 2 || bad != 0 {
		t.Fatalf("the receiver got %d messages (%d badly signed), want the test and one alert", n, bad)
	}
	b.shot("notification-sent")

	// On a phone, in the dark theme, no page scrolls sideways.
	b.do(chromedp.EmulateViewport(390, 844))
	evalJS[bool](b, `(localStorage.setItem("shelfwatch-theme","dark"),true)`)
	for _, p := range []string{"/alerts", "/channels", fmt.Sprintf("/channels/%d", ch.ID), "/notifications"} {
		b.open(p, "main h1")
		if w := evalJS[int](b, `document.documentElement.scrollWidth`); w > 390 {
			b.shot("overflow")
			t.Errorf("%s is %d px wide on a 390 px screen", p, w)
		}
	}
	b.shot("phone-dark")
}

func workspaceOfWatch(t *testing.T, side *store.Store, watchID int64) int64 {
	t.Helper()
	var ws int64
	if err := side.DB().Read.QueryRowContext(t.Context(), `SELECT workspace_id FROM watches WHERE id = $1`, watchID).Scan(&ws); err != nil {
		t.Fatal(err)
	}
	return ws
}

// A dead notification (written through the store: a receiver failing for
// a day is too slow to wait for) is retried from its channel's page and
// then sent. A viewer sees no write controls; a user of another workspace
// gets 404 for the channel.
func TestUIAlertsRetryAndRoles(t *testing.T) {
	c := uiConfig(t, db.SQLite)
	base, stop := startServe(t, c)
	defer func() { _ = stop() }()
	side := openSide(t, c)
	hook := newWebhookSink(t)
	code, body := httpDo(t, "POST", base+"/api/v1/channels", fmt.Sprintf(`{"kind":"webhook","name":"Flaky hook","url":%q}`, hook.srv.URL+"/in"))
	if code != http.StatusCreated {
		t.Fatalf("POST channel: %d %s", code, body)
	}
	var ch struct {
		ID            int64  `json:"id"`
		SigningSecret string `json:"signing_secret"`
	}
	_ = json.Unmarshal(body, &ch)
	hook.mu.Lock()
	hook.secret = ch.SigningSecret
	hook.mu.Unlock()

	var ws int64
	if err := side.DB().Read.QueryRowContext(t.Context(), `SELECT workspace_id FROM channels WHERE id = $1`, ch.ID).Scan(&ws); err != nil {
		t.Fatal(err)
	}
	msg, _ := json.Marshal(notify.Message{ID: "dead-1", Kind: "any_drop", At: time.Now(), Subject: "Price drop: Brass lamp",
		Product: notify.Product{Title: "Brass lamp", URL: "https://shop.example/p/1", Store: "shop.example"}})
	n := &store.Notification{WorkspaceID: ws, IdempotencyKey: "dead-1", ChannelID: &ch.ID, Kind: "any_drop", Message: string(msg)}
	if err := side.DB().Tx(t.Context(), func(tx *sql.Tx) error { _, err := side.InsertNotificationTx(t.Context(), tx, n); return err }); err != nil {
		t.Fatal(err)
	}
	// Inserted without a delivery job, so nothing sends it before it is dead.
	if _, err := side.DB().Write.ExecContext(t.Context(), `UPDATE notifications SET status = 'dead', attempts = 9, last_error = 'receiver answered 500 Internal Server Error', lease_until = NULL WHERE id = $1`, n.ID); err != nil {
		t.Fatal(err)
	}

	b := newChrome(t, base)
	b.signIn(adminEmail, adminPassword)
	b.open("/channels", "#new-channel")
	b.waitText(fmt.Sprintf("#channel-%d", ch.ID), "1 dead", 5*time.Second)
	b.open(fmt.Sprintf("/channels/%d", ch.ID), "#channel-history")
	b.waitText("#channel-history", "Dead", 5*time.Second)
	b.waitText("#channel-history", "receiver answered 500", 5*time.Second)
	b.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-api="/api/v1/notifications/%d/retry"]`, n.ID))))
	// The list is fetched again at once: pending (or already sent), no Retry.
	waitFor(t, "the history to show the retry", func() bool {
		return evalJS[bool](b, `(function(){const s=document.querySelector("#channel-history .badge");`+
			`return !!s && (s.textContent==="Pending"||s.textContent==="Sent") && !document.querySelector("#channel-history [data-api$='/retry']")})()`)
	})
	waitFor(t, "the retried notification at the receiver", func() bool { n, _, _ := hook.got(); return n == 1 })
	waitFor(t, "the notification marked sent", func() bool {
		got, err := side.GetNotification(t.Context(), ws, n.ID)
		return err == nil && got.Status == store.NotificationSent
	})
	if _, bad, bodies := hook.got(); bad != 0 || len(bodies) != 1 {
		t.Fatalf("receiver: %d bad signatures, bodies %+v", bad, bodies)
	}
	b.open(fmt.Sprintf("/channels/%d", ch.ID), "#channel-history")
	b.waitText("#channel-history", "Sent", 5*time.Second)
	if strings.Contains(b.text("#channel-history"), "Retry") {
		t.Error("a sent notification still offers Retry")
	}
	b.shot("retried")

	// A viewer, invited by link, reads the pages without write controls.
	code, body = httpDo(t, "POST", base+"/api/v1/invites", `{"role":"viewer"}`)
	var inv struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(body, &inv); err != nil || code != http.StatusCreated {
		t.Fatalf("invite: %d %s", code, body)
	}
	b.do(chromedp.Click(chromedp.CSS(`header [data-api="/api/v1/auth/signout"]`)))
	b.waitText("main h1", "Sign in", 10*time.Second)
	b.open("/signup?invite="+url.QueryEscape(inv.Token), "#email")
	b.fill("#email", "vic@example.com", "#password", "viewer password 1")
	b.do(chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.waitText("main h1", "Watches", 20*time.Second)
	for _, p := range []string{"/channels", fmt.Sprintf("/channels/%d", ch.ID), "/alerts", "/notifications", "/catalogs"} {
		b.open(p, "main h1")
		controls := evalJS[int](b, `document.querySelectorAll('main [data-api], main [data-channel-test], main form[data-api]').length`)
		if controls != 0 {
			t.Errorf("%s: a viewer sees %d write controls", p, controls)
		}
	}
	b.open(fmt.Sprintf("/channels/%d", ch.ID), "#channel-history")
	b.waitText("#channel-history", "Brass lamp", 5*time.Second)
	b.shot("viewer")

	// Someone else's workspace: the channel is not there.
	openSignUp(t, base)
	b.do(chromedp.Click(chromedp.CSS(`header [data-api="/api/v1/auth/signout"]`)))
	b.waitText("main h1", "Sign in", 10*time.Second)
	b.signUp("eve@example.com", "another long password")
	b.open(fmt.Sprintf("/channels/%d", ch.ID), "main h1")
	b.waitText("main h1", "Not found", 5*time.Second)
	b.open("/notifications", "#notification-list")
	if strings.Contains(b.text("main"), "Brass lamp") {
		t.Error("another workspace sees the notification")
	}
	b.shot("other-workspace")
}

// A catalog watch made in the browser scans the store (a baseline), then
// "Scan now" after the store adds a product shows it in the feed, and
// "Watch this" watches it.
func TestUIAlertsCatalog(t *testing.T) {
	sim := startStore(t, 4)
	u, err := url.Parse(sim.URL(1))
	if err != nil {
		t.Fatal(err)
	}
	root := u.Scheme + "://" + u.Host + "/"
	c := uiConfig(t, db.SQLite)
	base, stop := startServe(t, c)
	defer func() { _ = stop() }()
	side := openSide(t, c)
	b := newChrome(t, base)
	b.signIn(adminEmail, adminPassword)

	b.open("/catalogs", "#new-catalog")
	b.waitText("main", "No catalog watched yet", 5*time.Second)
	b.fill("#cat-url", root, "#cat-name", "Sim store")
	b.do(chromedp.Click(chromedp.CSS(`#new-catalog button[type=submit]`)))
	b.waitText("main h1", "Sim store", 10*time.Second)
	loc := b.location()
	id, err := parseTrailingID(loc)
	if err != nil {
		t.Fatalf("after creating, the page is %s", loc)
	}
	waitFor(t, "the baseline scan", func() bool { return getCatalog(t, base, id).Scans == 1 })
	live := liveEvents(t, base)
	// The baseline writes no event, so nothing streams: read the page again.
	b.open(fmt.Sprintf("/catalogs/%d", id), "#catalog-feed")
	b.waitText("#catalog-feed", "No new product since the first scan", 10*time.Second)

	if _, err := sim.AddProducts(storesim.NewProduct{Title: "Zeppelin LZ 127 Model Kit", Price: "89.00", Currency: "EUR"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the scan job to finish", func() bool {
		var n int
		err := side.DB().Read.QueryRowContext(t.Context(), `SELECT count(*) FROM river_job
			WHERE kind = 'catalog_scan' AND state IN ('available', 'pending', 'running', 'retryable', 'scheduled')`).Scan(&n)
		return err == nil && n == 0
	})
	b.do(chromedp.Click(chromedp.CSS(`[data-api$="/scan"]`)))
	waitFor(t, "the second scan", func() bool { return getCatalog(t, base, id).Scans == 2 })
	if !live {
		liveRefresh(b, "[data-live-catalog][data-refresh]")
	}
	b.waitText("#catalog-feed", "Zeppelin LZ 127 Model Kit", 20*time.Second)

	b.do(chromedp.Click(chromedp.CSS(`#catalog-feed button[data-api="/api/v1/watches"]`)))
	b.waitText("#catalog-feed", "Watching", 10*time.Second)
	b.shot("catalog-feed")
	watches := listWatches(t, base)
	if len(watches) != 1 || !strings.HasPrefix(watches[0].Product.URL, root+"p/") {
		t.Fatalf("watches after “Watch this”: %+v", watches)
	}
	b.open(fmt.Sprintf("/catalogs/%d", id), "#catalog-feed")
	if n := evalJS[int](b, `document.querySelectorAll('#catalog-feed button[data-api="/api/v1/watches"]').length`); n != 0 {
		t.Errorf("a watched product still offers “Watch this” (%d buttons)", n)
	}
	b.open("/catalogs", "#catalog-list")
	b.waitText("#catalog-list", "5 products seen", 5*time.Second)
	b.shot("catalog")

	b.do(chromedp.EmulateViewport(390, 844))
	evalJS[bool](b, `(localStorage.setItem("shelfwatch-theme","dark"),true)`)
	for _, p := range []string{"/catalogs", fmt.Sprintf("/catalogs/%d?all=1", id)} {
		b.open(p, "main h1")
		if w := evalJS[int](b, `document.documentElement.scrollWidth`); w > 390 {
			t.Errorf("%s is %d px wide on a 390 px screen", p, w)
		}
	}
	b.shot("catalog-phone-dark")
}

func parseTrailingID(loc string) (int64, error) {
	u, err := url.Parse(loc)
	if err != nil {
		return 0, err
	}
	var id int64
	_, err = fmt.Sscanf(u.Path, "/catalogs/%d", &id)
	return id, err
}

// The channel and rule forms: per-kind fields and hints, API errors next
// to the field they name, edits that leave secrets as they are, and a rule
// edited, muted and snoozed.
func TestUIAlertsForms(t *testing.T) {
	c := uiConfig(t, db.SQLite)
	base, stop := startServe(t, c)
	defer func() { _ = stop() }()
	b := newChrome(t, base)
	b.signIn(adminEmail, adminPassword)

	// A chat service: the hint follows the service; a bad URL is refused
	// next to the visible URL field.
	b.open("/channels", "#new-channel")
	b.setSelect("#ch-kind", "shoutrrr")
	if evalJS[bool](b, `!document.querySelector("#ch-url-s").closest("fieldset").hidden && document.querySelector("#ch-url-w").closest("fieldset").hidden`) != true {
		t.Fatal("the service fields do not replace the webhook's")
	}
	b.setSelect("#ch-svc", "telegram")
	b.waitText("[data-service-hint]", "BotFather", 5*time.Second)
	if ph := evalJS[string](b, `document.querySelector("#ch-url-s").placeholder`); !strings.HasPrefix(ph, "telegram://") {
		t.Errorf("placeholder for Telegram: %q", ph)
	}
	b.fill("#ch-name", "Phone", "#ch-url-s", "nosuchservice://token@somewhere")
	b.do(chromedp.Click(chromedp.CSS(`#new-channel button[type=submit]`)))
	b.waitText("#new-channel .form-error", "Check the marked field", 10*time.Second)
	if evalJS[string](b, `document.querySelector("#ch-url-s").getAttribute("aria-invalid")||""`) != "true" {
		t.Fatal("the service URL is not marked invalid")
	}

	// ntfy on loopback: added (no secret dialog), then a test reaches it.
	var got int
	var mu sync.Mutex
	ntfy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got++
		mu.Unlock()
		_, _ = io.WriteString(w, `{"id":"1"}`)
	}))
	defer ntfy.Close()
	b.setSelect("#ch-svc", "ntfy")
	b.retype("#ch-url-s", "ntfy://"+strings.TrimPrefix(ntfy.URL, "http://")+"/prices?scheme=http")
	b.do(chromedp.Click(chromedp.CSS(`#new-channel button[type=submit]`)))
	b.waitText(".alert-list", "Phone", 10*time.Second)
	phone := channelByName(t, base, "Phone")
	b.waitText(fmt.Sprintf("#channel-%d", phone.ID), "ntfy", 5*time.Second)
	b.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#channel-%d [data-channel-test]`, phone.ID))))
	b.waitText(fmt.Sprintf("#test-%d", phone.ID), "Test sent", 20*time.Second)
	mu.Lock()
	if got != 1 {
		t.Errorf("the ntfy receiver got %d requests, want 1", got)
	}
	mu.Unlock()

	// Email: an edit of the name alone keeps the SMTP URL; changing To
	// without it is refused at the SMTP field; a bad time zone at its own.
	sink := notifytest.StartSMTP(t, "alerts", "smtp-pass-123")
	b.setSelect("#ch-kind", "email")
	b.fill("#ch-name", "Mail", "#ch-to", "ann@example.test", "#ch-from", "shelfwatch@example.test",
		"#ch-smtp", "smtp://alerts:smtp-pass-123@"+sink.Addr+"?tls=none")
	b.do(chromedp.Click(chromedp.CSS(`#new-channel button[type=submit]`)))
	b.waitText(".alert-list", "Mail", 10*time.Second)
	mail := channelByName(t, base, "Mail")
	if strings.Contains(evalJS[string](b, `document.documentElement.outerHTML`), "smtp-pass-123") {
		t.Fatal("the SMTP password is on the page")
	}
	edit := func(id int64) string { return fmt.Sprintf("#channel-%d details.alert-edit", id) }
	b.do(chromedp.Click(chromedp.CSS(edit(mail.ID) + " summary")))
	b.fill(fmt.Sprintf("#ch-name-%d", mail.ID), "Mail to Ann", fmt.Sprintf("#ch-quiet-%d", mail.ID), "22:00-07:00")
	b.do(chromedp.Click(chromedp.CSS(edit(mail.ID) + " button[type=submit]")))
	b.waitText(fmt.Sprintf("#channel-%d", mail.ID), "Quiet 22:00-07:00", 10*time.Second)
	b.waitText(fmt.Sprintf("#channel-%d h3", mail.ID), "Mail to Ann", 5*time.Second)
	b.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#channel-%d [data-channel-test]`, mail.ID))))
	b.waitText(fmt.Sprintf("#test-%d", mail.ID), "Test sent", 20*time.Second)
	if n := len(sink.Mails()); n != 1 {
		t.Fatalf("the SMTP sink got %d mails after the edit's test, want 1 (the SMTP URL was kept)", n)
	}
	b.do(chromedp.Click(chromedp.CSS(edit(mail.ID) + " summary")))
	b.retype(fmt.Sprintf("#ch-to-%d", mail.ID), "bob@example.test") // fill would change its default value
	b.do(chromedp.Click(chromedp.CSS(edit(mail.ID) + " button[type=submit]")))
	b.waitText(edit(mail.ID)+" .field-error", "smtp_url again", 10*time.Second)
	b.retype(fmt.Sprintf("#ch-to-%d", mail.ID), "ann@example.test")
	b.retype(fmt.Sprintf("#ch-tz-%d", mail.ID), "Mars/Olympus")
	b.do(chromedp.Click(chromedp.CSS(edit(mail.ID) + " button[type=submit]")))
	b.waitText(edit(mail.ID)+" .form-error", "Check the marked field", 10*time.Second)
	if evalJS[string](b, fmt.Sprintf(`document.querySelector("#ch-tz-%d").getAttribute("aria-invalid")||""`, mail.ID)) != "true" {
		t.Error("the time zone is not marked invalid")
	}
	b.shot("channel-forms")

	// A drop-percent rule to both channels, edited, muted and snoozed.
	b.open("/alerts", "#new-rule")
	b.setSelect("#kind-new", "drop_percent")
	b.fill("#pct-new", "10")
	for _, id := range []int64{phone.ID, mail.ID} {
		b.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#new-rule [data-rule-channel][value="%d"]`, id))))
	}
	b.do(chromedp.Click(chromedp.CSS(`#new-rule button[type=submit]`)))
	b.waitText(".rule-section", "Price drops 10 % or more", 10*time.Second)
	b.waitText(".rule-section", "Mail to Ann", 5*time.Second)
	b.waitText(".rule-section", "Phone · ntfy", 5*time.Second)
	b.do(chromedp.Click(chromedp.CSS(`.rule-section details.alert-edit summary`)))
	b.fill(`.rule-section details.alert-edit input[name=percent]`, "15")
	b.do(chromedp.Click(chromedp.CSS(`.rule-section details.alert-edit [name=basis][value=median]`)))
	b.do(chromedp.Click(chromedp.CSS(`.rule-section details.alert-edit button[type=submit]`)))
	b.waitText(".rule-section", "Price drops 15 % or more below the 30-day median", 10*time.Second)
	b.do(chromedp.Click(chromedp.CSS(`.rule-section button[data-body='{"muted":true}']`)))
	b.waitText(".rule-section .alert-state", "Muted", 10*time.Second)
	b.do(chromedp.Click(chromedp.CSS(`.rule-section button[data-body='{"muted":false}']`)))
	b.waitText(".rule-section .alert-actions", "Mute", 10*time.Second)
	b.do(chromedp.Click(chromedp.CSS(`.rule-section .alert-actions button:nth-child(2)`)))
	b.waitText(".rule-section .alert-state", "Snoozed until", 10*time.Second)
	code, body := httpDo(t, "GET", base+"/api/v1/rules", "")
	var rules struct {
		Rules []struct {
			Kind         string  `json:"kind"`
			Percent      float64 `json:"percent"`
			Basis        string  `json:"basis"`
			ChannelIDs   []int64 `json:"channel_ids"`
			Muted        bool    `json:"muted"`
			SnoozedUntil *string `json:"snoozed_until"`
		} `json:"rules"`
	}
	if err := json.Unmarshal(body, &rules); err != nil || code != 200 || len(rules.Rules) != 1 {
		t.Fatalf("GET rules: %d %s", code, body)
	}
	if r := rules.Rules[0]; r.Kind != "drop_percent" || r.Percent != 15 || r.Basis != "median" || len(r.ChannelIDs) != 2 || r.Muted || r.SnoozedUntil == nil {
		t.Errorf("the rule after the edits: %+v", r)
	}
	b.shot("rules-edited")
}
