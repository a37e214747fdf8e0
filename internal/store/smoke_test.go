package store_test

import (
	"context"
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

func TestSmoke(t *testing.T) {
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			ctx := context.Background()
			st := store.New(dbtest.Open(t, eng))
			ws, err := st.EnsureWorkspace(ctx, "default", "Default")
			if err != nil {
				t.Fatal(err)
			}
			p := &store.Product{CanonicalURL: "https://shop.example/p/1"}
			w := &store.Watch{Tags: []string{"a"}}
			created, err := st.CreateWatchForURL(ctx, ws.ID, p, w)
			if err != nil || !created {
				t.Fatal(created, err)
			}
			price := int64(1999)
			ch, err := st.RecordObservation(ctx, p.ID, store.Observation{PriceMinor: &price, Currency: "EUR", Availability: store.InStock, Title: "T"}, 10)
			if err != nil || !ch {
				t.Fatal(ch, err)
			}
			got, err := st.GetWatch(ctx, ws.ID, w.ID)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%+v %+v %v", got, got.Product, *got.Product.PriceMinor)
			ls, err := st.ListWatches(ctx, ws.ID, store.FindWatches{})
			if err != nil || len(ls) != 1 {
				t.Fatal(ls, err)
			}
			if ok, err := st.IsWatchedIn(ctx, ws.ID, p.ID); !ok || err != nil {
				t.Fatal(ok, err)
			}
		})
	}
}
