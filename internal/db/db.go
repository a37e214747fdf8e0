// Package db opens shelfwatch's database — an embedded SQLite file by default,
// PostgreSQL when a postgres:// URL is given — and applies migrations.
package db

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
)

// Engine names a database engine.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Options configures Open.
type Options struct {
	// URL is "" or a sqlite path/URL for the embedded engine, or postgres://… .
	URL string
	// DataDir holds shelfwatch.db when URL is empty.
	DataDir string
	Logger  *slog.Logger
}

// DB is an open database: a single writer and a read pool on SQLite, one pool
// on PostgreSQL.
type DB struct {
	Engine Engine
	Write  *sql.DB // all writes and transactions
	Read   *sql.DB // reads (== Write on PostgreSQL)
}

// Open opens (creating if needed) the database and verifies its settings.
func Open(ctx context.Context, o Options) (*DB, error) {
	return nil, errors.New("db: not implemented")
}

// Migrate applies shelfwatch's schema migrations and River's, in that order.
func (d *DB) Migrate(ctx context.Context) error { return errors.New("db: not implemented") }

// Ping checks the database answers.
func (d *DB) Ping(ctx context.Context) error { return errors.New("db: not implemented") }

// Close releases every connection.
func (d *DB) Close() error { return nil }
