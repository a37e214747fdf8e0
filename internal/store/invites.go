package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// InviteTTL is how long an invite link works when its creator sets no expiry.
const InviteTTL = 7 * 24 * time.Hour

// ErrInviteUnusable is the one answer for an unknown, used or expired invite
// token, so a probe learns nothing about which it was. It is also ErrNotFound.
var ErrInviteUnusable = fmt.Errorf("%w: invite unknown, already used or expired", ErrNotFound)

// Invite is a one-time link that adds its acceptor to a workspace with Role.
// The token itself is never stored, only its SHA-256.
type Invite struct {
	ID          int64
	WorkspaceID int64
	Role        Role
	CreatedBy   int64 // 0 when the creator's account was deleted
	CreatedAt   int64
	ExpiresAt   int64
	AcceptedBy  int64  // 0 while pending
	AcceptedAt  *int64 // nil while pending
	// TTL sets ExpiresAt from CreatedAt when ExpiresAt is 0 (0: InviteTTL).
	TTL time.Duration
}

const inviteCols = `id, workspace_id, role, COALESCE(created_by, 0), created_at, expires_at, COALESCE(accepted_by, 0), accepted_at`

func scanInvite(row interface{ Scan(...any) error }) (*Invite, error) {
	var i Invite
	var role string
	if err := row.Scan(&i.ID, &i.WorkspaceID, &role, &i.CreatedBy, &i.CreatedAt, &i.ExpiresAt, &i.AcceptedBy, &i.AcceptedAt); err != nil {
		return nil, mapErr(err)
	}
	i.Role = Role(role)
	return &i, nil
}

// hashInviteToken is how tokens are looked up. A plain SHA-256 is enough:
// tokens are 256 random bits, so there is nothing to brute-force.
func hashInviteToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateInvite stores a new invite to inv.WorkspaceID with inv.Role and
// returns its token, which is shown once and never stored. ExpiresAt 0 means
// TTL (default InviteTTL) from now, by the store's clock. The invite is recorded in the audit log as actor's.
func (s *Store) CreateInvite(ctx context.Context, actor Actor, inv *Invite) (token string, err error) {
	if !validRole(inv.Role) {
		return "", fmt.Errorf("%w: unknown role %q", ErrInvalid, inv.Role)
	}
	now := s.nowMS()
	if inv.CreatedAt == 0 {
		inv.CreatedAt = now
	}
	if inv.ExpiresAt == 0 {
		ttl := inv.TTL
		if ttl <= 0 {
			ttl = InviteTTL
		}
		inv.ExpiresAt = inv.CreatedAt + ttl.Milliseconds()
	}
	if inv.ExpiresAt <= inv.CreatedAt {
		return "", fmt.Errorf("%w: an invite must expire after it is created", ErrInvalid)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("create invite: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	var createdBy *int64
	if inv.CreatedBy != 0 {
		createdBy = &inv.CreatedBy
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO invites (workspace_id, token_hash, role, created_by, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			inv.WorkspaceID, hashInviteToken(token), string(inv.Role), createdBy, inv.CreatedAt, inv.ExpiresAt).Scan(&inv.ID)
		if isForeignKeyViolation(err) {
			return fmt.Errorf("workspace %d or user %d: %w", inv.WorkspaceID, inv.CreatedBy, ErrNotFound)
		}
		if err != nil {
			return mapErr(err)
		}
		return s.audit(ctx, tx, actor, inv.WorkspaceID, "invite.create", fmt.Sprintf("invite:%d", inv.ID),
			map[string]any{"role": string(inv.Role), "expires_at": inv.ExpiresAt})
	})
	if err != nil {
		return "", fmt.Errorf("create invite: %w", err)
	}
	return token, nil
}

// ListInvites returns a workspace's pending (unused, unexpired) invites,
// newest first.
func (s *Store) ListInvites(ctx context.Context, workspaceID int64) ([]Invite, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+inviteCols+` FROM invites
		WHERE workspace_id = $1 AND accepted_at IS NULL AND expires_at > $2 ORDER BY id DESC`, workspaceID, s.nowMS())
	if err != nil {
		return nil, fmt.Errorf("list invites: %w", err)
	}
	defer rows.Close()
	out := []Invite{}
	for rows.Next() {
		i, err := scanInvite(rows)
		if err != nil {
			return nil, fmt.Errorf("list invites: %w", err)
		}
		out = append(out, *i)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list invites: %w", err)
	}
	return out, nil
}

