package cli

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// A backup taken while another connection keeps writing is a consistent
// snapshot: it passes integrity_check, and each watch came with its product
// (they are written in one transaction), as many as existed at some moment
// of the backup.
func TestBackupDuringWrites(t *testing.T) {
	t.Parallel()
	c := e2eConfig(t, db.SQLite)
	_, side, ws := migratedSide(t, c)
	var written atomic.Int64
	add := func(i int64) error {
		u := fmt.Sprintf("http://127.0.0.1:9/p/%d", i)
		_, err := side.CreateWatchForURL(context.Background(), ws.ID, &store.Product{URL: u, CanonicalURL: u, Domain: "127.0.0.1"}, &store.Watch{})
		return err
	}
	for i := range int64(200) {
		if err := add(i); err != nil {
			t.Fatal(err)
		}
		written.Add(1)
	}

	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var writeErr error
	wg.Go(func() {
		for i := int64(200); ctx.Err() == nil; i++ {
			if err := add(i); err != nil {
				writeErr = err
				return
			}
			written.Add(1)
		}
	})
	dir := t.TempDir()
	for round := range 3 {
		before := written.Load()
		to := filepath.Join(dir, fmt.Sprintf("copy-%d.db", round))
		code, out, errOut := runCLI("", nil, "backup", "--data-dir", c.DataDir, "--to", to)
		if code != exitOK || !strings.Contains(out, to) {
			stop()
			wg.Wait()
			t.Fatalf("backup: exit %d, %q %q", code, out, errOut)
		}
		after := written.Load()

		cp, err := sql.Open("sqlite", to)
		if err != nil {
			t.Fatal(err)
		}
		var check string
		var products, watches int64
		if err := cp.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil {
			t.Fatal(err)
		}
		if err := cp.QueryRow(`SELECT (SELECT COUNT(*) FROM products), (SELECT COUNT(*) FROM watches)`).Scan(&products, &watches); err != nil {
			t.Fatal(err)
		}
		_ = cp.Close()
		if check != "ok" {
			t.Errorf("round %d: integrity_check: %s", round, check)
		}
		if products != watches || products < before || products > after+1 {
			t.Errorf("round %d: copy has %d products and %d watches; %d..%d were written around the backup",
				round, products, watches, before, after)
		}
		if fi, err := os.Stat(to); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("round %d: copy's mode: %v %v", round, fi.Mode(), err)
		}
	}
	stop()
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("writes during the backup failed: %v", writeErr)
	}
	if written.Load() <= 200 {
		t.Errorf("no writes happened during the backups")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// An existing file is kept unless --force; a bad call is refused with one
// line and exit 2, before anything is written.
func TestBackupRefusals(t *testing.T) {
	t.Parallel()
	c := e2eConfig(t, db.SQLite)
	_, _, _ = migratedSide(t, c)
	to := filepath.Join(t.TempDir(), "backup.db")
	if err := os.WriteFile(to, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--data-dir", c.DataDir, "--to", to}, "--force"},
		{[]string{"--data-dir", c.DataDir}, "--to FILE is required"},
		{[]string{"--data-dir", t.TempDir(), "--to", to + "2"}, "no database at"},
		{[]string{"--database-url", "postgres://u@127.0.0.1:1/x", "--to", to + "3"}, "pg_dump"},
		{[]string{"--data-dir", c.DataDir, "--to", filepath.Join(c.DataDir, "shelfwatch.db"), "--force"}, "the database itself"},
		{[]string{"--data-dir", c.DataDir, "--to", c.DataDir}, "is a directory"},
	}
	for _, tc := range cases {
		code, _, errOut := runCLI("", nil, append([]string{"backup"}, tc.args...)...)
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if code != exitUsage || len(lines) != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q; want exit %d and one line with %q", tc.args, code, errOut, exitUsage, tc.want)
		}
	}
	if b, _ := os.ReadFile(to); string(b) != "keep me" {
		t.Fatalf("the existing file was changed without --force")
	}
	for _, suffix := range []string{"2", "3"} {
		if _, err := os.Stat(to + suffix); err == nil {
			t.Errorf("a refused backup wrote %s", to+suffix)
		}
	}
	if code, _, errOut := runCLI("", nil, "backup", "--data-dir", c.DataDir, "--to", to, "--force"); code != exitOK {
		t.Fatalf("--force: exit %d %s", code, errOut)
	}
	if b, _ := os.ReadFile(to); !strings.HasPrefix(string(b), "SQLite format 3\x00") {
		t.Fatalf("--force did not replace the file with a database")
	}
}
