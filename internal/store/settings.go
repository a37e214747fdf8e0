package store

import (
	"context"
	"errors"
	"fmt"
)

// Instance settings keys and values.
const (
	SettingSignupMode = "signup_mode"

	SignupOpen       = "open"        // anyone may sign up
	SignupInviteOnly = "invite-only" // only with an invite token
	SignupClosed     = "closed"      // only the CLI (and the first user) create accounts

	// DefaultSignupMode applies until an admin chooses: an instance put on
	// the internet does not take strangers' sign-ups unless told to.
	DefaultSignupMode = SignupInviteOnly
)

// ValidSignupMode reports whether m is a sign-up mode.
func ValidSignupMode(m string) bool {
	return m == SignupOpen || m == SignupInviteOnly || m == SignupClosed
}

// GetSetting returns an instance setting's value; ErrNotFound when unset.
func (s *Store) GetSetting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.Read.QueryRowContext(ctx, `SELECT value FROM instance_settings WHERE key = $1`, key).Scan(&v)
	if err != nil {
		return "", fmt.Errorf("setting %s: %w", key, mapErr(err))
	}
	return v, nil
}

// SetSetting writes an instance setting through q (a transaction, or nil for
// the writer), replacing any value.
func (s *Store) SetSetting(ctx context.Context, q Querier, key, value string) error {
	if key == "" {
		return fmt.Errorf("%w: setting key is required", ErrInvalid)
	}
	if key == SettingSignupMode && !ValidSignupMode(value) {
		return fmt.Errorf("%w: sign-up mode must be open, invite-only or closed", ErrInvalid)
	}
	if q == nil {
		q = s.db.Write
	}
	_, err := q.ExecContext(ctx,
		`INSERT INTO instance_settings (key, value, updated_at) VALUES ($1, $2, $3)
		 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		key, value, s.nowMS())
	if err != nil {
		return fmt.Errorf("set setting %s: %w", key, err)
	}
	return nil
}

// SignupMode returns the instance's sign-up mode (DefaultSignupMode when unset).
func (s *Store) SignupMode(ctx context.Context) (string, error) {
	v, err := s.GetSetting(ctx, SettingSignupMode)
	if errors.Is(err, ErrNotFound) {
		return DefaultSignupMode, nil
	}
	if err != nil {
		return "", err
	}
	return v, nil
}
