package store

import (
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

const (
	sqliteUnique     = sqlite3.SQLITE_CONSTRAINT_UNIQUE
	sqliteForeignKey = sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
)

// sqlitePrimaryKey is reported instead of sqliteUnique for a duplicate key.
const sqlitePrimaryKey = sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY

func isSQLiteConstraint(err error, code int) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	if code == sqliteUnique && e.Code() == sqlitePrimaryKey {
		return true
	}
	return e.Code() == code
}
