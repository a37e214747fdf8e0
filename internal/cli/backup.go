package cli

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"modernc.org/sqlite"

	"github.com/shelfwatch/shelfwatch/internal/config"
)

// runBackup copies the SQLite database to a file with SQLite's online backup
// API: a consistent snapshot taken while serve keeps writing (in WAL mode a
// reader blocks no writer, so the copy is made in one step and never
// restarts). The copy is written to a temporary file beside the target,
// checked, fsynced and renamed into place, so FILE is either the old file or
// a complete backup, never half of one.
func runBackup(ctx context.Context, e env, args []string) int {
	var to string
	var force bool
	cmd := config.Command{Name: "backup", Groups: []config.Group{config.GroupDatabase, config.GroupLog},
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&to, "to", "", "file to write the backup to (required)")
			fs.BoolVar(&force, "force", false, "replace FILE if it exists")
		}}
	c, _, code, ok := loadConfig(cmd, e, args)
	if !ok {
		return code
	}
	if strings.TrimSpace(to) == "" {
		fmt.Fprintln(e.stderr, "shelfwatch backup: --to FILE is required")
		return exitUsage
	}
	if strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		fmt.Fprintln(e.stderr, "shelfwatch backup: backs up the embedded SQLite database only; for PostgreSQL use pg_dump "+
			"(pg_dump --format=custom --file=shelfwatch.dump \"$SHELFWATCH_DATABASE_URL\"; see docs/deployment.md)")
		return exitUsage
	}
	src, err := sqliteFile(c)
	if err != nil {
		fmt.Fprintf(e.stderr, "shelfwatch backup: %s\n", err)
		return exitUsage
	}
	if _, err := os.Stat(src); err != nil {
		fmt.Fprintf(e.stderr, "shelfwatch backup: no database at %s (set --data-dir or --database-url)\n", src)
		return exitUsage
	}
	if fi, err := os.Stat(to); err == nil {
		if fi.IsDir() {
			fmt.Fprintf(e.stderr, "shelfwatch backup: --to %s is a directory; name a file\n", to)
			return exitUsage
		}
		if !force {
			fmt.Fprintf(e.stderr, "shelfwatch backup: %s exists; add --force to replace it\n", to)
			return exitUsage
		}
		if same, _ := sameFile(src, to); same {
			fmt.Fprintf(e.stderr, "shelfwatch backup: --to %s is the database itself\n", to)
			return exitUsage
		}
	}
	// A connection of its own that never writes: db.Open would take the
	// writer's lock to check its settings and wait behind serve's writes.
	d, err := sql.Open("sqlite", src+fmt.Sprintf("?_pragma=busy_timeout(%d)", 30_000))
	if err != nil {
		fmt.Fprintf(e.stderr, "shelfwatch backup: %s\n", oneLine(err))
		return exitFailure
	}
	defer d.Close()
	size, err := backupSQLite(ctx, d, to)
	if err != nil {
		fmt.Fprintf(e.stderr, "shelfwatch backup: %s\n", oneLine(err))
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "shelfwatch backup: %s → %s (%d bytes)\n", src, to, size)
	return exitOK
}

// sqliteFile is the database file c names: the data dir's shelfwatch.db,
// or the path of a sqlite: (or file:) URL, as db.Open reads them.
func sqliteFile(c config.Config) (string, error) {
	u := c.DatabaseURL
	if u == "" {
		return filepath.Join(c.DataDir, "shelfwatch.db"), nil
	}
	for _, prefix := range []string{"sqlite://", "sqlite:", "file:"} {
		if p, ok := strings.CutPrefix(u, prefix); ok {
			u = p
			break
		}
	}
	if u == "" || strings.ContainsRune(u, '?') {
		return "", fmt.Errorf("--database-url: want sqlite:PATH, got %q", c.DatabaseURL)
	}
	return u, nil
}

func sameFile(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}

// backuper is the part of modernc.org/sqlite's driver connection that
// starts an online backup.
type backuper interface {
	NewBackup(dstURI string) (*sqlite.Backup, error)
}

// backupSQLite writes a snapshot of d to a temporary file beside to, checks
// it, fsyncs it and renames it to to; it returns the copy's size.
func backupSQLite(ctx context.Context, d *sql.DB, to string) (int64, error) {
	dir := filepath.Dir(to)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(to)+".tmp-*")
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	tmpPath := tmp.Name()
	_ = tmp.Close()
	done := false
	defer func() {
		if !done {
			_ = os.Remove(tmpPath)
			for _, suffix := range []string{"-journal", "-wal", "-shm"} {
				_ = os.Remove(tmpPath + suffix)
			}
		}
	}()

	conn, err := d.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	err = conn.Raw(func(dc any) error {
		b, ok := dc.(backuper)
		if !ok {
			return fmt.Errorf("the SQLite driver (%T) has no backup API", dc)
		}
		bk, err := b.NewBackup(tmpPath)
		if err != nil {
			return err
		}
		// All pages in one step: it holds a read snapshot for its duration,
		// which in WAL mode does not block serve's writer. Smaller steps
		// would restart from scratch whenever serve wrote in between.
		if _, err := bk.Step(-1); err != nil {
			_ = bk.Finish()
			return err
		}
		return bk.Finish()
	})
	_ = conn.Close()
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	if err := quickCheck(ctx, tmpPath); err != nil {
		return 0, err
	}
	f, err := os.OpenFile(tmpPath, os.O_RDWR, 0)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	if err := f.Chmod(0o600); err != nil { // the database holds password hashes and sealed secrets
		_ = f.Close()
		return 0, fmt.Errorf("backup: %w", err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return 0, fmt.Errorf("backup: fsync: %w", err)
	}
	fi, err := f.Stat()
	if err := errors.Join(err, f.Close()); err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmpPath, to); err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	done = true
	// The rename is durable once the directory is synced.
	if df, err := os.Open(dir); err == nil {
		_ = df.Sync()
		_ = df.Close()
	}
	return fi.Size(), nil
}

// quickCheck opens the copy on its own and runs PRAGMA quick_check.
func quickCheck(ctx context.Context, path string) error {
	check, err := sql.Open("sqlite", path)
	if err != nil {
		return fmt.Errorf("backup: open the copy: %w", err)
	}
	defer check.Close()
	var res string
	if err := check.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&res); err != nil {
		return fmt.Errorf("backup: check the copy: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("backup: the copy failed its check: %s", res)
	}
	return nil
}
