package api

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// fastHash keeps tests quick; the timing test picks its own cost.
var fastHash = auth.Params{Memory: 1024, Time: 1, Threads: 1}

// testAuth is the accounts service tests share.
func testAuth(st *store.Store) *auth.Service {
	return auth.New(auth.Options{Store: st, Hasher: auth.NewHasher(fastHash, 2)})
}

// accountTenancyRows are the accounts core's rows of the tenancy table. The
// accounts routes act on the caller's own user, so "other" mostly repeats
// "own"; what may not cross users (tokens, sessions) is in TestTokens and
// TestSessionsListAndRevoke.
func (f *acct) accountTenancyRows() map[string]tenancyRow {
	return map[string]tenancyRow{
		// Users exist and the default mode is invite-only: refused for all.
		"POST /api/v1/auth/signup": {own: `POST /api/v1/auth/signup {"email":"new@example.com","password":"long enough pw"}`,
			other:     `POST /api/v1/auth/signup {"email":"new@example.com","password":"long enough pw"}`,
			wantOther: 403, wantViewer: 403, wantReadToken: 403, wantAnonymous: 403},
		"POST /api/v1/auth/signin": {own: `POST /api/v1/auth/signin {"email":"nobody@example.com","password":"wrong password"}`,
			other:     `POST /api/v1/auth/signin {"email":"nobody@example.com","password":"wrong password"}`,
			wantOther: 401, wantViewer: 401, wantReadToken: 401, wantAnonymous: 401},
		"POST /api/v1/auth/password-reset": {own: `POST /api/v1/auth/password-reset {"email":"viewera@example.com"}`,
			other:     `POST /api/v1/auth/password-reset {"email":"ownerb@example.com"}`,
			wantOther: 202, wantViewer: 202, wantReadToken: 202, wantAnonymous: 202},
		"POST /api/v1/auth/password-reset/confirm": {own: `POST /api/v1/auth/password-reset/confirm {"token":"nope","password":"long enough pw"}`,
			other:     `POST /api/v1/auth/password-reset/confirm {"token":"nope","password":"long enough pw"}`,
			wantOther: 400, wantViewer: 400, wantReadToken: 400, wantAnonymous: 400},
		"POST /api/v1/auth/signout": {own: "POST /api/v1/auth/signout", other: "POST /api/v1/auth/signout",
			wantOther: 204, wantViewer: 204, wantReadToken: 403},
		"GET /api/v1/auth/me": {own: "GET /api/v1/auth/me", other: "GET /api/v1/auth/me",
			wantOther: 200, wantViewer: 200, wantReadToken: 200},
		"POST /api/v1/auth/password": {own: `POST /api/v1/auth/password {"current_password":"not it","new_password":"long enough pw"}`,
			other:     `POST /api/v1/auth/password {"current_password":"not it","new_password":"long enough pw"}`,
			wantOther: 400, wantViewer: 400, wantReadToken: 403},
		"GET /api/v1/auth/sessions": {own: "GET /api/v1/auth/sessions", other: "GET /api/v1/auth/sessions",
			wantOther: 200, wantViewer: 200, wantReadToken: 403},
		"DELETE /api/v1/auth/sessions/{id}": {own: "DELETE /api/v1/auth/sessions/987654", other: "DELETE /api/v1/auth/sessions/987654",
			wantOther: 404, wantViewer: 404, wantReadToken: 403},
		"POST /api/v1/tokens": {own: `POST /api/v1/tokens {"name":"ci","scope":"read"}`, other: `POST /api/v1/tokens {"name":"ci","scope":"read"}`,
			wantOther: 201, wantViewer: 201, wantReadToken: 403},
		"GET /api/v1/tokens": {own: "GET /api/v1/tokens", other: "GET /api/v1/tokens",
			wantOther: 200, wantViewer: 200, wantReadToken: 200},
		"DELETE /api/v1/tokens/{id}": {own: "DELETE /api/v1/tokens/987654", other: "DELETE /api/v1/tokens/987654",
			wantOther: 404, wantViewer: 404, wantReadToken: 403},
	}
}

