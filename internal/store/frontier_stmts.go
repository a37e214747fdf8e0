package store

import (
	"context"
	"database/sql"
	"maps"
	"sync"
	"sync/atomic"

	"github.com/shelfwatch/shelfwatch/internal/db"
)

// stmtCache holds the check path's statements prepared once on SQLite's
// writer connection. modernc.org/sqlite parses the SQL text of every
// unprepared call, which was a quarter of the CPU of a 304 check. On
// PostgreSQL pgx already caches prepared statements per connection, so the
// cache stays empty there and queries go out as text.
//
// A statement cannot be prepared inside a transaction (the writer has one
// connection, which the transaction holds), so a query that misses the
// cache runs as text and is noted; prepareHot, called before the next
// transaction, prepares what was noted.
type stmtCache struct {
	stmts     atomic.Pointer[map[string]*sql.Stmt] // copy on write
	hasWanted atomic.Bool
	mu        sync.Mutex
	wanted    map[string]bool
}

// prepareHot prepares the queries that missed the cache. It must run
// outside a transaction. A query that fails to prepare runs as text from
// then on. The lock is never held while preparing: preparing waits for the
// writer connection, and a transaction holding it may be noting a miss.
func (s *Store) prepareHot(ctx context.Context) {
	c := &s.stmts
	if !c.hasWanted.Load() {
		return
	}
	c.mu.Lock()
	var todo []string
	for q, want := range c.wanted {
		if want {
			todo = append(todo, q)
			c.wanted[q] = false // taken; one that fails to prepare runs as text
		}
	}
	c.hasWanted.Store(false)
	c.mu.Unlock()
	if len(todo) == 0 {
		return
	}
	ready := map[string]*sql.Stmt{}
	for _, q := range todo {
		if st, err := s.db.Write.PrepareContext(ctx, q); err == nil {
			ready[q] = st
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	m := map[string]*sql.Stmt{}
	if old := c.stmts.Load(); old != nil {
		maps.Copy(m, *old)
	}
	for q, st := range ready {
		if m[q] != nil {
			_ = st.Close() // prepared meanwhile by another caller
			continue
		}
		m[q] = st
	}
	c.stmts.Store(&m)
}

// prepared returns q's prepared statement, or nil (and notes q for
// prepareHot) when it has none.
func (s *Store) prepared(q string) *sql.Stmt {
	if s.db.Engine != db.SQLite {
		return nil
	}
	c := &s.stmts
	if m := c.stmts.Load(); m != nil {
		if st := (*m)[q]; st != nil {
			return st
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, seen := c.wanted[q]; !seen {
		if c.wanted == nil {
			c.wanted = map[string]bool{}
		}
		c.wanted[q] = true
		c.hasWanted.Store(true)
	}
	return nil
}

// txExec runs q in tx, through its prepared statement when there is one.
func (s *Store) txExec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	if st := s.prepared(q); st != nil {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, q, args...)
}

// txQueryRow is QueryRowContext in tx, through the prepared statement.
func (s *Store) txQueryRow(ctx context.Context, tx *sql.Tx, q string, args ...any) *sql.Row {
	if st := s.prepared(q); st != nil {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, q, args...)
}

// query runs q in tx, or on the writer when tx is nil, through the
// prepared statement when there is one.
func (s *Store) query(ctx context.Context, tx *sql.Tx, q string, args ...any) (*sql.Rows, error) {
	st := s.prepared(q)
	switch {
	case tx != nil && st != nil:
		return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	case tx != nil:
		return tx.QueryContext(ctx, q, args...)
	case st != nil:
		return st.QueryContext(ctx, args...)
	}
	return s.db.Write.QueryContext(ctx, q, args...)
}
