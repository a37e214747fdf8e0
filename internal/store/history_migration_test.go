package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// Migration 00009 partitions price_history on PostgreSQL (and adds the
// rollup tables on both engines): history written before it survives, row
// for row, including rows older than any partition; going down keeps it too;
// and a database upgraded with history rolls it up.
func TestHistoryMigrationKeepsRows(t *testing.T) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			d := dbtest.OpenUnmigrated(t, eng)
			c := ctx(t)
			p := migrator(t, eng, d)
			if _, err := p.UpTo(c, 8); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Write.ExecContext(c, `INSERT INTO products (url, canonical_url, domain, next_check_at, created_at, updated_at)
				VALUES ('https://s.example/p', 'https://s.example/p', 's.example', 1, 1, 1)`); err != nil {
				t.Fatal(err)
			}
			now := time.Now().UnixMilli()
			// 1970 (older than any partition), a year ago, last month, now.
			times := []int64{1000, now - 365*store.DayMS, now - 31*store.DayMS, now}
			for i, at := range times {
				if _, err := d.Write.ExecContext(c, `INSERT INTO price_history (product_id, observed_at, price_minor, currency, availability)
					SELECT id, $1, $2, 'EUR', 'in_stock' FROM products`, at, 100+i); err != nil {
					t.Fatal(err)
				}
			}
			want := fmt.Sprint(times, []int{100, 101, 102, 103})
			rows := func() string {
				t.Helper()
				r, err := d.Read.QueryContext(c, `SELECT observed_at, price_minor FROM price_history ORDER BY observed_at`)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				var ats []int64
				var prices []int
				for r.Next() {
					var at int64
					var pr int
					if err := r.Scan(&at, &pr); err != nil {
						t.Fatal(err)
					}
					ats, prices = append(ats, at), append(prices, pr)
				}
				if err := r.Err(); err != nil {
					t.Fatal(err)
				}
				return fmt.Sprint(ats, prices)
			}
			if _, err := p.UpTo(c, 9); err != nil {
				t.Fatal(err)
			}
			if got := rows(); got != want {
				t.Errorf("after 00009: %s, want %s", got, want)
			}
			if eng == db.Postgres {
				var parts int
				if err := d.Read.QueryRowContext(c, `SELECT count(*) FROM pg_inherits WHERE inhparent = 'price_history'::regclass`).Scan(&parts); err != nil {
					t.Fatal(err)
				}
				// DEFAULT, 12 or 13 months back to the year-old row, 3 ahead.
				if parts < 1+13+3 || parts > 1+14+3 {
					t.Errorf("%d partitions after 00009, want 17 or 18", parts)
				}
				var idx int
				if err := d.Read.QueryRowContext(c, `SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'price_history_product_observed'`).Scan(&idx); err != nil || idx != 1 {
					t.Errorf("index price_history_product_observed: %d (%v)", idx, err)
				}
			}
			if _, err := p.DownTo(c, 8); err != nil {
				t.Fatal(err)
			}
			if got := rows(); got != want {
				t.Errorf("after going down: %s, want %s", got, want)
			}
			if err := d.Migrate(c); err != nil {
				t.Fatal(err)
			}
			if got := rows(); got != want {
				t.Errorf("after going up again: %s, want %s", got, want)
			}
			st := store.New(d)
			stats, err := st.RollupHistory(c, now+store.DayMS, 0)
			if err != nil {
				t.Fatal(err)
			}
			if stats.Products != 1 || stats.Days != 4 {
				t.Errorf("rollup of the upgraded history: %+v, want 1 product and 4 days", stats)
			}
		})
	}
}
