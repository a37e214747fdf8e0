package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/storesim"
)

type apiCatalog struct {
	ID                int64  `json:"id"`
	URL               string `json:"url"`
	Scans             int64  `json:"scans"`
	LastError         string `json:"last_error"`
	ItemsSeen         int64  `json:"items_seen"`
	LastScanNew       int64  `json:"last_scan_new"`
	LastScanAnnounced int64  `json:"last_scan_announced"`
}

func getCatalog(t *testing.T, base string, id int64) apiCatalog {
	t.Helper()
	code, body := httpDo(t, "GET", fmt.Sprintf("%s/api/v1/catalogs/%d", base, id), "")
	var c apiCatalog
	if err := json.Unmarshal(body, &c); err != nil || code != http.StatusOK {
		t.Fatalf("GET catalog: %d %s %v", code, body, err)
	}
	return c
}

// The catalog promise end to end, through the API and River on both
// engines: the first scan of a new catalog watch is a baseline with no
// events; of three products added to the store, the two matching the
// keywords (and not the excluded one) are announced once; a scan after that
// announces nothing.
func TestEndToEndCatalog(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			sim := startStore(t, 12)
			u, err := url.Parse(sim.URL(1))
			if err != nil {
				t.Fatal(err)
			}
			root := u.Scheme + "://" + u.Host + "/"
			c := e2eConfig(t, engine)
			base, stop := startServe(t, c)
			defer func() {
				if err := stop(); err != nil {
					t.Errorf("stop: %v", err)
				}
			}()
			side := openSide(t, c)

			code, body := httpDo(t, "POST", base+"/api/v1/catalogs",
				fmt.Sprintf(`{"url":%q, "include":["zeppelin", "airship"], "exclude":["refurbished"]}`, root))
			var created apiCatalog
			if err := json.Unmarshal(body, &created); err != nil || code != http.StatusCreated || created.URL != root {
				t.Fatalf("POST catalog: %d %s %v", code, body, err)
			}
			id := created.ID
			waitFor(t, "the baseline scan", func() bool { return getCatalog(t, base, id).Scans == 1 })
			if cw := getCatalog(t, base, id); cw.ItemsSeen != 12 || cw.LastScanAnnounced != 0 || cw.LastError != "" {
				t.Fatalf("after the baseline: %+v", cw)
			}
			events := func() []store.CatalogEvent {
				evs, err := side.ListCatalogEvents(t.Context(), id, 100)
				if err != nil {
					t.Fatal(err)
				}
				return evs
			}
			if evs := events(); len(evs) != 0 {
				t.Fatalf("the baseline wrote events: %+v", evs)
			}

			if _, err := sim.AddProducts(
				storesim.NewProduct{Title: "Zeppelin LZ 127 Model Kit", Price: "89.00", Currency: "EUR"},
				storesim.NewProduct{Title: "Vintage Airship Poster", Price: "15.00", Currency: "EUR"},
				storesim.NewProduct{Title: "Refurbished Zeppelin Desk Lamp", Price: "39.00", Currency: "EUR"},
			); err != nil {
				t.Fatal(err)
			}
			// One scan job at a time: wait for the last one to be done in
			// River too, so "scan now" is not skipped as its duplicate.
			idle := func() bool {
				var n int
				err := side.DB().Read.QueryRowContext(t.Context(), `SELECT count(*) FROM river_job
					WHERE kind = 'catalog_scan' AND state IN ('available', 'pending', 'running', 'retryable', 'scheduled')`).Scan(&n)
				if err != nil {
					t.Fatal(err)
				}
				return n == 0
			}
			scan := func(want int64) {
				t.Helper()
				waitFor(t, "the scan job to finish", idle)
				if code, body := httpDo(t, "POST", fmt.Sprintf("%s/api/v1/catalogs/%d/scan", base, id), ""); code != http.StatusAccepted {
					t.Fatalf("scan now: %d %s", code, body)
				}
				waitFor(t, fmt.Sprintf("scan %d", want), func() bool { return getCatalog(t, base, id).Scans == want })
			}
			scan(2)
			if cw := getCatalog(t, base, id); cw.ItemsSeen != 15 || cw.LastScanNew != 3 || cw.LastScanAnnounced != 2 {
				t.Fatalf("after the second scan: %+v", cw)
			}
			evs := events()
			if len(evs) != 2 {
				t.Fatalf("%d new_product events, want 2: %+v", len(evs), evs)
			}
			titles := map[string]bool{}
			for _, e := range evs {
				var d store.NewProductData
				if err := json.Unmarshal([]byte(e.Data), &d); err != nil {
					t.Fatal(err)
				}
				if e.Kind != store.EventNewProduct || d.CatalogWatchID != id || d.WorkspaceID == 0 || !strings.HasPrefix(d.URL, root+"p/") {
					t.Errorf("event %+v data %+v", e, d)
				}
				titles[d.Title] = true
			}
			if !titles["Zeppelin LZ 127 Model Kit"] || !titles["Vintage Airship Poster"] {
				t.Errorf("announced %v, want the model kit and the poster", titles)
			}

			code, body = httpDo(t, "GET", fmt.Sprintf("%s/api/v1/catalogs/%d/products?announced=true", base, id), "")
			var feed struct {
				Items []struct {
					Title     string `json:"title"`
					Announced bool   `json:"announced"`
				} `json:"items"`
			}
			if err := json.Unmarshal(body, &feed); err != nil || code != http.StatusOK || len(feed.Items) != 2 || !feed.Items[0].Announced {
				t.Fatalf("announced feed: %d %s %v", code, body, err)
			}

			scan(3)
			if evs := events(); len(evs) != 2 {
				t.Errorf("a third scan added events: %d in all, want 2", len(evs))
			}

			// A paused catalog watch is still scanned when asked to.
			if code, body := httpDo(t, "PATCH", fmt.Sprintf("%s/api/v1/catalogs/%d", base, id), `{"paused":true}`); code != http.StatusOK {
				t.Fatalf("pause: %d %s", code, body)
			}
			scan(4)
		})
	}
}
