package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// CleanupArgs is the periodic job that deletes expired sessions, used or
// expired reset tokens and old sign-in failure records.
type CleanupArgs struct{}

func (CleanupArgs) Kind() string { return "auth_cleanup" }

type cleanupWorker struct {
	river.WorkerDefaults[CleanupArgs]
	s *Service
}

func (w *cleanupWorker) Work(ctx context.Context, _ *river.Job[CleanupArgs]) error {
	return w.s.Cleanup(ctx)
}

// Cleanup deletes what has expired. Reset tokens are kept a day past their
// expiry, failure records as long as they still count.
func (s *Service) Cleanup(ctx context.Context) error {
	now := s.now()
	sessions, err := s.store.DeleteExpiredSessions(ctx, now.UnixMilli())
	if err != nil {
		return err
	}
	resets, err := s.store.DeleteExpiredPasswordResets(ctx, now.Add(-24*time.Hour).UnixMilli())
	if err != nil {
		return err
	}
	attempts, err := s.store.DeleteStaleLoginAttempts(ctx, now.Add(-s.lockout.Forget).UnixMilli())
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "accounts cleaned up", "sessions", sessions, "password_resets", resets, "login_attempts", attempts)
	return nil
}

// RegisterJobs adds the cleanup worker and its hourly schedule (also run at
// start) to River; pass it through jobs.Options.Register.
func (s *Service) RegisterJobs(w *river.Workers) []*river.PeriodicJob {
	if err := river.AddWorkerSafely(w, &cleanupWorker{s: s}); err != nil {
		panic(fmt.Sprintf("auth: register cleanup worker: %v", err)) // a programming error: registered twice
	}
	return []*river.PeriodicJob{river.NewPeriodicJob(
		river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return CleanupArgs{}, nil },
		&river.PeriodicJobOpts{ID: "auth_cleanup", RunOnStart: true},
	)}
}
