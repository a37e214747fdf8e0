package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// acct is a fixture with two workspaces, A (the caller's) and B (someone
// else's), users with each role in A, and a watch, product, invite and
// member in each.
type acct struct {
	t      *testing.T
	st     *store.Store
	h      *Handler
	srv    http.Handler
	wsA    int64
	wsB    int64
	users  map[string]int64 // "ownerA", "adminA", "memberA", "viewerA", "ownerB"
	watchA int64
	prodA  int64
	watchB int64
	prodB  int64
	invA   int64
	invB   int64

	mu       sync.Mutex
	switched []int64 // SwitchWorkspace calls
}

func newAcct(t *testing.T, engine db.Engine) *acct {
	t.Helper()
	st := store.New(dbtest.Open(t, engine))
	ctx := context.Background()
	f := &acct{t: t, st: st, users: map[string]int64{}}
	mk := func(slug string) int64 {
		w := &store.Workspace{Name: "WS " + slug, Slug: slug}
		if err := st.CreateWorkspace(ctx, w); err != nil {
			t.Fatal(err)
		}
		return w.ID
	}
	f.wsA, f.wsB = mk("a"), mk("b")
	for _, u := range []struct {
		name string
		ws   int64
		role store.Role
	}{{"ownerA", f.wsA, store.RoleOwner}, {"adminA", f.wsA, store.RoleAdmin}, {"memberA", f.wsA, store.RoleMember},
		{"viewerA", f.wsA, store.RoleViewer}, {"ownerB", f.wsB, store.RoleOwner}, {"outsider", 0, ""}} {
		usr := &store.User{Email: strings.ToLower(u.name) + "@example.com"}
		if err := st.CreateUser(ctx, usr); err != nil {
			t.Fatal(err)
		}
		f.users[u.name] = usr.ID
		if u.ws != 0 {
			if err := st.AddMember(ctx, store.Membership{WorkspaceID: u.ws, UserID: usr.ID, Role: u.role}); err != nil {
				t.Fatal(err)
			}
		}
	}
	watch := func(ws int64, url string) (int64, int64) {
		p := &store.Product{URL: url, CanonicalURL: url, Domain: "shop.example", Availability: store.Unknown,
			Status: store.StatusActive, NextCheckAt: now, CreatedAt: now, UpdatedAt: now}
		w := &store.Watch{WorkspaceID: ws, CreatedAt: now, UpdatedAt: now}
		if _, err := st.CreateWatchForURL(ctx, ws, p, w); err != nil {
			t.Fatal(err)
		}
		return w.ID, p.ID
	}
	f.watchA, f.prodA = watch(f.wsA, "https://shop.example/a")
	f.watchB, f.prodB = watch(f.wsB, "https://shop.example/b")
	invite := func(ws int64) int64 {
		inv := &store.Invite{WorkspaceID: ws, Role: store.RoleMember}
		if _, err := st.CreateInvite(ctx, store.Actor{}, inv); err != nil {
			t.Fatal(err)
		}
		return inv.ID
	}
	f.invA, f.invB = invite(f.wsA), invite(f.wsB)
	f.h = &Handler{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() int64 { return now },
		BaseURL: "https://watch.example", Auth: testAuth(st),
		SwitchWorkspace: func(r *http.Request, ws int64) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.switched = append(f.switched, ws)
			return nil
		}}
	f.srv = f.h.secured()
	return f
}

// as is the identity of a user acting in workspace ws by session.
func (f *acct) as(name string) *auth.Identity {
	ws := f.wsA
	if strings.HasSuffix(name, "B") {
		ws = f.wsB
	}
	role := auth.Role(strings.TrimSuffix(strings.TrimSuffix(name, "A"), "B"))
	return &auth.Identity{UserID: f.users[name], Email: name + "@example.com", WorkspaceID: ws, Role: role,
		Scope: auth.ScopeReadWrite}
}

func (f *acct) call(id *auth.Identity, method, path, body string) response {
	f.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.RemoteAddr = "192.0.2.7:4321"
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if id != nil {
		req = req.WithContext(auth.WithIdentity(req.Context(), *id))
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	return response{rec.Code, rec.Header(), rec.Body.Bytes()}
}

func forEachAcct(t *testing.T, fn func(t *testing.T, f *acct)) {
	for _, e := range dbtest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			fn(t, newAcct(t, e))
		})
	}
}

// tenancyRow is one API route called four ways. own is the request in the
// caller's workspace A; other names ids of workspace B.
type tenancyRow struct {
	own, other      string // "METHOD path [body]"
	wantOther       int    // an owner of A with B's ids (404 wherever an id names a row)
	wantViewer      int    // a viewer of A, own ids
	wantReadToken   int    // an owner of A through a read-scope token, own ids
	wantAnonymous   int    // no identity (0: 401)
	wantInstanceAdm int    // an instance admin who is a viewer of A, own ids (0: as wantViewer)
}

