package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/shelfwatch/shelfwatch/internal/store"
)

// PruneEventsArgs is the periodic job that deletes old events.
type PruneEventsArgs struct{}

func (PruneEventsArgs) Kind() string { return "prune_events" }

type pruneEventsWorker struct {
	river.WorkerDefaults[PruneEventsArgs]
	store     *store.Store
	retention time.Duration
	logger    *slog.Logger
}

func (w *pruneEventsWorker) Work(ctx context.Context, job *river.Job[PruneEventsArgs]) error {
	before := time.Now().Add(-w.retention).UnixMilli()
	n, err := w.store.PruneEvents(ctx, before)
	if err != nil {
		return fmt.Errorf("prune events: %w", err)
	}
	w.logger.InfoContext(ctx, "events pruned", "deleted", n, "before_ms", before)
	return nil
}

// pruneEventsPeriodic runs on start too: a process that restarts more often
// than every interval would otherwise never prune.
func pruneEventsPeriodic(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(
		river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return PruneEventsArgs{}, nil },
		&river.PeriodicJobOpts{ID: "prune_events", RunOnStart: true},
	)
}
