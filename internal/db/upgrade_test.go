package db

import (
	"context"
	"testing"
)

// Each migration must apply over data written at the version before it.
func TestSQLiteUpgradeKeepsData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, err := Open(ctx, Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.migrateUpTo(ctx, 1); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO workspaces (id, name, slug, created_at) VALUES (1, 'W', 'w', 1)`,
		`INSERT INTO products (id, url, canonical_url, domain, next_check_at, created_at, updated_at)
		 VALUES (1, 'https://s.example/p', 'https://s.example/p', 's.example', 1, 1, 1)`,
		`INSERT INTO watches (id, workspace_id, product_id, target_minor, created_at, updated_at) VALUES (1, 1, 1, 999, 1, 1)`,
	} {
		if _, err := d.Write.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var target int64
	var cur string
	if err := d.Read.QueryRowContext(ctx, `SELECT target_minor, target_currency FROM watches WHERE id = 1`).Scan(&target, &cur); err != nil {
		t.Fatal(err)
	}
	if target != 999 || cur != "" {
		t.Errorf("after upgrade: target %d %q, want 999 and the default ''", target, cur)
	}
}
