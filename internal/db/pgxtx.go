package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// On PostgreSQL the store's transactions are *sql.Tx, but River's driver
// inserts jobs through a pgx.Tx. Both can be the same server transaction: a
// transaction belongs to a connection, and stdlib exposes the *pgx.Conn under
// a *sql.Conn. So Tx pins one connection, remembers its *pgx.Conn and begins
// the *sql.Tx on it; PgxTx then hands out a pgx.Tx that runs its statements on
// that connection, inside the open transaction. A job inserted through it
// commits or rolls back with the change that caused it.

// ErrNoPgxTx reports a *sql.Tx that did not come from DB.Tx on PostgreSQL.
var ErrNoPgxTx = errors.New("db: not a PostgreSQL transaction of this database")

// beginPostgres pins a connection and begins tx on it.
func (d *DB) beginPostgres(ctx context.Context) (*sql.Tx, func(), error) {
	conn, err := d.Write.Conn(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("db: begin: %w", err)
	}
	var pc *pgx.Conn
	if err := conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("db: driver connection is %T, not pgx stdlib", dc)
		}
		pc = c.Conn()
		return nil
	}); err != nil {
		_ = conn.Close()
		return nil, nil, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		_ = conn.Close()
		return nil, nil, fmt.Errorf("db: begin: %w", err)
	}
	d.pgxTxs.Store(tx, pc)
	done := func() {
		d.pgxTxs.Delete(tx)
		_ = conn.Close() // back to the pool
	}
	return tx, done, nil
}

// PgxTx returns a pgx.Tx running inside tx, which must be the open
// transaction of a DB.Tx callback on PostgreSQL. Its Commit and Rollback
// refuse: DB.Tx ends the transaction. Begin opens a savepoint.
func (d *DB) PgxTx(tx *sql.Tx) (pgx.Tx, error) {
	v, ok := d.pgxTxs.Load(tx)
	if !ok {
		return nil, ErrNoPgxTx
	}
	return &pinnedTx{conn: v.(*pgx.Conn)}, nil
}

// pinnedTx is a pgx.Tx over a connection whose transaction database/sql
// owns. The caller runs it on the goroutine that runs the DB.Tx callback,
// between the *sql.Tx's own statements, never at the same time.
type pinnedTx struct {
	conn  *pgx.Conn
	depth int // 0 for the outer transaction, n for the n-th nested savepoint
	seq   *atomic.Int64
	name  string
	ended bool
}

var errPinnedEnd = errors.New("db: the transaction is committed or rolled back by DB.Tx, not through its pgx.Tx")

func (t *pinnedTx) Begin(ctx context.Context) (pgx.Tx, error) {
	if t.seq == nil {
		t.seq = new(atomic.Int64)
	}
	name := fmt.Sprintf("sw_sp_%d", t.seq.Add(1))
	if _, err := t.conn.Exec(ctx, "SAVEPOINT "+name); err != nil {
		return nil, err
	}
	return &pinnedTx{conn: t.conn, depth: t.depth + 1, seq: t.seq, name: name}, nil
}

func (t *pinnedTx) Commit(ctx context.Context) error {
	if t.depth == 0 {
		return errPinnedEnd
	}
	if t.ended {
		return pgx.ErrTxClosed
	}
	t.ended = true
	_, err := t.conn.Exec(ctx, "RELEASE SAVEPOINT "+t.name)
	return err
}

func (t *pinnedTx) Rollback(ctx context.Context) error {
	if t.depth == 0 {
		return errPinnedEnd
	}
	if t.ended {
		return pgx.ErrTxClosed
	}
	t.ended = true
	_, err := t.conn.Exec(ctx, "ROLLBACK TO SAVEPOINT "+t.name)
	return err
}

func (t *pinnedTx) CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error) {
	return t.conn.CopyFrom(ctx, table, cols, src)
}

func (t *pinnedTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return t.conn.SendBatch(ctx, b)
}

func (t *pinnedTx) LargeObjects() pgx.LargeObjects { return pgx.LargeObjects{} }

func (t *pinnedTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	return t.conn.Prepare(ctx, name, sql)
}

func (t *pinnedTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return t.conn.Exec(ctx, sql, args...)
}

func (t *pinnedTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return t.conn.Query(ctx, sql, args...)
}

func (t *pinnedTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return t.conn.QueryRow(ctx, sql, args...)
}

func (t *pinnedTx) Conn() *pgx.Conn { return t.conn }
