package bench

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// The seed writes what it says, on both engines: change-only history whose
// newest row is the product's state, rollups identical to what the rollup
// job computes from that history, the watches, and it refuses to seed again.
func TestSeed(t *testing.T) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			dbtest.SkipUnlessAvailable(t, eng)
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			o := SeedOptions{DataDir: t.TempDir(), Products: 500, HistoryDays: 120, DashboardWatches: 50, Batch: 170, Seed: 7,
				Now: time.Date(2026, 6, 15, 13, 0, 0, 0, time.UTC)}
			if eng == db.Postgres {
				o.DatabaseURL = dbtest.PostgresURL(t)
			}
			res, err := Seed(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			// ≈ 0.2 moves a day on average plus stock spells over ~100 days.
			if per := float64(res.HistoryRows) / 500; per < 8 || per > 60 {
				t.Errorf("%.1f history rows per product, want a realistic 8…60", per)
			}
			if res.Watches != 550 || res.RollupRows == 0 {
				t.Errorf("result %+v: want 550 watches and some rollups", res)
			}
			if _, err := Seed(ctx, o); !errors.Is(err, ErrNotEmpty) {
				t.Errorf("seeding again: %v, want ErrNotEmpty", err)
			}

			d, err := db.Open(ctx, db.Options{URL: o.DatabaseURL, DataDir: o.DataDir})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			count := func(q string) int64 {
				t.Helper()
				var n int64
				if err := d.Read.QueryRowContext(ctx, q).Scan(&n); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				return n
			}
			if n := count(`SELECT count(*) FROM price_history`); n != res.HistoryRows {
				t.Errorf("%d history rows, result says %d", n, res.HistoryRows)
			}
			if n := count(`SELECT count(*) FROM products p JOIN price_history h ON h.product_id = p.id
				AND h.observed_at = (SELECT MAX(observed_at) FROM price_history x WHERE x.product_id = p.id)
				WHERE NOT (p.availability = h.availability AND p.currency = h.currency
					AND COALESCE(p.price_minor, -1) = COALESCE(h.price_minor, -1))`); n != 0 {
				t.Errorf("%d products differ from their newest history row", n)
			}
			if n := count(`SELECT count(*) FROM price_history h JOIN price_history n ON n.product_id = h.product_id
				AND n.observed_at = (SELECT MIN(observed_at) FROM price_history x WHERE x.product_id = h.product_id AND x.observed_at > h.observed_at)
				WHERE n.availability = h.availability AND n.currency = h.currency AND COALESCE(n.price_minor, -1) = COALESCE(h.price_minor, -1)`); n != 0 {
				t.Errorf("%d history rows repeat the row before them (history must be change-only)", n)
			}
			if n := count(`SELECT count(DISTINCT domain) FROM products`); n < 50 {
				t.Errorf("products over %d domains, want many", n)
			}
			if n := count(`SELECT count(DISTINCT currency) FROM products`); n < 5 {
				t.Errorf("%d currencies, want many", n)
			}

			seeded := dump(t, ctx, d)
			if _, err := d.Write.ExecContext(ctx, `DELETE FROM price_daily`); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Write.ExecContext(ctx, `UPDATE history_rollup_state SET watermark = 0`); err != nil {
				t.Fatal(err)
			}
			stats, err := store.New(d).RollupHistory(ctx, o.Now.UnixMilli(), 0)
			if err != nil {
				t.Fatal(err)
			}
			if int64(stats.Days) != res.RollupRows {
				t.Errorf("the rollup job wrote %d days, the seed %d", stats.Days, res.RollupRows)
			}
			if again := dump(t, ctx, d); again != seeded {
				t.Errorf("rollups recomputed by the job differ from the seed's")
			}
		})
	}
}

func dump(t *testing.T, ctx context.Context, d *db.DB) string {
	t.Helper()
	rows, err := d.Read.QueryContext(ctx, `SELECT product_id, day, currency, open_minor, high_minor, low_minor, close_minor,
		close_availability, in_stock_share, changes FROM price_daily ORDER BY product_id, day`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var r store.DailyRollup
		if err := rows.Scan(&r.ProductID, &r.Day, &r.Currency, &r.Open, &r.High, &r.Low, &r.Close, &r.CloseAvailability, &r.InStockShare, &r.Changes); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%d %d %s %v %v %v %v %s %.9f %d\n", r.ProductID, r.Day, r.Currency, deref(r.Open), deref(r.High), deref(r.Low),
			deref(r.Close), r.CloseAvailability, r.InStockShare, r.Changes)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}
