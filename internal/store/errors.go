package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ErrInvalid reports input a store method cannot write (a missing required
// field, an unknown role). The message says which.
var ErrInvalid = errors.New("store: invalid input")

// mapErr turns driver errors into the package's sentinels, keeping the cause
// in the chain for logs.
func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return ErrNotFound
	case isUniqueViolation(err):
		return fmt.Errorf("%w: %w", ErrConflict, err)
	}
	return err
}

// isUniqueViolation and isForeignKeyViolation recognise either engine's error
// (see errors_sqlite.go and errors_postgres.go).
func isUniqueViolation(err error) bool {
	return isSQLiteConstraint(err, sqliteUnique) || isPostgresCode(err, pgUniqueViolation)
}

func isForeignKeyViolation(err error) bool {
	return isSQLiteConstraint(err, sqliteForeignKey) || isPostgresCode(err, pgForeignKeyViolation)
}

// execOne runs a statement that must touch the row it names: none touched
// (absent, or another workspace's) is ErrNotFound.
func execOne(ctx context.Context, q querier, query string, args ...any) error {
	res, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return mapErr(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}
