package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

const workspaceCols = `id, name, slug, created_at`

func scanWorkspace(row interface{ Scan(...any) error }) (*Workspace, error) {
	var w Workspace
	if err := row.Scan(&w.ID, &w.Name, &w.Slug, &w.CreatedAt); err != nil {
		return nil, mapErr(err)
	}
	return &w, nil
}

// CreateWorkspace inserts w, filling ID and CreatedAt (when zero). A taken
// slug is ErrConflict.
func (s *Store) CreateWorkspace(ctx context.Context, w *Workspace) error {
	if strings.TrimSpace(w.Slug) == "" {
		return fmt.Errorf("%w: workspace slug is required", ErrInvalid)
	}
	if w.CreatedAt == 0 {
		w.CreatedAt = s.nowMS()
	}
	err := s.db.Write.QueryRowContext(ctx,
		`INSERT INTO workspaces (name, slug, created_at) VALUES ($1, $2, $3) RETURNING id`,
		w.Name, w.Slug, w.CreatedAt).Scan(&w.ID)
	if err != nil {
		return fmt.Errorf("create workspace %q: %w", w.Slug, mapErr(err))
	}
	return nil
}

func (s *Store) GetWorkspace(ctx context.Context, id int64) (*Workspace, error) {
	return scanWorkspace(s.db.Read.QueryRowContext(ctx,
		`SELECT `+workspaceCols+` FROM workspaces WHERE id = $1`, id))
}

func (s *Store) GetWorkspaceBySlug(ctx context.Context, slug string) (*Workspace, error) {
	return scanWorkspace(s.db.Read.QueryRowContext(ctx,
		`SELECT `+workspaceCols+` FROM workspaces WHERE slug = $1`, slug))
}

// EnsureWorkspace returns the workspace with slug, creating it if absent.
func (s *Store) EnsureWorkspace(ctx context.Context, slug, name string) (*Workspace, error) {
	if strings.TrimSpace(slug) == "" {
		return nil, fmt.Errorf("%w: workspace slug is required", ErrInvalid)
	}
	var w *Workspace
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO workspaces (name, slug, created_at) VALUES ($1, $2, $3) ON CONFLICT (slug) DO NOTHING`,
			name, slug, s.nowMS())
		if err != nil {
			return err
		}
		w, err = scanWorkspace(tx.QueryRowContext(ctx,
			`SELECT `+workspaceCols+` FROM workspaces WHERE slug = $1`, slug))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("ensure workspace %q: %w", slug, mapErr(err))
	}
	return w, nil
}
