package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// BenchmarkRecordChecks times a worker's group commit of 32 checks:
// "unchanged" is 304s (the common case), "changed" a new price on every
// page (a history row and an event each). On PostgreSQL:
//
//	SHELFWATCH_TEST_DATABASE_URL=postgres://… go test -run '^$' -bench RecordChecks ./internal/store/
func BenchmarkRecordChecks(b *testing.B) {
	for _, eng := range dbtest.Engines() {
		for _, kind := range []string{"unchanged", "changed"} {
			b.Run(fmt.Sprintf("%s/%s", eng, kind), func(b *testing.B) {
				benchRecordChecks(b, eng, kind == "changed")
			})
		}
	}
}

func benchRecordChecks(b *testing.B, eng db.Engine, changed bool) {
	const group = 32
	st := store.New(dbtest.Open(b, eng))
	c := b.Context()
	ws, err := st.EnsureWorkspace(c, "a", "A")
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]int64, group)
	for i := range ids {
		p := &store.Product{CanonicalURL: fmt.Sprintf("https://shop%d.example/p/%d", i%4, i)}
		if _, err := st.CreateWatchForURL(c, ws.ID, p, &store.Watch{}); err != nil {
			b.Fatal(err)
		}
		ids[i] = p.ID
	}
	at := time.Now().UnixMilli()
	rs := make([]store.CheckResult, group)
	b.ResetTimer()
	for n := range b.N {
		at++
		for i, id := range ids {
			price := int64(1000 + n%2)
			r := store.CheckResult{ProductID: id, At: at, Owner: "w", Kind: store.CheckUnchanged, Outcome: "not_modified", LatencyMS: 3}
			if changed || n == 0 {
				r.Kind, r.Outcome = store.CheckSeen, "ok"
				r.Observation = &store.Observation{Title: "Thing", PriceMinor: &price, Currency: "EUR", Availability: store.InStock}
			}
			rs[i] = r
		}
		if _, err := st.RecordChecks(c, rs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*group)/b.Elapsed().Seconds(), "checks/s")
}
