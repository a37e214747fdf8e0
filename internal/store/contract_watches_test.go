package store_test

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/store"
)

func testNewProductDefaults(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	before := time.Now().UnixMilli()
	_, p := watch(t, st, ws.ID, "https://Shop.Example:8443/p/1")
	after := time.Now().UnixMilli()

	got := must[*store.Product](t)(st.GetProduct(c, p.ID))
	if got.LastCheckedAt != nil {
		t.Errorf("LastCheckedAt = %v, want nil", *got.LastCheckedAt)
	}
	switch {
	case got.Status != store.StatusActive:
		t.Errorf("Status = %q, want active", got.Status)
	case got.Availability != store.Unknown:
		t.Errorf("Availability = %q, want unknown", got.Availability)
	case got.NextCheckAt < before || got.NextCheckAt > after:
		t.Errorf("NextCheckAt = %d, want now (%d..%d): first check is immediate", got.NextCheckAt, before, after)
	case got.PriceMinor != nil || got.Currency != "":
		t.Errorf("price = %v %q, want none", got.PriceMinor, got.Currency)
	case got.URL != "https://Shop.Example:8443/p/1" || got.Domain != "shop.example":
		t.Errorf("URL %q, Domain %q: want URL defaulted to the canonical URL, host as domain", got.URL, got.Domain)
	case got.LeaseUntil != nil || got.LeaseOwner != "" || got.ConsecutiveFailures != 0:
		t.Errorf("lease/failures set on a new product: %+v", got)
	case got.CreatedAt < before || got.UpdatedAt != got.CreatedAt:
		t.Errorf("CreatedAt %d UpdatedAt %d", got.CreatedAt, got.UpdatedAt)
	}
	if *got != *p {
		t.Errorf("CreateWatchForURL filled p = %+v, stored %+v", p, got)
	}
	if byURL := must[*store.Product](t)(st.GetProductByCanonicalURL(c, p.CanonicalURL)); byURL.ID != p.ID {
		t.Errorf("GetProductByCanonicalURL = %d, want %d", byURL.ID, p.ID)
	}
	_, err := st.GetProduct(c, p.ID+1000)
	wantErr(t, err, store.ErrNotFound, "GetProduct(missing)")
	_, err = st.GetProductByCanonicalURL(c, "https://shop.example/none")
	wantErr(t, err, store.ErrNotFound, "GetProductByCanonicalURL(missing)")
}

func testCreateWatchForURL(t *testing.T, st *store.Store) {
	c := ctx(t)
	a, b := workspace(t, st, "a"), workspace(t, st, "b")
	url := productURL(1)

	p := &store.Product{URL: url + "?utm_source=x", CanonicalURL: url, Title: "Kettle", Priority: 3}
	w := &store.Watch{TargetMinor: ptr(4999), TargetCurrency: "EUR", Tags: []string{"kitchen", "gift"}, Notes: "for mum", Paused: true}
	created, err := st.CreateWatchForURL(c, a.ID, p, w)
	if err != nil || !created {
		t.Fatalf("first CreateWatchForURL = %v, %v; want created", created, err)
	}
	if w.ID == 0 || w.WorkspaceID != a.ID || w.ProductID != p.ID || w.CreatedAt == 0 || p.Title != "Kettle" || p.Priority != 3 {
		t.Fatalf("filled watch %+v product %+v", w, p)
	}
	got := must[*store.Watch](t)(st.GetWatch(c, a.ID, w.ID))
	if *got.TargetMinor != 4999 || got.TargetCurrency != "EUR" || !slices.Equal(got.Tags, w.Tags) || got.Notes != "for mum" || !got.Paused ||
		got.Product == nil || got.Product.ID != p.ID || got.Product.URL != url+"?utm_source=x" {
		t.Errorf("GetWatch = %+v (product %+v)", got, got.Product)
	}

	// Another workspace shares the product.
	p2 := &store.Product{CanonicalURL: url, Title: "ignored: product exists"}
	w2 := &store.Watch{}
	created, err = st.CreateWatchForURL(c, b.ID, p2, w2)
	if err != nil || created {
		t.Fatalf("second workspace: created=%v err=%v; want existing product", created, err)
	}
	if p2.ID != p.ID || p2.Title != "Kettle" {
		t.Errorf("second workspace got product %+v, want %d filled from the row", p2, p.ID)
	}
	if got := must[*store.Watch](t)(st.GetWatch(c, b.ID, w2.ID)); got.Tags == nil || len(got.Tags) != 0 || got.TargetMinor != nil || got.TargetCurrency != "" {
		t.Errorf("defaults: tags %#v target %v %q", got.Tags, got.TargetMinor, got.TargetCurrency)
	}

	// The same workspace again: conflict.
	p3 := &store.Product{CanonicalURL: url}
	w3 := &store.Watch{Notes: "dup"}
	_, err = st.CreateWatchForURL(c, a.ID, p3, w3)
	wantErr(t, err, store.ErrConflict, "duplicate watch")
	if w3.ID != 0 {
		t.Errorf("conflicting create filled w.ID = %d", w3.ID)
	}
	if n := len(must[[]store.Watch](t)(st.ListWatches(c, a.ID, store.FindWatches{}))); n != 1 {
		t.Errorf("workspace a has %d watches after a conflict, want 1", n)
	}

	_, err = st.CreateWatchForURL(c, a.ID, &store.Product{}, &store.Watch{})
	wantErr(t, err, store.ErrInvalid, "no canonical URL")
	_, err = st.CreateWatchForURL(c, a.ID, &store.Product{CanonicalURL: productURL(2)}, &store.Watch{TargetCurrency: "EURO"})
	wantErr(t, err, store.ErrInvalid, "bad target currency")
}

