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
