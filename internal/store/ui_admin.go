package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/shelfwatch/shelfwatch/internal/db"
)

// AdminUser is one account as the instance admin's user list shows it.
type AdminUser struct {
	ID         int64
	Email      string
	Name       string
	IsAdmin    bool
	CreatedAt  int64
	LastSignIn *int64 // the newest successful sign-in in the audit log; nil if none
	Workspaces int64  // memberships
}

// ListAdminUsers lists every account, oldest first, with its number of
// workspaces and last sign-in. It is for instance administrators only.
func (s *Store) ListAdminUsers(ctx context.Context) ([]AdminUser, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT u.id, u.email, u.name, u.is_admin, u.created_at,
		(SELECT MAX(a.at) FROM audit_log a WHERE a.actor_user_id = u.id AND a.action = $1),
		(SELECT COUNT(*) FROM memberships m WHERE m.user_id = u.id)
		FROM users u ORDER BY u.id`, AuditSignIn)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	out := []AdminUser{}
	for rows.Next() {
		var u AdminUser
		var last sql.NullInt64
		if err := rows.Scan(&u.ID, &u.Email, &u.Name, &u.IsAdmin, &u.CreatedAt, &last, &u.Workspaces); err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		u.LastSignIn = nullPtr(last)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// DomainProduct is one product of a domain, for the admin's selector test.
type DomainProduct struct {
	ID    int64
	URL   string
	Title string
}

// ListDomainProducts returns up to limit products of domain, the most
// recently checked first (their pages are the likeliest to still exist).
func (s *Store) ListDomainProducts(ctx context.Context, domain string, limit int) ([]DomainProduct, error) {
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, url, title FROM products WHERE domain = $1
		ORDER BY COALESCE(last_checked_at, 0) DESC, id LIMIT $2`, domain, limit)
	if err != nil {
		return nil, fmt.Errorf("list products of %s: %w", domain, err)
	}
	defer rows.Close()
	out := []DomainProduct{}
	for rows.Next() {
		var p DomainProduct
		if err := rows.Scan(&p.ID, &p.URL, &p.Title); err != nil {
			return nil, fmt.Errorf("list products of %s: %w", domain, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list products of %s: %w", domain, err)
	}
	return out, nil
}

// JobCount is how many background jobs of one kind and queue are in one
// River state.
type JobCount struct {
	Kind  string
	Queue string
	State string // available, scheduled, pending, running, retryable, discarded
	Count int64
}

// DeadJob is a job River gave up on (state discarded), with its last error.
type DeadJob struct {
	ID          int64
	Kind        string
	Queue       string
	Attempt     int
	MaxAttempts int
	FinalizedAt int64 // Unix ms
	LastError   string
}

// JobStates are the River states the jobs page counts: everything not
// finished well (completed and cancelled jobs are history, not state).
var JobStates = []string{"available", "scheduled", "pending", "running", "retryable", "discarded"}

// JobCounts counts River's jobs by kind, queue and state, reading its
// river_job table (which the migrations create beside ours on both engines).
func (s *Store) JobCounts(ctx context.Context) ([]JobCount, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT kind, queue, state, COUNT(*) FROM river_job
		WHERE state IN ('available', 'scheduled', 'pending', 'running', 'retryable', 'discarded')
		GROUP BY kind, queue, state ORDER BY kind, queue, state`)
	if err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	defer rows.Close()
	out := []JobCount{}
	for rows.Next() {
		var c JobCount
		if err := rows.Scan(&c.Kind, &c.Queue, &c.State, &c.Count); err != nil {
			return nil, fmt.Errorf("count jobs: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	return out, nil
}

// ListDeadJobs returns the newest discarded jobs, at most limit.
func (s *Store) ListDeadJobs(ctx context.Context, limit int) ([]DeadJob, error) {
	if limit <= 0 || limit > 200 {
		limit = 20
	}
	// River keeps times and errors differently per engine: timestamptz and
	// jsonb[] on PostgreSQL, text and a JSONB array blob on SQLite.
	at, lastErr := `CAST((julianday(finalized_at) - 2440587.5) * 86400000 AS INTEGER)`, `json_extract(errors, '$[#-1].error')`
	if s.db.Engine == db.Postgres {
		at, lastErr = `CAST(EXTRACT(EPOCH FROM finalized_at) * 1000 AS BIGINT)`, `errors[array_length(errors, 1)]->>'error'`
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, kind, queue, attempt, max_attempts, `+at+`, `+lastErr+`
		FROM river_job WHERE state = 'discarded' ORDER BY finalized_at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list dead jobs: %w", err)
	}
	defer rows.Close()
	out := []DeadJob{}
	for rows.Next() {
		var j DeadJob
		var fin sql.NullInt64
		var msg sql.NullString
		if err := rows.Scan(&j.ID, &j.Kind, &j.Queue, &j.Attempt, &j.MaxAttempts, &fin, &msg); err != nil {
			return nil, fmt.Errorf("list dead jobs: %w", err)
		}
		j.FinalizedAt, j.LastError = fin.Int64, msg.String
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list dead jobs: %w", err)
	}
	return out, nil
}
