package ui

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/alert"
	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

func TestRuleWords(t *testing.T) {
	for _, c := range []struct {
		r    alert.Rule
		want string
	}{
		{alert.Rule{Kind: alert.DropPercent, Percent: 10}, "Price drops 10 % or more"},
		{alert.Rule{Kind: alert.DropPercent, Percent: 12.5, Basis: alert.AgainstMedian}, "Price drops 12.5 % or more below the 30-day median"},
		{alert.Rule{Kind: alert.DropAmount, AmountMinor: 500, Currency: "EUR", Basis: alert.AgainstMedian, Days: 7}, "Price drops by €5.00 or more below the 7-day median"},
		{alert.Rule{Kind: alert.PriceAtOrBelow}, "Price at or below the watch's target"},
		{alert.Rule{Kind: alert.PriceAtOrAbove, TargetMinor: 129900, Currency: "USD"}, "Price at or above $1,299.00"},
		{alert.Rule{Kind: alert.PriceAtOrBelow, TargetMinor: 1999, InStockOnly: true}, "Price at or below 19.99, only while in stock"},
		{alert.Rule{Kind: alert.AnyDrop}, "Price drops by any amount"},
		{alert.Rule{Kind: alert.LowestInDays, Days: 1}, "Lowest price in 1 day"},
		{alert.Rule{Kind: alert.LowestInDays, Days: 90}, "Lowest price in 90 days"},
		{alert.Rule{Kind: alert.AllTimeLow}, "Lowest price ever seen"},
		{alert.Rule{Kind: alert.BackInStock}, "Back in stock"},
		{alert.Rule{Kind: alert.OutOfStock}, "Goes out of stock"},
		{alert.Rule{Kind: alert.NewProduct}, "A new product appears in the catalog"},
		{alert.Rule{Kind: alert.NewProduct, Include: []string{"lamp", "desk", "chair"}, Exclude: []string{"used"}},
			"A new product appears in the catalog matching “lamp”, “desk” or “chair”, except “used”"},
		{alert.Rule{Kind: alert.WatchFailing}, "Checks fail 3 times in a row"},
		{alert.Rule{Kind: alert.WatchFailing, Failures: 5}, "Checks fail 5 times in a row"},
	} {
		if got := ruleWords(c.r); got != c.want {
			t.Errorf("ruleWords(%+v) = %q, want %q", c.r, got, c.want)
		}
	}
	for _, k := range alert.Kinds {
		if _, ok := kindLabels[k]; !ok {
			t.Errorf("kind %s has no label", k)
		}
	}
}

