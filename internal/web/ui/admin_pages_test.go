package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// Every admin page renders for an instance admin (on both engines, whose
// River tables differ) and answers 403 to anyone else; members and account
// render for an owner and hide management from a viewer.
func TestAdminAndSettingsPagesRender(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			f.watch(t, f.ws, 3)
			ctx := context.Background()
			u := &store.User{Email: "root@example.com", IsAdmin: true}
			if err := f.st.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			if err := f.st.AddMember(ctx, store.Membership{WorkspaceID: f.ws, UserID: u.ID, Role: store.RoleOwner}); err != nil {
				t.Fatal(err)
			}
			sel := `{"price":".cost"}`
			if _, err := f.st.UpdateDomainSettings(ctx, store.Actor{UserID: u.ID}, "shop1.example", store.DomainPatch{Selectors: &sel}); err != nil {
				t.Fatal(err)
			}
			get := func(admin bool, role auth.Role, path string) *httptest.ResponseRecorder {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				id := auth.Identity{UserID: u.ID, Email: u.Email, WorkspaceID: f.ws, Role: role, Scope: auth.ScopeReadWrite, InstanceAdmin: admin}
				rec := httptest.NewRecorder()
				f.h.Routes().ServeHTTP(rec, req.WithContext(auth.WithIdentity(req.Context(), id)))
				return rec
			}
			for path, want := range map[string]string{
				"/admin/domains":                       `data-domain="shop1.example"`,
				"/admin/domains?sort=latency&dir=desc": `aria-sort="descending"`,
				"/admin/domains/shop1.example":         `value=".cost"`,
				"/admin/proxies":                       "data-proxy-table",
				"/admin/jobs":                          `data-total="dead"`,
				"/admin/users":                         "root@example.com",
				"/admin/settings":                      `value="invite-only" checked`,
				"/admin/audit":                         "domain.update",
			} {
				rec := get(true, auth.RoleOwner, path)
				if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
					t.Errorf("GET %s as admin = %d, want 200 with %q:\n%.600s", path, rec.Code, want, rec.Body.String())
				}
				if rec := get(false, auth.RoleOwner, path); rec.Code != http.StatusForbidden {
					t.Errorf("GET %s as a non-admin = %d, want 403", path, rec.Code)
				}
			}
			// The audit log pages 50 at a time, newest first.
			for i := range 60 {
				if err := f.st.Audit(ctx, store.AuditEntry{ActorUserID: u.ID, Action: "test.page", Target: fmt.Sprintf("n:%02d", i)}); err != nil {
					t.Fatal(err)
				}
			}
			first := get(true, auth.RoleOwner, "/admin/audit").Body.String()
			m := regexp.MustCompile(`href="/admin/audit\?before=(\d+)"`).FindStringSubmatch(first)
			if m == nil || !strings.Contains(first, "n:59") || strings.Contains(first, "n:09") {
				t.Fatalf("first audit page: older link %v, newest shown %v", m, strings.Contains(first, "n:59"))
			}
			second := get(true, auth.RoleOwner, "/admin/audit?before="+m[1]).Body.String()
			if !strings.Contains(second, "n:09") || strings.Contains(second, "n:10<") || !strings.Contains(second, "domain.update") ||
				strings.Contains(second, "?before=") {
				t.Errorf("second audit page is not the rest of the log")
			}
			if rec := get(true, auth.RoleOwner, "/admin/domains/nowhere.example"); rec.Code != http.StatusNotFound {
				t.Errorf("unknown domain: %d", rec.Code)
			}
			if rec := get(false, auth.RoleOwner, "/settings/members"); rec.Code != 200 || !strings.Contains(rec.Body.String(), `id="invite-form"`) ||
				!strings.Contains(rec.Body.String(), "root@example.com") {
				t.Errorf("members as owner: %d", rec.Code)
			}
			if rec := get(false, auth.RoleViewer, "/settings/members"); rec.Code != 200 || strings.Contains(rec.Body.String(), `id="invite-form"`) {
				t.Errorf("members as viewer: %d (invite form shown: %v)", rec.Code, strings.Contains(rec.Body.String(), `id="invite-form"`))
			}
			if rec := get(false, auth.RoleViewer, "/settings/account"); rec.Code != 200 || !strings.Contains(rec.Body.String(), "root@example.com") {
				t.Errorf("account: %d", rec.Code)
			}
		})
	}
}
