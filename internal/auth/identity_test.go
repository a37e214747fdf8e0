package auth

import (
	"context"
	"testing"
)

func TestRoleOrder(t *testing.T) {
	order := []Role{RoleViewer, RoleMember, RoleAdmin, RoleOwner}
	for i, r := range order {
		if !r.Valid() || r.Rank() != i+1 {
			t.Errorf("%s: valid=%v rank=%d", r, r.Valid(), r.Rank())
		}
		for j, min := range order {
			if got := r.AtLeast(min); got != (i >= j) {
				t.Errorf("%s.AtLeast(%s) = %v", r, min, got)
			}
		}
	}
	bad := Role("root")
	if bad.Valid() || bad.Rank() != 0 || bad.AtLeast(RoleViewer) {
		t.Errorf("invalid role accepted")
	}
}

func TestCanWrite(t *testing.T) {
	cases := []struct {
		id   Identity
		want bool
	}{
		{Identity{Role: RoleMember, Scope: ScopeReadWrite}, true},
		{Identity{Role: RoleOwner, Scope: ScopeReadWrite}, true},
		{Identity{Role: RoleOwner, Scope: ScopeRead}, false},
		{Identity{Role: RoleViewer, Scope: ScopeReadWrite}, false},
		{Identity{Role: "", Scope: ScopeReadWrite}, false},
	}
	for _, c := range cases {
		if got := c.id.CanWrite(); got != c.want {
			t.Errorf("%+v: CanWrite = %v", c.id, got)
		}
	}
}

func TestContext(t *testing.T) {
	if _, ok := FromContext(context.Background()); ok {
		t.Fatal("identity in empty context")
	}
	want := Identity{UserID: 3, WorkspaceID: 9, Role: RoleAdmin, Scope: ScopeRead}
	got, ok := FromContext(WithIdentity(context.Background(), want))
	if !ok || got != want {
		t.Fatalf("got %+v %v", got, ok)
	}
}
