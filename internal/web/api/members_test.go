package api

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/auth"
)

func TestMemberManagement(t *testing.T) {
	forEachAcct(t, func(t *testing.T, f *acct) {
		u := f.users
		patch := func(who string, user int64, role string) response {
			return f.call(f.as(who), "PATCH", fmt.Sprintf("/api/v1/members/%d", user), fmt.Sprintf(`{"role":%q}`, role))
		}
		if res := patch("adminA", u["memberA"], "viewer"); res.code != 200 {
			t.Fatalf("admin demotes a member: %d %s", res.code, res.body)
		}
		if res := patch("adminA", u["viewerA"], "admin"); res.code != 403 {
			t.Errorf("admin makes an admin: %d %s", res.code, res.body)
		}
		if res := patch("adminA", u["ownerA"], "member"); res.code != 403 {
			t.Errorf("admin demotes the owner: %d %s", res.code, res.body)
		}
		if res := patch("ownerA", u["ownerA"], "admin"); res.code != 409 || !strings.Contains(res.problemDetail(t), "owner") {
			t.Errorf("last owner steps down: %d %s", res.code, res.body)
		}
		if res := f.call(f.as("ownerA"), "DELETE", fmt.Sprintf("/api/v1/members/%d", u["ownerA"]), ""); res.code != 409 {
			t.Errorf("last owner leaves: %d %s", res.code, res.body)
		}
		if res := patch("ownerA", u["adminA"], "root"); res.code != 400 {
			t.Errorf("unknown role: %d %s", res.code, res.body)
		}
		if res := patch("ownerA", u["adminA"], "owner"); res.code != 200 {
			t.Errorf("owner makes an owner: %d %s", res.code, res.body)
		}
		// Now the first owner may step down, and a viewer may leave.
		if res := patch("ownerA", u["ownerA"], "member"); res.code != 200 {
			t.Errorf("owner steps down with another owner: %d %s", res.code, res.body)
		}
		if res := f.call(f.as("viewerA"), "DELETE", fmt.Sprintf("/api/v1/members/%d", u["viewerA"]), ""); res.code != 204 {
			t.Errorf("viewer leaves: %d %s", res.code, res.body)
		}
		if res := f.call(f.as("memberA"), "DELETE", fmt.Sprintf("/api/v1/members/%d", u["adminA"]), ""); res.code != 403 {
			t.Errorf("member removes an owner: %d %s", res.code, res.body)
		}

		var audit struct {
			Items []auditJSON `json:"items"`
		}
		newOwner := f.as("adminA")
		newOwner.Role = auth.RoleOwner
		f.call(newOwner, "GET", "/api/v1/audit", "").decode(t, &audit)
		var got []string
		for _, e := range audit.Items {
			if !strings.HasPrefix(e.Action, "member.") {
				continue // the fixture's invite
			}
			got = append(got, fmt.Sprintf("%s %s %v→%v", e.Action, e.Target, e.Data["from"], e.Data["to"]))
			if e.IP != "192.0.2.7" || e.ActorUserID == nil || e.WorkspaceID == nil || *e.WorkspaceID != f.wsA {
				t.Errorf("audit entry %+v: want the caller's IP, actor and workspace", e)
			}
		}
		want := []string{
			fmt.Sprintf("member.remove user:%d <nil>→<nil>", u["viewerA"]),
			fmt.Sprintf("member.role user:%d owner→member", u["ownerA"]),
			fmt.Sprintf("member.role user:%d admin→owner", u["adminA"]),
			fmt.Sprintf("member.role user:%d member→viewer", u["memberA"]),
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}
