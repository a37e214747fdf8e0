package api

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestPatchWatch(t *testing.T) {
	forEachAcct(t, func(t *testing.T, f *acct) {
		member := f.as("memberA")
		path := fmt.Sprintf("/api/v1/watches/%d", f.watchA)
		res := f.call(member, "PATCH", path, `{"target_price":"49.90","currency":"eur","tags":["Audio","gift"],"notes":" for dad ","paused":true,"min_interval":"2h"}`)
		if res.code != 200 {
			t.Fatalf("patch: %d %s", res.code, res.body)
		}
		w, err := f.st.GetWatch(context.Background(), f.wsA, f.watchA)
		if err != nil {
			t.Fatal(err)
		}
		if w.TargetMinor == nil || *w.TargetMinor != 4990 || w.TargetCurrency != "EUR" || !w.Paused || w.Notes != "for dad" ||
			w.MinInterval != 2*time.Hour || strings.Join(w.Tags, ",") != "audio,gift" && strings.Join(w.Tags, ",") != "Audio,gift" {
			t.Fatalf("stored %+v", w)
		}
		// Fields left out stay; null clears the target.
		res = f.call(member, "PATCH", path, `{"target_price":null,"paused":false}`)
		if res.code != 200 {
			t.Fatalf("patch: %d %s", res.code, res.body)
		}
		w, _ = f.st.GetWatch(context.Background(), f.wsA, f.watchA)
		if w.TargetMinor != nil || w.Paused || w.Notes != "for dad" || w.MinInterval != 2*time.Hour {
			t.Fatalf("after the second patch %+v", w)
		}
		// Bad input changes nothing.
		for _, body := range []string{`{"target_price":"cheap"}`, `{"currency":"euro"}`, `{"min_interval":"soon"}`, `{"paused":"yes"}`, `{"url":"https://x.example/"}`} {
			if res := f.call(member, "PATCH", path, body); res.code != 400 {
				t.Errorf("patch %s: %d %s", body, res.code, res.body)
			}
		}
		w2, _ := f.st.GetWatch(context.Background(), f.wsA, f.watchA)
		if w2.UpdatedAt != w.UpdatedAt {
			t.Fatal("a refused patch wrote")
		}
	})
}