// mailbox is a Mailer that keeps what it is given.
type mailbox struct {
	mu   sync.Mutex
	msgs []auth.Message
}

func (m *mailbox) Send(_ context.Context, msg auth.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.msgs = append(m.msgs, msg)
	return nil
}

func (m *mailbox) all() []auth.Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.msgs)
}

// live is the API behind its middleware on a loopback server, with clients
// that keep cookies like a browser.
type live struct {
	t    *testing.T
	st   *store.Store
	auth *auth.Service
	mail *mailbox
	srv  *httptest.Server
}

func newLive(t *testing.T, engine db.Engine, o auth.Options) *live {
	t.Helper()
	st := store.New(dbtest.Open(t, engine))
	mb := &mailbox{}
	o.Store, o.Mailer, o.BaseURL = st, mb, "https://watch.example"
	if o.Hasher == nil {
		o.Hasher = auth.NewHasher(fastHash, 2)
	}
	a := auth.New(o)
	h := &Handler{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() int64 { return now }, Auth: a,
		SwitchWorkspace: a.SwitchWorkspace}
	srv := httptest.NewServer(h.Routes())
	t.Cleanup(srv.Close)
	t.Cleanup(a.Wait)
	return &live{t: t, st: st, auth: a, mail: mb, srv: srv}
}

// browser is a client with its own cookie jar.
func (l *live) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

func (l *live) call(c *http.Client, bearer, method, path, body string) response {
	l.t.Helper()
	req, err := http.NewRequest(method, l.srv.URL+path, strings.NewReader(body))
	if err != nil {
		l.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := c.Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, b}
}

func (l *live) want(r response, code int) response {
	l.t.Helper()
	if r.code != code {
		l.t.Fatalf("status %d, want %d: %s", r.code, code, r.body)
	}
	return r
}

func sessionCookie(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", base, nil)
	for _, ck := range c.Jar.Cookies(req.URL) {
		if ck.Name == "shelfwatch_session" {
			return ck.Value
		}
	}
	return ""
}

func forEachLive(t *testing.T, o auth.Options, fn func(t *testing.T, l *live)) {
	for _, e := range dbtest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			fn(t, newLive(t, e, o))
		})
	}
}

const signupAnn = `{"email":"Ann@Example.com","password":"correct horse battery"}`