// A failure after the product insert must roll the product back.
func testCreateWatchNoPartialWrite(t *testing.T, st *store.Store) {
	c := ctx(t)
	url := productURL(1)
	p := &store.Product{CanonicalURL: url}
	_, err := st.CreateWatchForURL(c, 999999, p, &store.Watch{})
	wantErr(t, err, store.ErrNotFound, "unknown workspace")
	if p.ID != 0 {
		t.Errorf("failed create left p.ID = %d", p.ID)
	}
	_, err = st.GetProductByCanonicalURL(c, url)
	wantErr(t, err, store.ErrNotFound, "product after a failed create")

	// The URL is still free for a good create.
	ws := workspace(t, st, "a")
	if created, err := st.CreateWatchForURL(c, ws.ID, &store.Product{CanonicalURL: url}, &store.Watch{}); err != nil || !created {
		t.Fatalf("create after failure: %v, %v", created, err)
	}
}

func testCreateWatchConcurrentSameURL(t *testing.T, st *store.Store) {
	c := ctx(t)
	const n = 8
	var wss []*store.Workspace
	for i := range n {
		wss = append(wss, workspace(t, st, string(rune('a'+i))))
	}
	var (
		wg      sync.WaitGroup
		created = make([]bool, n)
		ids     = make([]int64, n)
		errs    = make([]error, n)
		start   = make(chan struct{})
	)
	for i := range n {
		wg.Go(func() {
			<-start
			p := &store.Product{CanonicalURL: productURL(42)}
			created[i], errs[i] = st.CreateWatchForURL(c, wss[i].ID, p, &store.Watch{})
			ids[i] = p.ID
		})
	}
	close(start)
	wg.Wait()
	nCreated := 0
	for i := range n {
		if errs[i] != nil {
			t.Errorf("goroutine %d: %v", i, errs[i])
		}
		if created[i] {
			nCreated++
		}
		if ids[i] != ids[0] {
			t.Errorf("goroutine %d got product %d, goroutine 0 got %d", i, ids[i], ids[0])
		}
	}
	if nCreated != 1 {
		t.Errorf("%d goroutines created the product, want exactly 1", nCreated)
	}
}

func testCreateWatchConcurrentSameWorkspace(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	const n = 5
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = st.CreateWatchForURL(c, ws.ID, &store.Product{CanonicalURL: productURL(7)}, &store.Watch{})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d creates succeeded, want 1 (the rest ErrConflict)", ok)
	}
}

func testTenantIsolation(t *testing.T, st *store.Store) {
	c := ctx(t)
	a, b := workspace(t, st, "a"), workspace(t, st, "b")
	w, p := watch(t, st, a.ID, productURL(1))

	_, err := st.GetWatch(c, b.ID, w.ID)
	wantErr(t, err, store.ErrNotFound, "GetWatch from another workspace")
	wantErr(t, st.DeleteWatch(c, b.ID, w.ID), store.ErrNotFound, "DeleteWatch from another workspace")
	if _, err := st.GetWatch(c, a.ID, w.ID); err != nil {
		t.Fatalf("owner lost its watch after another workspace's delete: %v", err)
	}
	if got := must[[]store.Watch](t)(st.ListWatches(c, b.ID, store.FindWatches{})); len(got) != 0 {
		t.Errorf("ListWatches(b) = %+v, want none", got)
	}
	if ok := must[bool](t)(st.IsWatchedIn(c, b.ID, p.ID)); ok {
		t.Error("IsWatchedIn(b) = true")
	}
	if ok := must[bool](t)(st.IsWatchedIn(c, a.ID, p.ID)); !ok {
		t.Error("IsWatchedIn(a) = false")
	}
}

func testDeleteWatch(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	w, p := watch(t, st, ws.ID, productURL(1))
	if err := st.DeleteWatch(c, ws.ID, w.ID); err != nil {
		t.Fatal(err)
	}
	_, err := st.GetWatch(c, ws.ID, w.ID)
	wantErr(t, err, store.ErrNotFound, "GetWatch after delete")
	wantErr(t, st.DeleteWatch(c, ws.ID, w.ID), store.ErrNotFound, "second delete")
	if _, err := st.GetProduct(c, p.ID); err != nil {
		t.Errorf("product went with its last watch: %v", err)
	}
	if ok := must[bool](t)(st.IsWatchedIn(c, ws.ID, p.ID)); ok {
		t.Error("IsWatchedIn after delete = true")
	}
}

func testListWatchesPagination(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws, other := workspace(t, st, "a"), workspace(t, st, "b")
	var want []int64
	for i := range 7 {
		w, _ := watch(t, st, ws.ID, productURL(i))
		want = append(want, w.ID)
		watch(t, st, other.ID, productURL(100+i)) // interleaved noise
	}
	slices.Reverse(want) // newest first

	var got []int64
	var after int64
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		page := must[[]store.Watch](t)(st.ListWatches(c, ws.ID, store.FindWatches{AfterID: after, Limit: 3}))
		if len(page) > 3 {
			t.Fatalf("page of %d, limit 3", len(page))
		}
		if len(page) == 0 {
			break
		}
		for _, w := range page {
			if w.Product == nil || w.Product.ID != w.ProductID || w.WorkspaceID != ws.ID {
				t.Fatalf("listed watch %+v", w)
			}
			got = append(got, w.ID)
		}
		after = page[len(page)-1].ID
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged ids %v, want %v", got, want)
	}
	if all := must[[]store.Watch](t)(st.ListWatches(c, ws.ID, store.FindWatches{})); len(all) != 7 {
		t.Errorf("default limit returned %d, want 7", len(all))
	}
}
