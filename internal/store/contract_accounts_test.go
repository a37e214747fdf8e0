package store_test

import (
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/store"
)

func testWorkspaces(t *testing.T, st *store.Store) {
	c := ctx(t)
	w := &store.Workspace{Name: "Acme", Slug: "acme"}
	if err := st.CreateWorkspace(c, w); err != nil {
		t.Fatal(err)
	}
	if w.ID == 0 || w.CreatedAt == 0 {
		t.Fatalf("CreateWorkspace did not fill ID/CreatedAt: %+v", w)
	}
	if got := must[*store.Workspace](t)(st.GetWorkspace(c, w.ID)); *got != *w {
		t.Errorf("GetWorkspace = %+v, want %+v", got, w)
	}
	if got := must[*store.Workspace](t)(st.GetWorkspaceBySlug(c, "acme")); *got != *w {
		t.Errorf("GetWorkspaceBySlug = %+v, want %+v", got, w)
	}
	wantErr(t, st.CreateWorkspace(c, &store.Workspace{Name: "Other", Slug: "acme"}), store.ErrConflict, "duplicate slug")
	wantErr(t, st.CreateWorkspace(c, &store.Workspace{Name: "No slug"}), store.ErrInvalid, "empty slug")
	_, err := st.GetWorkspace(c, w.ID+1000)
	wantErr(t, err, store.ErrNotFound, "GetWorkspace(missing)")
	_, err = st.GetWorkspaceBySlug(c, "nope")
	wantErr(t, err, store.ErrNotFound, "GetWorkspaceBySlug(missing)")

	e1 := must[*store.Workspace](t)(st.EnsureWorkspace(c, "default", "Default"))
	e2 := must[*store.Workspace](t)(st.EnsureWorkspace(c, "default", "Renamed?"))
	if e1.ID != e2.ID || e2.Name != "Default" {
		t.Errorf("EnsureWorkspace twice: %+v then %+v; want the same row, name kept", e1, e2)
	}
	if e3 := must[*store.Workspace](t)(st.EnsureWorkspace(c, "acme", "x")); e3.ID != w.ID {
		t.Errorf("EnsureWorkspace(existing) = %+v, want %+v", e3, w)
	}
}

func testUsers(t *testing.T, st *store.Store) {
	c := ctx(t)
	u := &store.User{Email: "  Ann@Example.COM ", Name: "Ann", PasswordHash: "$argon2id$x", IsAdmin: true}
	if err := st.CreateUser(c, u); err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.CreatedAt == 0 || u.Email != "ann@example.com" {
		t.Fatalf("CreateUser filled %+v", u)
	}
	if got := must[*store.User](t)(st.GetUser(c, u.ID)); *got != *u {
		t.Errorf("GetUser = %+v, want %+v", got, u)
	}
	if got := must[*store.User](t)(st.GetUserByEmail(c, "ANN@example.com")); *got != *u {
		t.Errorf("GetUserByEmail = %+v, want %+v", got, u)
	}
	wantErr(t, st.CreateUser(c, &store.User{Email: "ann@EXAMPLE.com"}), store.ErrConflict, "duplicate email")
	wantErr(t, st.CreateUser(c, &store.User{Email: " "}), store.ErrInvalid, "empty email")
	_, err := st.GetUser(c, u.ID+1000)
	wantErr(t, err, store.ErrNotFound, "GetUser(missing)")
	_, err = st.GetUserByEmail(c, "bob@example.com")
	wantErr(t, err, store.ErrNotFound, "GetUserByEmail(missing)")

	plain := &store.User{Email: "bob@example.com"}
	if err := st.CreateUser(c, plain); err != nil {
		t.Fatal(err)
	}
	if got := must[*store.User](t)(st.GetUser(c, plain.ID)); got.IsAdmin {
		t.Error("IsAdmin defaulted to true")
	}
}

func testMembers(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	other := workspace(t, st, "b")
	ann := &store.User{Email: "ann@example.com"}
	bob := &store.User{Email: "bob@example.com"}
	for _, u := range []*store.User{ann, bob} {
		if err := st.CreateUser(c, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.AddMember(c, store.Membership{WorkspaceID: ws.ID, UserID: ann.ID, Role: store.RoleOwner, CreatedAt: 1}); err != nil {
		t.Fatal(err)
	}
	if err := st.AddMember(c, store.Membership{WorkspaceID: ws.ID, UserID: bob.ID, Role: store.RoleViewer, CreatedAt: 2}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, st.AddMember(c, store.Membership{WorkspaceID: ws.ID, UserID: ann.ID, Role: store.RoleAdmin}), store.ErrConflict, "duplicate membership")
	wantErr(t, st.AddMember(c, store.Membership{WorkspaceID: ws.ID + 1000, UserID: ann.ID, Role: store.RoleAdmin}), store.ErrNotFound, "unknown workspace")
	wantErr(t, st.AddMember(c, store.Membership{WorkspaceID: ws.ID, UserID: bob.ID + 1000, Role: store.RoleAdmin}), store.ErrNotFound, "unknown user")
	wantErr(t, st.AddMember(c, store.Membership{WorkspaceID: other.ID, UserID: ann.ID, Role: "root"}), store.ErrInvalid, "unknown role")

	got := must[[]store.Membership](t)(st.ListMembers(c, ws.ID))
	want := []store.Membership{
		{WorkspaceID: ws.ID, UserID: ann.ID, Role: store.RoleOwner, CreatedAt: 1},
		{WorkspaceID: ws.ID, UserID: bob.ID, Role: store.RoleViewer, CreatedAt: 2},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("ListMembers = %+v, want %+v", got, want)
	}
	if got := must[[]store.Membership](t)(st.ListMembers(c, other.ID)); got == nil || len(got) != 0 {
		t.Errorf("ListMembers(other) = %#v, want an empty, non-nil slice", got)
	}
}
