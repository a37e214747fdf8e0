package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// ImportHistory and CheckSoon, on every engine (the contract suite's
// helpers, its own databases).
func TestImportHistory(t *testing.T) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			dbtest.SkipUnlessAvailable(t, eng)
			for _, tc := range []contractTest{
				{"Rows", testImportHistoryRows},
				{"Invalid", testImportHistoryInvalid},
				{"OlderThanChecks", testImportHistoryOlderThanChecks},
				{"CheckSoon", testCheckSoon},
			} {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					tc.fn(t, store.New(dbtest.Open(t, eng)))
				})
			}
		})
	}
}

func historyCount(t *testing.T, st *store.Store, productID int64) int {
	t.Helper()
	return len(must[[]store.PricePoint](t)(st.ListPriceHistory(ctx(t), productID, store.FindHistory{Limit: 100000})))
}

// Rows of two products in no order, more than one INSERT's worth, come back
// in time order; each product then shows its newest row.
func testImportHistoryRows(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))
	_, q := watch(t, st, ws.ID, productURL(2))
	day := 24 * time.Hour.Milliseconds()
	now := time.Now().UnixMilli()
	start := now - 1300*day
	var rows []store.HistoryImportRow
	const n = 1200 // three INSERT batches for p
	for i := n - 1; i >= 0; i-- {
		avail := store.InStock
		if i%10 == 9 {
			avail = store.OutOfStock
		}
		rows = append(rows, store.HistoryImportRow{ProductID: p.ID, ObservedAt: start + int64(i)*day, PriceMinor: ptr(int64(10000 + i)),
			Currency: "EUR", Availability: avail})
	}
	rows = append(rows,
		store.HistoryImportRow{ProductID: q.ID, ObservedAt: start + 5, PriceMinor: ptr(0), Currency: "JPY", Availability: store.PreOrder},
		store.HistoryImportRow{ProductID: q.ID, ObservedAt: start + 9, PriceMinor: nil, Currency: "JPY", Availability: store.Unknown},
		store.HistoryImportRow{ProductID: q.ID, ObservedAt: start + 7, PriceMinor: ptr(1500), Currency: "JPY", Availability: store.BackOrder},
	)
	if err := st.ImportHistory(c, rows); err != nil {
		t.Fatal(err)
	}
	hist := must[[]store.PricePoint](t)(st.ListPriceHistory(c, p.ID, store.FindHistory{Limit: 100000}))
	if len(hist) != n {
		t.Fatalf("product p: %d rows, want %d", len(hist), n)
	}
	for i, h := range hist {
		want := store.PricePoint{ProductID: p.ID, ObservedAt: start + int64(i)*day, PriceMinor: ptr(int64(10000 + i)), Currency: "EUR", Availability: store.InStock}
		if i%10 == 9 {
			want.Availability = store.OutOfStock
		}
		if !samePoint(h, want) {
			t.Fatalf("p history[%d] = %s, want %s", i, fmtPoint(h), fmtPoint(want))
		}
	}
	got := must[*store.Product](t)(st.GetProduct(c, p.ID))
	if got.PriceMinor == nil || *got.PriceMinor != 10000+n-1 || got.Currency != "EUR" || got.Availability != store.OutOfStock {
		t.Errorf("p after import: %v %s %s, want %d EUR out_of_stock (its newest row)", got.PriceMinor, got.Currency, got.Availability, 10000+n-1)
	}
	if got.LastCheckedAt != nil {
		t.Errorf("p after import: last checked %d; an import is not a check", *got.LastCheckedAt)
	}
	qh := must[[]store.PricePoint](t)(st.ListPriceHistory(c, q.ID, store.FindHistory{}))
	if len(qh) != 3 || *qh[0].PriceMinor != 0 || *qh[1].PriceMinor != 1500 || qh[2].PriceMinor != nil {
		t.Fatalf("q history: %+v", qh)
	}
	gq := must[*store.Product](t)(st.GetProduct(c, q.ID))
	if gq.PriceMinor != nil || gq.Currency != "JPY" || gq.Availability != store.Unknown {
		t.Errorf("q after import: %v %s %s, want no price, JPY, unknown", gq.PriceMinor, gq.Currency, gq.Availability)
	}
	// A check that sees the newest row's values again is no change.
	changed := must[bool](t)(st.RecordObservation(c, p.ID, store.Observation{PriceMinor: ptr(10000 + n - 1), Currency: "EUR",
		Availability: store.OutOfStock}, time.Now().UnixMilli()))
	if changed || historyCount(t, st, p.ID) != n {
		t.Errorf("a check at the imported price: changed = %v, %d rows; want no change", changed, historyCount(t, st, p.ID))
	}
	// The rollup job's watermark moved back to the oldest imported row, so
	// its next run rolls the imported days up.
	if _, err := st.DB().Write.ExecContext(c, `UPDATE history_rollup_state SET watermark = $1`, now); err != nil {
		t.Fatal(err)
	}
	if err := st.ImportHistory(c, []store.HistoryImportRow{{ProductID: q.ID, ObservedAt: start - day, PriceMinor: ptr(1), Currency: "JPY", Availability: store.InStock}}); err != nil {
		t.Fatal(err)
	}
	if w := must[int64](t)(st.RollupWatermark(c)); w != start-day {
		t.Errorf("rollup watermark %d after importing a row at %d", w, start-day)
	}
	if _, err := st.RollupHistory(c, time.Now().UnixMilli(), 0); err != nil {
		t.Fatal(err)
	}
	if w := must[int64](t)(st.RollupWatermark(c)); w <= start {
		t.Errorf("rollup watermark %d after a rollup run, want it past the imported rows", w)
	}
	if s := must[*store.Series](t)(st.PriceSeries(c, p.ID, start, now)); !s.Daily || len(s.Days) < n-100 {
		t.Errorf("a chart of the imported years: daily %v, %d days; want the imported days rolled up", s.Daily, len(s.Days))
	}
	if err := st.ImportHistory(c, nil); err != nil {
		t.Errorf("no rows: %v", err)
	}
}

