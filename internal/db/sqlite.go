package db

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// busyTimeoutMS is how long a SQLite connection waits for a lock before
// SQLITE_BUSY. Readers and the writer share the file; five seconds covers any
// write transaction shelfwatch makes.
const busyTimeoutMS = 5000

// sqlitePath resolves Options to a database file path.
func sqlitePath(o Options) (string, error) {
	u := o.URL
	if u == "" {
		dir := o.DataDir
		if dir == "" {
			dir = "data"
		}
		return filepath.Join(dir, "shelfwatch.db"), nil
	}
	switch {
	case strings.HasPrefix(u, "sqlite://"):
		u = strings.TrimPrefix(u, "sqlite://") // sqlite:///abs/path → /abs/path
	case strings.HasPrefix(u, "sqlite:"):
		u = strings.TrimPrefix(u, "sqlite:")
	case strings.HasPrefix(u, "file:"):
		u = strings.TrimPrefix(u, "file:")
	}
	switch {
	case u == "":
		return "", fmt.Errorf("%w: %q has no file path", ErrBadURL, o.URL)
	case strings.ContainsRune(u, '?'):
		// shelfwatch owns the connection parameters; see sqliteDSN.
		return "", fmt.Errorf("%w: %q: parameters are not accepted in a sqlite URL", ErrBadURL, o.URL)
	case u == ":memory:" || strings.HasPrefix(u, "://"):
		return "", fmt.Errorf("%w: %q: need a file (the writer and readers are separate connections)", ErrBadURL, o.URL)
	}
	return u, nil
}

// sqliteDSN builds the modernc.org/sqlite DSN. Every connection gets:
//   - busy_timeout first, so the other pragmas do not fail with SQLITE_BUSY;
//   - WAL, so readers do not block the writer nor it them;
//   - synchronous=NORMAL, durable across application crashes and safe in WAL;
//   - foreign_keys=ON, off by default in SQLite, needed for ON DELETE CASCADE.
//
// The writer also gets _txlock=immediate: a deferred transaction that reads
// then writes must upgrade its lock and fails with SQLITE_BUSY (busy_timeout
// does not help) if another connection wrote meanwhile; River's inserts hit
// exactly that. Readers get query_only as a guard against writes that would
// bypass the single writer.
func sqliteDSN(path string, writer bool) string {
	q := []string{
		fmt.Sprintf("_pragma=busy_timeout(%d)", busyTimeoutMS),
		"_pragma=journal_mode(WAL)",
		"_pragma=synchronous(NORMAL)",
		"_pragma=foreign_keys(1)",
	}
	if writer {
		q = append(q, "_txlock=immediate")
	} else {
		q = append(q, "_pragma=query_only(1)")
	}
	return path + "?" + strings.Join(q, "&")
}

func openSQLite(ctx context.Context, o Options) (*DB, error) {
	path, err := sqlitePath(o)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("db: create data directory: %w", err)
	}

	w, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	// One writer connection: SQLite allows one writer at a time anyway, and
	// queueing in database/sql is cheaper and fairer than SQLITE_BUSY retries.
	// It also makes the frontier claim atomic in-process.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)

	r, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("db: open %s for reading: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)

	d := &DB{Engine: SQLite, Write: w, Read: r, Path: path, logger: o.Logger}
	if err := d.verifySQLite(ctx); err != nil {
		_ = d.Close()
		return nil, err
	}
	o.Logger.Debug("database opened", "engine", SQLite, "path", path)
	return d, nil
}
