package storesim

import (
	"bytes"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strconv"
)

// serveImage draws a product's picture: a tile in a colour of its own with
// a lighter disc, so pages (and the web UI's thumbnails) have real images.
// Every /img/{id}/{file} of a product gets the same picture.
func (st *Store) serveImage(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil || id < 1 {
		http.NotFound(w, r)
		return
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(strconv.Itoa(id)))
	v := h.Sum32()
	bg := color.RGBA{uint8(60 + v%140), uint8(60 + (v>>8)%140), uint8(60 + (v>>16)%140), 255}
	fg := color.RGBA{min(bg.R+80, 255), min(bg.G+80, 255), min(bg.B+80, 255), 255}
	const size = 96
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			dx, dy := x-size/2, y-size/2
			c := bg
			if dx*dx+dy*dy < (size/3)*(size/3) {
				c = fg
			}
			img.SetRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(b.Bytes())
}
