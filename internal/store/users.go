package store

import (
	"context"
	"fmt"
	"strings"
)

const userCols = `id, email, name, password_hash, is_admin, created_at`

func scanUser(row interface{ Scan(...any) error }) (*User, error) {
	var u User
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.IsAdmin, &u.CreatedAt); err != nil {
		return nil, mapErr(err)
	}
	return &u, nil
}

func normalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// CreateUser inserts u, lower-casing Email and filling ID and CreatedAt (when
// zero). A taken email is ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u *User) error {
	u.Email = normalizeEmail(u.Email)
	if u.Email == "" {
		return fmt.Errorf("%w: user email is required", ErrInvalid)
	}
	if u.CreatedAt == 0 {
		u.CreatedAt = s.nowMS()
	}
	err := s.db.Write.QueryRowContext(ctx,
		`INSERT INTO users (email, name, password_hash, is_admin, created_at)
		 VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		u.Email, u.Name, u.PasswordHash, u.IsAdmin, u.CreatedAt).Scan(&u.ID)
	if err != nil {
		return fmt.Errorf("create user: %w", mapErr(err))
	}
	return nil
}

func (s *Store) GetUser(ctx context.Context, id int64) (*User, error) {
	return scanUser(s.db.Read.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
}

// GetUserByEmail looks email up case-insensitively.
func (s *Store) GetUserByEmail(ctx context.Context, email string) (*User, error) {
	return scanUser(s.db.Read.QueryRowContext(ctx,
		`SELECT `+userCols+` FROM users WHERE email = $1`, normalizeEmail(email)))
}

func validRole(r Role) bool {
	switch r {
	case RoleOwner, RoleAdmin, RoleMember, RoleViewer:
		return true
	}
	return false
}

// AddMember adds a user to a workspace. ErrConflict: already a member;
// ErrNotFound: no such workspace or user.
func (s *Store) AddMember(ctx context.Context, m Membership) error {
	if !validRole(m.Role) {
		return fmt.Errorf("%w: unknown role %q", ErrInvalid, m.Role)
	}
	if m.CreatedAt == 0 {
		m.CreatedAt = s.nowMS()
	}
	_, err := s.db.Write.ExecContext(ctx,
		`INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)`,
		m.WorkspaceID, m.UserID, string(m.Role), m.CreatedAt)
	if isForeignKeyViolation(err) {
		return fmt.Errorf("add member: workspace %d or user %d: %w", m.WorkspaceID, m.UserID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("add member: %w", mapErr(err))
	}
	return nil
}

// ListMembers returns a workspace's memberships, oldest first.
func (s *Store) ListMembers(ctx context.Context, workspaceID int64) ([]Membership, error) {
	rows, err := s.db.Read.QueryContext(ctx,
		`SELECT workspace_id, user_id, role, created_at FROM memberships
		 WHERE workspace_id = $1 ORDER BY created_at, user_id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	defer rows.Close()
	out := []Membership{}
	for rows.Next() {
		var m Membership
		var role string
		if err := rows.Scan(&m.WorkspaceID, &m.UserID, &role, &m.CreatedAt); err != nil {
			return nil, fmt.Errorf("list members: %w", err)
		}
		m.Role = Role(role)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	return out, nil
}
