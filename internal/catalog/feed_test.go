package catalog

import (
	"net/url"
	"testing"
	"time"
)

func TestParseFeed(t *testing.T) {
	t.Parallel()
	base, _ := url.Parse("https://shop.example/")
	items, err := ParseFeed([]byte(`{"products":[
		{"title":"Red  Kettle","handle":"red-kettle","updated_at":"2026-03-01T10:00:00-05:00","variants":[{"price":"24.50"},{"price":"30.00"}]},
		{"title":"Old feed","handle":"old","variants":[{"price":19.9}]},
		{"title":"Given URL","handle":"h","url":"https://shop.example/p/9-given"},
		{"title":"Foreign URL","handle":"mine","url":"https://evil.example/x"},
		{"title":"No handle"},
		{"title":"Bad price","handle":"bad","variants":[{"price":"free"}]}
	]}`), base)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 5 {
		t.Fatalf("%d items, want 5 (the one without handle or URL skipped): %+v", len(items), items)
	}
	if k := items[0]; k.URL != "https://shop.example/products/red-kettle" || k.Title != "Red Kettle" || *k.PriceMinor != 2450 || k.Lastmod == nil {
		t.Errorf("kettle %+v", k)
	}
	if *items[1].PriceMinor != 1990 {
		t.Errorf("numeric price: %d", *items[1].PriceMinor)
	}
	if items[2].URL != "https://shop.example/p/9-given" || items[2].PriceMinor != nil {
		t.Errorf("given URL %+v", items[2])
	}
	if items[3].URL != "https://shop.example/products/mine" {
		t.Errorf("a URL on another host must fall back to the handle: %+v", items[3])
	}
	if items[4].PriceMinor != nil {
		t.Errorf("unreadable price kept: %+v", items[4])
	}
	for _, bad := range []string{`<html>`, `{"product":[]}`, `[]`} {
		if _, err := ParseFeed([]byte(bad), base); err == nil {
			t.Errorf("ParseFeed(%s) gave no error", bad)
		}
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n        int
		interval time.Duration
		want     time.Duration
	}{
		{1, 6 * time.Hour, 15 * time.Minute},
		{2, 6 * time.Hour, 30 * time.Minute},
		{4, 6 * time.Hour, 2 * time.Hour},
		{6, 6 * time.Hour, 6 * time.Hour},
		{40, 6 * time.Hour, 6 * time.Hour},
		{40, 7 * 24 * time.Hour, 24 * time.Hour},
		{3, 15 * time.Minute, 15 * time.Minute},
	} {
		if got := Backoff(tc.n, tc.interval); got != tc.want {
			t.Errorf("Backoff(%d, %v) = %v, want %v", tc.n, tc.interval, got, tc.want)
		}
	}
}
