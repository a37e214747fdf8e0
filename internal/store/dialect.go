package store

import "github.com/shelfwatch/shelfwatch/internal/db"

// forUpdate locks the rows a read-then-write transaction reads. PostgreSQL
// needs it, or two concurrent transactions could both compare against the
// same old values. SQLite has no row locks and needs none: transactions begin
// IMMEDIATE on the single writer, so they are serial.
func (s *Store) forUpdate() string {
	if s.db.Engine == db.Postgres {
		return " FOR UPDATE"
	}
	return ""
}