func TestSignUpSignInSignOut(t *testing.T) {
	forEachLive(t, auth.Options{}, func(t *testing.T, l *live) {
		ctx := context.Background()
		def, err := l.st.EnsureWorkspace(ctx, store.DefaultWorkspaceSlug, "Default workspace")
		if err != nil {
			t.Fatal(err)
		}
		ann := l.browser()
		r := l.want(l.call(ann, "", "POST", "/api/v1/auth/signup", signupAnn), http.StatusCreated)
		var got signedInJSON
		r.decode(t, &got)
		if !got.User.InstanceAdmin || got.User.Email != "ann@example.com" || got.WorkspaceID != def.ID {
			t.Fatalf("first sign-up = %+v, want the instance admin in the default workspace %d", got, def.ID)
		}
		set := r.header.Get("Set-Cookie")
		for _, attr := range []string{"shelfwatch_session=", "HttpOnly", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(set, attr) {
				t.Errorf("Set-Cookie %q lacks %s", set, attr)
			}
		}
		if strings.Contains(set, "Secure") {
			t.Error("Secure cookie without SecureCookies")
		}
		// The cookie's token is not what the database keeps.
		tok := sessionCookie(t, ann, l.srv.URL)
		var stored int
		if err := l.st.DB().Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE token_hash = $1`, tok).Scan(&stored); err != nil || stored != 0 {
			t.Errorf("the raw session token is stored (%d rows, %v)", stored, err)
		}

		var me struct {
			User        userJSON `json:"user"`
			WorkspaceID int64    `json:"workspace_id"`
			Role, Scope string
		}
		l.want(l.call(ann, "", "GET", "/api/v1/auth/me", ""), 200).decode(t, &me)
		if me.User.Email != "ann@example.com" || me.Role != "owner" || me.Scope != "read-write" || me.WorkspaceID != def.ID {
			t.Errorf("me = %+v", me)
		}
		l.want(l.call(ann, "", "POST", "/api/v1/watches", `{"url":"https://shop.example/p/1"}`), http.StatusCreated)

		l.want(l.call(ann, "", "POST", "/api/v1/auth/signout", ""), http.StatusNoContent)
		l.want(l.call(ann, "", "GET", "/api/v1/auth/me", ""), http.StatusUnauthorized)
		// The old token is dead even if someone kept it.
		thief := l.browser()
		u, _ := http.NewRequest("GET", l.srv.URL, nil)
		thief.Jar.SetCookies(u.URL, []*http.Cookie{{Name: "shelfwatch_session", Value: tok}})
		l.want(l.call(thief, "", "GET", "/api/v1/auth/me", ""), http.StatusUnauthorized)

		// Session fixation: a token planted before sign-in is replaced.
		planted := l.browser()
		planted.Jar.SetCookies(u.URL, []*http.Cookie{{Name: "shelfwatch_session", Value: "planted-by-attacker"}})
		l.want(l.call(planted, "", "POST", "/api/v1/auth/signin", `{"email":"ann@example.com","password":"wrong password"}`), http.StatusUnauthorized)
		l.want(l.call(planted, "", "POST", "/api/v1/auth/signin", `{"email":"ANN@example.com","password":"correct horse battery"}`), http.StatusOK)
		if c := sessionCookie(t, planted, l.srv.URL); c == "planted-by-attacker" || c == tok || c == "" {
			t.Errorf("session token after sign-in = %q", c)
		}
		l.want(l.call(planted, "", "GET", "/api/v1/auth/me", ""), http.StatusOK)

		// Later sign-ups get a workspace of their own (here the mode is open).
		if err := l.st.SetSetting(ctx, nil, store.SettingSignupMode, store.SignupOpen); err != nil {
			t.Fatal(err)
		}
		var bob signedInJSON
		l.want(l.call(l.browser(), "", "POST", "/api/v1/auth/signup", `{"email":"bob@example.com","password":"another long one"}`), 201).decode(t, &bob)
		if bob.User.InstanceAdmin || bob.WorkspaceID == def.ID || bob.WorkspaceID == 0 {
			t.Errorf("second sign-up = %+v", bob)
		}
		p := l.call(l.browser(), "", "POST", "/api/v1/auth/signup", `{"email":"bob@example.com","password":"another long one"}`).problem(t, http.StatusConflict)
		if p.Detail == "" {
			t.Error("409 without detail")
		}
		p = l.call(l.browser(), "", "POST", "/api/v1/auth/signup", `{"email":"cy@example.com","password":"short"}`).problem(t, http.StatusBadRequest)
		if len(p.Errors) != 1 || p.Errors[0].Field != "password" {
			t.Errorf("short password problem = %+v", p)
		}
		audit, _ := l.st.ListAudit(ctx, store.FindAudit{Limit: 100})
		actions := map[string]int{}
		for _, e := range audit {
			actions[e.Action]++
		}
		if actions[store.AuditSignIn] != 1 || actions[store.AuditSignInFailed] != 1 || actions[store.AuditSignUp] != 2 {
			t.Errorf("audit = %v", actions)
		}
	})
}

func TestSecureCookieOption(t *testing.T) {
	l := newLive(t, db.SQLite, auth.Options{SecureCookies: true})
	r := l.want(l.call(l.browser(), "", "POST", "/api/v1/auth/signup", signupAnn), http.StatusCreated)
	if !strings.Contains(r.header.Get("Set-Cookie"), "Secure") {
		t.Errorf("Set-Cookie %q is not Secure", r.header.Get("Set-Cookie"))
	}
}

func TestSessionsListAndRevoke(t *testing.T) {
	forEachLive(t, auth.Options{}, func(t *testing.T, l *live) {
		laptop, phone := l.browser(), l.browser()
		l.want(l.call(laptop, "", "POST", "/api/v1/auth/signup", signupAnn), http.StatusCreated)
		l.want(l.call(phone, "", "POST", "/api/v1/auth/signin", signupAnn), http.StatusOK)
		var list struct{ Items []sessionJSON }
		l.want(l.call(laptop, "", "GET", "/api/v1/auth/sessions", ""), 200).decode(t, &list)
		if len(list.Items) != 2 {
			t.Fatalf("sessions = %+v", list.Items)
		}
		var phoneID int64
		current := 0
		for _, s := range list.Items {
			if s.Current {
				current++
			} else {
				phoneID = s.ID
			}
			if s.IP != "127.0.0.1" || s.UserAgent == "" {
				t.Errorf("session without address or agent: %+v", s)
			}
		}
		if current != 1 {
			t.Errorf("%d sessions marked current", current)
		}
		// Another user cannot end Ann's session: 404, as for any unknown id.
		if err := l.st.SetSetting(context.Background(), nil, store.SettingSignupMode, store.SignupOpen); err != nil {
			t.Fatal(err)
		}
		bob := l.browser()
		l.want(l.call(bob, "", "POST", "/api/v1/auth/signup", `{"email":"bob@example.com","password":"another long one"}`), 201)
		l.call(bob, "", "DELETE", fmt.Sprintf("/api/v1/auth/sessions/%d", phoneID), "").problem(t, http.StatusNotFound)
		l.want(l.call(phone, "", "GET", "/api/v1/auth/me", ""), http.StatusOK)

		l.want(l.call(laptop, "", "DELETE", fmt.Sprintf("/api/v1/auth/sessions/%d", phoneID), ""), http.StatusNoContent)
		l.want(l.call(phone, "", "GET", "/api/v1/auth/me", ""), http.StatusUnauthorized)
		l.want(l.call(laptop, "", "GET", "/api/v1/auth/me", ""), http.StatusOK)
	})
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	forEachLive(t, auth.Options{}, func(t *testing.T, l *live) {
		laptop, phone := l.browser(), l.browser()
		l.want(l.call(laptop, "", "POST", "/api/v1/auth/signup", signupAnn), http.StatusCreated)
		l.want(l.call(phone, "", "POST", "/api/v1/auth/signin", signupAnn), http.StatusOK)
		before := sessionCookie(t, laptop, l.srv.URL)
		p := l.call(laptop, "", "POST", "/api/v1/auth/password", `{"current_password":"wrong one!!","new_password":"brand new password"}`).problem(t, 400)
		if len(p.Errors) != 1 || p.Errors[0].Field != "current_password" {
			t.Errorf("wrong current password: %+v", p)
		}
		l.want(l.call(phone, "", "GET", "/api/v1/auth/me", ""), http.StatusOK)
		l.want(l.call(laptop, "", "POST", "/api/v1/auth/password", `{"current_password":"correct horse battery","new_password":"brand new password"}`), http.StatusNoContent)
		l.want(l.call(phone, "", "GET", "/api/v1/auth/me", ""), http.StatusUnauthorized)
		l.want(l.call(laptop, "", "GET", "/api/v1/auth/me", ""), http.StatusOK)
		if after := sessionCookie(t, laptop, l.srv.URL); after == before {
			t.Error("the session token was not renewed after the password change")
		}
		l.want(l.call(l.browser(), "", "POST", "/api/v1/auth/signin", signupAnn), http.StatusUnauthorized)
		l.want(l.call(l.browser(), "", "POST", "/api/v1/auth/signin", `{"email":"ann@example.com","password":"brand new password"}`), http.StatusOK)
	})
}

func TestTokens(t *testing.T) {
	forEachLive(t, auth.Options{}, func(t *testing.T, l *live) {
		ann := l.browser()
		var acct signedInJSON
		l.want(l.call(ann, "", "POST", "/api/v1/auth/signup", signupAnn), 201).decode(t, &acct)
		var rw, ro tokenJSON
		r := l.want(l.call(ann, "", "POST", "/api/v1/tokens", `{"name":"script"}`), 201)
		r.decode(t, &rw)
		if r.header.Get("Cache-Control") != "no-store" {
			t.Error("the token response may be cached")
		}
		if !strings.HasPrefix(rw.Token, "sw_"+rw.Prefix+"_") || rw.Scope != "read-write" || rw.WorkspaceID != acct.WorkspaceID || rw.LastUsedAt != nil {
			t.Fatalf("token = %+v", rw)
		}
		l.want(l.call(ann, "", "POST", "/api/v1/tokens", `{"name":"dash","scope":"read","expires_at":"2099-01-01T00:00:00Z"}`), 201).decode(t, &ro)
		l.call(ann, "", "POST", "/api/v1/tokens", `{"scope":"admin"}`).problem(t, 400)
		l.call(ann, "", "POST", "/api/v1/tokens", `{"expires_at":"2001-01-01T00:00:00Z"}`).problem(t, 400)
		l.call(ann, "", "POST", "/api/v1/tokens", `{"expires_at":"tomorrow"}`).problem(t, 400)

		script := &http.Client{} // no cookies: the token alone
		var me struct {
			TokenID *int64 `json:"token_id"`
			Scope   string
		}
		l.want(l.call(script, rw.Token, "GET", "/api/v1/auth/me", ""), 200).decode(t, &me)
		if me.TokenID == nil || *me.TokenID != rw.ID || me.Scope != "read-write" {
			t.Errorf("me by token = %+v", me)
		}
		l.want(l.call(script, rw.Token, "POST", "/api/v1/watches", `{"url":"https://shop.example/p/9"}`), 201)
		l.call(script, ro.Token, "POST", "/api/v1/watches", `{"url":"https://shop.example/p/10"}`).problem(t, http.StatusForbidden)
		l.want(l.call(script, ro.Token, "GET", "/api/v1/watches", ""), 200)
		// A token cannot make tokens.
		l.call(script, rw.Token, "POST", "/api/v1/tokens", `{}`).problem(t, http.StatusForbidden)

		var list struct{ Items []tokenJSON }
		l.want(l.call(ann, "", "GET", "/api/v1/tokens", ""), 200).decode(t, &list)
		if len(list.Items) != 2 || list.Items[1].ID != rw.ID || list.Items[1].LastUsedAt == nil || list.Items[0].ExpiresAt == nil {
			t.Errorf("tokens = %+v", list.Items)
		}
		if strings.Contains(string(l.call(ann, "", "GET", "/api/v1/tokens", "").body), rw.Token) {
			t.Error("the list shows a token's secret")
		}
		for _, bad := range []string{"Bearer nope", "Bearer " + rw.Token + "x", "Basic YTpi", "Bearer sw_00000000_" + strings.Repeat("A", 43)} {
			req, _ := http.NewRequest("GET", l.srv.URL+"/api/v1/watches", nil)
			req.Header.Set("Authorization", bad)
			res, err := script.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 401 || !strings.Contains(res.Header.Get("WWW-Authenticate"), "invalid_token") {
				t.Errorf("Authorization %q: %d %q", bad, res.StatusCode, res.Header.Get("WWW-Authenticate"))
			}
		}

		// Someone else cannot revoke Ann's token.
		if err := l.st.SetSetting(context.Background(), nil, store.SettingSignupMode, store.SignupOpen); err != nil {
			t.Fatal(err)
		}
		bob := l.browser()
		l.want(l.call(bob, "", "POST", "/api/v1/auth/signup", `{"email":"bob@example.com","password":"another long one"}`), 201)
		l.call(bob, "", "DELETE", fmt.Sprintf("/api/v1/tokens/%d", rw.ID), "").problem(t, http.StatusNotFound)
		l.want(l.call(script, rw.Token, "GET", "/api/v1/watches", ""), 200)
		// A token may revoke itself; then it is dead.
		l.want(l.call(script, rw.Token, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", rw.ID), ""), 204)
		l.call(script, rw.Token, "GET", "/api/v1/watches", "").problem(t, http.StatusUnauthorized)
		l.call(ann, "", "DELETE", fmt.Sprintf("/api/v1/tokens/%d", rw.ID), "").problem(t, http.StatusNotFound)
	})
}

func TestPasswordReset(t *testing.T) {
	forEachLive(t, auth.Options{}, func(t *testing.T, l *live) {
		laptop := l.browser()
		l.want(l.call(laptop, "", "POST", "/api/v1/auth/signup", signupAnn), 201)
		known := l.want(l.call(l.browser(), "", "POST", "/api/v1/auth/password-reset", `{"email":"ann@example.com"}`), 202)
		unknown := l.want(l.call(l.browser(), "", "POST", "/api/v1/auth/password-reset", `{"email":"ghost@example.com"}`), 202)
		if string(known.body) != string(unknown.body) {
			t.Errorf("the answers differ: %s vs %s", known.body, unknown.body)
		}
		l.auth.Wait()
		msgs := l.mail.all()
		if len(msgs) != 1 || msgs[0].To != "ann@example.com" {
			t.Fatalf("mails = %+v", msgs)
		}
		i := strings.Index(msgs[0].Body, "https://watch.example/reset-password?token=")
		if i < 0 {
			t.Fatalf("no link in %q", msgs[0].Body)
		}
		token := strings.Fields(msgs[0].Body[i+len("https://watch.example/reset-password?token="):])[0]

		p := l.call(l.browser(), "", "POST", "/api/v1/auth/password-reset/confirm", fmt.Sprintf(`{"token":%q,"password":"short"}`, token)).problem(t, 400)
		if len(p.Errors) != 1 || p.Errors[0].Field != "password" {
			t.Errorf("weak password: %+v", p)
		}
		l.want(l.call(l.browser(), "", "POST", "/api/v1/auth/password-reset/confirm", fmt.Sprintf(`{"token":%q,"password":"reset to this one"}`, token)), 204)
		p = l.call(l.browser(), "", "POST", "/api/v1/auth/password-reset/confirm", fmt.Sprintf(`{"token":%q,"password":"and again this one"}`, token)).problem(t, 400)
		if len(p.Errors) != 1 || p.Errors[0].Field != "token" {
			t.Errorf("second use: %+v", p)
		}
		l.want(l.call(laptop, "", "GET", "/api/v1/auth/me", ""), http.StatusUnauthorized)
		l.want(l.call(l.browser(), "", "POST", "/api/v1/auth/signin", `{"email":"ann@example.com","password":"reset to this one"}`), 200)
	})
}

// Five failures lock an account (and an address) for a growing time; the
// answer while locked is the same whether or not the account exists.
func TestLockoutLooksTheSame(t *testing.T) {
	forEachLive(t, auth.Options{}, func(t *testing.T, l *live) {
		l.want(l.call(l.browser(), "", "POST", "/api/v1/auth/signup", signupAnn), 201)
		var bodies []string
		for _, email := range []string{"ann@example.com", "ghost@example.com"} {
			c := l.browser()
			body := fmt.Sprintf(`{"email":%q,"password":"wrong password"}`, email)
			for i := 0; i < 5; i++ {
				l.want(l.call(c, "", "POST", "/api/v1/auth/signin", body), 401)
				// Each attempt from a new address: the account key locks, not the IP.
				if err := l.st.ClearLoginFailures(context.Background(), "ip:127.0.0.1"); err != nil {
					t.Fatal(err)
				}
			}
			r := l.call(c, "", "POST", "/api/v1/auth/signin", fmt.Sprintf(`{"email":%q,"password":"correct horse battery"}`, email))
			r.problem(t, http.StatusTooManyRequests)
			if r.header.Get("Retry-After") != "1" {
				t.Errorf("%s: Retry-After %q, want 1", email, r.header.Get("Retry-After"))
			}
			bodies = append(bodies, string(r.body))
		}
		if bodies[0] != bodies[1] {
			t.Errorf("locked answers differ:\n%s\n%s", bodies[0], bodies[1])
		}
	})
}

// Signing in as an unknown account takes as long as a wrong password for a
// known one: both hash. A behaviour test of enumeration by timing, not a
// speed test: medians of interleaved attempts must be within a factor of two
// (skipping the hash for unknown accounts would make them ~10× faster).
func TestSignInTimingUnknownLikeKnown(t *testing.T) {
	l := newLive(t, db.SQLite, auth.Options{
		Hasher:  auth.NewHasher(auth.Params{Memory: 8 * 1024, Time: 2, Threads: 1}, 2),
		Lockout: auth.Lockout{Free: 1 << 30, First: time.Second, Max: time.Second, Forget: time.Hour},
	})
	l.want(l.call(l.browser(), "", "POST", "/api/v1/auth/signup", signupAnn), 201)
	c := &http.Client{}
	timeIt := func(email string) time.Duration {
		start := time.Now()
		l.want(l.call(c, "", "POST", "/api/v1/auth/signin", fmt.Sprintf(`{"email":%q,"password":"wrong password"}`, email)), 401)
		return time.Since(start)
	}
	var known, unknown []time.Duration
	for i := 0; i < 11; i++ {
		// Alternate which goes first, so neither pays the other's garbage.
		if i%2 == 0 {
			known = append(known, timeIt("ann@example.com"))
			unknown = append(unknown, timeIt(fmt.Sprintf("ghost%d@example.com", i)))
		} else {
			unknown = append(unknown, timeIt(fmt.Sprintf("ghost%d@example.com", i)))
			known = append(known, timeIt("ann@example.com"))
		}
	}
	median := func(d []time.Duration) time.Duration { slices.Sort(d); return d[len(d)/2] }
	mk, mu := median(known), median(unknown)
	if ratio := float64(min(mk, mu)) / float64(max(mk, mu)); ratio < 0.5 {
		t.Errorf("median sign-in time: known %s, unknown %s (ratio %.2f): unknown accounts are told apart", mk, mu, ratio)
	}
	t.Logf("median sign-in: known %s, unknown %s", mk, mu)
}

// Sign-up with an invite lands in the invited workspace even when sign-up is
// invite-only.
func TestSignUpWithInvite(t *testing.T) {
	l := newLive(t, db.SQLite, auth.Options{})
	ann := l.browser()
	var a signedInJSON
	l.want(l.call(ann, "", "POST", "/api/v1/auth/signup", signupAnn), 201).decode(t, &a)
	l.call(l.browser(), "", "POST", "/api/v1/auth/signup", `{"email":"bob@example.com","password":"another long one"}`).problem(t, http.StatusForbidden)
	inv := &store.Invite{WorkspaceID: a.WorkspaceID, Role: store.RoleMember}
	token, err := l.st.CreateInvite(context.Background(), store.Actor{UserID: a.User.ID, Role: store.RoleOwner}, inv)
	if err != nil {
		t.Fatal(err)
	}
	l.call(l.browser(), "", "POST", "/api/v1/auth/signup", `{"email":"bob@example.com","password":"another long one","invite":"bogus"}`).problem(t, http.StatusBadRequest)
	bob := l.browser()
	var b signedInJSON
	l.want(l.call(bob, "", "POST", "/api/v1/auth/signup", fmt.Sprintf(`{"email":"bob@example.com","password":"another long one","invite":%q}`, token)), 201).decode(t, &b)
	if b.WorkspaceID != a.WorkspaceID {
		t.Errorf("invited user landed in %d, want %d", b.WorkspaceID, a.WorkspaceID)
	}
	var me struct{ Role string }
	l.want(l.call(bob, "", "GET", "/api/v1/auth/me", ""), 200).decode(t, &me)
	if me.Role != "member" {
		t.Errorf("role = %q", me.Role)
	}
}

// An expired token, or the token of a user no longer in its workspace, is
// refused like a revoked one.
func TestTokenExpiryAndMembership(t *testing.T) {
	l := newLive(t, db.SQLite, auth.Options{})
	ctx := context.Background()
	var a signedInJSON
	l.want(l.call(l.browser(), "", "POST", "/api/v1/auth/signup", signupAnn), 201).decode(t, &a)
	past := time.Now().Add(-time.Minute).UnixMilli()
	expired := &store.APIToken{UserID: a.User.ID, WorkspaceID: a.WorkspaceID, Prefix: "deadbeef", Scope: store.ScopeRead, ExpiresAt: &past}
	tok := "sw_deadbeef_" + strings.Repeat("A", 43)
	if err := l.st.CreateAPIToken(ctx, expired, auth.HashSecret(tok), store.AuditEntry{Action: store.AuditTokenCreate}); err != nil {
		t.Fatal(err)
	}
	l.call(&http.Client{}, tok, "GET", "/api/v1/watches", "").problem(t, http.StatusUnauthorized)

	// Bob, a member of Ann's workspace through a token, is removed from it.
	if err := l.st.SetSetting(ctx, nil, store.SettingSignupMode, store.SignupOpen); err != nil {
		t.Fatal(err)
	}
	bob := l.browser()
	var b signedInJSON
	l.want(l.call(bob, "", "POST", "/api/v1/auth/signup", `{"email":"bob@example.com","password":"another long one"}`), 201).decode(t, &b)
	if err := l.st.AddMember(ctx, store.Membership{WorkspaceID: a.WorkspaceID, UserID: b.User.ID, Role: store.RoleMember}); err != nil {
		t.Fatal(err)
	}
	bobTok, _, err := l.auth.CreateTokenForEmail(ctx, "bob@example.com", store.DefaultWorkspaceSlug, "x", auth.ScopeReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	l.want(l.call(&http.Client{}, bobTok, "GET", "/api/v1/watches", ""), 200)
	// His session acts in Ann's workspace too.
	l.want(l.call(bob, "", "POST", "/api/v1/session/workspace", fmt.Sprintf(`{"workspace_id":%d}`, a.WorkspaceID)), 200)
	var me struct {
		WorkspaceID int64 `json:"workspace_id"`
		Role        string
	}
	l.want(l.call(bob, "", "GET", "/api/v1/auth/me", ""), 200).decode(t, &me)
	if me.WorkspaceID != a.WorkspaceID || me.Role != "member" {
		t.Fatalf("after the switch: %+v", me)
	}
	if _, err := l.st.DB().Write.ExecContext(ctx, `DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2`, a.WorkspaceID, b.User.ID); err != nil {
		t.Fatal(err)
	}
	// At once: the token is dead, and the session falls back to his own workspace.
	l.call(&http.Client{}, bobTok, "GET", "/api/v1/watches", "").problem(t, http.StatusUnauthorized)
	l.want(l.call(bob, "", "GET", "/api/v1/auth/me", ""), 200).decode(t, &me)
	if me.WorkspaceID != b.WorkspaceID || me.Role != "owner" {
		t.Errorf("after removal: %+v, want his own workspace %d as owner", me, b.WorkspaceID)
	}
}

// A session's stored expiry is the earlier of the idle timeout from now and
// the absolute lifetime from sign-in.
func TestSessionExpiry(t *testing.T) {
	for _, c := range []struct {
		name           string
		idle, lifetime time.Duration
		want           time.Duration
	}{
		{"idle first", time.Hour, 30 * 24 * time.Hour, time.Hour},
		{"lifetime first", 7 * 24 * time.Hour, 10 * time.Minute, 10 * time.Minute},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := newLive(t, db.SQLite, auth.Options{IdleTimeout: c.idle, Lifetime: c.lifetime})
			start := time.Now()
			l.want(l.call(l.browser(), "", "POST", "/api/v1/auth/signup", signupAnn), 201)
			var exp int64
			if err := l.st.DB().Read.QueryRowContext(context.Background(), `SELECT MAX(expires_at) FROM sessions`).Scan(&exp); err != nil {
				t.Fatal(err)
			}
			got := time.UnixMilli(exp).Sub(start)
			if got < c.want-time.Minute || got > c.want+time.Minute {
				t.Errorf("session expires in %s, want about %s", got, c.want)
			}
		})
	}
}
