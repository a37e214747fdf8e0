package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/store"
)

// The catalog contract runs on every engine like TestContract.
func TestCatalogContract(t *testing.T) {
	t.Parallel()
	tests := []contractTest{
		{"CreateGetListDelete", testCatalogCRUD},
		{"TenantIsolation", testCatalogTenants},
		{"Patch", testCatalogPatch},
		{"BaselineThenAnnounce", testCatalogBaselineThenAnnounce},
		{"AnnounceExisting", testCatalogAnnounceExisting},
		{"ConcurrentScansAnnounceOnce", testCatalogConcurrentScans},
		{"BadScanWritesNothing", testCatalogBadScan},
		{"FailureAndDue", testCatalogFailureAndDue},
		{"ItemsPagination", testCatalogItemsPagination},
		{"ProductEventsUnaffected", testCatalogProductEvents},
		{"BigBaselineInParts", testCatalogBigBaseline},
		{"EventHook", testCatalogEventHook},
	}
	runContract(t, tests)
}

func catalogWatch(t *testing.T, st *store.Store, ws int64, url string, include ...string) *store.CatalogWatch {
	t.Helper()
	c := &store.CatalogWatch{WorkspaceID: ws, URL: url, Include: include, Interval: 6 * time.Hour}
	if err := st.CreateCatalogWatch(ctx(t), c); err != nil {
		t.Fatalf("CreateCatalogWatch: %v", err)
	}
	return c
}

func scanItems(urls ...string) []store.CatalogScanItem {
	out := make([]store.CatalogScanItem, len(urls))
	for i, u := range urls {
		out[i] = store.CatalogScanItem{CanonicalURL: u, Title: "T " + u, Matched: true}
	}
	return out
}

func testCatalogCRUD(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	cw := catalogWatch(t, st, ws.ID, "https://shop.example/", "lego")
	if cw.ID == 0 || cw.NextScanAt == 0 || cw.CreatedAt == 0 || len(cw.Exclude) != 0 {
		t.Errorf("created %+v", cw)
	}
	wantErr(t, st.CreateCatalogWatch(c, &store.CatalogWatch{WorkspaceID: ws.ID, URL: "https://shop.example/", Interval: time.Hour}),
		store.ErrConflict, "same URL twice in a workspace")
	wantErr(t, st.CreateCatalogWatch(c, &store.CatalogWatch{WorkspaceID: ws.ID, URL: "https://x.example/"}),
		store.ErrInvalid, "no interval")
	wantErr(t, st.CreateCatalogWatch(c, &store.CatalogWatch{WorkspaceID: ws.ID + 99, URL: "https://x.example/", Interval: time.Hour}),
		store.ErrNotFound, "unknown workspace")

	got := must[*store.CatalogWatch](t)(st.GetCatalogWatch(c, ws.ID, cw.ID))
	if got.URL != cw.URL || len(got.Include) != 1 || got.Include[0] != "lego" || got.Interval != 6*time.Hour || got.Scans != 0 {
		t.Errorf("GetCatalogWatch = %+v", got)
	}
	second := catalogWatch(t, st, ws.ID, "https://other.example/sitemap.xml")
	list := must[[]store.CatalogWatch](t)(st.ListCatalogWatches(c, ws.ID, store.FindCatalogWatches{}))
	if len(list) != 2 || list[0].ID != second.ID || list[1].ID != cw.ID {
		t.Errorf("ListCatalogWatches = %+v, want newest first", list)
	}
	must[*store.CatalogScanResult](t)(st.RecordCatalogScan(c, cw.ID, store.CatalogScan{Items: scanItems("https://shop.example/p/1")}))
	if err := st.DeleteCatalogWatch(c, ws.ID, cw.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, st.DeleteCatalogWatch(c, ws.ID, cw.ID), store.ErrNotFound, "delete twice")
	_, err := st.GetCatalogWatch(c, ws.ID, cw.ID)
	wantErr(t, err, store.ErrNotFound, "get deleted")
	if evs := must[[]store.CatalogEvent](t)(st.ListCatalogEvents(c, cw.ID, 0)); len(evs) != 0 {
		t.Errorf("events of a deleted catalog watch remain: %+v", evs)
	}
}

