// Package history runs the price-history maintenance jobs on River: monthly
// partitions created ahead (PostgreSQL), daily rollups kept current, and raw
// rows pruned after the retention period (rollups are kept forever).
package history

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/shelfwatch/shelfwatch/internal/store"
)

// Defaults for Options' zero values.
const (
	DefaultRollupEvery     = time.Hour
	DefaultPartitionsEvery = 24 * time.Hour
	DefaultPruneEvery      = 24 * time.Hour
)

// Options configures New.
type Options struct {
	Store *store.Store
	// Retention is how long raw rows are kept; 0 keeps them forever (no
	// prune job). config refuses 90 days or less.
	Retention time.Duration
	Logger    *slog.Logger
	Now       func() time.Time // nil: time.Now

	RollupEvery, PartitionsEvery, PruneEvery time.Duration // 0: the defaults
}

// Jobs are the history maintenance jobs; pass Register through
// jobs.Options.Register.
type Jobs struct {
	o Options
}

// New returns the jobs of o.
func New(o Options) *Jobs {
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RollupEvery <= 0 {
		o.RollupEvery = DefaultRollupEvery
	}
	if o.PartitionsEvery <= 0 {
		o.PartitionsEvery = DefaultPartitionsEvery
	}
	if o.PruneEvery <= 0 {
		o.PruneEvery = DefaultPruneEvery
	}
	return &Jobs{o: o}
}

// PartitionsArgs creates the next months' history partitions.
type PartitionsArgs struct{}

func (PartitionsArgs) Kind() string { return "history_partitions" }

// RollupArgs brings the daily rollups up to date.
type RollupArgs struct{}

func (RollupArgs) Kind() string { return "history_rollup" }

// PruneArgs deletes raw rows older than the retention period.
type PruneArgs struct{}

func (PruneArgs) Kind() string { return "history_prune" }

type partitionsWorker struct {
	river.WorkerDefaults[PartitionsArgs]
	j *Jobs
}

func (w *partitionsWorker) Work(ctx context.Context, _ *river.Job[PartitionsArgs]) error {
	return w.j.Partitions(ctx)
}

type rollupWorker struct {
	river.WorkerDefaults[RollupArgs]
	j *Jobs
}

func (w *rollupWorker) Work(ctx context.Context, _ *river.Job[RollupArgs]) error {
	return w.j.Rollup(ctx)
}

// No time limit: the first rollup of a large database that is upgraded
// with years of history takes hours, and it only moves the watermark when
// done. Uniqueness (Register) keeps runs from piling up meanwhile.
func (w *rollupWorker) Timeout(*river.Job[RollupArgs]) time.Duration { return -1 }

type pruneWorker struct {
	river.WorkerDefaults[PruneArgs]
	j *Jobs
}

func (w *pruneWorker) Work(ctx context.Context, _ *river.Job[PruneArgs]) error {
	return w.j.Prune(ctx)
}

func (w *pruneWorker) Timeout(*river.Job[PruneArgs]) time.Duration { return -1 }

// Partitions creates the partitions of this month and the next
// store.PartitionsAhead months that are missing (PostgreSQL; a no-op on
// SQLite).
func (j *Jobs) Partitions(ctx context.Context) error {
	now := j.o.Now()
	n, err := j.o.Store.EnsurePartitions(ctx, now, now.AddDate(0, store.PartitionsAhead, 0))
	if err != nil {
		return fmt.Errorf("history partitions: %w", err)
	}
	if n > 0 {
		j.o.Logger.InfoContext(ctx, "history partitions created", "count", n)
	}
	return nil
}

// Rollup recomputes the daily rollups of the days with new history rows.
func (j *Jobs) Rollup(ctx context.Context) error {
	t0 := time.Now()
	st, err := j.o.Store.RollupHistory(ctx, j.o.Now().UnixMilli(), 0)
	if err != nil {
		return fmt.Errorf("history rollup: %w", err)
	}
	j.o.Logger.InfoContext(ctx, "history rolled up", "products", st.Products, "days", st.Days,
		"watermark_ms", st.Watermark, "duration", time.Since(t0))
	return nil
}

// Prune deletes raw rows older than the retention period whose days are
// rolled up (a no-op when Retention is 0).
func (j *Jobs) Prune(ctx context.Context) error {
	if j.o.Retention <= 0 {
		return nil
	}
	t0 := time.Now()
	st, err := j.o.Store.PruneHistory(ctx, j.o.Now().Add(-j.o.Retention).UnixMilli(), 0)
	if err != nil {
		return fmt.Errorf("history prune: %w", err)
	}
	j.o.Logger.InfoContext(ctx, "history pruned", "cutoff_ms", st.Cutoff, "rows", st.RowsDeleted,
		"partitions", st.PartitionsDropped, "duration", time.Since(t0))
	return nil
}

// Register adds the workers and their schedules, each also run at start (a
// process restarted more often than the interval would otherwise never run
// them). The prune job is scheduled only with a retention period.
func (j *Jobs) Register(w *river.Workers) []*river.PeriodicJob {
	for _, err := range []error{
		river.AddWorkerSafely(w, &partitionsWorker{j: j}),
		river.AddWorkerSafely(w, &rollupWorker{j: j}),
		river.AddWorkerSafely(w, &pruneWorker{j: j}),
	} {
		if err != nil {
			panic(fmt.Sprintf("history: register worker: %v", err)) // a programming error: registered twice
		}
	}
	// One of each at a time: a run still going (or waiting) when the next
	// is due makes that one a no-op insert.
	unique := &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	}}}
	periodic := func(every time.Duration, args river.JobArgs) *river.PeriodicJob {
		return river.NewPeriodicJob(river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) { return args, unique },
			&river.PeriodicJobOpts{ID: args.Kind(), RunOnStart: true})
	}
	out := []*river.PeriodicJob{
		periodic(j.o.PartitionsEvery, PartitionsArgs{}),
		periodic(j.o.RollupEvery, RollupArgs{}),
	}
	if j.o.Retention > 0 {
		out = append(out, periodic(j.o.PruneEvery, PruneArgs{}))
	}
	return out
}
