package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/db"
)

// browser is a signed-in user's cookie-carrying client.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: base, c: &http.Client{Jar: jar}}
}

// do sends a same-origin request (as the app's own pages would) unless hdr
// says otherwise, and decodes a JSON answer into out when not nil.
func (b *browser) do(method, path, body string, hdr map[string]string, out any) int {
	b.t.Helper()
	req, err := http.NewRequest(method, b.base+path, strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			b.t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	if resp.Header.Get("Content-Security-Policy") == "" {
		b.t.Errorf("%s %s: no Content-Security-Policy", method, path)
	}
	return resp.StatusCode
}

func (b *browser) want(code int, method, path, body string, out any) {
	b.t.Helper()
	if got := b.do(method, path, body, nil, out); got != code {
		b.t.Fatalf("%s %s %s = %d, want %d", method, path, body, got, code)
	}
}

// TestWorkspacesEndToEnd: the instance admin opens sign-up with an API token;
// a user signs up and invites a second by link; the
// invitee signs up with it, works in the shared workspace, switches to their
// own; a role change applies at the next request; a cross-site POST with the
// session cookie is refused; the audit log tells the story.
func TestWorkspacesEndToEnd(t *testing.T) {
	t.Parallel()
	base, stop := startServe(t, testConfig(t, db.SQLite))
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	}()
	type signedIn struct {
		User struct {
			ID int64 `json:"id"`
		} `json:"user"`
		WorkspaceID int64 `json:"workspace_id"`
	}
	// serve's test helper made the first user (the instance admin) and a
	// token of theirs: open sign-up with it, as an operator's script would.
	tok, _ := testTokens.Load(base)
	operator := newBrowser(t, base)
	bearer := map[string]string{"Authorization": "Bearer " + tok.(string), "Sec-Fetch-Site": ""}
	if code := operator.do("PATCH", "/api/v1/admin/settings", `{"signup_mode":"open"}`, bearer, nil); code != 200 {
		t.Fatalf("open sign-up: %d", code)
	}
	ann := newBrowser(t, base)
	var annIn signedIn
	ann.want(201, "POST", "/api/v1/auth/signup", `{"email":"ann@example.com","password":"correct horse battery"}`, &annIn)

	var inv struct {
		Token string `json:"token"`
		URL   string `json:"url"`
	}
	ann.want(201, "POST", "/api/v1/invites", `{"role":"member"}`, &inv)
	if inv.Token == "" || !strings.HasSuffix(inv.URL, "/invite/"+inv.Token) {
		t.Fatalf("invite: %+v", inv)
	}
	// A foreign page posting with ann's cookie is refused, and writes nothing.
	if code := ann.do("POST", "/api/v1/invites", `{"role":"owner"}`, map[string]string{"Sec-Fetch-Site": "cross-site"}, nil); code != 403 {
		t.Errorf("cross-site POST: %d, want 403", code)
	}
	if code := ann.do("POST", "/api/v1/invites", `{"role":"owner"}`,
		map[string]string{"Sec-Fetch-Site": "", "Origin": "https://evil.example"}, nil); code != 403 {
		t.Errorf("foreign-Origin POST: %d, want 403", code)
	}
	var pending struct {
		Items []struct{ Role string } `json:"items"`
	}
	ann.want(200, "GET", "/api/v1/invites", "", &pending)
	if len(pending.Items) != 1 {
		t.Fatalf("pending invites after refused POSTs: %+v", pending.Items)
	}

	if code := operator.do("PATCH", "/api/v1/admin/settings", `{"signup_mode":"invite-only"}`, bearer, nil); code != 200 {
		t.Fatalf("invite-only sign-up: %d", code)
	}
	newBrowser(t, base).want(403, "POST", "/api/v1/auth/signup", `{"email":"eve@example.com","password":"no invite for me"}`, nil)
	bob := newBrowser(t, base)
	var bobIn signedIn
	bob.want(201, "POST", "/api/v1/auth/signup",
		fmt.Sprintf(`{"email":"bob@example.com","password":"another long one","invite":%q}`, inv.Token), &bobIn)
	if bobIn.WorkspaceID != annIn.WorkspaceID {
		t.Fatalf("bob landed in %d, want ann's %d", bobIn.WorkspaceID, annIn.WorkspaceID)
	}
	var ws struct {
		Items []struct {
			ID      int64  `json:"id"`
			Role    string `json:"role"`
			Current bool   `json:"current"`
		} `json:"items"`
	}
	bob.want(200, "GET", "/api/v1/workspaces", "", &ws)
	var personal int64
	for _, w := range ws.Items {
		switch {
		case w.ID == annIn.WorkspaceID && (w.Role != "member" || !w.Current):
			t.Errorf("shared workspace: %+v", w)
		case w.ID != annIn.WorkspaceID:
			personal = w.ID
		}
	}
	if len(ws.Items) != 2 || personal == 0 {
		t.Fatalf("bob's workspaces: %+v", ws.Items)
	}
	bob.want(201, "POST", "/api/v1/watches", `{"url":"http://127.0.0.1:9/p/1"}`, nil)
	bob.want(403, "GET", "/api/v1/members", "", nil)

	// Switching to his own workspace: the shared watch is not there.
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	bob.want(200, "POST", "/api/v1/session/workspace", fmt.Sprintf(`{"workspace_id":%d}`, personal), nil)
	bob.want(200, "GET", "/api/v1/watches", "", &list)
	if len(list.Items) != 0 {
		t.Errorf("bob's personal workspace shows %d watches", len(list.Items))
	}
	bob.want(404, "POST", "/api/v1/session/workspace", `{"workspace_id":999999}`, nil)
	bob.want(200, "POST", "/api/v1/session/workspace", fmt.Sprintf(`{"workspace_id":%d}`, annIn.WorkspaceID), nil)
	bob.want(200, "GET", "/api/v1/watches", "", &list)
	if len(list.Items) != 1 {
		t.Errorf("shared workspace shows %d watches, want 1", len(list.Items))
	}

	// Demoted to viewer: his next write is refused.
	ann.want(200, "PATCH", fmt.Sprintf("/api/v1/members/%d", bobIn.User.ID), `{"role":"viewer"}`, nil)
	bob.want(403, "POST", "/api/v1/watches", `{"url":"http://127.0.0.1:9/p/2"}`, nil)
	bob.want(403, "GET", "/api/v1/audit", "", nil)
	ann.want(403, "GET", "/api/v1/admin/audit", "", nil) // a workspace owner is not an instance admin

	var audit struct {
		Items []struct {
			Action string `json:"action"`
		} `json:"items"`
	}
	ann.want(200, "GET", "/api/v1/audit", "", &audit)
	var actions []string
	for _, e := range audit.Items {
		actions = append(actions, e.Action)
	}
	got := strings.Join(actions, " ")
	if got != "member.role invite.accept invite.create auth.signup" {
		t.Errorf("ann's workspace audit log: %q", got)
	}
	if code := operator.do("GET", "/api/v1/admin/audit", "", bearer, &audit); code != 200 || len(audit.Items) < 6 {
		t.Errorf("instance audit log: %d, %d entries", code, len(audit.Items))
	}
}
