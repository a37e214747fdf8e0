package store_test

import (
	"database/sql"
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/alert"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// The UI's reads of notifications, channels and rules, on both engines:
// filters (LIKE wildcards taken literally, catalog alerts found by the
// title in their message), each channel's newest delivery and dead count,
// each rule's state, and tenancy throughout.
func TestUIAlertReads(t *testing.T) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			dbtest.SkipUnlessAvailable(t, eng)
			testUIAlertReads(t, store.New(dbtest.Open(t, eng)))
		})
	}
}

func testUIAlertReads(t *testing.T, st *store.Store) {
	c := ctx(t)
	a, b := workspace(t, st, "a"), workspace(t, st, "b")
	wa, pa := watch(t, st, a.ID, productURL(1))
	wb, _ := watch(t, st, b.ID, productURL(2))
	if _, err := st.DB().Write.ExecContext(c, `UPDATE products SET title = $1 WHERE id = $2`, "Kettle 100% steel", pa.ID); err != nil {
		t.Fatal(err)
	}
	hook := &store.Channel{WorkspaceID: a.ID, Kind: store.ChannelWebhook, Name: "hook", Config: "{}", TimeZone: "UTC", Enabled: true}
	mail := &store.Channel{WorkspaceID: a.ID, Kind: store.ChannelEmail, Name: "mail", Config: "{}", TimeZone: "UTC", Enabled: true}
	other := &store.Channel{WorkspaceID: b.ID, Kind: store.ChannelWebhook, Name: "hook", Config: "{}", TimeZone: "UTC", Enabled: true}
	for _, ch := range []*store.Channel{hook, mail, other} {
		if err := st.CreateChannel(c, ch, func(int64) (string, error) { return "sealed", nil }, nil); err != nil {
			t.Fatal(err)
		}
	}
	rule := &store.AlertRule{WorkspaceID: a.ID, Rule: alert.Rule{Kind: alert.AnyDrop}, ChannelIDs: []int64{hook.ID}}
	if err := st.CreateRule(c, rule); err != nil {
		t.Fatal(err)
	}

	insert := func(ws int64, key, kind string, watchID, channelID *int64, message string) int64 {
		t.Helper()
		n := &store.Notification{WorkspaceID: ws, IdempotencyKey: key, Kind: kind, WatchID: watchID, ChannelID: channelID, Message: message}
		if kind == string(alert.AnyDrop) && ws == a.ID {
			n.RuleID = &rule.ID
		}
		if err := st.DB().Tx(c, func(tx *sql.Tx) error { _, err := st.InsertNotificationTx(c, tx, n); return err }); err != nil {
			t.Fatal(err)
		}
		return n.ID
	}
	drop := insert(a.ID, "k1", "any_drop", &wa.ID, &hook.ID, `{"Product":{"title":"ignored"}}`)
	dead := insert(a.ID, "k2", "any_drop", &wa.ID, &hook.ID, `{}`)
	cat := insert(a.ID, "k3", "new_product", nil, &mail.ID, `{"Product":{"title":"Zeppelin model kit"}}`)
	insert(b.ID, "k4", "any_drop", &wb.ID, &other.ID, `{"Product":{"title":"Kettle 100% steel"}}`)
	if _, err := st.MarkNotificationSent(c, drop); err != nil {
		t.Fatal(err)
	}
	if _, err := st.MarkNotificationFailed(c, dead, "receiver answered 500", 0, true); err != nil {
		t.Fatal(err)
	}

	ids := func(f store.FindNotificationRows) []int64 {
		t.Helper()
		rows, err := st.ListNotificationRows(c, a.ID, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, r := range rows {
			out = append(out, r.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    store.FindNotificationRows
		want []int64
	}{
		{"all, newest first", store.FindNotificationRows{}, []int64{cat, dead, drop}},
		{"status", store.FindNotificationRows{Status: store.NotificationDead}, []int64{dead}},
		{"kind", store.FindNotificationRows{Kind: "new_product"}, []int64{cat}},
		{"channel", store.FindNotificationRows{ChannelID: hook.ID}, []int64{dead, drop}},
		{"title, any case, % literal", store.FindNotificationRows{Product: "KETTLE 100%"}, []int64{dead, drop}},
		{"a wildcard is literal", store.FindNotificationRows{Product: "Kettle 1_0"}, nil},
		{"catalog title from the message", store.FindNotificationRows{Product: "zeppelin"}, []int64{cat}},
		{"a watched product's message is not searched", store.FindNotificationRows{Product: "ignored"}, nil},
		{"cursor and limit", store.FindNotificationRows{AfterID: cat, Limit: 1}, []int64{dead}},
		{"another workspace's channel", store.FindNotificationRows{ChannelID: other.ID}, nil},
	} {
		if got := ids(tc.f); !equalIDs(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	rows, err := st.ListNotificationRows(c, a.ID, store.FindNotificationRows{})
	if err != nil {
		t.Fatal(err)
	}
	if r := rows[0]; r.ProductTitle != "Zeppelin model kit" || r.ChannelName != "mail" || r.ChannelKind != "email" || r.ProductID != nil {
		t.Errorf("catalog row = %+v", r)
	}
	if r := rows[2]; r.ProductTitle != "Kettle 100% steel" || r.ChannelName != "hook" || r.ProductID == nil || *r.ProductID != pa.ID || r.Status != store.NotificationSent {
		t.Errorf("watch row = %+v", r)
	}

	acts, err := st.ChannelActivities(c, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if h := acts[hook.ID]; h.LastStatus != store.NotificationDead || h.LastError != "receiver answered 500" || h.Dead != 1 || h.LastAt == 0 {
		t.Errorf("hook activity = %+v", h)
	}
	if m := acts[mail.ID]; m.LastStatus != store.NotificationPending || m.Dead != 0 {
		t.Errorf("mail activity = %+v", m)
	}
	if _, ok := acts[other.ID]; ok || len(acts) != 2 {
		t.Errorf("activities = %+v, want this workspace's two channels", acts)
	}

	if err := st.DB().Tx(c, func(tx *sql.Tx) error {
		return st.SaveAlertStateTx(c, tx, rule.ID, wa.ID, alert.State{Fired: true, LastFiredAt: 42})
	}); err != nil {
		t.Fatal(err)
	}
	ra, err := st.RuleActivities(c, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	r := ra[rule.ID]
	if r.Watches != 1 || r.Fired != 1 || r.LastFiredAt < 1e12 { // the notifications are newer than 42
		t.Errorf("rule activity = %+v", r)
	}
	if rb, err := st.RuleActivities(c, b.ID); err != nil || len(rb) != 0 {
		t.Errorf("workspace b's rule activities = %+v, %v", rb, err)
	}

	watched, err := st.WatchedCanonicalURLs(c, a.ID, []string{productURL(1), productURL(2), productURL(3)})
	if err != nil {
		t.Fatal(err)
	}
	if len(watched) != 1 || watched[productURL(1)] != wa.ID {
		t.Errorf("watched = %v, want only %s → %d", watched, productURL(1), wa.ID)
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
