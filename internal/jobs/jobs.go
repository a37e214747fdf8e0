// Package jobs runs shelfwatch's background jobs on River, over the same
// database as the store: riversqlite on the SQLite writer, riverpgxv5 on the
// PostgreSQL pool.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// Defaults for Options' zero values.
const (
	DefaultEventRetention = 90 * 24 * time.Hour
	DefaultPruneInterval  = time.Hour
)

// ErrUnsupported reports an operation the database's engine cannot do.
var ErrUnsupported = errors.New("jobs: not supported on this engine")

// Options configures New.
type Options struct {
	Logger         *slog.Logger
	EventRetention time.Duration // 0 → 90 days
	PruneInterval  time.Duration // 0 → 1h
	// Register, when set, adds more workers and periodic jobs before the
	// client is built (for later features: delivery, confirm re-checks, …).
	Register func(w *river.Workers) []*river.PeriodicJob
	// Queues adds queues beside the default one (e.g. notification
	// delivery, polled more often).
	Queues map[string]river.QueueConfig
}

// client is what the Runner needs from river.Client, whatever its TTx.
type client interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	QueueList(ctx context.Context, params *river.QueueListParams) (*river.QueueListResult, error)
}

// Runner owns the River client.
type Runner struct {
	engine db.Engine
	db     *db.DB
	client client
	sqlite *river.Client[*sql.Tx] // set on SQLite
	pgx    *river.Client[pgx.Tx]  // set on PostgreSQL
	logger *slog.Logger
}

// New builds a Runner over an open, migrated database. It does not start
// working until Start.
func New(d *db.DB, st *store.Store, o Options) (*Runner, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.EventRetention <= 0 {
		o.EventRetention = DefaultEventRetention
	}
	if o.PruneInterval <= 0 {
		o.PruneInterval = DefaultPruneInterval
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &pruneEventsWorker{store: st, retention: o.EventRetention, logger: o.Logger}); err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	periodic := []*river.PeriodicJob{pruneEventsPeriodic(o.PruneInterval)}
	if o.Register != nil {
		periodic = append(periodic, o.Register(workers)...)
	}
	cfg := &river.Config{
		Logger:       o.Logger,
		Schema:       d.Schema,
		Workers:      workers,
		PeriodicJobs: periodic,
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 10}},
	}

	for name, q := range o.Queues {
		if d.Engine == db.SQLite {
			q.MaxWorkers = min(q.MaxWorkers, 4)
		}
		cfg.Queues[name] = q
	}
	r := &Runner{engine: d.Engine, db: d, logger: o.Logger}
	var err error
	switch d.Engine {
	case db.SQLite:
		// River shares the single writer connection with the store: SQLite
		// has one writer anyway, and a second writer pool would only trade
		// queueing for SQLITE_BUSY. Few workers, as they all queue there.
		cfg.Queues[river.QueueDefault] = river.QueueConfig{MaxWorkers: 4}
		r.sqlite, err = river.NewClient(riversqlite.New(d.Write), cfg)
		r.client = r.sqlite
	case db.Postgres:
		r.pgx, err = river.NewClient(riverpgxv5.New(d.Pool), cfg)
		r.client = r.pgx
	default:
		return nil, fmt.Errorf("%w: engine %q", ErrUnsupported, d.Engine)
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: new River client: %w", err)
	}
	return r, nil
}

// Start starts fetching and running jobs and returns. Cancelling ctx does not
// stop the runner (River would treat that as a hard stop and cancel running
// jobs): call Stop.
func (r *Runner) Start(ctx context.Context) error {
	if err := r.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	return nil
}

// Stop stops fetching new jobs and waits for running ones to finish. When
// ctx ends first, it cancels the jobs still running, waits briefly for them
// to return, and reports ctx's error.
func (r *Runner) Stop(ctx context.Context) error {
	err := r.client.Stop(ctx)
	if err == nil {
		return nil
	}
	r.logger.Warn("jobs: graceful stop timed out; cancelling running jobs", "err", err)
	hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if herr := r.client.StopAndCancel(hard); herr != nil {
		return fmt.Errorf("jobs: stop: %w", errors.Join(err, herr))
	}
	return fmt.Errorf("jobs: stop: %w", err)
}

// Ping checks River's tables answer (for /readyz).
func (r *Runner) Ping(ctx context.Context) error {
	if _, err := r.client.QueueList(ctx, river.NewQueueListParams().First(1)); err != nil {
		return fmt.Errorf("jobs: ping: %w", err)
	}
	return nil
}

// Insert enqueues a job outside any transaction.
func (r *Runner) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	res, err := r.client.Insert(ctx, args, opts)
	if err != nil {
		return nil, fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return res, nil
}

// InsertTx enqueues a job inside tx, the open transaction of a db.DB.Tx
// callback on the Runner's database, so the job exists exactly when the
// change that caused it commits. Both engines.
func (r *Runner) InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	var (
		res *rivertype.JobInsertResult
		err error
	)
	switch r.engine {
	case db.SQLite:
		res, err = r.sqlite.InsertTx(ctx, tx, args, opts)
	case db.Postgres:
		var ptx pgx.Tx
		if ptx, err = r.db.PgxTx(tx); err == nil {
			res, err = r.pgx.InsertTx(ctx, ptx, args, opts)
		}
	default:
		err = ErrUnsupported
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return res, nil
}

// SQLiteClient is the River client on SQLite (nil on PostgreSQL). Its
// InsertTx takes the *sql.Tx of db.DB.Tx, so a job commits with the change
// that caused it.
func (r *Runner) SQLiteClient() *river.Client[*sql.Tx] { return r.sqlite }

// PgxClient is the River client on PostgreSQL (nil on SQLite).
func (r *Runner) PgxClient() *river.Client[pgx.Tx] { return r.pgx }
