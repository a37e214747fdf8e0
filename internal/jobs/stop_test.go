package jobs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/jobs"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// sleepArgs is a test job that sleeps for D, or until its context ends.
type sleepArgs struct {
	D time.Duration `json:"d"`
}

func (sleepArgs) Kind() string { return "test_sleep" }

type sleepWorker struct {
	river.WorkerDefaults[sleepArgs]
	started   chan struct{}
	finished  atomic.Bool
	cancelled atomic.Bool
}

func (w *sleepWorker) Work(ctx context.Context, job *river.Job[sleepArgs]) error {
	w.started <- struct{}{}
	select {
	case <-time.After(job.Args.D):
		w.finished.Store(true)
		return nil
	case <-ctx.Done():
		w.cancelled.Store(true)
		return ctx.Err()
	}
}

func startWithSleeper(t *testing.T, eng db.Engine) (*jobs.Runner, *sleepWorker) {
	t.Helper()
	d := dbtest.Open(t, eng)
	sw := &sleepWorker{started: make(chan struct{}, 1)}
	r, err := jobs.New(d, store.New(d), jobs.Options{
		Logger: testLogger(t),
		Register: func(w *river.Workers) []*river.PeriodicJob {
			river.AddWorker(w, sw)
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	return r, sw
}

func waitStarted(t *testing.T, sw *sleepWorker) {
	t.Helper()
	select {
	case <-sw.started:
	case <-time.After(30 * time.Second):
		t.Fatal("job did not start within 30s")
	}
}

func TestStopLetsRunningJobsFinish(t *testing.T) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			r, sw := startWithSleeper(t, eng)
			if _, err := r.Insert(t.Context(), sleepArgs{D: 300 * time.Millisecond}, nil); err != nil {
				t.Fatal(err)
			}
			waitStarted(t, sw)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := r.Stop(ctx); err != nil {
				t.Fatalf("Stop: %v", err)
			}
			if !sw.finished.Load() {
				t.Error("Stop returned before the running job finished")
			}
		})
	}
}

func TestStopRespectsDeadline(t *testing.T) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			r, sw := startWithSleeper(t, eng)
			if _, err := r.Insert(t.Context(), sleepArgs{D: time.Hour}, nil); err != nil {
				t.Fatal(err)
			}
			waitStarted(t, sw)
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			began := time.Now()
			err := r.Stop(ctx)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Stop = %v, want DeadlineExceeded", err)
			}
			if took := time.Since(began); took > 10*time.Second {
				t.Errorf("Stop took %v with a 300ms deadline", took)
			}
			if !sw.cancelled.Load() {
				t.Error("the running job's context was not cancelled")
			}
		})
	}
}
