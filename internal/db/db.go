// Package db opens shelfwatch's database — an embedded SQLite file by default,
// PostgreSQL when a postgres:// URL is given — and applies migrations.
//
// Queries are written once with PostgreSQL-style positional placeholders
// ($1, $2, …): modernc.org/sqlite binds $N to the N-th argument, so the same
// SQL text runs on both engines without rebinding.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Engine names a database engine.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Sentinel errors.
var (
	// ErrBadURL reports a database URL shelfwatch cannot use.
	ErrBadURL = errors.New("db: unusable database URL")
	// ErrSettings reports a connection setting that did not take effect.
	ErrSettings = errors.New("db: database settings not in effect")
)

// Options configures Open.
type Options struct {
	// URL is "" or a sqlite path/URL for the embedded engine, or postgres://… .
	URL string
	// DataDir holds shelfwatch.db when URL is empty ("data" if also empty).
	DataDir string
	Logger  *slog.Logger
}

// DB is an open database: a single writer and a read pool on SQLite, one pool
// on PostgreSQL.
type DB struct {
	Engine Engine
	Write  *sql.DB // all writes and transactions
	Read   *sql.DB // reads (== Write on PostgreSQL)

	// Path is the SQLite database file ("" on PostgreSQL).
	Path string
	// Pool is a native pgx pool for River on PostgreSQL (nil on SQLite).
	Pool *pgxpool.Pool
	// Schema is the PostgreSQL schema shelfwatch and River live in: the first
	// entry of the URL's search_path parameter, "" for the server default.
	Schema string

	logger *slog.Logger
	pgxTxs sync.Map // *sql.Tx → *pgx.Conn of open PostgreSQL transactions (pgxtx.go)
}

// Open opens (creating if needed) the database and verifies its settings.
func Open(ctx context.Context, o Options) (*DB, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if isPostgresURL(o.URL) {
		return openPostgres(ctx, o)
	}
	return openSQLite(ctx, o)
}

func isPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// Ping checks the database answers.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.Write.PingContext(ctx); err != nil {
		return fmt.Errorf("db: ping: %w", err)
	}
	if d.Read != d.Write {
		if err := d.Read.PingContext(ctx); err != nil {
			return fmt.Errorf("db: ping read pool: %w", err)
		}
	}
	if d.Pool != nil {
		if err := d.Pool.Ping(ctx); err != nil {
			return fmt.Errorf("db: ping pgx pool: %w", err)
		}
	}
	return nil
}

// Close releases every connection.
func (d *DB) Close() error {
	var errs []error
	if d.Read != nil && d.Read != d.Write {
		errs = append(errs, d.Read.Close())
	}
	if d.Write != nil {
		errs = append(errs, d.Write.Close())
	}
	if d.Pool != nil {
		d.Pool.Close() // after Write: on PostgreSQL, Write borrows from Pool
	}
	return errors.Join(errs...)
}
