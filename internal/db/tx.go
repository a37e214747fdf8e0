package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Tx runs fn in a transaction on the writer and commits when fn returns nil.
// On SQLite the transaction starts IMMEDIATE (it takes the write lock up
// front), so it never fails half-way with SQLITE_BUSY on lock upgrade.
// fn's error is returned unchanged, so sentinel errors survive.
//
// On PostgreSQL, PgxTx(tx) gives River's driver the same transaction.
//
// fn must use tx only: on SQLite the writer has one connection, and a query
// on d.Write from inside fn would wait for the connection fn is holding.
func (d *DB) Tx(ctx context.Context, fn func(*sql.Tx) error) (err error) {
	var tx *sql.Tx
	if d.Engine == Postgres {
		var done func()
		if tx, done, err = d.beginPostgres(ctx); err != nil {
			return err
		}
		defer done()
	} else if tx, err = d.Write.BeginTx(ctx, nil); err != nil {
		return fmt.Errorf("db: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("db: rollback: %w", rbErr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: commit: %w", err)
	}
	return nil
}
