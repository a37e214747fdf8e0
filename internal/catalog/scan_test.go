package catalog

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/storesim"
)

func TestCheckURL(t *testing.T) {
	t.Parallel()
	st := store.New(dbtest.Open(t, db.SQLite))
	strict, _ := New(Options{Store: st})
	cidr, _ := New(Options{Store: st, AllowedCIDRs: []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}})
	open, _ := New(Options{Store: st, AllowPrivateNetworks: true})
	for _, tc := range []struct {
		s    *Service
		raw  string
		want string
		err  error
	}{
		{strict, "HTTPS://Shop.Example/?utm_source=x", "https://shop.example/", nil},
		{strict, "https://shop.example/sitemap.xml", "https://shop.example/sitemap.xml", nil},
		{strict, "http://127.0.0.1:8081/", "", ErrPrivateAddress},
		{strict, "http://169.254.169.254/latest/", "", ErrPrivateAddress},
		{strict, "http://[::1]/", "", ErrPrivateAddress},
		{strict, "http://localhost:8080/", "", ErrPrivateAddress},
		{strict, "http://10.1.2.3/", "", ErrPrivateAddress},
		{cidr, "http://10.1.2.3/", "http://10.1.2.3/", nil},
		{open, "http://127.0.0.1:8081/", "http://127.0.0.1:8081/", nil},
	} {
		got, err := tc.s.CheckURL(tc.raw)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("CheckURL(%q) = %q, %v; want %q, %v", tc.raw, got, err, tc.want, tc.err)
		}
	}
	if _, err := strict.CheckURL("ftp://shop.example/"); err == nil {
		t.Error("ftp URL accepted")
	}
}

// A scan through the service: the baseline announces nothing, new matching
// products are announced once (and watched with auto_watch), and a failing
// store is recorded with a backoff.
func TestServiceScan(t *testing.T) {
	t.Parallel()
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			st := store.New(dbtest.Open(t, eng))
			sim, base := startSim(t, storesim.Options{Products: 20, Seed: 9})
			svc, err := New(Options{Store: st, Fetcher: loopbackFetcher(t)})
			if err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			ws, err := st.EnsureWorkspace(ctx, "w", "W")
			if err != nil {
				t.Fatal(err)
			}
			cw := &store.CatalogWatch{WorkspaceID: ws.ID, URL: base + "/", Include: []string{"zeppelin"},
				Exclude: []string{"refurbished"}, Interval: DefaultInterval, AutoWatch: true}
			if err := st.CreateCatalogWatch(ctx, cw); err != nil {
				t.Fatal(err)
			}
			res, err := svc.Scan(ctx, cw.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Baseline || res.Found != 20 || res.New != 20 || res.Announced != 0 {
				t.Fatalf("baseline scan %+v", res)
			}
			if _, err := sim.AddProducts(
				storesim.NewProduct{Title: "Zeppelin Model Kit", Price: "49.00", Currency: "EUR"},
				storesim.NewProduct{Title: "Zeppelin Poster", Price: "9.00", Currency: "EUR"},
				storesim.NewProduct{Title: "Refurbished Zeppelin Lamp", Price: "19.00", Currency: "EUR"},
				storesim.NewProduct{Title: "Garden Hose", Price: "19.00", Currency: "EUR"},
			); err != nil {
				t.Fatal(err)
			}
			res, err = svc.Scan(ctx, cw.ID)
			if err != nil {
				t.Fatal(err)
			}
			if res.Baseline || res.Found != 24 || res.New != 4 || res.Announced != 2 || res.Watched != 2 {
				t.Fatalf("second scan %+v, want 4 new, 2 announced and watched", res)
			}
			evs, err := st.ListCatalogEvents(ctx, cw.ID, 0)
			if err != nil || len(evs) != 2 {
				t.Fatalf("events %+v, %v", evs, err)
			}
			watches, err := st.ListWatches(ctx, ws.ID, store.FindWatches{})
			if err != nil || len(watches) != 2 {
				t.Fatalf("auto watches %d, %v", len(watches), err)
			}
			if res, err = svc.Scan(ctx, cw.ID); err != nil || res.New != 0 || res.Announced != 0 {
				t.Fatalf("third scan %+v, %v; want nothing new", res, err)
			}

			// The store starts failing: recorded, backed off, nothing announced.
			if err := sim.SetConfig(storesim.Config{ErrorRate: 1}); err != nil {
				t.Fatal(err)
			}
			before := time.Now()
			if res, err = svc.Scan(ctx, cw.ID); err != nil || res.Found != 0 {
				t.Fatalf("failed scan %+v, %v", res, err)
			}
			got, err := st.GetCatalogWatch(ctx, ws.ID, cw.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.ConsecutiveFailures != 1 || got.LastError == "" || got.Scans != 3 ||
				got.NextScanAt < before.Add(MinInterval).UnixMilli() || got.NextScanAt > time.Now().Add(MinInterval).UnixMilli() {
				t.Errorf("after a failed scan %+v", got)
			}
		})
	}
}