// tenancyTable has a row for every route of the API: TestTenancyEveryRoute
// fails when a route has none, so a new route must say how it is guarded.
func (f *acct) tenancyTable() map[string]tenancyRow {
	wA, wB := f.watchA, f.watchB
	pA, pB := f.prodA, f.prodB
	u := f.users
	rows := f.accountTenancyRows() // the accounts core's routes (auth_test.go)
	for p, row := range map[string]tenancyRow{
		"POST /api/v1/watches": {own: `POST /api/v1/watches {"url":"https://shop.example/new"}`,
			other: `POST /api/v1/watches {"url":"https://shop.example/new2"}`, wantOther: 201, wantViewer: 403, wantReadToken: 403},
		"GET /api/v1/watches": {own: "GET /api/v1/watches", other: "GET /api/v1/watches",
			wantOther: 200, wantViewer: 200, wantReadToken: 200},
		"GET /api/v1/watches/{id}": {own: fmt.Sprintf("GET /api/v1/watches/%d", wA), other: fmt.Sprintf("GET /api/v1/watches/%d", wB),
			wantOther: 404, wantViewer: 200, wantReadToken: 200},
		"PATCH /api/v1/watches/{id}": {own: fmt.Sprintf(`PATCH /api/v1/watches/%d {"paused":true}`, wA), other: fmt.Sprintf(`PATCH /api/v1/watches/%d {"paused":true}`, wB),
			wantOther: 404, wantViewer: 403, wantReadToken: 403},
		"DELETE /api/v1/watches/{id}": {own: fmt.Sprintf("DELETE /api/v1/watches/%d", wA), other: fmt.Sprintf("DELETE /api/v1/watches/%d", wB),
			wantOther: 404, wantViewer: 403, wantReadToken: 403},
		"GET /api/v1/products/{id}": {own: fmt.Sprintf("GET /api/v1/products/%d", pA), other: fmt.Sprintf("GET /api/v1/products/%d", pB),
			wantOther: 404, wantViewer: 200, wantReadToken: 200},
		"GET /api/v1/products/{id}/history": {own: fmt.Sprintf("GET /api/v1/products/%d/history", pA),
			other: fmt.Sprintf("GET /api/v1/products/%d/history", pB), wantOther: 404, wantViewer: 200, wantReadToken: 200},

		"GET /api/v1/workspaces": {own: "GET /api/v1/workspaces", other: "GET /api/v1/workspaces",
			wantOther: 200, wantViewer: 200, wantReadToken: 200},
		"POST /api/v1/session/workspace": {own: fmt.Sprintf(`POST /api/v1/session/workspace {"workspace_id":%d}`, f.wsA),
			other: fmt.Sprintf(`POST /api/v1/session/workspace {"workspace_id":%d}`, f.wsB), wantOther: 404, wantViewer: 200, wantReadToken: 403},
		"GET /api/v1/members": {own: "GET /api/v1/members", other: "GET /api/v1/members",
			wantOther: 200, wantViewer: 403, wantReadToken: 200},
		"PATCH /api/v1/members/{user_id}": {own: fmt.Sprintf(`PATCH /api/v1/members/%d {"role":"viewer"}`, u["memberA"]),
			other: fmt.Sprintf(`PATCH /api/v1/members/%d {"role":"viewer"}`, u["ownerB"]), wantOther: 404, wantViewer: 403, wantReadToken: 403},
		"DELETE /api/v1/members/{user_id}": {own: fmt.Sprintf("DELETE /api/v1/members/%d", u["memberA"]),
			other: fmt.Sprintf("DELETE /api/v1/members/%d", u["ownerB"]), wantOther: 404, wantViewer: 403, wantReadToken: 403},
		"GET /api/v1/invites": {own: "GET /api/v1/invites", other: "GET /api/v1/invites",
			wantOther: 200, wantViewer: 403, wantReadToken: 200},
		"POST /api/v1/invites": {own: `POST /api/v1/invites {"role":"member"}`, other: `POST /api/v1/invites {"role":"member"}`,
			wantOther: 201, wantViewer: 403, wantReadToken: 403},
		"DELETE /api/v1/invites/{id}": {own: fmt.Sprintf("DELETE /api/v1/invites/%d", f.invA),
			other: fmt.Sprintf("DELETE /api/v1/invites/%d", f.invB), wantOther: 404, wantViewer: 403, wantReadToken: 403},
		// An invite token is a capability: it is how B lets someone in. An
		// unknown one is 404 for everyone allowed to try.
		"POST /api/v1/invites/{token}/accept": {own: "POST /api/v1/invites/no-such-token/accept",
			other: "POST /api/v1/invites/no-such-token/accept", wantOther: 404, wantViewer: 404, wantReadToken: 403},
		"GET /api/v1/audit": {own: "GET /api/v1/audit", other: "GET /api/v1/audit",
			wantOther: 200, wantViewer: 403, wantReadToken: 200},

		"GET /api/v1/admin/domains": {own: "GET /api/v1/admin/domains", other: "GET /api/v1/admin/domains",
			wantOther: 403, wantViewer: 403, wantReadToken: 403, wantInstanceAdm: 200},
		"PATCH /api/v1/admin/domains/{domain}": {own: `PATCH /api/v1/admin/domains/shop.example {"blocked":true}`,
			other: `PATCH /api/v1/admin/domains/shop.example {"blocked":true}`, wantOther: 403, wantViewer: 403, wantReadToken: 403, wantInstanceAdm: 200},
		"GET /api/v1/admin/settings": {own: "GET /api/v1/admin/settings", other: "GET /api/v1/admin/settings",
			wantOther: 403, wantViewer: 403, wantReadToken: 403, wantInstanceAdm: 200},
		"PATCH /api/v1/admin/settings": {own: `PATCH /api/v1/admin/settings {"signup_mode":"closed"}`,
			other: `PATCH /api/v1/admin/settings {"signup_mode":"closed"}`, wantOther: 403, wantViewer: 403, wantReadToken: 403, wantInstanceAdm: 200},
		"GET /api/v1/admin/audit": {own: "GET /api/v1/admin/audit", other: "GET /api/v1/admin/audit",
			wantOther: 403, wantViewer: 403, wantReadToken: 403, wantInstanceAdm: 200},
		"GET /api/v1/admin/users": {own: "GET /api/v1/admin/users", other: "GET /api/v1/admin/users",
			wantOther: 403, wantViewer: 403, wantReadToken: 403, wantInstanceAdm: 200},
		"GET /api/v1/admin/jobs": {own: "GET /api/v1/admin/jobs", other: "GET /api/v1/admin/jobs",
			wantOther: 403, wantViewer: 403, wantReadToken: 403, wantInstanceAdm: 200},
		"GET /api/v1/admin/proxies": {own: "GET /api/v1/admin/proxies", other: "GET /api/v1/admin/proxies",
			wantOther: 403, wantViewer: 403, wantReadToken: 403, wantInstanceAdm: 200},
		// No product of the domain is watched and no url is given: 404 once allowed.
		"POST /api/v1/admin/domains/{domain}/test-selectors": {own: `POST /api/v1/admin/domains/nowhere.example/test-selectors {"selectors":{"price":".p"}}`,
			other: `POST /api/v1/admin/domains/nowhere.example/test-selectors {"selectors":{"price":".p"}}`, wantOther: 403, wantViewer: 403, wantReadToken: 403, wantInstanceAdm: 404},
	} {
		rows[p] = row
	}
	for p, row := range f.catalogTenancyRows() { // catalog watches (catalogs_test.go)
		rows[p] = row
	}
	for p, row := range f.alertTenancyRows() { // channels, rules, notifications (alerts_test.go)
		rows[p] = row
	}
	return rows
}