func TestEvery(t *testing.T) {
	for d, want := range map[time.Duration]string{15 * time.Minute: "15 min", 90 * time.Minute: "90 min", 6 * time.Hour: "6 h",
		24 * time.Hour: "24 h", 72 * time.Hour: "3 days", 30 * time.Hour: "30 h"} {
		if got := every(d); got != want {
			t.Errorf("every(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestParseNotifQuery(t *testing.T) {
	for _, c := range []struct {
		url  string
		want notifQuery
	}{
		{"/notifications", notifQuery{}},
		{"/notifications?status=dead&kind=any_drop&channel=4&product=+lamp+", notifQuery{Status: "dead", Kind: "any_drop", ChannelID: 4, Product: "lamp"}},
		{"/notifications?status=bogus&kind=nope&channel=-1", notifQuery{}},
	} {
		req := httptest.NewRequest(http.MethodGet, c.url, nil)
		if got := parseNotifQuery(req); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.url, got, c.want)
		}
	}
	if got := (notifQuery{Status: "sent", ChannelID: 3}).url("/notifications/list"); got != "/notifications/list?channel=3&status=sent" {
		t.Errorf("url = %q", got)
	}
}

// The pages render what the store holds, for the roles that may see it:
// rules in words with their channels, channels with their last delivery,
// notifications with filters, catalogs with their feed; write controls for
// the roles the API allows; other workspaces' ids answer 404.
func TestAlertPages(t *testing.T) {
	f := newFixture(t, db.SQLite)
	f.watch(t, f.ws, 2)
	ctx := context.Background()
	seal := func(int64) (string, error) { return "sealed", nil }
	seven := 7
	hook := &store.Channel{WorkspaceID: f.ws, Kind: store.ChannelWebhook, Name: "Team hook", Config: `{"host":"hooks.example"}`, TimeZone: "UTC", Enabled: true}
	chat := &store.Channel{WorkspaceID: f.ws, Kind: store.ChannelShoutrrr, Name: "Phone", Config: `{"service":"ntfy","host":"ntfy.sh"}`, TimeZone: "Europe/Berlin", Enabled: true, QuietHours: "22:00-07:00", DigestHour: &seven}
	other := &store.Channel{WorkspaceID: f.ws2, Kind: store.ChannelWebhook, Name: "Secret other", Config: `{}`, TimeZone: "UTC", Enabled: true}
	for _, c := range []*store.Channel{hook, chat, other} {
		if err := f.st.CreateChannel(ctx, c, seal, nil); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := f.st.DashboardRows(ctx, f.ws)
	if err != nil {
		t.Fatal(err)
	}
	def := &store.AlertRule{WorkspaceID: f.ws, Rule: alert.Rule{Kind: alert.DropPercent, Percent: 10}, ChannelIDs: []int64{hook.ID, chat.ID}}
	one := &store.AlertRule{WorkspaceID: f.ws, WatchID: &rows[0].WatchID, Rule: alert.Rule{Kind: alert.BackInStock}, Muted: true}
	for _, r := range []*store.AlertRule{def, one} {
		if err := f.st.CreateRule(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	n := &store.Notification{WorkspaceID: f.ws, IdempotencyKey: "k1", RuleID: &def.ID, WatchID: &rows[0].WatchID, ChannelID: &hook.ID,
		Kind: "drop_percent", Message: `{"Subject":"Price drop: 12 % off"}`}
	if err := f.st.DB().Tx(ctx, func(tx *sql.Tx) error { _, err := f.st.InsertNotificationTx(ctx, tx, n); return err }); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.MarkNotificationFailed(ctx, n.ID, "receiver answered 500 Internal Server Error", 0, true); err != nil {
		t.Fatal(err)
	}
	cat := &store.CatalogWatch{WorkspaceID: f.ws, URL: "https://shop.example/", Include: []string{"lamp"}, Interval: 6 * time.Hour, NextScanAt: time.Now().UnixMilli()}
	if err := f.st.CreateCatalogWatch(ctx, cat); err != nil {
		t.Fatal(err)
	}
	p := int64(4999)
	if _, err := f.st.RecordCatalogScan(ctx, cat.ID, store.CatalogScan{At: time.Now().UnixMilli(), Items: []store.CatalogScanItem{
		{CanonicalURL: "https://shop.example/p/1", URL: "https://shop.example/p/1", Title: "Old lamp", Matched: true}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.RecordCatalogScan(ctx, cat.ID, store.CatalogScan{At: time.Now().UnixMilli(), Items: []store.CatalogScanItem{
		{CanonicalURL: "https://shop.example/p/1", URL: "https://shop.example/p/1", Title: "Old lamp", Matched: true},
		{CanonicalURL: "https://shop.example/p/2", URL: "https://shop.example/p/2", Title: "Brass desk lamp", PriceMinor: &p, Currency: "EUR", Matched: true}}}); err != nil {
		t.Fatal(err)
	}

	page := func(ws int64, role auth.Role, path string, code int, want ...string) string {
		t.Helper()
		rec := f.get(t, ws, role, path)
		body := rec.Body.String()
		if rec.Code != code {
			t.Fatalf("%s as %s: %d\n%s", path, role, rec.Code, body)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s as %s: no %q", path, role, w)
			}
		}
		return body
	}
	body := page(f.ws, auth.RoleMember, "/alerts", 200, "Price drops 10 % or more", "Team hook · Webhook", "Phone · ntfy",
		"Back in stock", "Muted", fmt.Sprintf(`href="/watches/%d"`, rows[0].WatchID), `data-api="/api/v1/rules"`, "Snooze a day")
	if strings.Contains(body, "Secret other") {
		t.Error("the rules page offers another workspace's channel")
	}
	body = page(f.ws, auth.RoleViewer, "/alerts", 200, "Price drops 10 % or more")
	if strings.Contains(body, "data-api=") && strings.Contains(body, `data-api="/api/v1/rules`) {
		t.Error("a viewer sees rule write controls")
	}

	body = page(f.ws, auth.RoleAdmin, "/channels", 200, "Team hook", "hooks.example", "Dead", "receiver answered 500", "1 dead",
		"Quiet 22:00-07:00 (Europe/Berlin)", "Daily digest at 07:00 Europe/Berlin", `data-api="/api/v1/channels"`, "data-channel-test")
	if strings.Contains(body, "Secret other") {
		t.Error("the channels page lists another workspace's channel")
	}
	body = page(f.ws, auth.RoleMember, "/channels", 200, "data-channel-test")
	if strings.Contains(body, `data-method="DELETE"`) || strings.Contains(body, `id="new-channel"`) {
		t.Error("a member sees channel admin controls")
	}
	body = page(f.ws, auth.RoleViewer, "/channels", 200, "Team hook")
	if strings.Contains(body, "data-channel-test") {
		t.Error("a viewer can send tests")
	}

	page(f.ws, auth.RoleMember, fmt.Sprintf("/channels/%d", hook.ID), 200, "Delivery history", "Price drop: 12 % off",
		fmt.Sprintf(`data-api="/api/v1/notifications/%d/retry"`, n.ID), "data-live-notifications")
	page(f.ws, auth.RoleMember, fmt.Sprintf("/channels/%d", other.ID), 404)
	page(f.ws, auth.RoleMember, fmt.Sprintf("/channels/%d/history", other.ID), 404)
	page(f.ws, auth.RoleMember, "/channels/nope", 404)

	page(f.ws, auth.RoleMember, "/notifications", 200, "Price drop: 12 % off", `data-refresh="/notifications/list"`)
	page(f.ws, auth.RoleMember, "/notifications?status=sent", 200, "No notification matches these filters")
	page(f.ws, auth.RoleMember, "/notifications/list?status=dead&product=", 200, "Price drop: 12 % off",
		`data-refresh="/notifications/list?status=dead"`)
	page(f.ws2, auth.RoleOwner, "/notifications", 200, "No notifications yet", "add a <a href=\"/channels\">channel</a>")

	page(f.ws, auth.RoleMember, "/catalogs", 200, "shop.example", "lamp", "2 products seen", "Scan now", `data-live-catalog`)
	body = page(f.ws, auth.RoleMember, fmt.Sprintf("/catalogs/%d", cat.ID), 200, "Brass desk lamp", "€49.99", "Watch this")
	if strings.Contains(body, "Old lamp") {
		t.Error("the feed of new products shows the baseline")
	}
	page(f.ws, auth.RoleMember, fmt.Sprintf("/catalogs/%d?all=1", cat.ID), 200, "Old lamp", "Brass desk lamp")
	body = page(f.ws, auth.RoleViewer, fmt.Sprintf("/catalogs/%d", cat.ID), 200, "Brass desk lamp")
	if strings.Contains(body, "Watch this") || strings.Contains(body, "Scan now") {
		t.Error("a viewer sees catalog write controls")
	}
	page(f.ws2, auth.RoleOwner, fmt.Sprintf("/catalogs/%d", cat.ID), 404)
	page(f.ws2, auth.RoleOwner, fmt.Sprintf("/catalogs/%d/feed", cat.ID), 404)
}
