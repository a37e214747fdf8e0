package monitor

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/jobs"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// The confirm re-check through River itself: the job is inserted in the
// check's transaction on both engines, runs, re-checks the page and the
// change becomes final.
func TestConfirmThroughRiver(t *testing.T) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t, eng)
			st := store.New(d)
			f := newFixture(t, st)
			p := f.add(t, 1, "200.00")
			conf := &JobsConfirmer{Delay: 100 * time.Millisecond}
			m := f.monitor(t, "w1", conf)
			r, err := jobs.New(d, st, jobs.Options{Register: m.Register})
			if err != nil {
				t.Fatal(err)
			}
			conf.Runner = r
			runOnce(t, m) // the first price, before River runs: nothing to confirm

			f.shop.set(p.URL, productPage("Product 1", "20.00", "EUR", "InStock"))
			f.due(t)
			runOnce(t, m)
			got, err := st.GetProduct(t.Context(), p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.PendingChange == "" || *got.PriceMinor != 20000 {
				t.Fatalf("the 90 %% drop was not held: %+v", got)
			}
			var queued int
			if err := d.Read.QueryRowContext(t.Context(), "SELECT count(*) FROM river_job WHERE kind = $1", ConfirmArgs{}.Kind()).Scan(&queued); err != nil {
				t.Fatal(err)
			}
			if queued != 1 {
				t.Fatalf("%d confirm jobs queued with the held change, want 1", queued)
			}

			if err := r.Start(t.Context()); err != nil {
				t.Fatal(err)
			}
			defer func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				if err := r.Stop(ctx); err != nil {
					t.Errorf("stop: %v", err)
				}
			}()
			deadline := time.Now().Add(30 * time.Second)
			for {
				evs, err := st.ListEvents(t.Context(), p.ID, 10)
				if err != nil {
					t.Fatal(err)
				}
				if len(evs) > 0 {
					var kinds []string
					for _, e := range evs {
						kinds = append(kinds, e.Kind)
					}
					if !slices.Equal(kinds, []string{store.EventPriceChanged}) || !strings.Contains(evs[0].Data, `"confirmed":true`) {
						t.Fatalf("events %v %s", kinds, evs[0].Data)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the confirm re-check did not run")
				}
				time.Sleep(50 * time.Millisecond)
			}
			got, err = st.GetProduct(context.WithoutCancel(t.Context()), p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if *got.PriceMinor != 2000 || got.PendingChange != "" || got.LeaseOwner != "" {
				t.Fatalf("after the confirm: %+v", got)
			}
		})
	}
}
