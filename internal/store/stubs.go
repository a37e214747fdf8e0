package store

// Placeholder signatures: the real implementation replaces this file.

import (
	"context"
	"errors"
)

var errTODO = errors.New("store: not implemented")

func (s *Store) CreateWorkspace(ctx context.Context, w *Workspace) error { return errTODO }
func (s *Store) GetWorkspace(ctx context.Context, id int64) (*Workspace, error) {
	return nil, errTODO
}
func (s *Store) GetWorkspaceBySlug(ctx context.Context, slug string) (*Workspace, error) {
	return nil, errTODO
}

// EnsureWorkspace returns the workspace with slug, creating it if absent.
func (s *Store) EnsureWorkspace(ctx context.Context, slug, name string) (*Workspace, error) {
	return nil, errTODO
}
func (s *Store) CreateUser(ctx context.Context, u *User) error                   { return errTODO }
func (s *Store) GetUser(ctx context.Context, id int64) (*User, error)            { return nil, errTODO }
func (s *Store) GetUserByEmail(ctx context.Context, email string) (*User, error) { return nil, errTODO }
func (s *Store) AddMember(ctx context.Context, m Membership) error               { return errTODO }
func (s *Store) ListMembers(ctx context.Context, workspaceID int64) ([]Membership, error) {
	return nil, errTODO
}
func (s *Store) GetProduct(ctx context.Context, id int64) (*Product, error) { return nil, errTODO }
func (s *Store) GetProductByCanonicalURL(ctx context.Context, canonicalURL string) (*Product, error) {
	return nil, errTODO
}

// RecordObservation updates the product row from one check at time at, and in
// the same transaction appends a price-history row when price, currency or
// availability differs from the product's last values.
func (s *Store) RecordObservation(ctx context.Context, productID int64, o Observation, at int64) (changed bool, err error) {
	return false, errTODO
}
func (s *Store) ListPriceHistory(ctx context.Context, productID int64, f FindHistory) ([]PricePoint, error) {
	return nil, errTODO
}

// CreateWatchForURL, in one transaction, finds or creates the product by
// p.CanonicalURL (filling p) and inserts w for it (filling w). It returns
// ErrConflict when the workspace already watches that product.
func (s *Store) CreateWatchForURL(ctx context.Context, workspaceID int64, p *Product, w *Watch) (productCreated bool, err error) {
	return false, errTODO
}
func (s *Store) GetWatch(ctx context.Context, workspaceID, id int64) (*Watch, error) {
	return nil, errTODO
}
func (s *Store) ListWatches(ctx context.Context, workspaceID int64, f FindWatches) ([]Watch, error) {
	return nil, errTODO
}
func (s *Store) DeleteWatch(ctx context.Context, workspaceID, id int64) error { return errTODO }

// IsWatchedIn reports whether workspace watches product (for tenant checks on
// product routes).
func (s *Store) IsWatchedIn(ctx context.Context, workspaceID, productID int64) (bool, error) {
	return false, errTODO
}
func (s *Store) AddEvent(ctx context.Context, e *Event) error { return errTODO }
func (s *Store) ListEvents(ctx context.Context, productID int64, limit int) ([]Event, error) {
	return nil, errTODO
}

// PruneEvents deletes events older than before and returns how many.
func (s *Store) PruneEvents(ctx context.Context, before int64) (int64, error) { return 0, errTODO }
