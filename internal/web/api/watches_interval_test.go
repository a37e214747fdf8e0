package api

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// A watch created with min_interval keeps it (read back by the API and in
// the store, where the frontier policy reads it); bad values are field
// errors and write nothing.
func TestWatchMinInterval(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		for _, tc := range []struct{ body, field string }{
			{`{"url":"https://example.com/p","min_interval":"soon"}`, "min_interval"},
			{`{"url":"https://example.com/p","min_interval":"-5m"}`, "min_interval"},
			{`{"url":"https://example.com/p","min_interval":"200h"}`, "min_interval"},
			{`{"url":"https://example.com/p","min_interval":"1.5s"}`, "min_interval"},
			{`{"url":"https://example.com/p","min_interval":15}`, ""},
		} {
			p := f.do("POST", "/api/v1/watches", "", tc.body).problem(t, http.StatusBadRequest)
			if tc.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != tc.field) {
				t.Errorf("%s: errors %+v, want field %q", tc.body, p.Errors, tc.field)
			}
		}
		if p, err := f.st.GetProductByCanonicalURL(context.Background(), "https://example.com/p"); err == nil {
			t.Fatalf("bad min_interval wrote product %+v", p)
		}

		res := f.do("POST", "/api/v1/watches", "", `{"url":"https://example.com/p","min_interval":"1h30m"}`)
		if res.code != http.StatusCreated {
			t.Fatalf("create: %d %s", res.code, res.body)
		}
		var got watchJSON
		res.decode(t, &got)
		if got.MinInterval != "1h30m" {
			t.Errorf("min_interval = %q, want 1h30m", got.MinInterval)
		}
		wt, err := f.st.GetWatch(context.Background(), f.ws, got.ID)
		if err != nil {
			t.Fatal(err)
		}
		if wt.MinInterval != 90*time.Minute {
			t.Errorf("stored MinInterval %v, want 1h30m", wt.MinInterval)
		}

		res = f.do("POST", "/api/v1/watches", "", `{"url":"https://example.com/q","min_interval":"0"}`)
		var none watchJSON
		res.decode(t, &none)
		if res.code != http.StatusCreated || none.MinInterval != "" {
			t.Errorf("no limit: %d %s", res.code, res.body)
		}
	})
}

func TestFormatInterval(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "", 15 * time.Minute: "15m", 90 * time.Minute: "1h30m", 2 * time.Hour: "2h", 90 * time.Second: "1m30s", 45 * time.Second: "45s",
	} {
		if got := FormatInterval(d); got != want {
			t.Errorf("FormatInterval(%v) = %q, want %q", d, got, want)
		}
		if back, detail := parseMinInterval(want); detail != "" || back != d {
			t.Errorf("parseMinInterval(%q) = %v, %q; want %v", want, back, detail, d)
		}
	}
}
