package db

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSQLitePath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url, dataDir, want string
		bad                bool
	}{
		{url: "", dataDir: "/var/lib/sw", want: "/var/lib/sw/shelfwatch.db"},
		{url: "", dataDir: "", want: "data/shelfwatch.db"},
		{url: "sqlite:///abs/x.db", want: "/abs/x.db"},
		{url: "sqlite://rel/x.db", want: "rel/x.db"},
		{url: "sqlite:rel/x.db", want: "rel/x.db"},
		{url: "file:/abs/x.db", want: "/abs/x.db"},
		{url: "/plain/x.db", want: "/plain/x.db"},
		{url: "sqlite://", bad: true},
		{url: "sqlite:///x.db?_pragma=foo", bad: true},
		{url: ":memory:", bad: true},
		{url: "sqlite://:memory:", bad: true},
	}
	for _, tt := range tests {
		got, err := sqlitePath(Options{URL: tt.url, DataDir: tt.dataDir})
		if tt.bad {
			if !errors.Is(err, ErrBadURL) {
				t.Errorf("sqlitePath(%q) = %q, %v; want ErrBadURL", tt.url, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("sqlitePath(%q, %q) = %q, %v; want %q", tt.url, tt.dataDir, got, err, tt.want)
		}
	}
}

func TestSQLiteOpenCreatesPrivateDir(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "a", "data")
	d, err := Open(context.Background(), Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("data dir mode = %v, want 0700", fi.Mode().Perm())
	}
	if d.Path != filepath.Join(dir, "shelfwatch.db") {
		t.Errorf("Path = %q", d.Path)
	}
}

func TestSQLitePragmasVerified(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, err := Open(ctx, Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if got := d.Write.Stats().MaxOpenConnections; got != 1 {
		t.Errorf("writer MaxOpenConnections = %d, want 1", got)
	}
	if err := checkPragmas(ctx, d.Write, writerPragmas()); err != nil {
		t.Errorf("writer: %v", err)
	}
	if err := checkPragmas(ctx, d.Read, readerPragmas()); err != nil {
		t.Errorf("readers: %v", err)
	}
	if _, err := d.Read.ExecContext(ctx, "CREATE TABLE t (x INTEGER)"); err == nil {
		t.Error("read pool accepted a write")
	}
}

// The checks must fail on a connection opened without shelfwatch's DSN.
func TestSQLitePragmaChecksFailLoudly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "plain.db")
	plain, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	err = checkPragmas(ctx, plain, writerPragmas())
	if !errors.Is(err, ErrSettings) {
		t.Fatalf("checkPragmas on a plain connection = %v, want ErrSettings", err)
	}
	t.Logf("error reads: %v", err)
	if err := checkImmediateTx(ctx, plain, path); !errors.Is(err, ErrSettings) {
		t.Fatalf("checkImmediateTx on a deferred-tx connection = %v, want ErrSettings", err)
	}
}