func splitCall(s string) (method, path, body string) {
	method, rest, _ := strings.Cut(s, " ")
	path, body, _ = strings.Cut(rest, " ")
	return method, path, body
}

// TestTenancyEveryRoute calls every route of the table with no identity
// (401), as a viewer and through a read-scope token (403 on writes), as an
// instance admin, and as an owner with another workspace's ids (404).
func TestTenancyEveryRoute(t *testing.T) {
	forEachAcct(t, func(t *testing.T, f *acct) {
		table := f.tenancyTable()
		routes := f.h.routes()
		seen := map[string]bool{}
		for _, rt := range routes {
			if seen[rt.pattern] {
				t.Errorf("route %q is registered twice", rt.pattern)
			}
			seen[rt.pattern] = true
			if _, ok := table[rt.pattern]; !ok {
				t.Errorf("route %q has no row in the tenancy table: add one saying how it is guarded", rt.pattern)
			}
		}
		for p := range table {
			if !seen[p] {
				t.Errorf("tenancy row %q names no route", p)
			}
		}
		if t.Failed() {
			return
		}
		viewer := f.as("viewerA")
		readToken := f.as("ownerA")
		readToken.TokenID, readToken.Scope = 99, auth.ScopeRead
		instAdmin := f.as("viewerA")
		instAdmin.InstanceAdmin = true
		check := func(who string, id *auth.Identity, call string, want int) {
			t.Helper()
			m, p, b := splitCall(call)
			res := f.call(id, m, p, b)
			if res.code != want {
				t.Errorf("%s: %s %s = %d, want %d: %s", who, m, p, res.code, want, res.body)
				return
			}
			if res.code >= 400 && res.header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: %s %s answered %d without a problem document", who, m, p, res.code)
			}
		}
		// Refused calls first: they must change nothing the later ones use.
		for _, rt := range routes {
			row := table[rt.pattern]
			anon := row.wantAnonymous
			if anon == 0 {
				anon = http.StatusUnauthorized
			}
			check("anonymous", nil, row.own, anon)
			check("read token", readToken, row.own, row.wantReadToken)
		}
		for _, rt := range routes {
			row := table[rt.pattern]
			check("viewer", viewer, row.own, row.wantViewer)
		}
		for _, rt := range routes {
			row := table[rt.pattern]
			check("owner of A with B's ids", f.as("ownerA"), row.other, row.wantOther)
		}
		for _, rt := range routes {
			row := table[rt.pattern]
			if row.wantInstanceAdm != 0 {
				check("instance admin", instAdmin, row.own, row.wantInstanceAdm)
			}
		}
		// B is untouched: its watch, member and invite are all still there.
		ctx := context.Background()
		if _, err := f.st.GetWatch(ctx, f.wsB, f.watchB); err != nil {
			t.Errorf("B's watch: %v", err)
		}
		if m, err := f.st.GetMembership(ctx, f.wsB, f.users["ownerB"]); err != nil || m.Role != store.RoleOwner {
			t.Errorf("B's owner: %+v, %v", m, err)
		}
		if invs, err := f.st.ListInvites(ctx, f.wsB); err != nil || len(invs) != 1 {
			t.Errorf("B's invites: %+v, %v", invs, err)
		}
		if len(f.switched) != 1 || f.switched[0] != f.wsA {
			t.Errorf("session switched to %v, want only [%d] (the viewer's own workspace)", f.switched, f.wsA)
		}
	})
}

