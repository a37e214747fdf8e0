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
// fn must use tx only: on SQLite the writer has one connection, and a query
// on d.Write from inside fn would wait for the connection fn is holding.
func (d *DB) Tx(ctx context.Context, fn func(*sql.Tx) error) (err error) {
	tx, err := d.Write.BeginTx(ctx, nil)
	if err != nil {
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
