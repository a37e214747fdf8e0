package store_test

import (
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
)

// Migration 00004 rebuilds events on SQLite (product_id becomes nullable):
// the product events written before it survive, its down migration keeps
// them too, and the rebuilt table still refuses an event about nothing.
func TestCatalogMigrationKeepsEvents(t *testing.T) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			d := dbtest.OpenUnmigrated(t, eng)
			c := ctx(t)
			p := migrator(t, eng, d)
			if _, err := p.UpTo(c, 3); err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{
				`INSERT INTO workspaces (name, slug, created_at) VALUES ('W', 'w', 1)`,
				`INSERT INTO products (url, canonical_url, domain, next_check_at, created_at, updated_at)
				 VALUES ('https://s.example/p', 'https://s.example/p', 's.example', 1, 1, 1)`,
				`INSERT INTO events (product_id, kind, data, at) SELECT id, 'price_changed', '{"a":1}', 5 FROM products`,
				`INSERT INTO events (product_id, kind, at) SELECT id, 'back_in_stock', 6 FROM products`,
			} {
				if _, err := d.Write.ExecContext(c, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			count := func(where string) int {
				t.Helper()
				var n int
				if err := d.Read.QueryRowContext(c, `SELECT count(*) FROM events WHERE `+where).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			if _, err := p.UpTo(c, 4); err != nil {
				t.Fatal(err)
			}
			if n := count(`product_id IS NOT NULL AND catalog_watch_id IS NULL AND (data = '{"a":1}' OR data = '{}')`); n != 2 {
				t.Errorf("%d product events after 00004, want 2", n)
			}
			if _, err := d.Write.ExecContext(c, `INSERT INTO events (kind, at) VALUES ('orphan', 1)`); err == nil {
				t.Error("an event with neither product nor catalog watch was accepted")
			}
			if _, err := d.Write.ExecContext(c, `INSERT INTO catalog_watches (workspace_id, url, interval_ms, next_scan_at, created_at, updated_at)
				SELECT id, 'https://s.example/', 3600000, 1, 1, 1 FROM workspaces`); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Write.ExecContext(c, `INSERT INTO events (catalog_watch_id, kind, at) SELECT id, 'new_product', 7 FROM catalog_watches`); err != nil {
				t.Fatal(err)
			}
			if _, err := p.DownTo(c, 3); err != nil {
				t.Fatal(err)
			}
			if n := count(`kind IN ('price_changed', 'back_in_stock')`); n != 2 {
				t.Errorf("%d product events after going down, want 2", n)
			}
			if _, err := p.Up(c); err != nil {
				t.Fatal(err)
			}
			if n := count(`product_id IS NOT NULL`); n != 2 {
				t.Errorf("%d product events after going up again, want 2", n)
			}
		})
	}
}

// migrator is a goose provider over d's own migrations, to step through
// them one version at a time.
func migrator(t *testing.T, eng db.Engine, d *db.DB) *goose.Provider {
	t.Helper()
	fsys, err := db.Migrations(eng)
	if err != nil {
		t.Fatal(err)
	}
	dialect := goose.DialectSQLite3
	if eng == db.Postgres {
		dialect = goose.DialectPostgres
	}
	p, err := goose.NewProvider(dialect, d.Write, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	return p
}
