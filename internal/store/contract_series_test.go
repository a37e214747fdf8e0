package store_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// TestSeriesContract runs the history rollup, retention, partition and chart
// series tests on every engine, each on its own database.
func TestSeriesContract(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fn   func(t *testing.T, d *db.DB, st *store.Store)
	}{
		{"RollupStepFunction", testRollupStepFunction},
		{"RollupIncremental", testRollupIncremental},
		{"RollupCurrencyAndNoPrice", testRollupCurrencyAndNoPrice},
		{"SeriesRaw", testSeriesRaw},
		{"SeriesBadRange", testSeriesBadRange},
		{"PruneHistory", testPruneHistory},
		{"EnsurePartitions", testEnsurePartitions},
	}
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			dbtest.SkipUnlessAvailable(t, eng)
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					d := dbtest.Open(t, eng)
					tc.fn(t, d, store.New(d))
				})
			}
		})
	}
}

// day0 is a Monday midnight (UTC) in the past; tests place rows around it.
var day0 = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC).UnixMilli()

func at(day int, hour int) int64 { return day0 + int64(day)*store.DayMS + int64(hour)*3600_000 }

type obs struct {
	at    int64
	price *int64
	cur   string
	avail string
}

func record(t *testing.T, st *store.Store, productID int64, rows ...obs) {
	t.Helper()
	for _, r := range rows {
		changed, err := st.RecordObservation(ctx(t), productID, store.Observation{PriceMinor: r.price, Currency: r.cur, Availability: r.avail}, r.at)
		if err != nil {
			t.Fatal(err)
		}
		if !changed {
			t.Fatalf("observation at %d did not change anything: the test means every row to be history", r.at)
		}
	}
}

func fmtInt(p *int64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

func fmtDay(d store.DayOHLC) string {
	return fmt.Sprintf("{day %+d %s O%s H%s L%s C%s in-stock %.4f changes %d}", (d.Day-day0)/store.DayMS, d.Currency,
		fmtInt(d.Open), fmtInt(d.High), fmtInt(d.Low), fmtInt(d.Close), d.InStockShare, d.Changes)
}

func checkDays(t *testing.T, got, want []store.DayOHLC) {
	t.Helper()
	same := len(got) == len(want)
	for i := 0; same && i < len(got); i++ {
		g, w := got[i], want[i]
		same = g.Day == w.Day && g.Currency == w.Currency && fmtInt(g.Open) == fmtInt(w.Open) && fmtInt(g.High) == fmtInt(w.High) &&
			fmtInt(g.Low) == fmtInt(w.Low) && fmtInt(g.Close) == fmtInt(w.Close) && g.Changes == w.Changes &&
			math.Abs(g.InStockShare-w.InStockShare) < 1e-9
	}
	if !same {
		var gs, ws []string
		for _, d := range got {
			gs = append(gs, fmtDay(d))
		}
		for _, d := range want {
			ws = append(ws, fmtDay(d))
		}
		t.Errorf("days:\n got %v\nwant %v", gs, ws)
	}
}

func checkPoints(t *testing.T, got []store.SeriesPoint, want ...obs) {
	t.Helper()
	same := len(got) == len(want)
	for i := 0; same && i < len(got); i++ {
		same = got[i].At == want[i].at && fmtInt(got[i].PriceMinor) == fmtInt(want[i].price) &&
			got[i].Currency == want[i].cur && got[i].Availability == want[i].avail
	}
	if !same {
		var gs, ws []string
		for _, p := range got {
			gs = append(gs, fmt.Sprintf("{%d %s %s %s}", p.At, fmtInt(p.PriceMinor), p.Currency, p.Availability))
		}
		for _, p := range want {
			ws = append(ws, fmt.Sprintf("{%d %s %s %s}", p.at, fmtInt(p.price), p.cur, p.avail))
		}
		t.Errorf("points:\n got %v\nwant %v", gs, ws)
	}
}

func series(t *testing.T, st *store.Store, productID, from, to int64) *store.Series {
	t.Helper()
	return must[*store.Series](t)(st.PriceSeries(ctx(t), productID, from, to))
}

// One product's change-only history over four days becomes a step function:
// the first day counts from its first row, the quiet day carries the close,
// and the day before the watermark is the last rolled up.
func testRollupStepFunction(t *testing.T, _ *db.DB, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))
	_, other := watch(t, st, ws.ID, productURL(2))
	rows := []obs{
		{at(0, 10), ptr(100), "EUR", store.InStock},
		{at(0, 16), ptr(80), "EUR", store.OutOfStock},
		{at(0, 22), ptr(90), "EUR", store.InStock},
		{at(2, 6), ptr(120), "EUR", store.InStock},
	}
	record(t, st, p.ID, rows...)
	record(t, st, other.ID, obs{at(1, 1), ptr(5), "GBP", store.InStock})

	now := at(3, 12)
	stats := must[store.RollupStats](t)(st.RollupHistory(c, now, 1))
	if stats.Products != 2 || stats.Days != 3 || stats.Watermark != now-store.RollupLagMS {
		t.Errorf("rollup stats %+v, want 2 products, 3 days (with changes), watermark now - lag", stats)
	}
	if w := must[int64](t)(st.RollupWatermark(c)); w != now-store.RollupLagMS {
		t.Errorf("watermark %d, want %d", w, now-store.RollupLagMS)
	}
	s := series(t, st, p.ID, at(-100, 0), now)
	if !s.Daily {
		t.Error("a 103-day range is not daily")
	}
	checkDays(t, s.Days, []store.DayOHLC{
		// 14 known hours, in stock 10–16 and 22–24.
		{Day: at(0, 0), Currency: "EUR", Open: ptr(100), High: ptr(100), Low: ptr(80), Close: ptr(90), InStockShare: 8.0 / 14, Changes: 3},
		{Day: at(1, 0), Currency: "EUR", Open: ptr(90), High: ptr(90), Low: ptr(90), Close: ptr(90), InStockShare: 1},
		{Day: at(2, 0), Currency: "EUR", Open: ptr(90), High: ptr(120), Low: ptr(90), Close: ptr(120), InStockShare: 1, Changes: 1},
	})
	// Day 3 is not rolled up yet: raw from its start, with the row in force.
	checkPoints(t, s.Points, rows[3])

	// A range that ends inside the rolled-up days has no raw part.
	s = series(t, st, p.ID, at(-100, 0), at(1, 5))
	checkDays(t, s.Days, []store.DayOHLC{
		{Day: at(0, 0), Currency: "EUR", Open: ptr(100), High: ptr(100), Low: ptr(80), Close: ptr(90), InStockShare: 8.0 / 14, Changes: 3},
		{Day: at(1, 0), Currency: "EUR", Open: ptr(90), High: ptr(90), Low: ptr(90), Close: ptr(90), InStockShare: 1},
	})
	if len(s.Points) != 0 {
		t.Errorf("%d raw points for a range of rolled-up days", len(s.Points))
	}
	// A range starting after the last change still carries it.
	s = series(t, st, p.ID, at(2, 12), at(2, 12)+100*store.DayMS)
	checkDays(t, s.Days, []store.DayOHLC{
		{Day: at(2, 0), Currency: "EUR", Open: ptr(90), High: ptr(120), Low: ptr(90), Close: ptr(120), InStockShare: 1, Changes: 1},
	})
	checkPoints(t, s.Points, rows[3])
}