func testCatalogTenants(t *testing.T, st *store.Store) {
	c := ctx(t)
	a, b := workspace(t, st, "a"), workspace(t, st, "b")
	cw := catalogWatch(t, st, a.ID, "https://shop.example/")
	// The same store may be watched by another workspace.
	catalogWatch(t, st, b.ID, "https://shop.example/")
	_, err := st.GetCatalogWatch(c, b.ID, cw.ID)
	wantErr(t, err, store.ErrNotFound, "get from another workspace")
	_, err = st.PatchCatalogWatch(c, b.ID, cw.ID, store.UpdateCatalogWatch{Name: new("x")})
	wantErr(t, err, store.ErrNotFound, "patch from another workspace")
	wantErr(t, st.ScheduleCatalogScan(c, b.ID, cw.ID, 1), store.ErrNotFound, "scan from another workspace")
	_, err = st.ListCatalogItems(c, b.ID, cw.ID, store.FindCatalogItems{})
	wantErr(t, err, store.ErrNotFound, "items from another workspace")
	wantErr(t, st.DeleteCatalogWatch(c, b.ID, cw.ID), store.ErrNotFound, "delete from another workspace")
	if l := must[[]store.CatalogWatch](t)(st.ListCatalogWatches(c, b.ID, store.FindCatalogWatches{})); len(l) != 1 || l[0].ID == cw.ID {
		t.Errorf("workspace b lists %+v", l)
	}
	must[*store.CatalogWatch](t)(st.GetCatalogWatch(c, a.ID, cw.ID))
}

func testCatalogPatch(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	cw := catalogWatch(t, st, ws.ID, "https://shop.example/", "lego")
	got := must[*store.CatalogWatch](t)(st.PatchCatalogWatch(c, ws.ID, cw.ID, store.UpdateCatalogWatch{
		Exclude: &[]string{"duplo"}, Paused: new(true), AutoWatch: new(true)}))
	if got.Include[0] != "lego" || got.Exclude[0] != "duplo" || !got.Paused || !got.AutoWatch || got.AnnounceExisting {
		t.Errorf("patched %+v", got)
	}
	again := must[*store.CatalogWatch](t)(st.GetCatalogWatch(c, ws.ID, cw.ID))
	if again.Exclude[0] != "duplo" || !again.Paused {
		t.Errorf("re-read %+v", again)
	}
	zero := time.Duration(0)
	_, err := st.PatchCatalogWatch(c, ws.ID, cw.ID, store.UpdateCatalogWatch{Interval: &zero, Name: new("changed")})
	wantErr(t, err, store.ErrInvalid, "zero interval")
	if after := must[*store.CatalogWatch](t)(st.GetCatalogWatch(c, ws.ID, cw.ID)); after.Name != "" || after.Interval != 6*time.Hour {
		t.Errorf("a refused patch wrote %+v", after)
	}
	// A paused watch is never due.
	if ids := must[[]int64](t)(st.DueCatalogWatches(c, time.Now().Add(time.Hour).UnixMilli(), 0)); len(ids) != 0 {
		t.Errorf("paused watch due: %v", ids)
	}
}

