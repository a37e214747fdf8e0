package store_test

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/store"
)

func testHistoryOnlyOnChange(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))

	steps := []struct {
		o           store.Observation
		wantChanged bool
	}{
		{store.Observation{}, false}, // nothing seen yet: not a change
		{store.Observation{PriceMinor: ptr(1999), Currency: "EUR", Availability: store.InStock}, true}, // first value
		{store.Observation{PriceMinor: ptr(1999), Currency: "EUR", Availability: store.InStock}, false},
		{store.Observation{PriceMinor: ptr(1999), Currency: "EUR", Availability: store.InStock, Title: "new title"}, false},
		{store.Observation{PriceMinor: ptr(1799), Currency: "EUR", Availability: store.InStock}, true},
		{store.Observation{PriceMinor: ptr(1799), Currency: "EUR", Availability: store.OutOfStock}, true},
		{store.Observation{PriceMinor: ptr(1799), Currency: "USD", Availability: store.OutOfStock}, true},
		{store.Observation{PriceMinor: nil, Currency: "USD", Availability: store.OutOfStock}, true},
		{store.Observation{PriceMinor: nil, Currency: "USD", Availability: store.OutOfStock}, false},
	}
	var want []store.PricePoint
	for i, s := range steps {
		at := int64(1000 * (i + 1))
		changed, err := st.RecordObservation(c, p.ID, s.o, at)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if changed != s.wantChanged {
			t.Errorf("step %d: changed = %v, want %v", i, changed, s.wantChanged)
		}
		if changed {
			want = append(want, store.PricePoint{ProductID: p.ID, ObservedAt: at, PriceMinor: s.o.PriceMinor, Currency: s.o.Currency, Availability: s.o.Availability})
		}
		got := must[*store.Product](t)(st.GetProduct(c, p.ID))
		if got.LastCheckedAt == nil || *got.LastCheckedAt != at {
			t.Errorf("step %d: LastCheckedAt = %v, want %d on every check", i, got.LastCheckedAt, at)
		}
	}
	hist := must[[]store.PricePoint](t)(st.ListPriceHistory(c, p.ID, store.FindHistory{}))
	if len(hist) != len(want) {
		t.Fatalf("history has %d rows, want %d: %+v", len(hist), len(want), hist)
	}
	for i := range want {
		if !samePoint(hist[i], want[i]) {
			t.Errorf("history[%d] = %s, want %s", i, fmtPoint(hist[i]), fmtPoint(want[i]))
		}
	}
	got := must[*store.Product](t)(st.GetProduct(c, p.ID))
	if got.PriceMinor != nil || got.Currency != "USD" || got.Availability != store.OutOfStock || got.Title != "new title" {
		t.Errorf("product after observations: %+v", got)
	}

	_, err := st.RecordObservation(c, p.ID+1000, store.Observation{PriceMinor: ptr(1)}, 1)
	wantErr(t, err, store.ErrNotFound, "RecordObservation(missing product)")
}

func testHistoryFilters(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))
	_, q := watch(t, st, ws.ID, productURL(2))
	for i := range 10 {
		o := store.Observation{PriceMinor: ptr(int64(100 + i)), Currency: "GBP", Availability: store.InStock}
		if _, err := st.RecordObservation(c, p.ID, o, int64(i*10)); err != nil {
			t.Fatal(err)
		}
		if _, err := st.RecordObservation(c, q.ID, o, int64(i*10)); err != nil {
			t.Fatal(err)
		}
	}
	at := func(pts []store.PricePoint) []int64 {
		var out []int64
		for _, pt := range pts {
			if pt.ProductID != p.ID {
				t.Fatalf("point of product %d in product %d's history", pt.ProductID, p.ID)
			}
			out = append(out, pt.ObservedAt)
		}
		return out
	}
	tests := []struct {
		f    store.FindHistory
		want []int64
	}{
		{store.FindHistory{From: 20, To: 50}, []int64{20, 30, 40}},
		{store.FindHistory{From: 75}, []int64{80, 90}},
		{store.FindHistory{To: 10}, []int64{0}},
		{store.FindHistory{Limit: 2}, []int64{0, 10}},
		{store.FindHistory{From: 1000}, nil},
	}
	for _, tt := range tests {
		got := at(must[[]store.PricePoint](t)(st.ListPriceHistory(c, p.ID, tt.f)))
		if !slices.Equal(got, tt.want) {
			t.Errorf("ListPriceHistory(%+v) at %v, want %v", tt.f, got, tt.want)
		}
	}
}