// Rows after the watermark recompute only their days, carrying the close
// of the last rollup; a run with nothing new touches nothing.
func testRollupIncremental(t *testing.T, _ *db.DB, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))
	record(t, st, p.ID, obs{at(0, 12), ptr(200), "USD", store.OutOfStock})
	must[store.RollupStats](t)(st.RollupHistory(c, at(1, 12), 0))
	record(t, st, p.ID, obs{at(2, 6), ptr(150), "USD", store.InStock})
	stats := must[store.RollupStats](t)(st.RollupHistory(c, at(3, 12), 0))
	if stats.Products != 1 || stats.Days != 1 {
		t.Errorf("second run %+v, want 1 product and 1 day", stats)
	}
	stats = must[store.RollupStats](t)(st.RollupHistory(c, at(3, 13), 0))
	if stats.Products != 0 || stats.Days != 0 {
		t.Errorf("run with nothing new %+v, want nothing done", stats)
	}
	s := series(t, st, p.ID, at(0, 0), at(0, 0)+100*store.DayMS)
	checkDays(t, s.Days, []store.DayOHLC{
		{Day: at(0, 0), Currency: "USD", Open: ptr(200), High: ptr(200), Low: ptr(200), Close: ptr(200), InStockShare: 0, Changes: 1},
		{Day: at(1, 0), Currency: "USD", Open: ptr(200), High: ptr(200), Low: ptr(200), Close: ptr(200), InStockShare: 0},
		{Day: at(2, 0), Currency: "USD", Open: ptr(200), High: ptr(200), Low: ptr(150), Close: ptr(150), InStockShare: 18.0 / 24, Changes: 1},
	})
	checkPoints(t, s.Points, obs{at(2, 6), ptr(150), "USD", store.InStock})
}

