package store_test

import (
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/store"
)

func TestMayManage(t *testing.T) {
	t.Parallel()
	const me, them = 1, 2
	o, a, m, v := store.RoleOwner, store.RoleAdmin, store.RoleMember, store.RoleViewer
	cases := []struct {
		actor         store.Role
		target        int64
		current, next store.Role // next "" = remove
		want          bool
	}{
		{o, them, v, o, true},
		{o, them, o, v, true},
		{o, them, a, "", true},
		{a, them, v, m, true},
		{a, them, m, v, true},
		{a, them, m, "", true},
		{a, them, m, a, false}, // only owners make admins
		{a, them, v, o, false},
		{a, them, a, m, false}, // admins do not manage admins
		{a, them, o, "", false},
		{a, me, a, m, true}, // stepping down
		{a, me, a, o, false},
		{m, them, v, m, false},
		{m, me, m, "", true}, // leaving
		{m, me, m, a, false},
		{v, me, v, "", true},
		{v, them, v, "", false},
	}
	for _, c := range cases {
		got := store.MayManage(store.Actor{UserID: me, Role: c.actor}, c.target, c.current, c.next)
		if got != c.want {
			t.Errorf("MayManage(%s, user %d, %s → %q) = %v, want %v", c.actor, c.target, c.current, c.next, got, c.want)
		}
	}
}

func TestMemberRoles(t *testing.T) {
	runOnEngines(t, func(t *testing.T, st *store.Store) {
		c := ctx(t)
		ws := workspace(t, st, "a")
		other := workspace(t, st, "b")
		ann := user(t, st, "ann@example.com")   // owner
		bob := user(t, st, "bob@example.com")   // admin
		carl := user(t, st, "carl@example.com") // member
		member(t, st, ws.ID, ann.ID, store.RoleOwner)
		member(t, st, ws.ID, bob.ID, store.RoleAdmin)
		member(t, st, ws.ID, carl.ID, store.RoleMember)
		member(t, st, other.ID, carl.ID, store.RoleOwner)
		owner := store.Actor{UserID: ann.ID, Role: store.RoleOwner}
		admin := store.Actor{UserID: bob.ID, Role: store.RoleAdmin}

		role := func(ws, u int64) store.Role {
			t.Helper()
			return must[*store.Membership](t)(st.GetMembership(c, ws, u)).Role
		}
		if err := st.UpdateMemberRole(c, admin, ws.ID, carl.ID, store.RoleViewer); err != nil {
			t.Fatal(err)
		}
		if r := role(ws.ID, carl.ID); r != store.RoleViewer {
			t.Fatalf("role after admin's change: %s", r)
		}
		if r := role(other.ID, carl.ID); r != store.RoleOwner {
			t.Fatalf("a change in one workspace touched another: %s", r)
		}
		wantErr(t, st.UpdateMemberRole(c, admin, ws.ID, carl.ID, store.RoleOwner), store.ErrForbidden, "admin makes an owner")
		wantErr(t, st.UpdateMemberRole(c, admin, ws.ID, ann.ID, store.RoleMember), store.ErrForbidden, "admin demotes the owner")
		wantErr(t, st.UpdateMemberRole(c, owner, ws.ID, ann.ID, store.RoleAdmin), store.ErrLastOwner, "last owner steps down")
		wantErr(t, st.RemoveMember(c, owner, ws.ID, ann.ID), store.ErrLastOwner, "last owner leaves")
		wantErr(t, st.UpdateMemberRole(c, owner, ws.ID, carl.ID, "root"), store.ErrInvalid, "unknown role")
		wantErr(t, st.UpdateMemberRole(c, owner, ws.ID, 99999, store.RoleMember), store.ErrNotFound, "not a member")
		wantErr(t, st.RemoveMember(c, owner, other.ID, bob.ID), store.ErrNotFound, "member of another workspace")

		// With a second owner, the first may step down.
		if err := st.UpdateMemberRole(c, owner, ws.ID, bob.ID, store.RoleOwner); err != nil {
			t.Fatal(err)
		}
		if err := st.UpdateMemberRole(c, owner, ws.ID, ann.ID, store.RoleMember); err != nil {
			t.Fatal(err)
		}
		if r := role(ws.ID, ann.ID); r != store.RoleMember {
			t.Fatalf("role after stepping down: %s", r)
		}
		// A viewer leaves on their own.
		if err := st.RemoveMember(c, store.Actor{UserID: carl.ID, Role: store.RoleViewer}, ws.ID, carl.ID); err != nil {
			t.Fatal(err)
		}
		_, err := st.GetMembership(c, ws.ID, carl.ID)
		wantErr(t, err, store.ErrNotFound, "after leaving")

		list := must[[]store.Member](t)(st.ListWorkspaceMembers(c, ws.ID))
		if len(list) != 2 || list[0].Email != "ann@example.com" || list[0].Role != store.RoleMember || list[1].Role != store.RoleOwner {
			t.Fatalf("ListWorkspaceMembers = %+v", list)
		}
		audit := must[[]store.AuditEntry](t)(st.ListAudit(c, store.FindAudit{WorkspaceID: ws.ID}))
		var actions []string
		for _, e := range audit {
			actions = append(actions, e.Action+" "+e.Target)
		}
		want := []string{"member.remove user:" + itoa(carl.ID), "member.role user:" + itoa(ann.ID),
			"member.role user:" + itoa(bob.ID), "member.role user:" + itoa(carl.ID)}
		if !slices.Equal(actions, want) {
			t.Fatalf("audit = %q, want %q (refused changes leave no entry)", actions, want)
		}
		mine := must[[]store.WorkspaceRole](t)(st.ListUserWorkspaces(c, carl.ID))
		if len(mine) != 1 || mine[0].ID != other.ID || mine[0].Role != store.RoleOwner {
			t.Fatalf("ListUserWorkspaces = %+v", mine)
		}
	})
}

// TestLastOwnerConcurrent: two owners demoting themselves at once must not
// leave the workspace without an owner.
func TestLastOwnerConcurrent(t *testing.T) {
	runOnEngines(t, func(t *testing.T, st *store.Store) {
		c := ctx(t)
		ws := workspace(t, st, "a")
		ann := user(t, st, "ann@example.com")
		bob := user(t, st, "bob@example.com")
		member(t, st, ws.ID, ann.ID, store.RoleOwner)
		member(t, st, ws.ID, bob.ID, store.RoleOwner)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, u := range []*store.User{ann, bob} {
			wg.Go(func() {
				errs[i] = st.UpdateMemberRole(c, store.Actor{UserID: u.ID, Role: store.RoleOwner}, ws.ID, u.ID, store.RoleMember)
			})
		}
		wg.Wait()
		failed := 0
		for _, err := range errs {
			if errors.Is(err, store.ErrLastOwner) {
				failed++
			} else if err != nil {
				t.Fatal(err)
			}
		}
		owners := 0
		for _, m := range must[[]store.Membership](t)(st.ListMembers(c, ws.ID)) {
			if m.Role == store.RoleOwner {
				owners++
			}
		}
		if failed != 1 || owners != 1 {
			t.Fatalf("%d refused, %d owners left; want 1 and 1", failed, owners)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
