// Package dbtest opens throwaway, migrated databases for tests: a temp SQLite
// file, or a fresh schema in the PostgreSQL database named by
// SHELFWATCH_TEST_DATABASE_URL.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shelfwatch/shelfwatch/internal/db"
)

// EnvURL names the environment variable holding the PostgreSQL test URL.
const EnvURL = "SHELFWATCH_TEST_DATABASE_URL"

// Engines lists the engines every contract test runs on.
func Engines() []db.Engine { return []db.Engine{db.SQLite, db.Postgres} }

// SkipUnlessAvailable skips t loudly when engine cannot be tested here.
func SkipUnlessAvailable(t testing.TB, engine db.Engine) {
	t.Helper()
	if engine == db.Postgres && os.Getenv(EnvURL) == "" {
		t.Skipf("PostgreSQL contract suite SKIPPED: set %s (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", EnvURL)
	}
}

// Open returns a migrated database of engine, private to t and removed at
// its end. On PostgreSQL it creates a random schema and connects with
// search_path set to it, so shelfwatch's and River's tables live there.
func Open(t testing.TB, engine db.Engine) *db.DB {
	t.Helper()
	SkipUnlessAvailable(t, engine)
	d := OpenUnmigrated(t, engine)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := d.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return d
}

// OpenUnmigrated is Open without migrations.
func OpenUnmigrated(t testing.TB, engine db.Engine) *db.DB {
	t.Helper()
	SkipUnlessAvailable(t, engine)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	o := db.Options{DataDir: t.TempDir()}
	if engine == db.Postgres {
		o.URL = PostgresURL(t)
	}
	d, err := db.Open(ctx, o)
	if err != nil {
		t.Fatalf("open %s: %v", engine, err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return d
}

// PostgresURL creates a fresh schema, registers its removal at the end of t,
// and returns the test URL with search_path pointing at it.
func PostgresURL(t testing.TB) string {
	t.Helper()
	SkipUnlessAvailable(t, db.Postgres)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	base := os.Getenv(EnvURL)
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "swtest_" + hex.EncodeToString(b)

	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to %s: %v", EnvURL, err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})

	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
