package db

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"math"

	"github.com/jackc/pgx/v5"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationsFS embed.FS

// Migrations returns the embedded goose migrations for engine.
func Migrations(engine Engine) (fs.FS, error) {
	sub, err := fs.Sub(migrationsFS, "migrations/"+string(engine))
	if err != nil {
		return nil, fmt.Errorf("db: migrations for %s: %w", engine, err)
	}
	return sub, nil
}

// Migrate applies shelfwatch's schema migrations and River's, in that order.
// It is idempotent and meant to run on every start. On PostgreSQL it holds an
// advisory lock, so processes starting together migrate one at a time.
func (d *DB) Migrate(ctx context.Context) error {
	if d.Engine == Postgres {
		return d.withMigrationLock(ctx, d.migrate)
	}
	return d.migrate(ctx)
}

func (d *DB) migrate(ctx context.Context) error {
	if err := d.migrateUpTo(ctx, math.MaxInt64); err != nil {
		return err
	}
	if err := d.migrateRiver(ctx); err != nil {
		return fmt.Errorf("db: migrate River: %w", err)
	}
	return nil
}

// migrateUpTo applies shelfwatch's migrations up to version (tests upgrade
// from older versions with it).
func (d *DB) migrateUpTo(ctx context.Context, version int64) error {
	fsys, err := Migrations(d.Engine)
	if err != nil {
		return err
	}
	dialect := goose.DialectSQLite3
	if d.Engine == Postgres {
		dialect = goose.DialectPostgres
	}
	p, err := goose.NewProvider(dialect, d.Write, fsys,
		goose.WithDisableGlobalRegistry(true), goose.WithSlog(d.logger))
	if err != nil {
		return fmt.Errorf("db: migrations: %w", err)
	}
	res, err := p.UpTo(ctx, version)
	if err != nil {
		return fmt.Errorf("db: migrate: %w", err)
	}
	for _, r := range res {
		d.logger.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	return nil
}

func (d *DB) migrateRiver(ctx context.Context) error {
	cfg := &rivermigrate.Config{Logger: d.logger, Schema: d.Schema}
	var err error
	if d.Engine == Postgres {
		var m *rivermigrate.Migrator[pgx.Tx]
		if m, err = rivermigrate.New(riverpgxv5.New(d.Pool), cfg); err == nil {
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	} else {
		var m *rivermigrate.Migrator[*sql.Tx]
		if m, err = rivermigrate.New(riversqlite.New(d.Write), cfg); err == nil {
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	}
	return err
}

// withMigrationLock runs fn holding a session advisory lock keyed by schema,
// creating the schema first when the URL names one.
func (d *DB) withMigrationLock(ctx context.Context, fn func(context.Context) error) error {
	conn, err := d.Pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("db: migrate: %w", err)
	}
	defer conn.Release()
	key := "shelfwatch-migrate:" + d.Schema
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(hashtext($1))", key); err != nil {
		return fmt.Errorf("db: migration lock: %w", err)
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(hashtext($1))", key)
	}()
	if d.Schema != "" {
		// Schema passed schemaRE in Open, so it is a plain identifier.
		if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+d.Schema); err != nil {
			return fmt.Errorf("db: create schema %s: %w", d.Schema, err)
		}
	}
	return fn(ctx)
}