func testCatalogBaselineThenAnnounce(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	cw := catalogWatch(t, st, ws.ID, "https://shop.example/")
	first := must[*store.CatalogScanResult](t)(st.RecordCatalogScan(c, cw.ID, store.CatalogScan{At: 1000,
		Items: scanItems("https://shop.example/p/1", "https://shop.example/p/2", "https://shop.example/p/1")}))
	if !first.Baseline || first.New != 2 || len(first.Announced) != 0 {
		t.Errorf("baseline result %+v", first)
	}
	items := scanItems("https://shop.example/p/1", "https://shop.example/p/2", "https://shop.example/p/3", "https://shop.example/p/4")
	items[3].Matched = false
	price := int64(1999)
	items[2].PriceMinor, items[2].Currency = &price, "EUR"
	second := must[*store.CatalogScanResult](t)(st.RecordCatalogScan(c, cw.ID, store.CatalogScan{At: 2000, Items: items}))
	if second.Baseline || second.New != 2 || len(second.Announced) != 1 || second.Announced[0].CanonicalURL != "https://shop.example/p/3" {
		t.Fatalf("second result %+v", second)
	}
	third := must[*store.CatalogScanResult](t)(st.RecordCatalogScan(c, cw.ID, store.CatalogScan{At: 3000, Items: items}))
	if third.New != 0 || len(third.Announced) != 0 {
		t.Errorf("third result %+v, want nothing new", third)
	}
	evs := must[[]store.CatalogEvent](t)(st.ListCatalogEvents(c, cw.ID, 0))
	if len(evs) != 1 || evs[0].Kind != store.EventNewProduct || evs[0].At != 2000 {
		t.Fatalf("events %+v", evs)
	}
	var d store.NewProductData
	if err := json.Unmarshal([]byte(evs[0].Data), &d); err != nil {
		t.Fatal(err)
	}
	if d.CatalogWatchID != cw.ID || d.WorkspaceID != ws.ID || d.URL != "https://shop.example/p/3" || d.Title != "T https://shop.example/p/3" ||
		d.PriceMinor == nil || *d.PriceMinor != 1999 || d.Currency != "EUR" || d.CatalogItemID == 0 {
		t.Errorf("event data %+v", d)
	}
	got := must[*store.CatalogWatch](t)(st.GetCatalogWatch(c, ws.ID, cw.ID))
	if got.Scans != 3 || got.ItemsSeen != 4 || got.LastScanItems != 4 || got.LastScanNew != 0 || *got.LastScanAt != 3000 ||
		got.NextScanAt != 3000+(6*time.Hour).Milliseconds() {
		t.Errorf("watch after scans %+v", got)
	}
	feed := must[[]store.CatalogItem](t)(st.ListCatalogItems(c, ws.ID, cw.ID, store.FindCatalogItems{}))
	if len(feed) != 4 || feed[0].CanonicalURL != "https://shop.example/p/4" || feed[0].Matched || feed[0].Announced ||
		!feed[1].Announced || feed[1].EventID == nil || *feed[1].EventID != evs[0].ID {
		t.Errorf("feed %+v", feed)
	}
	ann := must[[]store.CatalogItem](t)(st.ListCatalogItems(c, ws.ID, cw.ID, store.FindCatalogItems{AnnouncedOnly: true}))
	if len(ann) != 1 || ann[0].CanonicalURL != "https://shop.example/p/3" {
		t.Errorf("announced-only feed %+v", ann)
	}
}

func testCatalogAnnounceExisting(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	cw := &store.CatalogWatch{WorkspaceID: ws.ID, URL: "https://shop.example/", Interval: time.Hour, AnnounceExisting: true}
	if err := st.CreateCatalogWatch(c, cw); err != nil {
		t.Fatal(err)
	}
	items := scanItems("https://shop.example/p/1", "https://shop.example/p/2")
	items[1].Matched = false
	res := must[*store.CatalogScanResult](t)(st.RecordCatalogScan(c, cw.ID, store.CatalogScan{Items: items}))
	if !res.Baseline || res.New != 2 || len(res.Announced) != 1 {
		t.Errorf("first scan with announce_existing: %+v", res)
	}
}

