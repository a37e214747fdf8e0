package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// Querier runs statements: a *sql.Tx (to write in the caller's transaction)
// or a *sql.DB. On SQLite pass the writer (Store.DB().Write) or a tx of it.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Audit actions recorded by the accounts core; other packages add their own
// ("member.role_change", "invite.create", …) in the same dotted style.
const (
	AuditSignIn         = "auth.signin"
	AuditSignInFailed   = "auth.signin_failed"
	AuditLockout        = "auth.lockout"
	AuditSignUp         = "auth.signup"
	AuditPasswordChange = "auth.password_change"
	AuditPasswordReset  = "auth.password_reset"
	AuditTokenCreate    = "token.create"
	AuditTokenRevoke    = "token.revoke"
	AuditSessionRevoke  = "session.revoke"
)

// AuditEntry is one audit-log row. Never put a secret in Data.
type AuditEntry struct {
	ID          int64
	At          int64 // Unix ms; 0 → now
	WorkspaceID int64 // 0: instance-wide (stored NULL)
	ActorUserID int64 // 0: nobody signed in (stored NULL)
	Action      string
	Target      string // what was acted on, e.g. "user:7", "token:3", an email
	IP          string
	Data        map[string]any
}

// Audit writes e through q, so it commits or rolls back with the caller's
// transaction. An empty Action is ErrInvalid.
func Audit(ctx context.Context, q Querier, e AuditEntry) error {
	if e.Action == "" {
		return fmt.Errorf("%w: audit action is required", ErrInvalid)
	}
	if e.At == 0 {
		e.At = time.Now().UnixMilli()
	}
	data := []byte("{}")
	if len(e.Data) > 0 {
		var err error
		if data, err = json.Marshal(e.Data); err != nil {
			return fmt.Errorf("%w: audit data: %v", ErrInvalid, err)
		}
	}
	_, err := q.ExecContext(ctx,
		`INSERT INTO audit_log (at, workspace_id, actor_user_id, action, target, ip, data)
		 VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		e.At, nullID(e.WorkspaceID), nullID(e.ActorUserID), e.Action, e.Target, e.IP, string(data))
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// Audit writes e outside any transaction.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	if e.At == 0 {
		e.At = s.nowMS()
	}
	return Audit(ctx, s.db.Write, e)
}

// FindAudit filters ListAudit. Newest first; AfterID is the cursor (entries
// with ID < AfterID).
type FindAudit struct {
	// WorkspaceID limits the list to one workspace; 0 lists everything
	// (instance admins).
	WorkspaceID int64
	AfterID     int64
	Limit       int // 0 → 50, capped at 500
}

// ListAudit returns audit entries, newest first.
func (s *Store) ListAudit(ctx context.Context, f FindAudit) ([]AuditEntry, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	after := f.AfterID
	if after <= 0 {
		after = 1<<63 - 1
	}
	q := `SELECT id, at, workspace_id, actor_user_id, action, target, ip, data FROM audit_log WHERE id < $1`
	args := []any{after}
	if f.WorkspaceID != 0 {
		q += ` AND workspace_id = $2 ORDER BY id DESC LIMIT $3`
		args = append(args, f.WorkspaceID, limit)
	} else {
		q += ` ORDER BY id DESC LIMIT $2`
		args = append(args, limit)
	}
	rows, err := s.db.Read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		var e AuditEntry
		var ws, actor sql.NullInt64
		var data string
		if err := rows.Scan(&e.ID, &e.At, &ws, &actor, &e.Action, &e.Target, &e.IP, &data); err != nil {
			return nil, fmt.Errorf("list audit: %w", err)
		}
		e.WorkspaceID, e.ActorUserID = ws.Int64, actor.Int64
		if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
			return nil, fmt.Errorf("list audit %d: data: %w", e.ID, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	return out, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
