package catalog

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/jobs"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// One scan job per catalog watch at a time: a second insert while the
// first waits is skipped, on both engines; another catalog watch's is not.
func TestScanJobsAreUnique(t *testing.T) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t, eng)
			st := store.New(d)
			svc, err := New(Options{Store: st})
			if err != nil {
				t.Fatal(err)
			}
			runner, err := jobs.New(d, st, jobs.Options{Register: svc.RegisterWith(nil)})
			if err != nil {
				t.Fatal(err)
			}
			svc.Jobs = runner // not started: jobs stay available
			ctx := t.Context()
			insert := func(id int64, manual bool) *rivertype.JobInsertResult {
				t.Helper()
				args := ScanArgs{CatalogWatchID: id, Manual: manual}
				opts := args.InsertOpts()
				res, err := runner.Insert(ctx, args, &opts)
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			if res := insert(1, false); res.UniqueSkippedAsDuplicate {
				t.Fatal("first scan job skipped")
			}
			if res := insert(1, true); !res.UniqueSkippedAsDuplicate {
				t.Error("a second scan job of the same catalog watch (manual or not) was inserted")
			}
			if res := insert(2, false); res.UniqueSkippedAsDuplicate {
				t.Error("another catalog watch's scan job was skipped")
			}
		})
	}
}

type recordingInserter struct {
	mu   sync.Mutex
	args []ScanArgs
}

func (r *recordingInserter) Insert(_ context.Context, args river.JobArgs, _ *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.args = append(r.args, args.(ScanArgs))
	return &rivertype.JobInsertResult{}, nil
}

// The periodic job enqueues the due, unpaused catalog watches only.
func TestDueJobEnqueuesDue(t *testing.T) {
	t.Parallel()
	st := store.New(dbtest.Open(t, db.SQLite))
	ctx := t.Context()
	ws, err := st.EnsureWorkspace(ctx, "w", "W")
	if err != nil {
		t.Fatal(err)
	}
	now := time.UnixMilli(1_780_000_000_000)
	mk := func(url string, next time.Time, paused bool) int64 {
		c := &store.CatalogWatch{WorkspaceID: ws.ID, URL: url, Interval: time.Hour, NextScanAt: next.UnixMilli(), Paused: paused}
		if err := st.CreateCatalogWatch(ctx, c); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	due := mk("https://a.example/", now.Add(-time.Minute), false)
	mk("https://b.example/", now.Add(time.Minute), false)
	mk("https://c.example/", now.Add(-time.Minute), true)
	ins := &recordingInserter{}
	svc, err := New(Options{Store: st, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	svc.Jobs = ins
	if err := (&dueWorker{s: svc}).Work(ctx, &river.Job[DueArgs]{}); err != nil {
		t.Fatal(err)
	}
	if len(ins.args) != 1 || ins.args[0].CatalogWatchID != due || ins.args[0].Manual {
		t.Errorf("enqueued %+v, want one automatic scan of %d", ins.args, due)
	}
}
