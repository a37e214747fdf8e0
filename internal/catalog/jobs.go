package catalog

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/shelfwatch/shelfwatch/internal/store"
)

// Inserter enqueues River jobs (jobs.Runner).
type Inserter interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// ScanArgs is the job that scans one catalog watch.
type ScanArgs struct {
	CatalogWatchID int64 `json:"catalog_watch_id" river:"unique"`
	// Manual is a user's "scan now": it scans a paused catalog watch too.
	Manual bool `json:"manual,omitempty"`
}

func (ScanArgs) Kind() string { return "catalog_scan" }

// InsertOpts keeps one scan job per catalog watch at a time: another insert
// while one waits or runs is skipped (only the catalog watch id is the
// unique key). Finished jobs do not count.
func (ScanArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	}}}
}

// DueArgs is the periodic job that enqueues a scan for every due catalog
// watch.
type DueArgs struct{}

func (DueArgs) Kind() string { return "catalog_due" }

// DuePeriod is how often due catalog watches are looked for. It also
// bounds the wait of a "scan now" that arrived while the previous scan job
// was finishing (River skips it as a duplicate of that job).
const DuePeriod = 15 * time.Second

// ScanTimeout bounds one scan job: a big catalog is many polite requests.
const ScanTimeout = time.Hour

// Register adds the catalog workers and the periodic due job (for
// jobs.Options.Register).
func (s *Service) Register(w *river.Workers) []*river.PeriodicJob {
	river.AddWorker(w, &scanWorker{s: s})
	river.AddWorker(w, &dueWorker{s: s})
	return []*river.PeriodicJob{river.NewPeriodicJob(
		river.PeriodicInterval(DuePeriod),
		func() (river.JobArgs, *river.InsertOpts) { return DueArgs{}, nil },
		&river.PeriodicJobOpts{ID: "catalog_due", RunOnStart: true},
	)}
}

type scanWorker struct {
	river.WorkerDefaults[ScanArgs]
	s *Service
}

func (w *scanWorker) Timeout(*river.Job[ScanArgs]) time.Duration { return ScanTimeout }

func (w *scanWorker) Work(ctx context.Context, job *river.Job[ScanArgs]) error {
	cw, err := w.s.o.Store.CatalogWatchForScan(ctx, job.Args.CatalogWatchID)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(err) // deleted meanwhile
	}
	if err != nil {
		return err
	}
	if cw.Paused && !job.Args.Manual {
		return nil
	}
	if _, err := w.s.Scan(ctx, cw.ID); err != nil {
		return err
	}
	// A "scan now" that came after this scan recorded could not enqueue
	// (this job still counts as running): run again shortly for it.
	cw, err = w.s.o.Store.CatalogWatchForScan(ctx, cw.ID)
	if err != nil {
		return err
	}
	if !cw.Paused && cw.NextScanAt <= w.s.o.Now().UnixMilli() {
		return river.JobSnooze(time.Second)
	}
	return nil
}

type dueWorker struct {
	river.WorkerDefaults[DueArgs]
	s *Service
}

func (w *dueWorker) Work(ctx context.Context, _ *river.Job[DueArgs]) error {
	ids, err := w.s.o.Store.DueCatalogWatches(ctx, w.s.o.Now().UnixMilli(), 1000)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := w.s.enqueue(ctx, id, false); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) enqueue(ctx context.Context, id int64, manual bool) error {
	if s.Jobs == nil {
		return errors.New("catalog: no job queue")
	}
	args := ScanArgs{CatalogWatchID: id, Manual: manual}
	opts := args.InsertOpts()
	_, err := s.Jobs.Insert(ctx, args, &opts)
	return err
}

// RegisterWith returns a jobs.Options.Register that runs next (when set)
// and then registers the catalog's workers and periodic job.
func (s *Service) RegisterWith(next func(*river.Workers) []*river.PeriodicJob) func(*river.Workers) []*river.PeriodicJob {
	return func(w *river.Workers) []*river.PeriodicJob {
		var out []*river.PeriodicJob
		if next != nil {
			out = next(w)
		}
		return append(out, s.Register(w)...)
	}
}
