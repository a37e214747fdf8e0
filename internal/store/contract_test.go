package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// contractTests run against every engine, each on its own database (a temp
// SQLite file, or a fresh PostgreSQL schema).
func contractTests() []contractTest {
	return []contractTest{
		{"Workspaces", testWorkspaces},
		{"Users", testUsers},
		{"Members", testMembers},
		{"NewProductDefaults", testNewProductDefaults},
		{"CreateWatchForURL", testCreateWatchForURL},
		{"CreateWatchNoPartialWrite", testCreateWatchNoPartialWrite},
		{"CreateWatchConcurrentSameURL", testCreateWatchConcurrentSameURL},
		{"CreateWatchConcurrentSameWorkspace", testCreateWatchConcurrentSameWorkspace},
		{"TenantIsolation", testTenantIsolation},
		{"DeleteWatch", testDeleteWatch},
		{"ListWatchesPagination", testListWatchesPagination},
		{"HistoryOnlyOnChange", testHistoryOnlyOnChange},
		{"HistoryFilters", testHistoryFilters},
		{"RecordObservationConcurrent", testRecordObservationConcurrent},
		{"ObservationKeepsDescriptiveFields", testObservationKeepsDescriptiveFields},
		{"MoneyRoundTrip", testMoneyRoundTrip},
		{"Events", testEvents},
		{"PruneEvents", testPruneEvents},
		{"CascadeDeletes", testCascadeDeletes},
	}
}

type contractTest struct {
	name string
	fn   func(t *testing.T, st *store.Store)
}

func TestContract(t *testing.T) {
	t.Parallel()
	runContract(t, contractTests())
}

// runContract runs tests on every engine, each on a database of its own.
func runContract(t *testing.T, tests []contractTest) {
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			dbtest.SkipUnlessAvailable(t, eng)
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					tc.fn(t, store.New(dbtest.Open(t, eng)))
				})
			}
		})
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return c
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func wantErr(t *testing.T, err, want error, what string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: error = %v, want %v", what, err, want)
	}
}

func ptr(v int64) *int64 { return &v }

func workspace(t *testing.T, st *store.Store, slug string) *store.Workspace {
	t.Helper()
	return must[*store.Workspace](t)(st.EnsureWorkspace(ctx(t), slug, "WS "+slug))
}

// watch creates a watch of url in ws and returns it and its product.
func watch(t *testing.T, st *store.Store, ws int64, url string) (*store.Watch, *store.Product) {
	t.Helper()
	p := &store.Product{CanonicalURL: url}
	w := &store.Watch{}
	if _, err := st.CreateWatchForURL(ctx(t), ws, p, w); err != nil {
		t.Fatalf("CreateWatchForURL(%d, %s): %v", ws, url, err)
	}
	return w, p
}

func productURL(i int) string { return fmt.Sprintf("https://shop.example/p/%d", i) }
