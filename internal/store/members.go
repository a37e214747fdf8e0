package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Errors of the membership rules. Both are refusals inside the actor's own
// workspace (HTTP 403 or 409), never "not found".
var (
	// ErrForbidden: the actor's role does not allow the change.
	ErrForbidden = errors.New("store: not allowed for this role")
	// ErrLastOwner: the change would leave the workspace without an owner.
	ErrLastOwner = errors.New("store: a workspace keeps at least one owner")
)

// Actor is who makes a change, for the permission rules and the audit log.
type Actor struct {
	UserID int64
	Role   Role   // the actor's role in the workspace changed
	IP     string // client address, for the audit log
}

// roleRank orders roles: viewer 1 < member 2 < admin 3 < owner 4.
func roleRank(r Role) int {
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

// MayManage reports whether actor may give role to a member who has
// current, or (when role is "") remove them. Owners do anything; admins
// manage members and viewers and may make them members or viewers; anyone
// may step down or leave. Whether the last owner remains is checked apart.
func MayManage(actor Actor, targetUserID int64, current, role Role) bool {
	if actor.UserID == targetUserID && (role == "" || roleRank(role) <= roleRank(current)) {
		return true
	}
	switch actor.Role {
	case RoleOwner:
		return true
	case RoleAdmin:
		return roleRank(current) <= roleRank(RoleMember) && roleRank(role) <= roleRank(RoleMember)
	}
	return false
}

// Member is a membership with the user's name and email, for listings.
type Member struct {
	UserID    int64
	Email     string
	Name      string
	Role      Role
	CreatedAt int64
}

// GetMembership returns userID's membership of workspaceID, ErrNotFound if
// there is none.
func (s *Store) GetMembership(ctx context.Context, workspaceID, userID int64) (*Membership, error) {
	m := Membership{WorkspaceID: workspaceID, UserID: userID}
	var role string
	err := s.db.Read.QueryRowContext(ctx, `SELECT role, created_at FROM memberships WHERE workspace_id = $1 AND user_id = $2`,
		workspaceID, userID).Scan(&role, &m.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("get membership: %w", mapErr(err))
	}
	m.Role = Role(role)
	return &m, nil
}

// ListWorkspaceMembers returns a workspace's members with their email and
// name, oldest membership first.
func (s *Store) ListWorkspaceMembers(ctx context.Context, workspaceID int64) ([]Member, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT m.user_id, u.email, u.name, m.role, m.created_at
		FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.workspace_id = $1 ORDER BY m.created_at, m.user_id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	defer rows.Close()
	out := []Member{}
	for rows.Next() {
		var m Member
		var role string
		if err := rows.Scan(&m.UserID, &m.Email, &m.Name, &role, &m.CreatedAt); err != nil {
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

// UpdateMemberRole gives userID role in workspaceID when actor may (see
// MayManage) and an owner remains, and audits the change. ErrNotFound: not a
// member; ErrForbidden; ErrLastOwner. Setting the role a member has is a
// no-op without an audit entry.
func (s *Store) UpdateMemberRole(ctx context.Context, actor Actor, workspaceID, userID int64, role Role) error {
	if !validRole(role) {
		return fmt.Errorf("%w: unknown role %q", ErrInvalid, role)
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockWorkspaceTx(ctx, tx, workspaceID); err != nil {
			return err
		}
		current, err := s.memberRoleTx(ctx, tx, workspaceID, userID)
		if err != nil {
			return err
		}
		if current == role {
			return nil
		}
		if !MayManage(actor, userID, current, role) {
			return ErrForbidden
		}
		if current == RoleOwner {
			if err := s.keepAnOwnerTx(ctx, tx, workspaceID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE memberships SET role = $3 WHERE workspace_id = $1 AND user_id = $2`,
			workspaceID, userID, string(role)); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, workspaceID, "member.role", fmt.Sprintf("user:%d", userID),
			map[string]any{"from": string(current), "to": string(role)})
	})
	if err != nil {
		return fmt.Errorf("update role of user %d: %w", userID, err)
	}
	return nil
}

// RemoveMember takes userID out of workspaceID when actor may (anyone may
// leave) and an owner remains, and audits it. Errors as UpdateMemberRole.
func (s *Store) RemoveMember(ctx context.Context, actor Actor, workspaceID, userID int64) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockWorkspaceTx(ctx, tx, workspaceID); err != nil {
			return err
		}
		current, err := s.memberRoleTx(ctx, tx, workspaceID, userID)
		if err != nil {
			return err
		}
		if !MayManage(actor, userID, current, "") {
			return ErrForbidden
		}
		if current == RoleOwner {
			if err := s.keepAnOwnerTx(ctx, tx, workspaceID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2`,
			workspaceID, userID); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, workspaceID, "member.remove", fmt.Sprintf("user:%d", userID),
			map[string]any{"role": string(current)})
	})
	if err != nil {
		return fmt.Errorf("remove user %d: %w", userID, err)
	}
	return nil
}

// lockWorkspaceTx serialises membership changes of one workspace on
// PostgreSQL (SQLite's single writer does already). Locking the workspace
// row, not the owner rows, avoids two owners stepping down at once each
// holding their own row and waiting for the other's: a deadlock.
func (s *Store) lockWorkspaceTx(ctx context.Context, tx *sql.Tx, workspaceID int64) error {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM workspaces WHERE id = $1`+s.forUpdate(), workspaceID).Scan(&id)
	return mapErr(err)
}

func (s *Store) memberRoleTx(ctx context.Context, tx *sql.Tx, workspaceID, userID int64) (Role, error) {
	var role string
	err := tx.QueryRowContext(ctx, `SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2`,
		workspaceID, userID).Scan(&role)
	if err != nil {
		return "", mapErr(err)
	}
	return Role(role), nil
}

// keepAnOwnerTx fails with ErrLastOwner unless the workspace has a second
// owner. Under lockWorkspaceTx, so two owners stepping down at once cannot
// both pass: the second counts after the first commits.
func (s *Store) keepAnOwnerTx(ctx context.Context, tx *sql.Tx, workspaceID int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships WHERE workspace_id = $1 AND role = 'owner'`,
		workspaceID).Scan(&n); err != nil {
		return err
	}
	if n < 2 {
		return ErrLastOwner
	}
	return nil
}

// WorkspaceRole is a workspace with the role a user has in it.
type WorkspaceRole struct {
	Workspace
	Role Role
}

// ListUserWorkspaces returns the workspaces userID belongs to, with the
// user's role, oldest membership first.
func (s *Store) ListUserWorkspaces(ctx context.Context, userID int64) ([]WorkspaceRole, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT w.id, w.name, w.slug, w.created_at, m.role
		FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
		WHERE m.user_id = $1 ORDER BY m.created_at, w.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list workspaces of user %d: %w", userID, err)
	}
	defer rows.Close()
	out := []WorkspaceRole{}
	for rows.Next() {
		var wr WorkspaceRole
		var role string
		if err := rows.Scan(&wr.ID, &wr.Name, &wr.Slug, &wr.CreatedAt, &role); err != nil {
			return nil, fmt.Errorf("list workspaces of user %d: %w", userID, err)
		}
		wr.Role = Role(role)
		out = append(out, wr)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list workspaces of user %d: %w", userID, err)
	}
	return out, nil
}

// audit records a change by actor in tx, so it commits with the change.
func (s *Store) audit(ctx context.Context, tx *sql.Tx, actor Actor, workspaceID int64, action, target string, data map[string]any) error {
	return Audit(ctx, tx, AuditEntry{At: s.nowMS(), WorkspaceID: workspaceID, ActorUserID: actor.UserID,
		Action: action, Target: target, IP: actor.IP, Data: data})
}
