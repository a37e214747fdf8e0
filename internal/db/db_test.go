package db_test

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
)

func TestMigrationVersionsMatch(t *testing.T) {
	t.Parallel()
	versions := func(e db.Engine) []int64 {
		fsys, err := db.Migrations(e)
		if err != nil {
			t.Fatal(err)
		}
		names, err := fs.Glob(fsys, "*.sql")
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(`^(\d+)_[a-z0-9_]+\.sql$`)
		var vs []int64
		for _, n := range names {
			m := re.FindStringSubmatch(n)
			if m == nil {
				t.Errorf("%s: migration %q is not named NNNNN_name.sql", e, n)
				continue
			}
			v, _ := strconv.ParseInt(m[1], 10, 64)
			vs = append(vs, v)
		}
		if len(vs) == 0 {
			t.Errorf("%s: no migrations", e)
		}
		slices.Sort(vs)
		return vs
	}
	lite, pg := versions(db.SQLite), versions(db.Postgres)
	if !slices.Equal(lite, pg) {
		t.Errorf("migration versions differ: sqlite %v, postgres %v", lite, pg)
	}
}

func forEachEngine(t *testing.T, fn func(t *testing.T, e db.Engine)) {
	for _, e := range dbtest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			dbtest.SkipUnlessAvailable(t, e)
			fn(t, e)
		})
	}
}

func TestMigrateIdempotent(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, e db.Engine) {
		ctx := context.Background()
		d := dbtest.OpenUnmigrated(t, e)
		for i := range 2 {
			if err := d.Migrate(ctx); err != nil {
				t.Fatalf("Migrate #%d: %v", i+1, err)
			}
		}
		for _, table := range []string{"workspaces", "products", "price_history", "watches", "events", "river_job", "river_leader"} {
			var n int
			if err := d.Read.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
				t.Errorf("table %s: %v", table, err)
			}
		}
		if err := d.Ping(ctx); err != nil {
			t.Error(err)
		}
	})
}

// Processes that start together must not trip over each other's migrations.
func TestMigrateConcurrentPostgres(t *testing.T) {
	t.Parallel()
	url := dbtest.PostgresURL(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() {
			d, err := db.Open(ctx, db.Options{URL: url})
			if err != nil {
				errs[i] = err
				return
			}
			defer d.Close()
			errs[i] = d.Migrate(ctx)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("process %d: %v", i, err)
		}
	}
}

// Queries are written once with $N placeholders; SQLite must bind them by
// number (out of order, and reused), as PostgreSQL does.
func TestPositionalPlaceholders(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, e db.Engine) {
		ctx := context.Background()
		d := dbtest.Open(t, e)
		_, err := d.Write.ExecContext(ctx,
			`INSERT INTO workspaces (slug, name, created_at) VALUES ($2, $1, $3)`, "Name", "slug", int64(7))
		if err != nil {
			t.Fatal(err)
		}
		var name, slug string
		err = d.Read.QueryRowContext(ctx,
			`SELECT name, slug FROM workspaces WHERE slug = $1 OR name = $1 AND created_at = $2`, "slug", int64(7)).
			Scan(&name, &slug)
		if err != nil || name != "Name" || slug != "slug" {
			t.Fatalf("got %q %q %v", name, slug, err)
		}
	})
}

func TestTx(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, e db.Engine) {
		ctx := context.Background()
		d := dbtest.Open(t, e)
		count := func() int {
			var n int
			if err := d.Read.QueryRowContext(ctx, `SELECT count(*) FROM workspaces`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		insert := func(tx *sql.Tx, slug string) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO workspaces (slug, name, created_at) VALUES ($1, '', 0)`, slug)
			return err
		}

		errBoom := errors.New("boom")
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if err := insert(tx, "a"); err != nil {
				return err
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Fatalf("Tx error = %v, want the callback's", err)
		}
		if n := count(); n != 0 {
			t.Fatalf("rolled-back insert left %d rows", n)
		}

		func() {
			defer func() {
				if recover() == nil {
					t.Error("panic was swallowed")
				}
			}()
			_ = d.Tx(ctx, func(tx *sql.Tx) error {
				_ = insert(tx, "b")
				panic("boom")
			})
		}()
		if n := count(); n != 0 {
			t.Fatalf("panicking transaction left %d rows", n)
		}

		if err := d.Tx(ctx, func(tx *sql.Tx) error { return insert(tx, "c") }); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 1 {
			t.Fatalf("committed %d rows, want 1", n)
		}
	})
}

func TestOpenRejectsBadSchema(t *testing.T) {
	t.Parallel()
	_, err := db.Open(context.Background(), db.Options{URL: "postgres://u@127.0.0.1:1/x?search_path=bad-name"})
	if !errors.Is(err, db.ErrBadURL) {
		t.Fatalf("Open = %v, want ErrBadURL", err)
	}
}