// TestListsStayInTheirWorkspace: list routes show A's rows only.
func TestListsStayInTheirWorkspace(t *testing.T) {
	forEachAcct(t, func(t *testing.T, f *acct) {
		owner := f.as("ownerA")
		for _, path := range []string{"/api/v1/watches", "/api/v1/members", "/api/v1/invites", "/api/v1/workspaces"} {
			res := f.call(owner, "GET", path, "")
			var list struct {
				Items []map[string]any `json:"items"`
			}
			res.decode(t, &list)
			want := map[string]int{"/api/v1/watches": 1, "/api/v1/members": 4, "/api/v1/invites": 1, "/api/v1/workspaces": 1}[path]
			if len(list.Items) != want {
				t.Errorf("GET %s: %d items, want %d: %s", path, len(list.Items), want, res.body)
			}
			if strings.Contains(string(res.body), "ownerb@") {
				t.Errorf("GET %s shows B's member: %s", path, res.body)
			}
		}
		var ws struct {
			Items []workspaceJSON `json:"items"`
		}
		f.call(owner, "GET", "/api/v1/workspaces", "").decode(t, &ws)
		if ws.Items[0].ID != f.wsA || ws.Items[0].Role != "owner" || !ws.Items[0].Current {
			t.Errorf("workspaces: %+v", ws.Items)
		}
	})
}

func TestForbiddenDetail(t *testing.T) {
	forEachAcct(t, func(t *testing.T, f *acct) {
		res := f.call(f.as("viewerA"), "POST", "/api/v1/watches", `{"url":"https://shop.example/x"}`)
		var p struct {
			Status int
			Detail string
		}
		res.decode(t, &p)
		if p.Status != 403 || !strings.Contains(p.Detail, "viewer") {
			t.Errorf("viewer's write: %s", res.body)
		}
		// A user whose membership is gone (role "") is refused, not let in.
		gone := f.as("ownerA")
		gone.Role = ""
		if res := f.call(gone, "GET", "/api/v1/watches", ""); res.code != 403 {
			t.Errorf("no role: %d", res.code)
		}
		if res := f.call(nil, "GET", "/api/v1/watches", ""); res.header.Get("WWW-Authenticate") == "" {
			t.Error("401 without WWW-Authenticate")
		}
	})
}

func (r response) problemDetail(t *testing.T) string {
	t.Helper()
	var p struct{ Detail string }
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("not a problem: %s", r.body)
	}
	return p.Detail
}