// Each bad row is refused with ErrInvalid (or ErrNotFound for a missing
// product) and nothing of its batch is written, not even the good rows.
func testImportHistoryInvalid(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))
	now := time.Now().UnixMilli()
	good := store.HistoryImportRow{ProductID: p.ID, ObservedAt: now - 60_000, PriceMinor: ptr(999), Currency: "USD", Availability: store.InStock}
	bad := func(f func(r *store.HistoryImportRow)) store.HistoryImportRow {
		r := good
		r.ObservedAt = now - 120_000
		f(&r)
		return r
	}
	for _, tc := range []struct {
		name string
		row  store.HistoryImportRow
		want error
	}{
		{"lower-case currency", bad(func(r *store.HistoryImportRow) { r.Currency = "usd" }), store.ErrInvalid},
		{"long currency", bad(func(r *store.HistoryImportRow) { r.Currency = "EURO" }), store.ErrInvalid},
		{"no currency", bad(func(r *store.HistoryImportRow) { r.Currency = "" }), store.ErrInvalid},
		{"digits for currency", bad(func(r *store.HistoryImportRow) { r.Currency = "E1R" }), store.ErrInvalid},
		{"negative price", bad(func(r *store.HistoryImportRow) { r.PriceMinor = ptr(-1) }), store.ErrInvalid},
		{"future", bad(func(r *store.HistoryImportRow) { r.ObservedAt = now + time.Hour.Milliseconds() }), store.ErrInvalid},
		{"zero time", bad(func(r *store.HistoryImportRow) { r.ObservedAt = 0 }), store.ErrInvalid},
		{"availability", bad(func(r *store.HistoryImportRow) { r.Availability = "sold out" }), store.ErrInvalid},
		{"no product id", bad(func(r *store.HistoryImportRow) { r.ProductID = 0 }), store.ErrInvalid},
		{"same time twice", bad(func(r *store.HistoryImportRow) { r.ObservedAt = good.ObservedAt }), store.ErrInvalid},
		{"missing product", bad(func(r *store.HistoryImportRow) { r.ProductID = p.ID + 1000 }), store.ErrNotFound},
	} {
		err := st.ImportHistory(c, []store.HistoryImportRow{good, tc.row})
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.want)
		}
		if errors.Is(tc.want, store.ErrInvalid) && err != nil && tc.name != "same time twice" && !strings.Contains(err.Error(), "row 1") {
			t.Errorf("%s: error %q does not name the row", tc.name, err)
		}
		if n := historyCount(t, st, p.ID); n != 0 {
			t.Fatalf("%s: %d rows written by a refused import", tc.name, n)
		}
	}
	got := must[*store.Product](t)(st.GetProduct(c, p.ID))
	if got.PriceMinor != nil || got.Currency != "" {
		t.Errorf("product changed by refused imports: %v %s", got.PriceMinor, got.Currency)
	}
}