// DeleteInvite revokes a workspace's invite; another workspace's id, or a
// used one, is ErrNotFound.
func (s *Store) DeleteInvite(ctx context.Context, actor Actor, workspaceID, id int64) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM invites WHERE workspace_id = $1 AND id = $2 AND accepted_at IS NULL`, workspaceID, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		return s.audit(ctx, tx, actor, workspaceID, "invite.revoke", fmt.Sprintf("invite:%d", id), nil)
	})
	if err != nil {
		return fmt.Errorf("delete invite %d: %w", id, err)
	}
	return nil
}

// AcceptInvite uses token to make userID a member of the invite's workspace
// with the invite's role, in tx when it is not nil (sign-up creates the user
// and accepts in one transaction) or in a transaction of its own. An unknown,
// used or expired token is ErrInviteUnusable; a user who is already a member
// is ErrConflict and the invite stays unused. The acceptance is audited.
func (s *Store) AcceptInvite(ctx context.Context, tx *sql.Tx, token string, userID int64) (*Membership, error) {
	var m *Membership
	fn := func(tx *sql.Tx) error {
		var err error
		m, err = s.acceptInviteTx(ctx, tx, token, userID)
		return err
	}
	var err error
	if tx != nil {
		err = fn(tx)
	} else {
		err = s.db.Tx(ctx, fn)
	}
	if err != nil {
		return nil, fmt.Errorf("accept invite: %w", err)
	}
	return m, nil
}

func (s *Store) acceptInviteTx(ctx context.Context, tx *sql.Tx, token string, userID int64) (*Membership, error) {
	if token == "" {
		return nil, ErrInviteUnusable
	}
	now := s.nowMS()
	inv, err := scanInvite(tx.QueryRowContext(ctx, `SELECT `+inviteCols+` FROM invites WHERE token_hash = $1`+s.forUpdate(),
		hashInviteToken(token)))
	if errors.Is(err, ErrNotFound) {
		return nil, ErrInviteUnusable
	}
	if err != nil {
		return nil, err
	}
	if inv.AcceptedAt != nil || inv.ExpiresAt <= now {
		return nil, ErrInviteUnusable
	}
	var exists int
	err = tx.QueryRowContext(ctx, `SELECT 1 FROM memberships WHERE workspace_id = $1 AND user_id = $2`, inv.WorkspaceID, userID).Scan(&exists)
	switch {
	case err == nil:
		return nil, fmt.Errorf("%w: user %d is already a member of workspace %d", ErrConflict, userID, inv.WorkspaceID)
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	}
	// accepted_at IS NULL again: with the row lock (PostgreSQL) or the single
	// writer (SQLite) it cannot have changed, but the guard costs nothing.
	res, err := tx.ExecContext(ctx, `UPDATE invites SET accepted_by = $2, accepted_at = $3 WHERE id = $1 AND accepted_at IS NULL`,
		inv.ID, userID, now)
	if err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, err
	} else if n != 1 {
		return nil, ErrInviteUnusable
	}
	m := &Membership{WorkspaceID: inv.WorkspaceID, UserID: userID, Role: inv.Role, CreatedAt: now}
	_, err = tx.ExecContext(ctx, `INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)`,
		m.WorkspaceID, m.UserID, string(m.Role), m.CreatedAt)
	if isForeignKeyViolation(err) {
		return nil, fmt.Errorf("user %d: %w", userID, ErrNotFound)
	}
	if err != nil {
		return nil, mapErr(err)
	}
	if err := s.audit(ctx, tx, Actor{UserID: userID}, inv.WorkspaceID, "invite.accept", fmt.Sprintf("invite:%d", inv.ID),
		map[string]any{"role": string(inv.Role)}); err != nil {
		return nil, err
	}
	return m, nil
}
