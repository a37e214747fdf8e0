package store_test

import (
	"database/sql"
	"errors"
	"sync"
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// runOnEngines runs fn as a contract test on every engine, each on a fresh
// database.
func runOnEngines(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			fn(t, store.New(dbtest.Open(t, eng)))
		})
	}
}

func user(t *testing.T, st *store.Store, email string) *store.User {
	t.Helper()
	u := &store.User{Email: email}
	if err := st.CreateUser(ctx(t), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func member(t *testing.T, st *store.Store, ws, userID int64, role store.Role) {
	t.Helper()
	if err := st.AddMember(ctx(t), store.Membership{WorkspaceID: ws, UserID: userID, Role: role}); err != nil {
		t.Fatal(err)
	}
}

func TestInvites(t *testing.T) {
	runOnEngines(t, func(t *testing.T, st *store.Store) {
		c := ctx(t)
		ws := workspace(t, st, "a")
		other := workspace(t, st, "b")
		ann := user(t, st, "ann@example.com")
		bob := user(t, st, "bob@example.com")
		member(t, st, ws.ID, ann.ID, store.RoleOwner)
		actor := store.Actor{UserID: ann.ID, Role: store.RoleOwner}

		inv := &store.Invite{WorkspaceID: ws.ID, Role: store.RoleMember, CreatedBy: ann.ID}
		token := must[string](t)(st.CreateInvite(c, actor, inv))
		if len(token) < 40 || inv.ID == 0 || inv.ExpiresAt-inv.CreatedAt != store.InviteTTL.Milliseconds() {
			t.Fatalf("CreateInvite: token %q, invite %+v", token, inv)
		}
		if token2 := must[string](t)(st.CreateInvite(c, actor, &store.Invite{WorkspaceID: ws.ID, Role: store.RoleMember})); token2 == token {
			t.Fatal("two invites got the same token")
		}
		pending := must[[]store.Invite](t)(st.ListInvites(c, ws.ID))
		if len(pending) != 2 || pending[1].ID != inv.ID || pending[1].Role != store.RoleMember || pending[1].CreatedBy != ann.ID {
			t.Fatalf("ListInvites = %+v", pending)
		}
		if got := must[[]store.Invite](t)(st.ListInvites(c, other.ID)); len(got) != 0 {
			t.Fatalf("ListInvites(other) = %+v", got)
		}

		_, err := st.AcceptInvite(c, nil, token+"x", bob.ID)
		wantErr(t, err, store.ErrInviteUnusable, "unknown token")
		wantErr(t, err, store.ErrNotFound, "unknown token is not found")
		m := must[*store.Membership](t)(st.AcceptInvite(c, nil, token, bob.ID))
		if m.WorkspaceID != ws.ID || m.UserID != bob.ID || m.Role != store.RoleMember {
			t.Fatalf("AcceptInvite = %+v", m)
		}
		if got := must[*store.Membership](t)(st.GetMembership(c, ws.ID, bob.ID)); got.Role != store.RoleMember {
			t.Fatalf("GetMembership = %+v", got)
		}
		carl := user(t, st, "carl@example.com")
		_, err = st.AcceptInvite(c, nil, token, carl.ID)
		wantErr(t, err, store.ErrInviteUnusable, "second use")
		if got := must[[]store.Invite](t)(st.ListInvites(c, ws.ID)); len(got) != 1 {
			t.Fatalf("a used invite is still listed: %+v", got)
		}

		// An expired invite does nothing.
		old := &store.Invite{WorkspaceID: ws.ID, Role: store.RoleAdmin, CreatedAt: 1000, ExpiresAt: 2000}
		oldToken := must[string](t)(st.CreateInvite(c, actor, old))
		_, err = st.AcceptInvite(c, nil, oldToken, carl.ID)
		wantErr(t, err, store.ErrInviteUnusable, "expired")
		_, err = st.GetMembership(c, ws.ID, carl.ID)
		wantErr(t, err, store.ErrNotFound, "membership after expired invite")

		// A member accepting again: conflict, and the invite stays usable.
		again := must[string](t)(st.CreateInvite(c, actor, &store.Invite{WorkspaceID: ws.ID, Role: store.RoleViewer}))
		_, err = st.AcceptInvite(c, nil, again, bob.ID)
		wantErr(t, err, store.ErrConflict, "already a member")
		if m := must[*store.Membership](t)(st.AcceptInvite(c, nil, again, carl.ID)); m.Role != store.RoleViewer {
			t.Fatalf("invite after a conflict: %+v", m)
		}

		// Bad input writes nothing.
		_, err = st.CreateInvite(c, actor, &store.Invite{WorkspaceID: ws.ID, Role: "root"})
		wantErr(t, err, store.ErrInvalid, "unknown role")
		_, err = st.CreateInvite(c, actor, &store.Invite{WorkspaceID: ws.ID + 1000, Role: store.RoleMember})
		wantErr(t, err, store.ErrNotFound, "unknown workspace")

		// Revoking: only in its own workspace, only while pending.
		rev := &store.Invite{WorkspaceID: ws.ID, Role: store.RoleMember}
		revToken := must[string](t)(st.CreateInvite(c, actor, rev))
		wantErr(t, st.DeleteInvite(c, actor, other.ID, rev.ID), store.ErrNotFound, "revoke from another workspace")
		if err := st.DeleteInvite(c, actor, ws.ID, rev.ID); err != nil {
			t.Fatal(err)
		}
		dana := user(t, st, "dana@example.com")
		_, err = st.AcceptInvite(c, nil, revToken, dana.ID)
		wantErr(t, err, store.ErrInviteUnusable, "revoked")
		wantErr(t, st.DeleteInvite(c, actor, ws.ID, inv.ID), store.ErrNotFound, "revoke a used invite")
	})
}

// TestAcceptInviteInCallersTx: sign-up creates the user and accepts in one
// transaction; when the caller rolls back, the invite is still unused.
func TestAcceptInviteInCallersTx(t *testing.T) {
	runOnEngines(t, func(t *testing.T, st *store.Store) {
		c := ctx(t)
		ws := workspace(t, st, "a")
		token := must[string](t)(st.CreateInvite(c, store.Actor{}, &store.Invite{WorkspaceID: ws.ID, Role: store.RoleAdmin}))
		bob := user(t, st, "bob@example.com")
		rollback := errors.New("rollback")
		err := st.DB().Tx(c, func(tx *sql.Tx) error {
			m, err := st.AcceptInvite(c, tx, token, bob.ID)
			if err != nil {
				return err
			}
			if m.Role != store.RoleAdmin {
				t.Errorf("role %q", m.Role)
			}
			return rollback
		})
		wantErr(t, err, rollback, "tx")
		_, err = st.GetMembership(c, ws.ID, bob.ID)
		wantErr(t, err, store.ErrNotFound, "membership after rollback")
		must[*store.Membership](t)(st.AcceptInvite(c, nil, token, bob.ID))
	})
}

// TestAcceptInviteConcurrent: of many users racing for one invite, exactly
// one gets in.
func TestAcceptInviteConcurrent(t *testing.T) {
	runOnEngines(t, func(t *testing.T, st *store.Store) {
		c := ctx(t)
		ws := workspace(t, st, "a")
		token := must[string](t)(st.CreateInvite(c, store.Actor{}, &store.Invite{WorkspaceID: ws.ID, Role: store.RoleMember}))
		const n = 8
		users := make([]*store.User, n)
		for i := range users {
			users[i] = user(t, st, string(rune('a'+i))+"@example.com")
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { _, errs[i] = st.AcceptInvite(c, nil, token, users[i].ID) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, store.ErrInviteUnusable):
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d users accepted one invite, want 1", ok)
		}
		if ms := must[[]store.Membership](t)(st.ListMembers(c, ws.ID)); len(ms) != 1 {
			t.Fatalf("members: %+v", ms)
		}
	})
}