// A day that switches currency is summarised in the close's currency; a
// close without a price is nil, and carried as nil.
func testRollupCurrencyAndNoPrice(t *testing.T, _ *db.DB, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))
	record(t, st, p.ID,
		obs{at(0, 0), ptr(100), "EUR", store.InStock},
		obs{at(0, 6), ptr(300), "USD", store.InStock},
		obs{at(0, 12), ptr(200), "USD", store.PreOrder},
		obs{at(0, 18), nil, "USD", store.OutOfStock},
	)
	must[store.RollupStats](t)(st.RollupHistory(c, at(2, 12), 0))
	s := series(t, st, p.ID, at(0, 0), at(0, 0)+200*store.DayMS)
	checkDays(t, s.Days, []store.DayOHLC{
		{Day: at(0, 0), Currency: "USD", Open: ptr(300), High: ptr(300), Low: ptr(200), Close: nil, InStockShare: 0.5, Changes: 4},
		{Day: at(1, 0), Currency: "USD", InStockShare: 0},
	})
	checkPoints(t, s.Points, obs{at(0, 18), nil, "USD", store.OutOfStock})
}

// Ranges up to 90 days are raw: the rows in [from, to] and the one in force
// at from.
func testSeriesRaw(t *testing.T, _ *db.DB, st *store.Store) {
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))
	_, q := watch(t, st, ws.ID, productURL(2))
	rows := []obs{
		{at(0, 10), ptr(100), "EUR", store.InStock},
		{at(0, 16), ptr(80), "EUR", store.OutOfStock},
		{at(0, 22), nil, "EUR", store.Unknown},
		{at(2, 6), ptr(120), "EUR", store.InStock},
	}
	record(t, st, p.ID, rows...)
	record(t, st, q.ID, obs{at(0, 12), ptr(1), "EUR", store.InStock})
	tests := []struct {
		from, to int64
		want     []obs
	}{
		{at(0, 12), at(2, 6), []obs{rows[0], rows[1], rows[2], rows[3]}},
		{at(0, 12), at(2, 5), []obs{rows[0], rows[1], rows[2]}},
		{at(0, 16), at(0, 16), []obs{rows[0], rows[1]}}, // the one before from, and the one at it
		{at(-5, 0), at(0, 10), []obs{rows[0]}},
		{at(-5, 0), at(0, 9), nil},
		{at(3, 0), at(3, 0) + store.RawSeriesMaxMS, []obs{rows[3]}},
	}
	for _, tt := range tests {
		s := series(t, st, p.ID, tt.from, tt.to)
		if s.Daily || len(s.Days) != 0 {
			t.Errorf("[%d, %d]: Daily %v with %d days, want raw", tt.from, tt.to, s.Daily, len(s.Days))
		}
		checkPoints(t, s.Points, tt.want...)
	}
	if s := series(t, st, p.ID+1000, at(0, 0), at(3, 0)); len(s.Points) != 0 {
		t.Errorf("unknown product has %d points", len(s.Points))
	}
	// Nothing rolled up yet: a long range is daily with raw points only.
	s := series(t, st, p.ID, at(-200, 0), at(3, 0))
	if !s.Daily || len(s.Days) != 0 {
		t.Errorf("long range before any rollup: Daily %v, %d days", s.Daily, len(s.Days))
	}
	checkPoints(t, s.Points, rows...)
}

func testSeriesBadRange(t *testing.T, _ *db.DB, st *store.Store) {
	_, err := st.PriceSeries(ctx(t), 1, 10, 9)
	wantErr(t, err, store.ErrInvalid, "PriceSeries(to < from)")
}

