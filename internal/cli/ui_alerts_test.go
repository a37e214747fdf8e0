package cli

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/notify"
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
		// TODO(sse): without /events on serve, only a reload shows it.
		waitFor(t, "the notification marked sent", func() bool {
			ns, err := side.ListNotifications(t.Context(), workspaceOfWatch(t, side, w.ID), store.FindNotifications{Status: store.NotificationSent})
			return err == nil && len(ns) == 1
		})
		b.open("/notifications", "#notification-list")
	}
	b.waitText("#notification-list", "Sent", 10*time.Second)
	b.waitText("#notification-list", "Hook", 5*time.Second)
	if !strings.Contains(b.text("#notification-list"), truth.Title) {
		t.Errorf("the notification does not name the product %q: %s", truth.Title, b.text("#notification-list"))
	}
	if n, bad, _ := hook.got(); n != 2 || bad != 0 {
		t.Fatalf("the receiver got %d messages (%d badly signed), want the test and one alert", n, bad)
	}
	b.shot("notification-sent")
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
	if !live {
		b.open(fmt.Sprintf("/catalogs/%d", id), "#catalog-feed") // TODO(sse): live once /events is served
	}
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
		b.open(fmt.Sprintf("/catalogs/%d", id), "#catalog-feed")
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