func testObservationKeepsDescriptiveFields(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))
	full := store.Observation{Title: "T", ImageURL: "https://img/x.jpg", Brand: "B", SKU: "S", GTIN: "0123456789012", Currency: "EUR", PriceMinor: ptr(5), Availability: store.InStock}
	if _, err := st.RecordObservation(c, p.ID, full, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordObservation(c, p.ID, store.Observation{Currency: "EUR", PriceMinor: ptr(5)}, 2); err != nil {
		t.Fatal(err)
	}
	got := must[*store.Product](t)(st.GetProduct(c, p.ID))
	if got.Title != "T" || got.ImageURL != full.ImageURL || got.Brand != "B" || got.SKU != "S" || got.GTIN != full.GTIN {
		t.Errorf("empty observation fields wiped stored ones: %+v", got)
	}
	if got.Availability != store.Unknown {
		t.Errorf("empty availability recorded as %q, want unknown", got.Availability)
	}
}

func testMoneyRoundTrip(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	// 2^53+1 has no float64; MaxInt64 is the column's limit.
	for i, v := range []int64{0, 1, 1<<53 + 1, math.MaxInt64} {
		w := &store.Watch{TargetMinor: ptr(v)}
		p := &store.Product{CanonicalURL: productURL(i)}
		if _, err := st.CreateWatchForURL(c, ws.ID, p, w); err != nil {
			t.Fatal(err)
		}
		if _, err := st.RecordObservation(c, p.ID, store.Observation{PriceMinor: ptr(v), Currency: "JPY", Availability: store.InStock}, 1); err != nil {
			t.Fatalf("%d: %v", v, err)
		}
		got := must[*store.Watch](t)(st.GetWatch(c, ws.ID, w.ID))
		if got.TargetMinor == nil || *got.TargetMinor != v {
			t.Errorf("target %d came back as %v", v, got.TargetMinor)
		}
		if got.Product.PriceMinor == nil || *got.Product.PriceMinor != v || got.Product.Currency != "JPY" {
			t.Errorf("price %d JPY came back as %v %q", v, got.Product.PriceMinor, got.Product.Currency)
		}
		hist := must[[]store.PricePoint](t)(st.ListPriceHistory(c, p.ID, store.FindHistory{}))
		if len(hist) != 1 || hist[0].PriceMinor == nil || *hist[0].PriceMinor != v {
			t.Errorf("history for %d: %+v", v, hist)
		}
	}
}

func samePoint(a, b store.PricePoint) bool {
	return a.ProductID == b.ProductID && a.ObservedAt == b.ObservedAt && a.Currency == b.Currency &&
		a.Availability == b.Availability && equalPtr(a.PriceMinor, b.PriceMinor)
}

func equalPtr(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func fmtPoint(p store.PricePoint) string {
	price := "nil"
	if p.PriceMinor != nil {
		price = fmt.Sprint(*p.PriceMinor)
	}
	return fmt.Sprintf("{at %d %s %s %s}", p.ObservedAt, price, p.Currency, p.Availability)
}

// Workers racing on one product must not both see the old price and write
// the same change twice.
func testRecordObservationConcurrent(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))
	const n = 6
	var wg sync.WaitGroup
	changed := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			o := store.Observation{PriceMinor: ptr(500), Currency: "EUR", Availability: store.InStock}
			changed[i], errs[i] = st.RecordObservation(c, p.ID, o, int64(100+i))
		})
	}
	wg.Wait()
	nChanged := 0
	for i := range n {
		if errs[i] != nil {
			t.Errorf("goroutine %d: %v", i, errs[i])
		}
		if changed[i] {
			nChanged++
		}
	}
	hist := must[[]store.PricePoint](t)(st.ListPriceHistory(c, p.ID, store.FindHistory{}))
	if nChanged != 1 || len(hist) != 1 {
		t.Errorf("%d observations reported a change and history has %d rows; want 1 and 1", nChanged, len(hist))
	}
}
