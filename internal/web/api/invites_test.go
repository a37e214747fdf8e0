package api

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/auth"
)

func TestInviteFlow(t *testing.T) {
	forEachAcct(t, func(t *testing.T, f *acct) {
		admin := f.as("adminA")
		if res := f.call(admin, "POST", "/api/v1/invites", `{"role":"admin"}`); res.code != 403 {
			t.Errorf("admin invites an admin: %d %s", res.code, res.body)
		}
		for _, body := range []string{`{"role":"root"}`, `{}`, `{"role":"member","expires_in_days":0}`, `{"role":"member","expires_in_days":31}`} {
			if res := f.call(admin, "POST", "/api/v1/invites", body); res.code != 400 {
				t.Errorf("POST /invites %s = %d, want 400", body, res.code)
			}
		}
		res := f.call(admin, "POST", "/api/v1/invites", `{"role":"viewer","expires_in_days":2}`)
		if res.code != 201 || res.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("create invite: %d %v %s", res.code, res.header, res.body)
		}
		var inv inviteJSON
		res.decode(t, &inv)
		if inv.Token == nil || inv.URL == nil || *inv.URL != "https://watch.example/invite/"+*inv.Token || inv.Role != "viewer" {
			t.Fatalf("invite: %s", res.body)
		}
		created, _ := time.Parse(time.RFC3339, inv.CreatedAt)
		if expires, _ := time.Parse(time.RFC3339, inv.ExpiresAt); expires.Sub(created) != 48*time.Hour {
			t.Errorf("expires_at %s", inv.ExpiresAt)
		}
		list := f.call(admin, "GET", "/api/v1/invites", "")
		if strings.Contains(string(list.body), *inv.Token) || !strings.Contains(string(list.body), fmt.Sprintf(`"id":%d`, inv.ID)) {
			t.Errorf("invite list shows the token or misses the invite: %s", list.body)
		}

		outsider := &auth.Identity{UserID: f.users["outsider"], Scope: auth.ScopeReadWrite}
		accept := "/api/v1/invites/" + *inv.Token + "/accept"
		res = f.call(outsider, "POST", accept, "")
		if res.code != 200 || !strings.Contains(string(res.body), fmt.Sprintf(`"workspace_id":%d`, f.wsA)) {
			t.Fatalf("accept: %d %s", res.code, res.body)
		}
		if res := f.call(outsider, "POST", accept, ""); res.code != 404 {
			t.Errorf("second accept: %d %s", res.code, res.body)
		}
		var ws struct {
			Items []workspaceJSON `json:"items"`
		}
		f.call(outsider, "GET", "/api/v1/workspaces", "").decode(t, &ws)
		if len(ws.Items) != 1 || ws.Items[0].ID != f.wsA || ws.Items[0].Role != "viewer" || ws.Items[0].Current {
			t.Errorf("outsider's workspaces after accepting: %+v", ws.Items)
		}
		// A member accepting another invite: 409, the invite stays usable.
		res = f.call(f.as("ownerA"), "POST", "/api/v1/invites", `{"role":"member"}`)
		res.decode(t, &inv)
		if res := f.call(f.as("memberA"), "POST", "/api/v1/invites/"+*inv.Token+"/accept", ""); res.code != 409 {
			t.Errorf("member accepts: %d %s", res.code, res.body)
		}
		if res := f.call(f.as("ownerA"), "DELETE", fmt.Sprintf("/api/v1/invites/%d", inv.ID), ""); res.code != 204 {
			t.Errorf("revoke: %d %s", res.code, res.body)
		}
		if res := f.call(f.as("ownerB"), "POST", "/api/v1/invites/"+*inv.Token+"/accept", ""); res.code != 404 {
			t.Errorf("accept a revoked invite: %d %s", res.code, res.body)
		}

		var audit struct {
			Items []auditJSON `json:"items"`
		}
		f.call(f.as("ownerA"), "GET", "/api/v1/audit", "").decode(t, &audit)
		var actions []string
		for _, e := range audit.Items {
			actions = append(actions, e.Action)
			if strings.Contains(fmt.Sprint(e.Data), *inv.Token) {
				t.Errorf("audit entry holds an invite token: %+v", e)
			}
		}
		if got := strings.Join(actions, " "); got != "invite.revoke invite.create invite.accept invite.create invite.create" {
			t.Errorf("audit actions: %s", got)
		}
	})
}
