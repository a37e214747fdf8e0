package dbtest

import (
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/db"
)

// URL returns a database URL private to t for code that opens the database
// itself (the serve command): "" (the embedded file in the caller's data dir)
// for SQLite, a fresh schema's URL for PostgreSQL.
func URL(t testing.TB, engine db.Engine) string {
	t.Helper()
	SkipUnlessAvailable(t, engine)
	if engine == db.SQLite {
		return ""
	}
	return PostgresURL(t)
}
