package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// LoginLockedUntil returns the latest locked_until (Unix ms) among keys, 0
// when none is locked or known.
func (s *Store) LoginLockedUntil(ctx context.Context, keys ...string) (int64, error) {
	var until int64
	for _, k := range keys {
		var u int64
		err := s.db.Read.QueryRowContext(ctx, `SELECT locked_until FROM login_attempts WHERE key = $1`, k).Scan(&u)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("login state: %w", err)
		}
		until = max(until, u)
	}
	return until, nil
}

// LoginFailure is the state after RecordLoginFailure.
type LoginFailure struct {
	Failures    int
	LockedUntil int64 // Unix ms, 0: not locked
}

// RecordLoginFailure counts a failed sign-in for key. The count starts over
// when the previous failure is older than forgetAfterMS; delayMS maps the new
// count to how long the key is then locked (0: not locked).
func (s *Store) RecordLoginFailure(ctx context.Context, key string, forgetAfterMS int64, delayMS func(failures int) int64) (LoginFailure, error) {
	now := s.nowMS()
	var out LoginFailure
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var failures int
		var last int64
		err := tx.QueryRowContext(ctx,
			`SELECT failures, last_failure_at FROM login_attempts WHERE key = $1`+s.forUpdate(), key).Scan(&failures, &last)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if now-last > forgetAfterMS {
			failures = 0
		}
		failures++
		out.Failures = failures
		if d := delayMS(failures); d > 0 {
			out.LockedUntil = now + d
		}
		_, err = tx.ExecContext(ctx,
			`INSERT INTO login_attempts (key, failures, last_failure_at, locked_until) VALUES ($1, $2, $3, $4)
			 ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,
			   last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until`,
			key, failures, now, out.LockedUntil)
		return err
	})
	if err != nil {
		return LoginFailure{}, fmt.Errorf("record login failure: %w", err)
	}
	return out, nil
}

// ClearLoginFailures forgets key's failures (after a successful sign-in).
func (s *Store) ClearLoginFailures(ctx context.Context, key string) error {
	if _, err := s.db.Write.ExecContext(ctx, `DELETE FROM login_attempts WHERE key = $1`, key); err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}

// DeleteStaleLoginAttempts removes failure records whose last failure is
// older than before and whose lock has ended.
func (s *Store) DeleteStaleLoginAttempts(ctx context.Context, before int64) (int64, error) {
	res, err := s.db.Write.ExecContext(ctx,
		`DELETE FROM login_attempts WHERE last_failure_at < $1 AND locked_until < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("delete stale login attempts: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
