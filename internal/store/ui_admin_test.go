package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/jobs"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

func TestListAdminUsers(t *testing.T) {
	runOnEngines(t, func(t *testing.T, st *store.Store) {
		c := ctx(t)
		a := workspace(t, st, "a")
		b := workspace(t, st, "b")
		ada := user(t, st, "ada@example.com")
		bob := user(t, st, "bob@example.com")
		member(t, st, a.ID, ada.ID, store.RoleOwner)
		member(t, st, b.ID, ada.ID, store.RoleViewer)
		for _, at := range []int64{1000, 5000, 3000} {
			if err := st.Audit(c, store.AuditEntry{At: at, ActorUserID: ada.ID, Action: store.AuditSignIn}); err != nil {
				t.Fatal(err)
			}
		}
		// A failed sign-in is not a sign-in.
		if err := st.Audit(c, store.AuditEntry{At: 9000, ActorUserID: bob.ID, Action: store.AuditSignInFailed}); err != nil {
			t.Fatal(err)
		}
		list := must[[]store.AdminUser](t)(st.ListAdminUsers(c))
		if len(list) != 2 || list[0].Email != "ada@example.com" || list[1].Email != "bob@example.com" {
			t.Fatalf("users = %+v", list)
		}
		if list[0].Workspaces != 2 || list[0].LastSignIn == nil || *list[0].LastSignIn != 5000 {
			t.Fatalf("ada = %+v", list[0])
		}
		if list[1].Workspaces != 0 || list[1].LastSignIn != nil {
			t.Fatalf("bob = %+v", list[1])
		}
	})
}

func TestListDomainProducts(t *testing.T) {
	runOnEngines(t, func(t *testing.T, st *store.Store) {
		c := ctx(t)
		ws := workspace(t, st, "a")
		watch(t, st, ws.ID, "https://shop.example/p/1")
		watch(t, st, ws.ID, "https://shop.example/p/2")
		watch(t, st, ws.ID, "https://other.example/p/1")
		list := must[[]store.DomainProduct](t)(st.ListDomainProducts(c, "shop.example", 10))
		if len(list) != 2 {
			t.Fatalf("products of shop.example = %+v", list)
		}
		for _, p := range list {
			if p.URL != "https://shop.example/p/1" && p.URL != "https://shop.example/p/2" {
				t.Fatalf("foreign product %+v", p)
			}
		}
		if one := must[[]store.DomainProduct](t)(st.ListDomainProducts(c, "shop.example", 1)); len(one) != 1 {
			t.Fatalf("limit 1 gave %d", len(one))
		}
	})
}

type failArgs struct{}

func (failArgs) Kind() string { return "ui_admin_fail" }

type failWorker struct {
	river.WorkerDefaults[failArgs]
}

func (failWorker) Work(context.Context, *river.Job[failArgs]) error {
	return errors.New("boom: the store said no")
}

// The jobs page reads River's own table: a job River discarded shows with
// its last error and time, a scheduled one counts as scheduled, on both
// engines (their river_job columns differ in type).
func TestJobCountsAndDeadJobs(t *testing.T) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t, eng)
			st := store.New(d)
			c := ctx(t)
			r, err := jobs.New(d, st, jobs.Options{Register: func(w *river.Workers) []*river.PeriodicJob {
				river.AddWorker(w, failWorker{})
				return nil
			}})
			if err != nil {
				t.Fatal(err)
			}
			before := time.Now().Add(-time.Second).UnixMilli()
			if _, err := r.Insert(c, failArgs{}, &river.InsertOpts{MaxAttempts: 1}); err != nil {
				t.Fatal(err)
			}
			if _, err := r.Insert(c, failArgs{}, &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			if err := r.Start(c); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = r.Stop(context.Background()) }()
			var dead []store.DeadJob
			deadline := time.Now().Add(30 * time.Second)
			for len(dead) == 0 {
				if time.Now().After(deadline) {
					t.Fatal("the failing job was not discarded within 30 s")
				}
				time.Sleep(50 * time.Millisecond)
				dead = must[[]store.DeadJob](t)(st.ListDeadJobs(c, 10))
			}
			j := dead[0]
			if j.Kind != "ui_admin_fail" || j.Queue != river.QueueDefault || j.Attempt != 1 || j.MaxAttempts != 1 ||
				j.LastError != "boom: the store said no" {
				t.Fatalf("dead job = %+v", j)
			}
			if j.FinalizedAt < before || j.FinalizedAt > time.Now().Add(time.Second).UnixMilli() {
				t.Fatalf("finalized at %d, want about now (%d)", j.FinalizedAt, time.Now().UnixMilli())
			}
			counts := must[[]store.JobCount](t)(st.JobCounts(c))
			got := map[string]int64{}
			for _, n := range counts {
				if n.Kind == "ui_admin_fail" {
					got[n.State] += n.Count
				}
			}
			if got["discarded"] != 1 || got["scheduled"] != 1 || len(got) != 2 {
				t.Fatalf("counts of ui_admin_fail = %v (all: %+v)", got, counts)
			}
		})
	}
}