// Two scans of the same items racing (a retried job beside a slow one)
// announce each product once: the seen-set key decides.
func testCatalogConcurrentScans(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	cw := catalogWatch(t, st, ws.ID, "https://shop.example/")
	must[*store.CatalogScanResult](t)(st.RecordCatalogScan(c, cw.ID, store.CatalogScan{}))
	var urls []string
	for i := range 20 {
		urls = append(urls, fmt.Sprintf("https://shop.example/p/%d", i))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	announced := 0
	for range 4 {
		wg.Go(func() {
			res, err := st.RecordCatalogScan(c, cw.ID, store.CatalogScan{Items: scanItems(urls...)})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			announced += len(res.Announced)
			mu.Unlock()
		})
	}
	wg.Wait()
	if announced != 20 {
		t.Errorf("%d announcements over racing scans, want 20", announced)
	}
	if evs := must[[]store.CatalogEvent](t)(st.ListCatalogEvents(c, cw.ID, 1000)); len(evs) != 20 {
		t.Errorf("%d events, want 20", len(evs))
	}
}

func testCatalogBadScan(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	cw := catalogWatch(t, st, ws.ID, "https://shop.example/")
	must[*store.CatalogScanResult](t)(st.RecordCatalogScan(c, cw.ID, store.CatalogScan{}))
	items := scanItems("https://shop.example/p/1", "https://shop.example/p/2")
	items[1].Currency = "EURO"
	_, err := st.RecordCatalogScan(c, cw.ID, store.CatalogScan{Items: items})
	wantErr(t, err, store.ErrInvalid, "bad currency")
	items = scanItems("https://shop.example/p/1", "")
	_, err = st.RecordCatalogScan(c, cw.ID, store.CatalogScan{Items: items})
	wantErr(t, err, store.ErrInvalid, "no canonical URL")
	if feed := must[[]store.CatalogItem](t)(st.ListCatalogItems(c, ws.ID, cw.ID, store.FindCatalogItems{})); len(feed) != 0 {
		t.Errorf("a refused scan wrote %+v", feed)
	}
	_, err = st.RecordCatalogScan(c, cw.ID+100, store.CatalogScan{})
	wantErr(t, err, store.ErrNotFound, "scan of a missing catalog watch")
}

func testCatalogFailureAndDue(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	a := catalogWatch(t, st, ws.ID, "https://a.example/")
	b := catalogWatch(t, st, ws.ID, "https://b.example/")
	now := time.Now().UnixMilli()
	if ids := must[[]int64](t)(st.DueCatalogWatches(c, now+1, 0)); len(ids) != 2 {
		t.Fatalf("new catalog watches due: %v, want both", ids)
	}
	if err := st.RecordCatalogScanFailure(c, a.ID, now, "robots.txt disallows", now+60_000); err != nil {
		t.Fatal(err)
	}
	if ids := must[[]int64](t)(st.DueCatalogWatches(c, now+1, 0)); len(ids) != 1 || ids[0] != b.ID {
		t.Errorf("due after a's failure: %v, want only b", ids)
	}
	got := must[*store.CatalogWatch](t)(st.GetCatalogWatch(c, ws.ID, a.ID))
	if got.ConsecutiveFailures != 1 || got.LastError != "robots.txt disallows" || got.NextScanAt != now+60_000 || got.Scans != 0 {
		t.Errorf("after failure %+v", got)
	}
	must[*store.CatalogScanResult](t)(st.RecordCatalogScan(c, a.ID, store.CatalogScan{At: now}))
	got = must[*store.CatalogWatch](t)(st.GetCatalogWatch(c, ws.ID, a.ID))
	if got.ConsecutiveFailures != 0 || got.LastError != "" || got.Scans != 1 {
		t.Errorf("after success %+v", got)
	}
	if err := st.ScheduleCatalogScan(c, ws.ID, a.ID, now); err != nil {
		t.Fatal(err)
	}
	if ids := must[[]int64](t)(st.DueCatalogWatches(c, now+1, 0)); len(ids) != 2 {
		t.Errorf("after scan now: %v, want both due", ids)
	}
	wantErr(t, st.RecordCatalogScanFailure(c, a.ID+100, now, "x", now), store.ErrNotFound, "failure of a missing watch")
}

func testCatalogItemsPagination(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	cw := catalogWatch(t, st, ws.ID, "https://shop.example/")
	var urls []string
	for i := range 7 {
		urls = append(urls, fmt.Sprintf("https://shop.example/p/%d", i))
	}
	must[*store.CatalogScanResult](t)(st.RecordCatalogScan(c, cw.ID, store.CatalogScan{Items: scanItems(urls...)}))
	var got []string
	var after int64
	for range 10 {
		page := must[[]store.CatalogItem](t)(st.ListCatalogItems(c, ws.ID, cw.ID, store.FindCatalogItems{AfterID: after, Limit: 3}))
		if len(page) == 0 {
			break
		}
		for _, it := range page {
			got = append(got, it.CanonicalURL)
		}
		after = page[len(page)-1].ID
	}
	if len(got) != 7 || got[0] != urls[6] || got[6] != urls[0] {
		t.Errorf("paged feed %v", got)
	}
}

// A new_product event has no product: the product event queries still see
// only their product's events, and retention prunes both kinds.
func testCatalogProductEvents(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))
	if err := st.AddEvent(c, &store.Event{ProductID: p.ID, Kind: "price_changed", At: 10}); err != nil {
		t.Fatal(err)
	}
	cw := catalogWatch(t, st, ws.ID, "https://shop.example/")
	must[*store.CatalogScanResult](t)(st.RecordCatalogScan(c, cw.ID, store.CatalogScan{At: 5}))
	must[*store.CatalogScanResult](t)(st.RecordCatalogScan(c, cw.ID, store.CatalogScan{At: 20, Items: scanItems(productURL(9))}))
	if evs := must[[]store.Event](t)(st.ListEvents(c, p.ID, 0)); len(evs) != 1 || evs[0].Kind != "price_changed" {
		t.Errorf("product events %+v", evs)
	}
	if n := must[int64](t)(st.PruneEvents(c, 100)); n != 2 {
		t.Errorf("PruneEvents pruned %d, want both kinds (2)", n)
	}
	// The seen set outlives pruned events: a re-scan announces nothing.
	if res := must[*store.CatalogScanResult](t)(st.RecordCatalogScan(c, cw.ID, store.CatalogScan{At: 200, Items: scanItems(productURL(9))})); len(res.Announced) != 0 {
		t.Errorf("re-scan after pruning announced %+v", res.Announced)
	}
}

