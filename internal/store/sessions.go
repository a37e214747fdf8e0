package store

import (
	"context"
	"database/sql"
	"fmt"
)

// SessionRecord is a server-side session as the session manager commits it.
// TokenHash is a SHA-256 of the cookie's token: the token itself is never
// stored.
type SessionRecord struct {
	TokenHash string
	UserID    int64 // 0: not signed in
	Data      []byte
	ExpiresAt int64 // Unix ms
	IP        string
	UserAgent string
}

// Session describes one of a user's sessions, for listing.
type Session struct {
	ID         int64
	TokenHash  string
	CreatedAt  int64
	LastSeenAt int64
	ExpiresAt  int64
	IP         string
	UserAgent  string
}

// FindSession returns a live session's data; found is false when the token
// is unknown, expired or revoked.
func (s *Store) FindSession(ctx context.Context, tokenHash string) (data []byte, found bool, err error) {
	err = s.db.Read.QueryRowContext(ctx,
		`SELECT data FROM sessions WHERE token_hash = $1 AND expires_at > $2 AND NOT revoked`,
		tokenHash, s.nowMS()).Scan(&data)
	if err == sql.ErrNoRows {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("find session: %w", err)
	}
	return data, true, nil
}

// CommitSession inserts or updates a session. A revoked session stays
// revoked: a request that loaded it before the revocation cannot revive it.
func (s *Store) CommitSession(ctx context.Context, r SessionRecord) error {
	now := s.nowMS()
	_, err := s.db.Write.ExecContext(ctx,
		`INSERT INTO sessions (token_hash, user_id, data, expires_at, created_at, last_seen_at, ip, user_agent)
		 VALUES ($1, $2, $3, $4, $5, $5, $6, $7)
		 ON CONFLICT (token_hash) DO UPDATE SET user_id = excluded.user_id, data = excluded.data,
		   expires_at = excluded.expires_at, last_seen_at = excluded.last_seen_at,
		   ip = excluded.ip, user_agent = excluded.user_agent`,
		r.TokenHash, nullID(r.UserID), r.Data, r.ExpiresAt, now, r.IP, r.UserAgent)
	if err != nil {
		return fmt.Errorf("commit session: %w", mapErr(err))
	}
	return nil
}

// RevokeSessionHash ends the session with tokenHash (sign-out, token
// renewal); unknown tokens are a no-op.
func (s *Store) RevokeSessionHash(ctx context.Context, tokenHash string) error {
	_, err := s.db.Write.ExecContext(ctx,
		`UPDATE sessions SET revoked = TRUE, data = $1 WHERE token_hash = $2`, []byte{}, tokenHash)
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}

// ListSessions returns a user's live sessions, most recently used first.
func (s *Store) ListSessions(ctx context.Context, userID int64) ([]Session, error) {
	rows, err := s.db.Read.QueryContext(ctx,
		`SELECT id, token_hash, created_at, last_seen_at, expires_at, ip, user_agent FROM sessions
		 WHERE user_id = $1 AND expires_at > $2 AND NOT revoked ORDER BY last_seen_at DESC, id DESC`,
		userID, s.nowMS())
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	defer rows.Close()
	out := []Session{}
	for rows.Next() {
		var x Session
		if err := rows.Scan(&x.ID, &x.TokenHash, &x.CreatedAt, &x.LastSeenAt, &x.ExpiresAt, &x.IP, &x.UserAgent); err != nil {
			return nil, fmt.Errorf("list sessions: %w", err)
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return out, nil
}

// RevokeSession ends one of userID's live sessions, with the audit entry.
// ErrNotFound: no such live session of this user.
func (s *Store) RevokeSession(ctx context.Context, userID, id int64, audit AuditEntry) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE sessions SET revoked = TRUE, data = $1
			 WHERE id = $2 AND user_id = $3 AND NOT revoked AND expires_at > $4`, []byte{}, id, userID, s.nowMS())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if audit.At == 0 {
			audit.At = s.nowMS()
		}
		return Audit(ctx, tx, audit)
	})
	if err != nil {
		return fmt.Errorf("revoke session %d: %w", id, err)
	}
	return nil
}

// RevokeUserSessions ends every session of userID except keepHash ("" for
// none) and returns how many ended.
func (s *Store) RevokeUserSessions(ctx context.Context, userID int64, keepHash string) (int64, error) {
	n, err := revokeUserSessions(ctx, s.db.Write, userID, keepHash, s.nowMS())
	if err != nil {
		return 0, fmt.Errorf("revoke sessions of user %d: %w", userID, err)
	}
	return n, nil
}

func revokeUserSessions(ctx context.Context, q Querier, userID int64, keepHash string, now int64) (int64, error) {
	res, err := q.ExecContext(ctx,
		`UPDATE sessions SET revoked = TRUE, data = $1
		 WHERE user_id = $2 AND token_hash <> $3 AND NOT revoked AND expires_at > $4`,
		[]byte{}, userID, keepHash, now)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// DeleteExpiredSessions removes sessions that expired before `before` (Unix
// ms), revoked ones included once they would have expired.
func (s *Store) DeleteExpiredSessions(ctx context.Context, before int64) (int64, error) {
	res, err := s.db.Write.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
