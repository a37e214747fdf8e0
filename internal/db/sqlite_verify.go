package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// pragmaWant is a setting read back with "PRAGMA name" after connecting.
type pragmaWant struct {
	name string
	want string
}

func writerPragmas() []pragmaWant {
	return []pragmaWant{
		{"journal_mode", "wal"},
		{"busy_timeout", strconv.Itoa(busyTimeoutMS)},
		{"synchronous", "1"}, // NORMAL
		{"foreign_keys", "1"},
	}
}

func readerPragmas() []pragmaWant {
	return append(writerPragmas(), pragmaWant{"query_only", "1"})
}

// verifySQLite reads the settings back: a DSN typo or an old driver ignores a
// pragma silently, and the symptoms (SQLITE_BUSY under load, cascades that do
// not cascade) would show up far from the cause.
func (d *DB) verifySQLite(ctx context.Context) error {
	if err := checkPragmas(ctx, d.Write, writerPragmas()); err != nil {
		return fmt.Errorf("%s (writer): %w", d.Path, err)
	}
	if err := checkPragmas(ctx, d.Read, readerPragmas()); err != nil {
		return fmt.Errorf("%s (readers): %w", d.Path, err)
	}
	if err := checkImmediateTx(ctx, d.Write, d.Path); err != nil {
		return fmt.Errorf("%s (writer): %w", d.Path, err)
	}
	return nil
}

func checkPragmas(ctx context.Context, db *sql.DB, want []pragmaWant) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("db: connect: %w", err)
	}
	defer conn.Close()
	var bad []string
	for _, p := range want {
		var got string
		if err := conn.QueryRowContext(ctx, "PRAGMA "+p.name).Scan(&got); err != nil {
			return fmt.Errorf("db: read PRAGMA %s: %w", p.name, err)
		}
		if !strings.EqualFold(got, p.want) {
			bad = append(bad, fmt.Sprintf("%s=%s (want %s)", p.name, got, p.want))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w: %s", ErrSettings, strings.Join(bad, ", "))
	}
	return nil
}

// checkImmediateTx proves that a transaction begun on db holds the write lock
// from its start: while it is open, a second connection (without a busy
// timeout) must fail to begin a write. No pragma reports _txlock.
func checkImmediateTx(ctx context.Context, db *sql.DB, path string) error {
	probe, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(0)")
	if err != nil {
		return fmt.Errorf("db: open probe: %w", err)
	}
	defer probe.Close()
	probe.SetMaxOpenConns(1)

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()

	_, err = probe.ExecContext(ctx, "BEGIN IMMEDIATE")
	if err == nil {
		_, _ = probe.ExecContext(ctx, "ROLLBACK")
		return fmt.Errorf("%w: transactions are not IMMEDIATE (_txlock)", ErrSettings)
	}
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY {
		return nil
	}
	return fmt.Errorf("db: probe write lock: %w", err)
}
