package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// DefaultWorkspaceSlug is the workspace every watch lived in before accounts;
// the first user adopts it as their personal workspace.
const DefaultWorkspaceSlug = "default"

// NewAccount is what CreateAccount needs.
type NewAccount struct {
	Email        string
	Name         string
	PasswordHash string
	// Admin makes the user an instance admin (the first user always is).
	Admin bool
	// Allow, when set, runs in the transaction after the first-user check
	// and may refuse (e.g. sign-ups closed): its error is returned as is.
	Allow func(first bool) error
	// After, when set, runs in the transaction once the user, their
	// workspace and membership exist (e.g. to accept an invite).
	After func(tx *sql.Tx, u *User) error
	IP    string // for the audit log
}

// Account is a user with the workspace they land in.
type Account struct {
	User                User
	PersonalWorkspaceID int64
	First               bool // this was the instance's first user
	// JoinedWorkspaceID is the workspace an invite accepted at sign-up
	// added the user to (0: none); set by the caller that accepted it.
	JoinedWorkspaceID int64
}

var slugUnsafe = regexp.MustCompile(`[^a-z0-9]+`)

// CreateAccount creates a user, their personal workspace and their owner
// membership in one transaction. The first user of the instance becomes
// instance admin and adopts the "default" workspace with its watches (the
// upgrade path from before accounts); later users get a new workspace.
// A taken email is ErrConflict.
func (s *Store) CreateAccount(ctx context.Context, n NewAccount) (*Account, error) {
	email := normalizeEmail(n.Email)
	if email == "" {
		return nil, fmt.Errorf("%w: user email is required", ErrInvalid)
	}
	now := s.nowMS()
	var acct *Account
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		// Serialise account creation on a settings row so two first
		// sign-ups on PostgreSQL cannot both count zero users.
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO instance_settings (key, value, updated_at) VALUES ('accounts_lock', '', $1)
			 ON CONFLICT (key) DO UPDATE SET updated_at = excluded.updated_at`, now); err != nil {
			return err
		}
		var users int64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&users); err != nil {
			return err
		}
		first := users == 0
		if n.Allow != nil {
			if err := n.Allow(first); err != nil {
				return err
			}
		}
		u := User{Email: email, Name: strings.TrimSpace(n.Name), PasswordHash: n.PasswordHash, IsAdmin: n.Admin || first, CreatedAt: now}
		if err := tx.QueryRowContext(ctx,
			`INSERT INTO users (email, name, password_hash, is_admin, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			u.Email, u.Name, u.PasswordHash, u.IsAdmin, u.CreatedAt).Scan(&u.ID); err != nil {
			return mapErr(err)
		}
		var wsID int64
		if first {
			if _, err := tx.ExecContext(ctx,
				`INSERT INTO workspaces (name, slug, created_at) VALUES ('Default workspace', $1, $2) ON CONFLICT (slug) DO NOTHING`,
				DefaultWorkspaceSlug, now); err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, `SELECT id FROM workspaces WHERE slug = $1`, DefaultWorkspaceSlug).Scan(&wsID); err != nil {
				return err
			}
		} else {
			local, _, _ := strings.Cut(email, "@")
			base := strings.Trim(slugUnsafe.ReplaceAllString(local, "-"), "-")
			if base == "" {
				base = "user"
			}
			base = base[:min(len(base), 40)]
			// The user id makes the slug unique.
			slug := fmt.Sprintf("%s-%d", base, u.ID)
			if err := tx.QueryRowContext(ctx,
				`INSERT INTO workspaces (name, slug, created_at) VALUES ($1, $2, $3) RETURNING id`,
				local, slug, now).Scan(&wsID); err != nil {
				return mapErr(err)
			}
		}
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, 'owner', $3)
			 ON CONFLICT (workspace_id, user_id) DO NOTHING`, wsID, u.ID, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET personal_workspace_id = $1 WHERE id = $2`, wsID, u.ID); err != nil {
			return err
		}
		if n.After != nil {
			if err := n.After(tx, &u); err != nil {
				return err
			}
		}
		if err := Audit(ctx, tx, AuditEntry{At: now, WorkspaceID: wsID, ActorUserID: u.ID, Action: AuditSignUp,
			Target: fmt.Sprintf("user:%d", u.ID), IP: n.IP, Data: map[string]any{"instance_admin": u.IsAdmin}}); err != nil {
			return err
		}
		acct = &Account{User: u, PersonalWorkspaceID: wsID, First: first}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("create account: %w", err)
	}
	return acct, nil
}

// CountUsers returns how many users exist.
func (s *Store) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// MemberIdentity is a user as seen in one workspace.
type MemberIdentity struct {
	UserID  int64
	Email   string
	IsAdmin bool
	Role    Role // "" when the user is not a member of the workspace
}

// LookupMember returns the user and their role in workspaceID (Role "" when
// not a member). ErrNotFound: no such user.
func (s *Store) LookupMember(ctx context.Context, userID, workspaceID int64) (*MemberIdentity, error) {
	var m MemberIdentity
	var role sql.NullString
	err := s.db.Read.QueryRowContext(ctx,
		`SELECT u.id, u.email, u.is_admin, m.role FROM users u
		 LEFT JOIN memberships m ON m.user_id = u.id AND m.workspace_id = $2
		 WHERE u.id = $1`, userID, workspaceID).Scan(&m.UserID, &m.Email, &m.IsAdmin, &role)
	if err != nil {
		return nil, fmt.Errorf("lookup member: %w", mapErr(err))
	}
	m.Role = Role(role.String)
	return &m, nil
}

// HomeWorkspace is where a user acts after sign-in: their personal workspace
// while they belong to it, else their oldest membership. ErrNotFound: the
// user belongs to no workspace.
func (s *Store) HomeWorkspace(ctx context.Context, userID int64) (int64, error) {
	var id int64
	err := s.db.Read.QueryRowContext(ctx,
		`SELECT m.workspace_id FROM memberships m JOIN users u ON u.id = m.user_id
		 WHERE m.user_id = $1
		 ORDER BY CASE WHEN m.workspace_id = u.personal_workspace_id THEN 0 ELSE 1 END, m.created_at, m.workspace_id
		 LIMIT 1`, userID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("home workspace of user %d: %w", userID, mapErr(err))
	}
	return id, nil
}

// SetPasswordHash replaces a user's password hash (a rehash with new
// parameters; password changes go through ChangePassword).
func (s *Store) SetPasswordHash(ctx context.Context, userID int64, hash string) error {
	res, err := s.db.Write.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, userID)
	if err != nil {
		return fmt.Errorf("set password hash: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("set password hash: user %d: %w", userID, ErrNotFound)
	}
	return nil
}

// ChangePassword sets a new password hash and revokes every other session of
// the user (keepSessionHash names the one to keep, "" for none), with the
// audit entry, in one transaction.
func (s *Store) ChangePassword(ctx context.Context, userID int64, hash, keepSessionHash string, audit AuditEntry) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if _, err := revokeUserSessions(ctx, tx, userID, keepSessionHash, s.nowMS()); err != nil {
			return err
		}
		if audit.At == 0 {
			audit.At = s.nowMS()
		}
		return Audit(ctx, tx, audit)
	})
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	return nil
}

// ErrExpired reports a one-time token that exists but can no longer be used.
var ErrExpired = errors.New("store: expired or already used")
