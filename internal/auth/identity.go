// Package auth holds accounts: who a request is (Identity), passwords,
// sessions, API tokens and sign-in lockout.
package auth

import "context"

// Role is a user's role in one workspace.
type Role string

const (
	RoleOwner  Role = "owner"
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
	RoleViewer Role = "viewer"
)

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool { return r.Rank() > 0 }

// Rank orders roles: viewer 1 < member 2 < admin 3 < owner 4; an invalid role is 0.
func (r Role) Rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleMember:
		return 2
	case RoleAdmin:
		return 3
	case RoleOwner:
		return 4
	}
	return 0
}

// AtLeast reports whether r is valid and ranks at or above min.
func (r Role) AtLeast(min Role) bool { return r.Valid() && r.Rank() >= min.Rank() }

// Scope is what an API token may do.
type Scope string

const (
	ScopeRead      Scope = "read"
	ScopeReadWrite Scope = "read-write"
)

// Identity is who is making a request, resolved by the authentication middleware.
type Identity struct {
	UserID        int64
	Email         string
	InstanceAdmin bool
	WorkspaceID   int64 // the workspace the request acts in
	Role          Role  // the user's role in WorkspaceID
	TokenID       int64 // 0 when authenticated by session cookie
	Scope         Scope // token scope; sessions are ScopeReadWrite
}

// CanWrite reports whether the identity may change things in its workspace.
func (id Identity) CanWrite() bool { return id.Role.AtLeast(RoleMember) && id.Scope == ScopeReadWrite }

type ctxKey struct{}

// WithIdentity returns a context carrying id.
func WithIdentity(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// FromContext returns the identity stored by WithIdentity.
func FromContext(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(ctxKey{}).(Identity)
	return id, ok
}
