package jobs_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/jobs"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

type noteArgs struct {
	Note string `json:"note"`
}

func (noteArgs) Kind() string { return "test_note" }

type noteWorker struct {
	river.WorkerDefaults[noteArgs]
	mu   sync.Mutex
	seen []string
}

func (w *noteWorker) Work(ctx context.Context, job *river.Job[noteArgs]) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen = append(w.seen, job.Args.Note)
	return nil
}

func (w *noteWorker) notes() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.seen...)
}

// A job inserted in a store transaction exists exactly when that transaction
// commits, on both engines (on PostgreSQL through db.PgxTx).
func TestInsertTxCommitsWithTheChange(t *testing.T) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			testInsertTx(t, eng)
		})
	}
}

func testInsertTx(t *testing.T, eng db.Engine) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	d := dbtest.Open(t, eng)
	st := store.New(d)
	w := &noteWorker{}
	r, err := jobs.New(d, st, jobs.Options{Logger: testLogger(t), Register: func(ws *river.Workers) []*river.PeriodicJob {
		river.AddWorker(ws, w)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	countJobs := func() int {
		var n int
		if err := d.Read.QueryRowContext(ctx, "SELECT count(*) FROM river_job WHERE kind = 'test_note'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	countWorkspaces := func(slug string) int {
		var n int
		if err := d.Read.QueryRowContext(ctx, "SELECT count(*) FROM workspaces WHERE slug = $1", slug).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Rolled back: neither the change nor the job.
	boom := errors.New("boom")
	err = d.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO workspaces (slug, name, created_at) VALUES ('rolled', 'R', 1)"); err != nil {
			return err
		}
		if _, err := r.InsertTx(ctx, tx, noteArgs{Note: "rolled back"}, nil); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Tx = %v, want boom", err)
	}
	if n := countJobs(); n != 0 {
		t.Fatalf("%d jobs after rollback, want 0", n)
	}
	if n := countWorkspaces("rolled"); n != 0 {
		t.Fatalf("the rolled-back row exists")
	}

	// Committed: both, and the job is invisible to others until the commit.
	err = d.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO workspaces (slug, name, created_at) VALUES ('kept', 'K', 1)"); err != nil {
			return err
		}
		if _, err := r.InsertTx(ctx, tx, noteArgs{Note: "committed"}, nil); err != nil {
			return err
		}
		// A unique insert takes River's other path (and a savepoint on pgx).
		if _, err := r.InsertTx(ctx, tx, noteArgs{Note: "unique"}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}); err != nil {
			return err
		}
		if n := countJobs(); n != 0 {
			t.Errorf("%d jobs visible before commit, want 0", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := countJobs(); n != 2 {
		t.Fatalf("%d jobs after commit, want 2", n)
	}
	if n := countWorkspaces("kept"); n != 1 {
		t.Fatalf("the committed row is missing")
	}

	// A *sql.Tx from outside DB.Tx is refused, not silently run elsewhere.
	if eng == db.Postgres {
		tx, err := d.Write.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = r.InsertTx(ctx, tx, noteArgs{Note: "stray"}, nil)
		_ = tx.Rollback()
		if !errors.Is(err, db.ErrNoPgxTx) {
			t.Fatalf("InsertTx with a foreign tx = %v, want ErrNoPgxTx", err)
		}
	}

	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = r.Stop(ctx)
	})
	for {
		got := w.notes()
		if len(got) == 2 {
			for _, n := range got {
				if n != "committed" && n != "unique" {
					t.Fatalf("ran %q", n)
				}
			}
			return
		}
		if len(got) > 2 {
			t.Fatalf("ran %v", got)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("jobs not run: %v", got)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
