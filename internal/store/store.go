// Package store is shelfwatch's storage: ctx-first methods over one SQL
// implementation that runs on SQLite and PostgreSQL. Money is exact (minor
// units + ISO 4217 code); times are Unix milliseconds.
package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/db"
)

// Sentinel errors; callers test them with errors.Is.
var (
	ErrNotFound = errors.New("store: not found")
	ErrConflict = errors.New("store: already exists")
)

type Workspace struct {
	ID        int64
	Name      string
	Slug      string // unique
	CreatedAt int64
}

type Role string

const (
	RoleOwner  Role = "owner"
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
	RoleViewer Role = "viewer"
)

type User struct {
	ID           int64
	Email        string // unique, stored lower-case
	Name         string
	PasswordHash string
	IsAdmin      bool
	CreatedAt    int64
}

type Membership struct {
	WorkspaceID int64
	UserID      int64
	Role        Role
	CreatedAt   int64
}

// Availability values.
const (
	InStock    = "in_stock"
	OutOfStock = "out_of_stock"
	PreOrder   = "preorder"
	BackOrder  = "backorder"
	Unknown    = "unknown"
)

// Product status values.
const (
	StatusActive      = "active"
	StatusPaused      = "paused"
	StatusFailing     = "failing"
	StatusNeedsReview = "needs_review"
)

// Product is global: one row per canonical URL, shared by every watch of it.
type Product struct {
	ID                  int64
	URL                 string // as first submitted
	CanonicalURL        string // unique
	Domain              string
	Title               string
	ImageURL            string
	Brand               string
	SKU                 string
	GTIN                string
	Currency            string // ISO 4217, "" until known
	PriceMinor          *int64 // nil: no price seen yet
	Availability        string
	Status              string
	LastCheckedAt       *int64
	NextCheckAt         int64
	LeaseOwner          string
	LeaseUntil          *int64
	ConsecutiveFailures int
	ETag                string
	LastModified        string
	BodyHash            string
	Priority            int
	CreatedAt           int64
	UpdatedAt           int64
	// LastOutcome is the fetch outcome of the latest check ("" before any).
	LastOutcome string
	// ExtractionMisses counts checks in a row whose page showed no price.
	ExtractionMisses int
	// PendingChange is a suspicious observation (JSON) awaiting its confirm
	// re-check, "" when none.
	PendingChange string
}

// PricePoint is one price-history row: written only when price, currency or
// availability changes.
type PricePoint struct {
	ProductID    int64
	ObservedAt   int64
	PriceMinor   *int64
	Currency     string
	Availability string
}

// Watch is a workspace's interest in a product.
type Watch struct {
	ID          int64
	WorkspaceID int64
	ProductID   int64
	TargetMinor *int64 // nil: no target
	// TargetCurrency is the ISO 4217 code TargetMinor is in; "" means the
	// product's currency, whatever it turns out to be (2 decimals assumed).
	TargetCurrency string
	Tags           []string
	Notes          string
	Paused         bool
	CreatedAt      int64
	UpdatedAt      int64
	// MinInterval asks for checks of the product no more often than this
	// (0: no limit); the most eager watch of a product wins.
	MinInterval time.Duration
	// Product is filled by GetWatch and ListWatches (a join), nil otherwise.
	Product *Product
}

// Observation is what one check saw, as recorded by RecordObservation.
type Observation struct {
	Title        string
	ImageURL     string
	Brand        string
	SKU          string
	GTIN         string
	Currency     string
	PriceMinor   *int64
	Availability string
}

// Event is something that happened to a product (price_changed, back_in_stock, …).
type Event struct {
	ID             int64
	ProductID      int64 // 0 for a catalog watch's event
	CatalogWatchID int64 // new_product events
	Kind           string
	Data           string // JSON
	At             int64
}

// FindWatches filters ListWatches. Pages are ordered by ID descending
// (newest first); AfterID is the cursor: return watches with ID < AfterID.
type FindWatches struct {
	AfterID int64
	Limit   int // 0 → 50, capped at 500
}

// FindHistory filters ListPriceHistory (ObservedAt ascending).
type FindHistory struct {
	From  int64 // inclusive, 0 = no lower bound
	To    int64 // exclusive, 0 = no upper bound
	Limit int   // 0 → 1000, capped at 100000
}

// Store is the storage layer over an open database.
type Store struct {
	db    *db.DB
	now   func() time.Time
	stmts stmtCache // the check path's prepared statements (frontier_stmts.go)

	eventHook  EventHook  // eventhook.go
	commitHook CommitHook // eventhook.go
}

// New returns a Store over an open, migrated database.
func New(d *db.DB) *Store { return &Store{db: d, now: time.Now} }

// DB returns the database the store runs on (for transactions that span
// store writes and River inserts).
func (s *Store) DB() *db.DB { return s.db }

func (s *Store) nowMS() int64 { return s.now().UnixMilli() }

// querier is what *sql.DB and *sql.Tx have in common, so helpers run inside
// or outside a transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
