package monitor

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/shelfwatch/shelfwatch/internal/jobs"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// Confirmer schedules the confirm re-check of a held change.
type Confirmer interface {
	// EnqueueTx enqueues in the check's transaction when the engine can;
	// it reports false when it cannot, and then Enqueue is called after
	// the commit.
	EnqueueTx(ctx context.Context, tx *sql.Tx, productID int64) (bool, error)
	Enqueue(ctx context.Context, productID int64) error
}

// DefaultConfirmDelay is how long a confirm re-check waits: long enough for
// a glitch (a half-deployed page, an A/B test) to pass.
const DefaultConfirmDelay = time.Minute

// ConfirmArgs is the River job of a confirm re-check.
type ConfirmArgs struct {
	ProductID int64 `json:"product_id"`
}

// Kind names the job in River.
func (ConfirmArgs) Kind() string { return "confirm_check" }

// JobsConfirmer schedules confirm re-checks on River. Runner is set once
// the runner exists (it is built after the monitor, whose worker it runs).
type JobsConfirmer struct {
	Runner *jobs.Runner
	Delay  time.Duration // 0 → DefaultConfirmDelay
}

func (c *JobsConfirmer) opts() *river.InsertOpts {
	d := c.Delay
	if d <= 0 {
		d = DefaultConfirmDelay
	}
	return &river.InsertOpts{ScheduledAt: time.Now().Add(d), MaxAttempts: 5}
}

// EnqueueTx enqueues in tx, so the re-check exists exactly when the held
// change commits (both engines; on PostgreSQL through db.PgxTx).
func (c *JobsConfirmer) EnqueueTx(ctx context.Context, tx *sql.Tx, productID int64) (bool, error) {
	if c.Runner == nil {
		return false, errors.New("confirm: no job runner")
	}
	if _, err := c.Runner.InsertTx(ctx, tx, ConfirmArgs{ProductID: productID}, c.opts()); err != nil {
		return false, fmt.Errorf("confirm: enqueue: %w", err)
	}
	return true, nil
}

// Enqueue enqueues outside any transaction.
func (c *JobsConfirmer) Enqueue(ctx context.Context, productID int64) error {
	if c.Runner == nil {
		return errors.New("confirm: no job runner")
	}
	_, err := c.Runner.Insert(ctx, ConfirmArgs{ProductID: productID}, c.opts())
	return err
}

// Register adds the confirm worker to River (jobs.Options.Register).
func (m *Monitor) Register(w *river.Workers) []*river.PeriodicJob {
	river.AddWorker(w, &confirmWorker{m: m})
	return nil
}

type confirmWorker struct {
	river.WorkerDefaults[ConfirmArgs]
	m *Monitor
}

// Work re-checks the product under a lease of its own. While a regular
// check holds the lease the job fails and River retries it later.
func (w *confirmWorker) Work(ctx context.Context, job *river.Job[ConfirmArgs]) error {
	m := w.m
	p, err := m.o.Store.ClaimProduct(ctx, m.confirmOwner(), job.Args.ProductID, m.o.Now().UnixMilli(), m.o.Lease)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(err) // the product was deleted
	}
	if err != nil {
		return err
	}
	if p.PendingChange == "" {
		// Settled meanwhile (a regular check recorded a value).
		_, err := m.o.Store.ReleaseLeases(ctx, m.confirmOwner(), p.ID)
		return err
	}
	return m.Check(ctx, *p, true)
}
