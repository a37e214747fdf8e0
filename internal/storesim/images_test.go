package storesim

import (
	"bytes"
	"image/png"
	"testing"
)

func TestProductImages(t *testing.T) {
	st := New(Options{Products: 2, Seed: 1})
	rec := get(t, st.Handler(), "http://shop.test/img/2/1.webp")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/png" {
		t.Fatalf("image: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	img, err := png.Decode(bytes.NewReader(rec.Body.Bytes()))
	if err != nil || img.Bounds().Dx() != 96 {
		t.Fatalf("not a 96 px PNG: %v", err)
	}
	again := get(t, st.Handler(), "http://shop.test/img/2/card.webp")
	if !bytes.Equal(again.Body.Bytes(), rec.Body.Bytes()) {
		t.Fatal("one product's pictures differ")
	}
	if other := get(t, st.Handler(), "http://shop.test/img/1/1.webp"); bytes.Equal(other.Body.Bytes(), rec.Body.Bytes()) {
		t.Fatal("two products share a picture")
	}
	if bad := get(t, st.Handler(), "http://shop.test/img/x/1.webp"); bad.Code != 404 {
		t.Fatalf("bad id: %d", bad.Code)
	}
}
