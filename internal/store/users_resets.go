package store

import (
	"context"
	"database/sql"
	"fmt"
)

// CreatePasswordReset stores a reset token's hash for userID, valid until
// expiresAt (Unix ms).
func (s *Store) CreatePasswordReset(ctx context.Context, userID int64, tokenHash string, expiresAt int64) error {
	_, err := s.db.Write.ExecContext(ctx,
		`INSERT INTO password_resets (user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		userID, tokenHash, s.nowMS(), expiresAt)
	if err != nil {
		return fmt.Errorf("create password reset: %w", mapErr(err))
	}
	return nil
}

// PasswordResetUser returns the user a usable reset token belongs to, without
// using it up. ErrNotFound: unknown, used or expired.
func (s *Store) PasswordResetUser(ctx context.Context, tokenHash string) (*User, error) {
	u, err := scanUser(s.db.Read.QueryRowContext(ctx,
		`SELECT u.id, u.email, u.name, u.password_hash, u.is_admin, u.created_at
		 FROM password_resets r JOIN users u ON u.id = r.user_id
		 WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2`, tokenHash, s.nowMS()))
	if err != nil {
		return nil, fmt.Errorf("password reset: %w", err)
	}
	return u, nil
}

// ResetPassword uses up a reset token and sets the new password hash: the
// token and every other outstanding one of the user stop working, all the
// user's sessions are revoked, the email's sign-in lockout is cleared and
// the audit entry written, in one transaction. ErrNotFound: the token is
// unknown, used or expired (nothing changes).
func (s *Store) ResetPassword(ctx context.Context, tokenHash, newHash, lockoutKey string, audit AuditEntry) (*User, error) {
	now := s.nowMS()
	var u *User
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var userID int64
		err := tx.QueryRowContext(ctx,
			`UPDATE password_resets SET used_at = $1
			 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id`,
			now, tokenHash).Scan(&userID)
		if err != nil {
			return mapErr(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, newHash, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx,
			`UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL`, now, userID); err != nil {
			return err
		}
		if _, err := revokeUserSessions(ctx, tx, userID, "", now); err != nil {
			return err
		}
		if lockoutKey != "" {
			if _, err := tx.ExecContext(ctx, `DELETE FROM login_attempts WHERE key = $1`, lockoutKey); err != nil {
				return err
			}
		}
		if u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, userID)); err != nil {
			return err
		}
		audit.At, audit.ActorUserID, audit.Target = now, userID, fmt.Sprintf("user:%d", userID)
		return Audit(ctx, tx, audit)
	})
	if err != nil {
		return nil, fmt.Errorf("reset password: %w", err)
	}
	return u, nil
}

// DeleteExpiredPasswordResets removes reset tokens that expired before
// `before` (Unix ms).
func (s *Store) DeleteExpiredPasswordResets(ctx context.Context, before int64) (int64, error) {
	res, err := s.db.Write.ExecContext(ctx, `DELETE FROM password_resets WHERE expires_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("delete expired password resets: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
