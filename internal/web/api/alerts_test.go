package api

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/fetch"
	"github.com/shelfwatch/shelfwatch/internal/jobs"
	"github.com/shelfwatch/shelfwatch/internal/notify"
	"github.com/shelfwatch/shelfwatch/internal/secret"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// withNotify gives the fixture's handler a notification service (private
// networks allowed when private is set, for loopback receivers).
func (f *acct) withNotify(private bool) *notify.Service {
	f.t.Helper()
	keys, err := secret.New(bytes.Repeat([]byte{3}, secret.KeySize))
	if err != nil {
		f.t.Fatal(err)
	}
	dl := &notify.Deliverer{Store: f.st, Keys: keys, Outbound: fetch.Options{AllowPrivateNetworks: private}, UserAgent: "shelfwatch/test",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	// Not started: retries are enqueued, not run.
	runner, err := jobs.New(f.st.DB(), f.st, jobs.Options{Register: dl.Register})
	if err != nil {
		f.t.Fatal(err)
	}
	dl.Jobs = runner
	f.h.Notify = &notify.Service{Store: f.st, Deliverer: dl}
	return f.h.Notify
}

// channelIn creates a webhook channel in ws through the store.
func (f *acct) channelIn(ws int64, url string) int64 {
	f.t.Helper()
	sec, cfg, err := f.h.Notify.CheckChannel(context.Background(), &notify.ChannelInput{Kind: store.ChannelWebhook, URL: url})
	if err != nil {
		f.t.Fatal(err)
	}
	b, _ := json.Marshal(cfg)
	c := &store.Channel{WorkspaceID: ws, Kind: store.ChannelWebhook, Name: "hook", Config: string(b), Enabled: true}
	if err := f.st.CreateChannel(context.Background(), c, f.h.Notify.Seal(sec), nil); err != nil {
		f.t.Fatal(err)
	}
	return c.ID
}

func (f *acct) notificationIn(ws int64, key, status string) int64 {
	f.t.Helper()
	n := &store.Notification{WorkspaceID: ws, IdempotencyKey: key, Kind: "price_at_or_below", Message: `{"Subject":"x"}`}
	err := f.st.DB().Tx(context.Background(), func(tx *sql.Tx) error {
		_, err := f.st.InsertNotificationTx(context.Background(), tx, n)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	if status == store.NotificationDead {
		if _, err := f.st.MarkNotificationFailed(context.Background(), n.ID, "receiver answered 410 Gone", 0, true); err != nil {
			f.t.Fatal(err)
		}
	}
	return n.ID
}

// alertTenancyRows are the tenancy table's rows for channels, rules and
// notifications.
func (f *acct) alertTenancyRows() map[string]tenancyRow {
	f.withNotify(false)
	chA, chB := f.channelIn(f.wsA, "https://1.1.1.1/a"), f.channelIn(f.wsB, "https://1.1.1.1/b")
	rule := func(ws, watch int64) int64 {
		r := &store.AlertRule{WorkspaceID: ws, WatchID: &watch}
		r.Rule.Kind = "any_drop"
		if err := f.st.CreateRule(context.Background(), r); err != nil {
			f.t.Fatal(err)
		}
		return r.ID
	}
	rA, rB := rule(f.wsA, f.watchA), rule(f.wsB, f.watchB)
	nA, nB := f.notificationIn(f.wsA, "a", store.NotificationDead), f.notificationIn(f.wsB, "b", store.NotificationDead)
	path := func(method, kind string, id int64, suffix, body string) string {
		s := fmt.Sprintf("%s /api/v1/%s/%d%s", method, kind, id, suffix)
		if body != "" {
			s += " " + body
		}
		return s
	}
	newChannel := `POST /api/v1/channels {"kind":"webhook","name":"n","url":"https://1.1.1.1/new"}`
	newRule := fmt.Sprintf(`POST /api/v1/rules {"kind":"any_drop","watch_id":%d}`, f.watchA)
	return map[string]tenancyRow{
		"POST /api/v1/channels": {own: newChannel, other: newChannel, wantOther: 201, wantViewer: 403, wantReadToken: 403},
		"GET /api/v1/channels": {own: "GET /api/v1/channels", other: "GET /api/v1/channels",
			wantOther: 200, wantViewer: 200, wantReadToken: 200},
		"GET /api/v1/channels/{id}": {own: path("GET", "channels", chA, "", ""), other: path("GET", "channels", chB, "", ""),
			wantOther: 404, wantViewer: 200, wantReadToken: 200},
		"PATCH /api/v1/channels/{id}": {own: path("PATCH", "channels", chA, "", `{"name":"x"}`), other: path("PATCH", "channels", chB, "", `{"name":"x"}`),
			wantOther: 404, wantViewer: 403, wantReadToken: 403},
		"DELETE /api/v1/channels/{id}": {own: path("DELETE", "channels", chA, "", ""), other: path("DELETE", "channels", chB, "", ""),
			wantOther: 404, wantViewer: 403, wantReadToken: 403},
		"POST /api/v1/channels/{id}/test": {own: path("POST", "channels", chA, "/test", ""), other: path("POST", "channels", chB, "/test", ""),
			wantOther: 404, wantViewer: 403, wantReadToken: 403},

		// A rule naming another workspace's watch in its body is refused
		// as naming nothing (400, no existence leak); "other" here is the
		// plain create in the caller's own workspace.
		"POST /api/v1/rules": {own: newRule, other: newRule, wantOther: 201, wantViewer: 403, wantReadToken: 403},
		"GET /api/v1/rules":  {own: "GET /api/v1/rules", other: "GET /api/v1/rules", wantOther: 200, wantViewer: 200, wantReadToken: 200},
		"GET /api/v1/rules/{id}": {own: path("GET", "rules", rA, "", ""), other: path("GET", "rules", rB, "", ""),
			wantOther: 404, wantViewer: 200, wantReadToken: 200},
		"PATCH /api/v1/rules/{id}": {own: path("PATCH", "rules", rA, "", `{"muted":true}`), other: path("PATCH", "rules", rB, "", `{"muted":true}`),
			wantOther: 404, wantViewer: 403, wantReadToken: 403},
		"DELETE /api/v1/rules/{id}": {own: path("DELETE", "rules", rA, "", ""), other: path("DELETE", "rules", rB, "", ""),
			wantOther: 404, wantViewer: 403, wantReadToken: 403},

		"GET /api/v1/notifications": {own: "GET /api/v1/notifications", other: "GET /api/v1/notifications",
			wantOther: 200, wantViewer: 200, wantReadToken: 200},
		"GET /api/v1/notifications/{id}": {own: path("GET", "notifications", nA, "", ""), other: path("GET", "notifications", nB, "", ""),
			wantOther: 404, wantViewer: 200, wantReadToken: 200},
		"POST /api/v1/notifications/{id}/retry": {own: path("POST", "notifications", nA, "/retry", ""), other: path("POST", "notifications", nB, "/retry", ""),
			wantOther: 404, wantViewer: 403, wantReadToken: 403},
	}
}

// signedHook is a local webhook receiver.
type signedHook struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []*http.Request
	body [][]byte
}

func newSignedHook(t *testing.T) *signedHook {
	h := &signedHook{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.reqs, h.body = append(h.reqs, r), append(h.body, b)
		h.mu.Unlock()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func TestChannelsAPI(t *testing.T) {
	forEachAcct(t, func(t *testing.T, f *acct) {
		owner, admin, member := f.as("ownerA"), f.as("adminA"), f.as("memberA")

		// Private networks off: a loopback webhook is refused when saved.
		f.withNotify(false)
		hook := newSignedHook(t)
		res := f.call(owner, "POST", "/api/v1/channels", fmt.Sprintf(`{"kind":"webhook","name":"local","url":%q}`, hook.srv.URL+"/in?token=SECRET123"))
		if res.code != 400 || !strings.Contains(string(res.body), "private") || strings.Contains(string(res.body), "SECRET123") {
			t.Fatalf("loopback webhook: %d %s", res.code, res.body)
		}

		f.withNotify(true)
		res = f.call(admin, "POST", "/api/v1/channels", fmt.Sprintf(`{"kind":"webhook","name":"local","url":%q}`, hook.srv.URL+"/in?token=SECRET123"))
		if res.code != 201 {
			t.Fatalf("create: %d %s", res.code, res.body)
		}
		var created channelJSON
		_ = json.Unmarshal(res.body, &created)
		if !strings.HasPrefix(created.SigningSecret, "whsec_") || created.Host == "" {
			t.Fatalf("created %+v: the generated signing secret is shown once", created)
		}
		if strings.Contains(string(res.body), "SECRET123") {
			t.Fatal("the answer shows the webhook URL's token")
		}
		res = f.call(member, "GET", fmt.Sprintf("/api/v1/channels/%d", created.ID), "")
		if res.code != 200 || strings.Contains(string(res.body), "SECRET123") || strings.Contains(string(res.body), created.SigningSecret) {
			t.Fatalf("get: %d %s", res.code, res.body)
		}
		// At rest: sealed, not the URL.
		c, err := f.st.GetChannel(context.Background(), f.wsA, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(c.SecretCiphertext, "SECRET123") || !strings.HasPrefix(c.SecretCiphertext, "v1.") {
			t.Fatalf("stored secret %q", c.SecretCiphertext)
		}
		// Members may test-send; the receiver gets a signed sample.
		res = f.call(member, "POST", fmt.Sprintf("/api/v1/channels/%d/test", created.ID), "")
		if res.code != 200 {
			t.Fatalf("test send: %d %s", res.code, res.body)
		}
		hook.mu.Lock()
		if len(hook.reqs) != 1 || !strings.HasPrefix(hook.reqs[0].Header.Get(notify.HeaderSignature), "t=") ||
			hook.reqs[0].URL.Query().Get("token") != "SECRET123" {
			t.Fatalf("receiver got %d requests", len(hook.reqs))
		}
		hook.mu.Unlock()
		// Members may not change channels.
		if res := f.call(member, "PATCH", fmt.Sprintf("/api/v1/channels/%d", created.ID), `{"name":"x"}`); res.code != 403 {
			t.Fatalf("member patch: %d", res.code)
		}
		// Bad settings are field errors and change nothing.
		for _, body := range []string{`{"quiet_hours":"late"}`, `{"time_zone":"Mars/Base"}`, `{"text_template":"{{.Nope"}`, `{"digest_hour":30}`} {
			res := f.call(admin, "PATCH", fmt.Sprintf("/api/v1/channels/%d", created.ID), body)
			if res.code != 400 {
				t.Errorf("patch %s: %d %s", body, res.code, res.body)
			}
		}
		res = f.call(admin, "PATCH", fmt.Sprintf("/api/v1/channels/%d", created.ID), `{"quiet_hours":"22:00-07:00","time_zone":"Europe/Berlin"}`)
		if res.code != 200 || !strings.Contains(string(res.body), "Europe/Berlin") {
			t.Fatalf("patch: %d %s", res.code, res.body)
		}
		// Changes are audited.
		entries, err := f.st.ListAudit(context.Background(), store.FindAudit{WorkspaceID: f.wsA})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action)
		}
		if !strings.Contains(strings.Join(actions, ","), "channel.create") || !strings.Contains(strings.Join(actions, ","), "channel.update") {
			t.Fatalf("audit %v", actions)
		}
		// Unknown kinds and bad shoutrrr URLs.
		for _, body := range []string{`{"kind":"pigeon","name":"p"}`, `{"kind":"shoutrrr","name":"s","url":"gopher://x"}`,
			`{"kind":"email","name":"e","smtp_url":"smtp://127.0.0.1:25","from":"a@b.example","to":"nope"}`, `{"kind":"webhook","name":"w","url":"ftp://x"}`} {
			if res := f.call(admin, "POST", "/api/v1/channels", body); res.code != 400 {
				t.Errorf("create %s: %d %s", body, res.code, res.body)
			}
		}
	})
}

func TestRulesAndNotificationsAPI(t *testing.T) {
	forEachAcct(t, func(t *testing.T, f *acct) {
		f.withNotify(true)
		member := f.as("memberA")
		ch := f.channelIn(f.wsA, "https://1.1.1.1/x")
		chB := f.channelIn(f.wsB, "https://1.1.1.1/y")

		res := f.call(member, "POST", "/api/v1/rules", fmt.Sprintf(`{"kind":"price_at_or_below","watch_id":%d,"target":"99.90","currency":"EUR","channel_ids":[%d]}`, f.watchA, ch))
		if res.code != 201 {
			t.Fatalf("create: %d %s", res.code, res.body)
		}
		var r ruleJSON
		_ = json.Unmarshal(res.body, &r)
		if r.Target == nil || len(r.ChannelIDs) != 1 {
			t.Fatalf("rule %s", res.body)
		}
		// A workspace default without a target uses each watch's target.
		if res := f.call(member, "POST", "/api/v1/rules", `{"kind":"price_at_or_below"}`); res.code != 201 {
			t.Fatalf("default rule: %d %s", res.code, res.body)
		}
		for _, body := range []string{
			`{"kind":"price_is_right"}`,
			`{"kind":"drop_percent","percent":150}`,
			`{"kind":"lowest_in_days"}`,
			fmt.Sprintf(`{"kind":"any_drop","watch_id":%d}`, f.watchB), // another workspace's watch
			fmt.Sprintf(`{"kind":"any_drop","channel_ids":[%d]}`, chB), // another workspace's channel
			`{"kind":"any_drop","snoozed_until":"tomorrow"}`,
			`{"kind":"price_at_or_below","target":"-1"}`,
		} {
			res := f.call(member, "POST", "/api/v1/rules", body)
			if res.code != 400 {
				t.Errorf("create %s: %d %s", body, res.code, res.body)
			}
		}
		res = f.call(member, "PATCH", fmt.Sprintf("/api/v1/rules/%d", r.ID), `{"snoozed_until":"2030-01-01T00:00:00Z","muted":true}`)
		if res.code != 200 || !strings.Contains(string(res.body), `"muted":true`) || !strings.Contains(string(res.body), "2030-01-01") {
			t.Fatalf("patch: %d %s", res.code, res.body)
		}
		res = f.call(member, "GET", fmt.Sprintf("/api/v1/rules?watch_id=%d", f.watchA), "")
		if res.code != 200 || strings.Count(string(res.body), `"id"`) != 1 {
			t.Fatalf("list by watch: %d %s", res.code, res.body)
		}

		// Notifications: list, retry a dead one (202, back to pending), and
		// a sent one cannot be retried.
		dead := f.notificationIn(f.wsA, "dead-1", store.NotificationDead)
		res = f.call(member, "GET", "/api/v1/notifications?status=dead", "")
		if res.code != 200 || !strings.Contains(string(res.body), "410 Gone") {
			t.Fatalf("list dead: %d %s", res.code, res.body)
		}
		res = f.call(member, "POST", fmt.Sprintf("/api/v1/notifications/%d/retry", dead), "")
		if res.code != 202 || !strings.Contains(string(res.body), `"status":"pending"`) {
			t.Fatalf("retry: %d %s", res.code, res.body)
		}
		if _, err := f.st.MarkNotificationSent(context.Background(), dead); err != nil {
			t.Fatal(err)
		}
		if res := f.call(member, "POST", fmt.Sprintf("/api/v1/notifications/%d/retry", dead), ""); res.code != 409 {
			t.Fatalf("retry sent: %d", res.code)
		}
		if res := f.call(member, "GET", "/api/v1/notifications?status=lost", ""); res.code != 400 {
			t.Fatalf("bad status filter: %d", res.code)
		}
	})
}