// Retention deletes raw rows only of rolled-up days, keeps each product's
// last row before the cutoff, and the long-range chart (rollups) is the same
// afterwards. On PostgreSQL the months wholly before the cutoff are dropped
// as partitions.
func testPruneHistory(t *testing.T, d *db.DB, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))
	_, quiet := watch(t, st, ws.ID, productURL(2))
	jan := func(day, hour int) int64 { return at(day, hour) } // day0 is 5 January
	var rows []obs
	for i := range 60 { // one change a day from 5 January to 5 March
		avail := store.InStock
		if i%7 == 3 {
			avail = store.OutOfStock
		}
		rows = append(rows, obs{jan(i, 9), ptr(int64(1000 + i%5*10)), "EUR", avail})
	}
	record(t, st, p.ID, rows...)
	record(t, st, quiet.ID, obs{jan(1, 0), ptr(7), "EUR", store.InStock}) // never changes again

	if d.Engine == db.Postgres {
		// The migration made partitions only around its own time: these
		// months' rows are in the DEFAULT partition and move out.
		n := must[int](t)(st.EnsurePartitions(c, time.UnixMilli(jan(0, 0)), time.UnixMilli(jan(60, 0))))
		if n != 3 {
			t.Errorf("EnsurePartitions created %d partitions, want 3 (Jan, Feb, Mar 2026)", n)
		}
	}
	// Rolled up to 20 February: pruning before 1 March stops at 20 February.
	rolled := jan(46, 12) // 20 February 12:00
	must[store.RollupStats](t)(st.RollupHistory(c, rolled, 7))
	longBefore := series(t, st, p.ID, jan(-1, 0), jan(100, 0))

	march1 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	ps := must[store.PruneStats](t)(st.PruneHistory(c, march1, 1))
	if feb20 := jan(46, 0); ps.Cutoff != feb20 {
		t.Errorf("cutoff %d, want the watermark's day %d", ps.Cutoff, feb20)
	}
	left := must[[]store.PricePoint](t)(st.ListPriceHistory(c, p.ID, store.FindHistory{}))
	// Kept: 19 February (the last before the cutoff) and 20 February on.
	if len(left) != 60-45 || left[0].ObservedAt != jan(45, 9) {
		t.Fatalf("%d rows left, first at %d; want %d from %d", len(left), left[0].ObservedAt, 60-45, jan(45, 9))
	}
	if q := must[[]store.PricePoint](t)(st.ListPriceHistory(c, quiet.ID, store.FindHistory{})); len(q) != 1 || q[0].ObservedAt != jan(1, 0) {
		t.Errorf("the quiet product's only row was pruned: %+v", q)
	}
	if d.Engine == db.Postgres {
		if ps.PartitionsDropped != 1 || ps.RowsDeleted != 45-27 {
			t.Errorf("prune %+v: want January dropped (its last row kept) and February's 18 rows before the 19th deleted", ps)
		}
	} else if ps.PartitionsDropped != 0 || ps.RowsDeleted != 45 {
		t.Errorf("prune %+v: want 45 rows deleted", ps)
	}

	// The left edge of a short chart after the cutoff is still right.
	s := series(t, st, p.ID, jan(50, 0), jan(52, 0))
	checkPoints(t, s.Points, rows[49], rows[50], rows[51])
	s = series(t, st, p.ID, jan(30, 0), jan(47, 0))
	checkPoints(t, s.Points, rows[45], rows[46])
	s = series(t, st, quiet.ID, jan(50, 0), jan(52, 0))
	checkPoints(t, s.Points, obs{jan(1, 0), ptr(7), "EUR", store.InStock})

	// Rollups are kept: the long chart is unchanged.
	checkDays(t, series(t, st, p.ID, jan(-1, 0), jan(100, 0)).Days, longBefore.Days)
	if len(longBefore.Days) != 46 {
		t.Errorf("%d rolled-up days, want 46 (5 January to 19 February)", len(longBefore.Days))
	}

	// Pruning again finds nothing more to do.
	ps = must[store.PruneStats](t)(st.PruneHistory(c, march1, 0))
	if ps.RowsDeleted != 0 || ps.PartitionsDropped != 0 {
		t.Errorf("second prune %+v, want nothing", ps)
	}
}

// EnsurePartitions is idempotent and a no-op on SQLite; on PostgreSQL the
// migration made the current month and three ahead.
func testEnsurePartitions(t *testing.T, d *db.DB, st *store.Store) {
	c := ctx(t)
	now := time.Now()
	n := must[int](t)(st.EnsurePartitions(c, now, now.AddDate(0, store.PartitionsAhead, 0)))
	if n != 0 {
		t.Errorf("EnsurePartitions after the migration created %d, want 0", n)
	}
	n = must[int](t)(st.EnsurePartitions(c, now, now.AddDate(0, 5, 0)))
	if d.Engine == db.SQLite {
		if n != 0 {
			t.Errorf("SQLite created %d partitions", n)
		}
		return
	}
	if n != 2 {
		t.Errorf("five months ahead created %d, want 2", n)
	}
	if n := must[int](t)(st.EnsurePartitions(c, now, now.AddDate(0, 5, 0))); n != 0 {
		t.Errorf("second call created %d", n)
	}
	var parts int
	if err := d.Read.QueryRowContext(c, `SELECT count(*) FROM pg_inherits WHERE inhparent = 'price_history'::regclass`).Scan(&parts); err != nil {
		t.Fatal(err)
	}
	if parts != 1+1+5 { // DEFAULT, this month, five ahead
		t.Errorf("%d partitions, want 7", parts)
	}
	// A row lands in its month's partition.
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))
	record(t, st, p.ID, obs{now.UnixMilli(), ptr(1), "EUR", store.InStock})
	var in string
	if err := d.Read.QueryRowContext(c, `SELECT tableoid::regclass::text FROM price_history WHERE product_id = $1`, p.ID).Scan(&in); err != nil {
		t.Fatal(err)
	}
	if want := "price_history_p" + now.UTC().Format("200601"); in != want {
		t.Errorf("row in %s, want %s", in, want)
	}
}