// A baseline bigger than one part commits in parts and still announces
// nothing; the scan after it announces only what is new.
func testCatalogBigBaseline(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	cw := catalogWatch(t, st, ws.ID, "https://shop.example/")
	urls := make([]string, 12_345)
	for i := range urls {
		urls[i] = fmt.Sprintf("https://shop.example/p/%d", i)
	}
	res := must[*store.CatalogScanResult](t)(st.RecordCatalogScan(c, cw.ID, store.CatalogScan{At: 10, Items: scanItems(urls...)}))
	if !res.Baseline || res.New != len(urls) || len(res.Announced) != 0 {
		t.Fatalf("big baseline: baseline %v, %d new, %d announced", res.Baseline, res.New, len(res.Announced))
	}
	urls = append(urls, "https://shop.example/p/new")
	res = must[*store.CatalogScanResult](t)(st.RecordCatalogScan(c, cw.ID, store.CatalogScan{At: 20, Items: scanItems(urls...)}))
	if res.Baseline || res.New != 1 || len(res.Announced) != 1 || res.Announced[0].CanonicalURL != "https://shop.example/p/new" {
		t.Fatalf("after the big baseline: %+v", res)
	}
	got := must[*store.CatalogWatch](t)(st.GetCatalogWatch(c, ws.ID, cw.ID))
	if got.ItemsSeen != int64(len(urls)) || got.Scans != 2 {
		t.Errorf("watch %+v", got)
	}
	if evs := must[[]store.CatalogEvent](t)(st.ListCatalogEvents(c, cw.ID, 0)); len(evs) != 1 {
		t.Errorf("%d events, want 1", len(evs))
	}
}

// The event hook (the alerts' dispatcher) sees each new_product event inside
// the scan's transaction; when it fails, the scan records nothing.
func testCatalogEventHook(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	cw := catalogWatch(t, st, ws.ID, "https://shop.example/")
	must[*store.CatalogScanResult](t)(st.RecordCatalogScan(c, cw.ID, store.CatalogScan{Items: scanItems(productURL(1))}))
	var seen []store.Event
	fail := true
	st.SetEventHook(func(ctx context.Context, tx *sql.Tx, evs []store.Event) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE catalog_watch_id = $1`, cw.ID).Scan(&n); err != nil {
			return err
		}
		if n != len(evs) {
			return fmt.Errorf("hook sees %d events in its transaction, was given %d", n, len(evs))
		}
		if fail {
			return errors.New("dispatcher down")
		}
		seen = append(seen, evs...)
		return nil
	})
	items := scanItems(productURL(1), productURL(2), productURL(3))
	items[2].Matched = false
	_, err := st.RecordCatalogScan(c, cw.ID, store.CatalogScan{At: 50, Items: items})
	if err == nil || !strings.Contains(err.Error(), "dispatcher down") {
		t.Fatalf("scan with a failing hook: %v", err)
	}
	if feed := must[[]store.CatalogItem](t)(st.ListCatalogItems(c, ws.ID, cw.ID, store.FindCatalogItems{})); len(feed) != 1 {
		t.Fatalf("a scan whose hook failed left %d items, want the baseline's 1", len(feed))
	}
	fail = false
	res := must[*store.CatalogScanResult](t)(st.RecordCatalogScan(c, cw.ID, store.CatalogScan{At: 60, Items: items}))
	if len(res.Announced) != 1 || len(seen) != 1 || seen[0].CatalogWatchID != cw.ID || seen[0].ProductID != 0 ||
		seen[0].Kind != store.EventNewProduct || seen[0].ID != *res.Announced[0].EventID || seen[0].At != 60 {
		t.Errorf("hook saw %+v for %+v", seen, res.Announced)
	}
}
