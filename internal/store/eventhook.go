package store

import (
	"context"
	"database/sql"
)

// EventHook runs inside the transaction that wrote evs, after they have
// their ids: the alerts dispatcher writes notifications and their delivery
// jobs there, so an event and what it causes commit together.
type EventHook func(ctx context.Context, tx *sql.Tx, evs []Event) error

// SetEventHook installs h for every write of events (checks, confirm
// re-checks, catalog scans). Call it once, before the store is used
// concurrently.
func (s *Store) SetEventHook(h EventHook) { s.eventHook = h }

func (s *Store) runEventHook(ctx context.Context, tx *sql.Tx, evs []Event) error {
	if s.eventHook == nil || len(evs) == 0 {
		return nil
	}
	return s.eventHook(ctx, tx, evs)
}

// CommitHook runs after a transaction that wrote evs has committed, so
// whoever it tells (live pages) reads the new rows. It must not block: the
// writer has returned from its transaction but its caller still waits.
type CommitHook func(evs []Event)

// SetCommitHook installs h for every committed write of events (the same
// writes as SetEventHook). Call it once, before the store is used
// concurrently.
func (s *Store) SetCommitHook(h CommitHook) { s.commitHook = h }

func (s *Store) runCommitHook(evs []Event) {
	if s.commitHook == nil || len(evs) == 0 {
		return
	}
	s.commitHook(evs)
}

// checksCommitted runs the commit hook for a group commit's events.
func (s *Store) checksCommitted(outs []*CheckOutcome) {
	if s.commitHook == nil {
		return
	}
	var evs []Event
	for _, o := range outs {
		evs = append(evs, o.Events...)
	}
	s.runCommitHook(evs)
}
