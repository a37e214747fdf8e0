package store_test

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"testing"

	"github.com/shelfwatch/shelfwatch/internal/store"
)

// The accounts contract (sessions, tokens, resets, lockout, audit, settings)
// runs on every engine like TestContract; it has its own list so the two
// lists can grow without touching each other.
func TestAccountsContract(t *testing.T) {
	t.Parallel()
	tests := []contractTest{
		{"Audit", testAudit},
		{"Settings", testSettings},
		{"Accounts", testAccounts},
		{"AccountRefusedWritesNothing", testAccountRefused},
		{"FirstAccountConcurrent", testFirstAccountConcurrent},
		{"Sessions", testSessions},
		{"APITokens", testAPITokens},
		{"PasswordResets", testPasswordResets},
		{"LoginLockout", testLoginLockout},
	}
	runContract(t, tests)
}

func testAudit(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	other := workspace(t, st, "b")
	if err := st.Audit(c, store.AuditEntry{WorkspaceID: ws.ID, ActorUserID: 7, Action: store.AuditTokenCreate, Target: "token:1", IP: "127.0.0.1", Data: map[string]any{"scope": "read"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Audit(c, store.AuditEntry{Action: store.AuditSignInFailed, Target: "x@example.com"}); err != nil {
		t.Fatal(err)
	}
	// In a transaction that rolls back, the entry goes with it.
	_ = st.DB().Tx(c, func(tx *sql.Tx) error {
		if err := store.Audit(c, tx, store.AuditEntry{WorkspaceID: other.ID, Action: "x.y"}); err != nil {
			t.Fatal(err)
		}
		return errRollback
	})
	wantErr(t, st.Audit(c, store.AuditEntry{}), store.ErrInvalid, "empty action")

	all := must[[]store.AuditEntry](t)(st.ListAudit(c, store.FindAudit{}))
	if len(all) != 2 || all[0].Action != store.AuditSignInFailed || all[0].WorkspaceID != 0 || all[0].ActorUserID != 0 {
		t.Fatalf("ListAudit = %+v", all)
	}
	e := all[1]
	if e.WorkspaceID != ws.ID || e.ActorUserID != 7 || e.Target != "token:1" || e.IP != "127.0.0.1" || e.Data["scope"] != "read" || e.At == 0 {
		t.Errorf("entry = %+v", e)
	}
	mine := must[[]store.AuditEntry](t)(st.ListAudit(c, store.FindAudit{WorkspaceID: ws.ID}))
	if len(mine) != 1 || mine[0].ID != e.ID {
		t.Errorf("workspace list = %+v", mine)
	}
	page := must[[]store.AuditEntry](t)(st.ListAudit(c, store.FindAudit{AfterID: all[0].ID, Limit: 1}))
	if len(page) != 1 || page[0].ID != e.ID {
		t.Errorf("second page = %+v", page)
	}
	if none := must[[]store.AuditEntry](t)(st.ListAudit(c, store.FindAudit{WorkspaceID: other.ID})); none == nil || len(none) != 0 {
		t.Errorf("rolled-back entry visible: %#v", none)
	}
}

func testSettings(t *testing.T, st *store.Store) {
	c := ctx(t)
	if m := must[string](t)(st.SignupMode(c)); m != store.DefaultSignupMode {
		t.Errorf("default sign-up mode = %q", m)
	}
	_, err := st.GetSetting(c, "nope")
	wantErr(t, err, store.ErrNotFound, "unset setting")
	for _, m := range []string{store.SignupOpen, store.SignupClosed} {
		if err := st.SetSetting(c, nil, store.SettingSignupMode, m); err != nil {
			t.Fatal(err)
		}
		if got := must[string](t)(st.SignupMode(c)); got != m {
			t.Errorf("sign-up mode = %q, want %q", got, m)
		}
	}
	wantErr(t, st.SetSetting(c, nil, store.SettingSignupMode, "sometimes"), store.ErrInvalid, "bad mode")
	if got := must[string](t)(st.SignupMode(c)); got != store.SignupClosed {
		t.Errorf("bad mode overwrote: %q", got)
	}
}

var errRollback = errors.New("roll back")

func testAccounts(t *testing.T, st *store.Store) {
	c := ctx(t)
	// A watch from before accounts, in the default workspace.
	def := workspace(t, st, store.DefaultWorkspaceSlug)
	old, _ := watch(t, st, def.ID, productURL(1))

	first := must[*store.Account](t)(st.CreateAccount(c, store.NewAccount{Email: " Ann@Example.com", PasswordHash: "h1", IP: "127.0.0.1"}))
	if !first.First || !first.User.IsAdmin || first.PersonalWorkspaceID != def.ID || first.User.Email != "ann@example.com" {
		t.Fatalf("first account = %+v, want admin adopting the default workspace %d", first, def.ID)
	}
	if _, err := st.GetWatch(c, first.PersonalWorkspaceID, old.ID); err != nil {
		t.Errorf("the first admin does not see the old watch: %v", err)
	}
	second := must[*store.Account](t)(st.CreateAccount(c, store.NewAccount{Email: "bob.o'neil@example.com", PasswordHash: "h2"}))
	if second.First || second.User.IsAdmin || second.PersonalWorkspaceID == def.ID {
		t.Fatalf("second account = %+v", second)
	}
	ws := must[*store.Workspace](t)(st.GetWorkspace(c, second.PersonalWorkspaceID))
	if ws.Slug != fmt.Sprintf("bob-o-neil-%d", second.User.ID) {
		t.Errorf("personal workspace slug = %q", ws.Slug)
	}
	admin := must[*store.Account](t)(st.CreateAccount(c, store.NewAccount{Email: "cy@example.com", Admin: true}))
	if !admin.User.IsAdmin {
		t.Error("Admin: true ignored")
	}
	_, err := st.CreateAccount(c, store.NewAccount{Email: "ANN@example.com"})
	wantErr(t, err, store.ErrConflict, "taken email")
	_, err = st.CreateAccount(c, store.NewAccount{Email: " "})
	wantErr(t, err, store.ErrInvalid, "empty email")

	m := must[*store.MemberIdentity](t)(st.LookupMember(c, second.User.ID, second.PersonalWorkspaceID))
	if m.Role != store.RoleOwner || m.Email != "bob.o'neil@example.com" || m.IsAdmin {
		t.Errorf("LookupMember = %+v", m)
	}
	if m := must[*store.MemberIdentity](t)(st.LookupMember(c, second.User.ID, def.ID)); m.Role != "" {
		t.Errorf("role in a foreign workspace = %q", m.Role)
	}
	_, err = st.LookupMember(c, 9999, def.ID)
	wantErr(t, err, store.ErrNotFound, "LookupMember(unknown user)")
	if got := must[int64](t)(st.HomeWorkspace(c, second.User.ID)); got != second.PersonalWorkspaceID {
		t.Errorf("HomeWorkspace = %d", got)
	}
	if n := must[int64](t)(st.CountUsers(c)); n != 3 {
		t.Errorf("CountUsers = %d", n)
	}
	audit := must[[]store.AuditEntry](t)(st.ListAudit(c, store.FindAudit{WorkspaceID: def.ID}))
	if len(audit) != 1 || audit[0].Action != store.AuditSignUp || audit[0].ActorUserID != first.User.ID || audit[0].IP != "127.0.0.1" {
		t.Errorf("sign-up audit = %+v", audit)
	}
}

func testAccountRefused(t *testing.T, st *store.Store) {
	c := ctx(t)
	refuse := errors.New("closed")
	var sawFirst bool
	_, err := st.CreateAccount(c, store.NewAccount{Email: "a@example.com", Allow: func(first bool) error { sawFirst = first; return refuse }})
	wantErr(t, err, refuse, "refused sign-up")
	if !sawFirst {
		t.Error("Allow was not told this is the first user")
	}
	_, err = st.CreateAccount(c, store.NewAccount{Email: "a@example.com", After: func(*sql.Tx, *store.User) error { return refuse }})
	wantErr(t, err, refuse, "After failing")
	if n := must[int64](t)(st.CountUsers(c)); n != 0 {
		t.Fatalf("a refused sign-up left %d users", n)
	}
	if _, err := st.GetWorkspaceBySlug(c, store.DefaultWorkspaceSlug); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused sign-up left the default workspace: %v", err)
	}
}

func testSessions(t *testing.T, st *store.Store) {
	c := ctx(t)
	a := must[*store.Account](t)(st.CreateAccount(c, store.NewAccount{Email: "a@example.com"}))
	b := must[*store.Account](t)(st.CreateAccount(c, store.NewAccount{Email: "b@example.com"}))
	future := time.Now().Add(time.Hour).UnixMilli()
	commit := func(hash string, user int64, data string, exp int64) {
		t.Helper()
		if err := st.CommitSession(c, store.SessionRecord{TokenHash: hash, UserID: user, Data: []byte(data), ExpiresAt: exp, IP: "10.0.0.1", UserAgent: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	find := func(hash string) (string, bool) {
		t.Helper()
		d, ok, err := st.FindSession(c, hash)
		if err != nil {
			t.Fatal(err)
		}
		return string(d), ok
	}
	commit("h1", a.User.ID, "one", future)
	commit("h1", a.User.ID, "one-b", future) // a later request updates it
	commit("h2", a.User.ID, "two", future)
	commit("h3", b.User.ID, "three", future)
	commit("anon", 0, "x", future)
	commit("old", a.User.ID, "old", time.Now().Add(-time.Minute).UnixMilli())
	if d, ok := find("h1"); !ok || d != "one-b" {
		t.Errorf("find h1 = %q %v", d, ok)
	}
	if _, ok := find("old"); ok {
		t.Error("an expired session was found")
	}
	if _, ok := find("nope"); ok {
		t.Error("an unknown session was found")
	}
	list := must[[]store.Session](t)(st.ListSessions(c, a.User.ID))
	if len(list) != 2 || list[0].IP != "10.0.0.1" || list[0].UserAgent != "test" {
		t.Fatalf("ListSessions = %+v", list)
	}
	var h2 int64
	for _, s := range list {
		if s.TokenHash == "h2" {
			h2 = s.ID
		}
	}
	// Another user's session id is not found.
	wantErr(t, st.RevokeSession(c, b.User.ID, h2, store.AuditEntry{Action: store.AuditSessionRevoke}), store.ErrNotFound, "revoke other's session")
	if err := st.RevokeSession(c, a.User.ID, h2, store.AuditEntry{Action: store.AuditSessionRevoke}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, st.RevokeSession(c, a.User.ID, h2, store.AuditEntry{Action: store.AuditSessionRevoke}), store.ErrNotFound, "revoke twice")
	if _, ok := find("h2"); ok {
		t.Error("a revoked session was found")
	}
	// A request that loaded h2 before the revocation commits it again: it stays revoked.
	commit("h2", a.User.ID, "two-again", future)
	if _, ok := find("h2"); ok {
		t.Error("a commit revived a revoked session")
	}
	commit("h4", a.User.ID, "four", future)
	if n := must[int64](t)(st.RevokeUserSessions(c, a.User.ID, "h4")); n != 1 {
		t.Errorf("RevokeUserSessions ended %d, want 1 (h1)", n)
	}
	if _, ok := find("h4"); !ok {
		t.Error("the kept session was revoked")
	}
	if _, ok := find("h3"); !ok {
		t.Error("another user's session was revoked")
	}
	if err := st.RevokeSessionHash(c, "h4"); err != nil {
		t.Fatal(err)
	}
	if _, ok := find("h4"); ok {
		t.Error("RevokeSessionHash did not end the session")
	}
	if n := must[int64](t)(st.DeleteExpiredSessions(c, time.Now().UnixMilli())); n != 1 {
		t.Errorf("DeleteExpiredSessions = %d, want 1", n)
	}
}

func testAPITokens(t *testing.T, st *store.Store) {
	c := ctx(t)
	a := must[*store.Account](t)(st.CreateAccount(c, store.NewAccount{Email: "a@example.com"}))
	b := must[*store.Account](t)(st.CreateAccount(c, store.NewAccount{Email: "b@example.com"}))
	tok := &store.APIToken{UserID: a.User.ID, WorkspaceID: a.PersonalWorkspaceID, Name: "ci", Prefix: "abcd1234", Scope: store.ScopeRead}
	if err := st.CreateAPIToken(c, tok, "hash-a", store.AuditEntry{Action: store.AuditTokenCreate, ActorUserID: a.User.ID, WorkspaceID: a.PersonalWorkspaceID}); err != nil {
		t.Fatal(err)
	}
	if tok.ID == 0 || tok.CreatedAt == 0 {
		t.Fatalf("not filled: %+v", tok)
	}
	// Not a member of b's workspace: refused, nothing written.
	bad := &store.APIToken{UserID: a.User.ID, WorkspaceID: b.PersonalWorkspaceID, Prefix: "x", Scope: store.ScopeRead}
	wantErr(t, st.CreateAPIToken(c, bad, "hash-x", store.AuditEntry{Action: store.AuditTokenCreate}), store.ErrNotFound, "token for a foreign workspace")
	wantErr(t, st.CreateAPIToken(c, &store.APIToken{UserID: a.User.ID, WorkspaceID: a.PersonalWorkspaceID, Prefix: "x", Scope: "admin"}, "hash-y", store.AuditEntry{Action: "x"}), store.ErrInvalid, "bad scope")
	wantErr(t, st.CreateAPIToken(c, &store.APIToken{UserID: a.User.ID, WorkspaceID: a.PersonalWorkspaceID, Prefix: "y", Scope: store.ScopeRead}, "hash-a", store.AuditEntry{Action: "x"}), store.ErrConflict, "duplicate hash")

	got := must[*store.TokenAuth](t)(st.TokenAuthByHash(c, "hash-a"))
	if got.Token.ID != tok.ID || got.Role != store.RoleOwner || got.Email != "a@example.com" || got.Token.Scope != store.ScopeRead || got.Token.LastUsedAt != nil {
		t.Errorf("TokenAuthByHash = %+v", got)
	}
	_, err := st.TokenAuthByHash(c, "hash-x")
	wantErr(t, err, store.ErrNotFound, "unknown token")
	if err := st.TouchAPIToken(c, tok.ID); err != nil {
		t.Fatal(err)
	}
	used := must[*store.TokenAuth](t)(st.TokenAuthByHash(c, "hash-a")).Token.LastUsedAt
	if used == nil {
		t.Fatal("TouchAPIToken did not set last_used_at")
	}
	if err := st.TouchAPIToken(c, tok.ID); err != nil {
		t.Fatal(err)
	}
	if again := must[*store.TokenAuth](t)(st.TokenAuthByHash(c, "hash-a")).Token.LastUsedAt; *again != *used {
		t.Errorf("a second use within a minute wrote last_used_at again: %d → %d", *used, *again)
	}
	if l := must[[]store.APIToken](t)(st.ListAPITokens(c, a.User.ID)); len(l) != 1 || l[0].ID != tok.ID || l[0].Prefix != "abcd1234" {
		t.Errorf("ListAPITokens = %+v", l)
	}
	wantErr(t, st.RevokeAPIToken(c, b.User.ID, tok.ID, store.AuditEntry{Action: store.AuditTokenRevoke}), store.ErrNotFound, "revoke other's token")
	if err := st.RevokeAPIToken(c, a.User.ID, tok.ID, store.AuditEntry{Action: store.AuditTokenRevoke, ActorUserID: a.User.ID}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, st.RevokeAPIToken(c, a.User.ID, tok.ID, store.AuditEntry{Action: store.AuditTokenRevoke}), store.ErrNotFound, "revoke twice")
	if got := must[*store.TokenAuth](t)(st.TokenAuthByHash(c, "hash-a")); got.Token.RevokedAt == nil {
		t.Error("revoked token has no revoked_at")
	}
	if l := must[[]store.APIToken](t)(st.ListAPITokens(c, a.User.ID)); len(l) != 0 {
		t.Errorf("revoked token listed: %+v", l)
	}
	audit := must[[]store.AuditEntry](t)(st.ListAudit(c, store.FindAudit{WorkspaceID: a.PersonalWorkspaceID}))
	if len(audit) != 3 || audit[0].Action != store.AuditTokenRevoke || audit[1].Action != store.AuditTokenCreate || audit[1].Target != fmt.Sprintf("token:%d", tok.ID) {
		t.Errorf("token audit = %+v", audit)
	}
}

func testPasswordResets(t *testing.T, st *store.Store) {
	c := ctx(t)
	a := must[*store.Account](t)(st.CreateAccount(c, store.NewAccount{Email: "a@example.com", PasswordHash: "old"}))
	future := time.Now().Add(time.Hour).UnixMilli()
	for _, h := range []string{"r1", "r2"} {
		if err := st.CreatePasswordReset(c, a.User.ID, h, future); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.CreatePasswordReset(c, a.User.ID, "expired", time.Now().Add(-time.Second).UnixMilli()); err != nil {
		t.Fatal(err)
	}
	if err := st.CommitSession(c, store.SessionRecord{TokenHash: "s1", UserID: a.User.ID, Data: []byte("x"), ExpiresAt: future}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordLoginFailure(c, "email:a@example.com", 3600_000, func(int) int64 { return 60_000 }); err != nil {
		t.Fatal(err)
	}
	if u := must[*store.User](t)(st.PasswordResetUser(c, "r1")); u.ID != a.User.ID {
		t.Errorf("PasswordResetUser = %+v", u)
	}
	_, err := st.PasswordResetUser(c, "expired")
	wantErr(t, err, store.ErrNotFound, "expired reset")
	_, err = st.ResetPassword(c, "expired", "new", "", store.AuditEntry{Action: store.AuditPasswordReset})
	wantErr(t, err, store.ErrNotFound, "reset with an expired token")

	u := must[*store.User](t)(st.ResetPassword(c, "r1", "new", "email:a@example.com", store.AuditEntry{Action: store.AuditPasswordReset}))
	if u.PasswordHash != "new" {
		t.Errorf("password hash = %q", u.PasswordHash)
	}
	_, err = st.ResetPassword(c, "r1", "newer", "", store.AuditEntry{Action: store.AuditPasswordReset})
	wantErr(t, err, store.ErrNotFound, "reset token used twice")
	_, err = st.ResetPassword(c, "r2", "newer", "", store.AuditEntry{Action: store.AuditPasswordReset})
	wantErr(t, err, store.ErrNotFound, "the user's other reset token")
	if got := must[*store.User](t)(st.GetUser(c, a.User.ID)); got.PasswordHash != "new" {
		t.Errorf("a refused reset changed the hash to %q", got.PasswordHash)
	}
	if _, ok, _ := st.FindSession(c, "s1"); ok {
		t.Error("reset left a session alive")
	}
	if until := must[int64](t)(st.LoginLockedUntil(c, "email:a@example.com")); until != 0 {
		t.Error("reset left the email locked")
	}
}

func testLoginLockout(t *testing.T, st *store.Store) {
	c := ctx(t)
	delay := func(n int) int64 {
		if n < 3 {
			return 0
		}
		return int64(n) * 1000
	}
	var last store.LoginFailure
	for i := 1; i <= 4; i++ {
		last = must[store.LoginFailure](t)(st.RecordLoginFailure(c, "k", 3600_000, delay))
		if last.Failures != i {
			t.Fatalf("failure %d counted as %d", i, last.Failures)
		}
	}
	if last.LockedUntil == 0 {
		t.Fatal("not locked after 4 failures")
	}
	if until := must[int64](t)(st.LoginLockedUntil(c, "other", "k")); until != last.LockedUntil {
		t.Errorf("LoginLockedUntil = %d, want %d", until, last.LockedUntil)
	}
	// Failures older than the window are forgotten.
	if f := must[store.LoginFailure](t)(st.RecordLoginFailure(c, "k", -1, delay)); f.Failures != 1 || f.LockedUntil != 0 {
		t.Errorf("after the window: %+v", f)
	}
	if err := st.ClearLoginFailures(c, "k"); err != nil {
		t.Fatal(err)
	}
	if until := must[int64](t)(st.LoginLockedUntil(c, "k")); until != 0 {
		t.Errorf("cleared key still locked until %d", until)
	}
}

// Several first sign-ups at once: exactly one becomes the instance admin
// and adopts the default workspace.
func testFirstAccountConcurrent(t *testing.T, st *store.Store) {
	c := ctx(t)
	const n = 6
	accts := make(chan *store.Account, n)
	errs := make(chan error, n)
	for i := range n {
		go func() {
			a, err := st.CreateAccount(c, store.NewAccount{Email: fmt.Sprintf("u%d@example.com", i)})
			errs <- err
			accts <- a
		}()
	}
	admins, firsts := 0, 0
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		a := <-accts
		if a.User.IsAdmin {
			admins++
		}
		if a.First {
			firsts++
		}
	}
	if admins != 1 || firsts != 1 {
		t.Errorf("%d admins and %d first users, want 1 and 1", admins, firsts)
	}
}