// Rows older than what checks recorded leave the product as the newest
// check left it.
func testImportHistoryOlderThanChecks(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))
	now := time.Now().UnixMilli()
	if _, err := st.RecordObservation(c, p.ID, store.Observation{PriceMinor: ptr(2500), Currency: "GBP", Availability: store.InStock}, now-1000); err != nil {
		t.Fatal(err)
	}
	err := st.ImportHistory(c, []store.HistoryImportRow{
		{ProductID: p.ID, ObservedAt: now - 10*86_400_000, PriceMinor: ptr(2700), Currency: "GBP", Availability: store.InStock},
		{ProductID: p.ID, ObservedAt: now - 5*86_400_000, PriceMinor: ptr(2600), Currency: "GBP", Availability: store.OutOfStock},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := must[*store.Product](t)(st.GetProduct(c, p.ID))
	if *got.PriceMinor != 2500 || got.Availability != store.InStock || historyCount(t, st, p.ID) != 3 {
		t.Errorf("after importing older rows: %d %s, %d rows; want 2500 in_stock, 3 rows", *got.PriceMinor, got.Availability, historyCount(t, st, p.ID))
	}
}

func testCheckSoon(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))
	_, q := watch(t, st, ws.ID, productURL(2))
	_, r := watch(t, st, ws.ID, productURL(3))
	later := time.Now().Add(time.Hour).UnixMilli()
	if _, err := st.DB().Write.ExecContext(c, `UPDATE products SET next_check_at = $1`, later); err != nil {
		t.Fatal(err)
	}
	at := time.Now().UnixMilli()
	if n := must[int64](t)(st.CheckSoon(c, at, p.ID, q.ID)); n != 2 {
		t.Errorf("CheckSoon moved %d products, want 2", n)
	}
	// Never later than it was: a second call for a later time moves nothing.
	if n := must[int64](t)(st.CheckSoon(c, at+5000, p.ID, q.ID)); n != 0 {
		t.Errorf("CheckSoon for a later time moved %d products, want 0", n)
	}
	for _, tc := range []struct {
		id   int64
		want int64
	}{{p.ID, at}, {q.ID, at}, {r.ID, later}} {
		if got := must[*store.Product](t)(st.GetProduct(c, tc.id)).NextCheckAt; got != tc.want {
			t.Errorf("product %d due at %d, want %d", tc.id, got, tc.want)
		}
	}
	if n := must[int64](t)(st.CheckSoon(c, at)); n != 0 {
		t.Errorf("CheckSoon of no products moved %d", n)
	}
	due := must[[]store.Product](t)(st.ClaimDue(c, "w", at, time.Minute, 10))
	if len(due) != 2 {
		t.Errorf("claimed %d products after CheckSoon, want 2", len(due))
	}
}
