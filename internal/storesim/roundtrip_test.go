package storesim

import (
	"fmt"
	"io"
	"math/big"
	"net/http/httptest"
	"sort"
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/extract"
)

// fetchPage renders product id through the handler, as a client would see it.
func fetchPage(t testing.TB, st *Store, id int) ([]byte, string) {
	t.Helper()
	h := st.Handler()
	path := st.URL(id)
	req := httptest.NewRequest("GET", "http://shop.test"+path, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("GET %s: %d", path, rec.Code)
	}
	b, _ := io.ReadAll(rec.Body)
	return b, "http://shop.test" + path
}

func samePrice(got, want string) bool {
	a, ok1 := new(big.Rat).SetString(got)
	b, ok2 := new(big.Rat).SetString(want)
	return ok1 && ok2 && a.Cmp(b) == 0
}

// TestExtractRoundTrip: for products across every layout, currency and stock
// state, the project's extractor reads exactly the simulated truth.
func TestExtractRoundTrip(t *testing.T) {
	st := New(Options{Products: 400, Seed: 7, Layouts: AllLayouts()})
	total, bad := map[string]int{}, map[string]int{}
	shown := 0
	for id := 1; id <= st.Len(); id++ {
		p, _ := st.Product(id)
		body, url := fetchPage(t, st, id)
		o := extract.Extract(body, url, extract.Options{})
		it := st.items[id-1]
		groups := []string{"all", string(p.Layout), p.Currency, string(p.Availability), fmt.Sprintf("theme%d", it.priceTheme())}
		for bit, name := range map[uint8]string{extraStickyBar: "+sticky-bar", extraRelatedList: "+related-itemlist", extraAppState: "+app-state",
			extraNumericPrice: "+ld-number-price", extraInlineMicroprice: "+inline-microprice"} {
			applies := bit != extraNumericPrice && bit != extraInlineMicroprice ||
				bit == extraNumericPrice && (p.Layout == LayoutJSONLD || p.Layout == LayoutJSONLDEnd) ||
				bit == extraInlineMicroprice && p.Layout == LayoutMicrodata
			if it.extra(bit) && applies {
				groups = append(groups, name)
			}
		}
		if p.ListPrice != "" {
			groups = append(groups, "+sale")
		}
		if it.decoy != decoyNone {
			groups = append(groups, fmt.Sprintf("+decoy%d", it.decoy))
		}
		for _, g := range groups {
			total[g]++
		}
		want := p.Price
		if samePrice(o.Price, want) && o.Currency == p.Currency && string(o.Availability) == string(p.Availability) && o.Title == p.Title {
			continue
		}
		for _, g := range groups {
			bad[g]++
		}
		if shown < 15 {
			shown++
			t.Errorf("product %d %v: got price %q %q %s %q (source %s); want %q %q %s %q (list %q, decoy %d)",
				id, groups, o.Price, o.Currency, o.Availability, o.Title, o.Source, want, p.Currency, p.Availability, p.Title, p.ListPrice, it.decoy)
		}
	}
	var keys []string
	for k := range total {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%-18s %3d pages, %d wrong", k, total[k], bad[k])
	}
}
