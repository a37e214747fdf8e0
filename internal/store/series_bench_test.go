package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// BenchmarkPriceSeries is the chart's query for a product with 100,000 raw
// history rows over a year (a change every ~5 minutes: the worst product
// there is): raw ranges of 30 and 90 days, and a year from rollups. The
// goal (issue 8) is chart data in ≤ 30 ms.
//
//	go test ./internal/store/ -run '^$' -bench PriceSeries -benchmem
func BenchmarkPriceSeries(b *testing.B) {
	for _, eng := range dbtest.Engines() {
		b.Run(string(eng), func(b *testing.B) {
			d := dbtest.Open(b, eng)
			st := store.New(d)
			ctx := context.Background()
			ws, err := st.EnsureWorkspace(ctx, "b", "B")
			if err != nil {
				b.Fatal(err)
			}
			p := &store.Product{CanonicalURL: "https://shop.example/p/1"}
			if _, err := st.CreateWatchForURL(ctx, ws.ID, p, &store.Watch{}); err != nil {
				b.Fatal(err)
			}
			const rows = 100_000
			now := time.Now().UnixMilli()
			start := now - 365*store.DayMS
			step := 365 * store.DayMS / rows
			if eng == db.Postgres {
				if _, err := st.EnsurePartitions(ctx, time.UnixMilli(start), time.UnixMilli(now)); err != nil {
					b.Fatal(err)
				}
			}
			gen := `WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < $1 - 1) SELECT i FROM s`
			if eng == db.Postgres {
				gen = `SELECT i FROM generate_series(0, $1::bigint - 1) AS s(i)`
			}
			if _, err := d.Write.ExecContext(ctx, `INSERT INTO price_history (product_id, observed_at, price_minor, currency, availability)
				SELECT $2, $3 + i * $4, 1000 + (i * 7919) % 500, 'EUR', CASE WHEN i % 50 = 0 THEN 'out_of_stock' ELSE 'in_stock' END
				FROM (`+gen+`) AS g`, rows, p.ID, start, step); err != nil {
				b.Fatal(err)
			}
			if eng == db.Postgres {
				if _, err := d.Write.ExecContext(ctx, `ANALYZE price_history`); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := st.RollupHistory(ctx, now, 0); err != nil {
				b.Fatal(err)
			}
			for _, bc := range []struct {
				name string
				span int64
				want func(*store.Series) bool
			}{
				{"raw30d", 30 * store.DayMS, func(s *store.Series) bool { return !s.Daily && len(s.Points) > 8000 }},
				{"raw90d", 90 * store.DayMS, func(s *store.Series) bool { return !s.Daily && len(s.Points) > 24000 }},
				{"rollups1y", 365 * store.DayMS, func(s *store.Series) bool { return s.Daily && len(s.Days) >= 364 }},
			} {
				b.Run(bc.name, func(b *testing.B) {
					b.ReportAllocs()
					var s *store.Series
					for b.Loop() {
						if s, err = st.PriceSeries(ctx, p.ID, now-bc.span, now); err != nil {
							b.Fatal(err)
						}
					}
					if !bc.want(s) {
						b.Fatalf("unexpected series: daily %v, %d points, %d days", s.Daily, len(s.Points), len(s.Days))
					}
					b.ReportMetric(float64(len(s.Points)+len(s.Days)), "rows/op")
				})
			}
		})
	}
}
