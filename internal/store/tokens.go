package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Token scopes.
const (
	ScopeRead      = "read"
	ScopeReadWrite = "read-write"
)

// APIToken is a user's API token for one workspace. Only a SHA-256 of the
// token is stored; Prefix lets people recognise it in listings.
type APIToken struct {
	ID          int64
	UserID      int64
	WorkspaceID int64
	Name        string
	Prefix      string
	Scope       string
	CreatedAt   int64
	LastUsedAt  *int64
	ExpiresAt   *int64 // nil: never
	RevokedAt   *int64
}

// TokenAuth is what a presented token resolves to.
type TokenAuth struct {
	Token   APIToken
	Email   string
	IsAdmin bool
	Role    Role // the user's current role in the token's workspace, "" if none
}

const tokenCols = `t.id, t.user_id, t.workspace_id, t.name, t.prefix, t.scope, t.created_at, t.last_used_at, t.expires_at, t.revoked_at`

func scanToken(row interface{ Scan(...any) error }, extra ...any) (*APIToken, error) {
	var t APIToken
	var used, exp, rev sql.NullInt64
	dest := append([]any{&t.ID, &t.UserID, &t.WorkspaceID, &t.Name, &t.Prefix, &t.Scope, &t.CreatedAt, &used, &exp, &rev}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, mapErr(err)
	}
	t.LastUsedAt, t.ExpiresAt, t.RevokedAt = nullPtr(used), nullPtr(exp), nullPtr(rev)
	return &t, nil
}

func nullPtr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}

// CreateAPIToken stores t (filling ID and CreatedAt) with the token's hash
// and writes the audit entry, in one transaction. The user must be a member
// of t.WorkspaceID (else ErrNotFound); the scope must be read or read-write.
func (s *Store) CreateAPIToken(ctx context.Context, t *APIToken, tokenHash string, audit AuditEntry) error {
	if t.Scope != ScopeRead && t.Scope != ScopeReadWrite {
		return fmt.Errorf("%w: scope must be read or read-write", ErrInvalid)
	}
	if t.Prefix == "" || tokenHash == "" {
		return fmt.Errorf("%w: token prefix and hash are required", ErrInvalid)
	}
	if t.CreatedAt == 0 {
		t.CreatedAt = s.nowMS()
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM memberships WHERE user_id = $1 AND workspace_id = $2`,
			t.UserID, t.WorkspaceID).Scan(&one); err != nil {
			return mapErr(err)
		}
		if err := tx.QueryRowContext(ctx,
			`INSERT INTO api_tokens (user_id, workspace_id, name, prefix, token_hash, scope, created_at, expires_at)
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			t.UserID, t.WorkspaceID, t.Name, t.Prefix, tokenHash, t.Scope, t.CreatedAt, t.ExpiresAt).Scan(&t.ID); err != nil {
			return mapErr(err)
		}
		audit.At = t.CreatedAt
		audit.Target = fmt.Sprintf("token:%d", t.ID)
		return Audit(ctx, tx, audit)
	})
	if err != nil {
		return fmt.Errorf("create API token: %w", err)
	}
	return nil
}

// TokenAuthByHash resolves a presented token, whatever its state (the caller
// checks RevokedAt and ExpiresAt). ErrNotFound: unknown token.
func (s *Store) TokenAuthByHash(ctx context.Context, tokenHash string) (*TokenAuth, error) {
	var a TokenAuth
	var role sql.NullString
	t, err := scanToken(s.db.Read.QueryRowContext(ctx,
		`SELECT `+tokenCols+`, u.email, u.is_admin, m.role FROM api_tokens t
		 JOIN users u ON u.id = t.user_id
		 LEFT JOIN memberships m ON m.user_id = t.user_id AND m.workspace_id = t.workspace_id
		 WHERE t.token_hash = $1`, tokenHash), &a.Email, &a.IsAdmin, &role)
	if err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	a.Token, a.Role = *t, Role(role.String)
	return &a, nil
}

// TouchAPIToken records a use of token id at most once a minute, so a busy
// script does not turn every read into a write.
func (s *Store) TouchAPIToken(ctx context.Context, id int64) error {
	now := s.nowMS()
	_, err := s.db.Write.ExecContext(ctx,
		`UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at <= $3)`,
		now, id, now-60_000)
	if err != nil {
		return fmt.Errorf("touch token: %w", err)
	}
	return nil
}

// ListAPITokens returns a user's tokens that are not revoked, newest first.
func (s *Store) ListAPITokens(ctx context.Context, userID int64) ([]APIToken, error) {
	rows, err := s.db.Read.QueryContext(ctx,
		`SELECT `+tokenCols+` FROM api_tokens t WHERE t.user_id = $1 AND t.revoked_at IS NULL ORDER BY t.id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	out := []APIToken{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		out = append(out, *t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

// RevokeAPIToken revokes one of userID's tokens, with the audit entry.
// ErrNotFound: no such unrevoked token of this user.
func (s *Store) RevokeAPIToken(ctx context.Context, userID, id int64, audit AuditEntry) error {
	now := s.nowMS()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var ws int64
		err := tx.QueryRowContext(ctx,
			`UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL RETURNING workspace_id`,
			now, id, userID).Scan(&ws)
		if err != nil {
			return mapErr(err)
		}
		audit.At, audit.WorkspaceID, audit.Target = now, ws, fmt.Sprintf("token:%d", id)
		return Audit(ctx, tx, audit)
	})
	if err != nil {
		return fmt.Errorf("revoke token %d: %w", id, err)
	}
	return nil
}
