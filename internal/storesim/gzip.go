package storesim

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"strings"
)

// chunk is a static part of pages, kept with its DEFLATE form. A gzip page
// is the precompressed chunks in order, the per-request text between them in
// stored (uncompressed) blocks, and a gzip header and trailer: compressing
// 200 KB on each request would cost more CPU than the rest of the store, and
// the benchmark it serves measures the client.
type chunk struct {
	raw   []byte
	z     []byte // raw DEFLATE blocks ending with a sync flush: byte-aligned, not final
	crc   uint32 // CRC-32 of raw
	shift uint32 // xPow8n(len(raw)), for crcCombine
}

func newChunk(s string) *chunk {
	c := &chunk{raw: []byte(s)}
	c.crc, c.shift = crc32.ChecksumIEEE(c.raw), xPow8n(len(c.raw))
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.DefaultCompression) // a valid level: no error
	_, _ = w.Write(c.raw)
	// Flush, not Close: the sync flush leaves the stream byte-aligned and
	// open, and each chunk was compressed alone, so no back-reference
	// reaches into whatever comes before it on a page.
	_ = w.Flush()
	c.z = bytes.Clone(b.Bytes())
	return c
}

const (
	gzipHeader = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" // deflate, no name, no mtime, unknown OS
	finalBlock = "\x03\x00"                                 // an empty final fixed-Huffman block
)

// gzipSegs builds the gzip form of a finished page and returns its length.
func (p *page) gzipSegs() int {
	// Reserve the framing up front so that appends never move it.
	nStored := 0
	for i, c := range p.chunks {
		if c == nil {
			nStored += len(p.segs[i])/0xFFFF + 1
		}
	}
	p.gzHead = slicesGrow(p.gzHead, len(gzipHeader)+5*nStored+len(finalBlock)+8)
	size := 0
	add := func(b []byte) {
		p.gz = append(p.gz, b)
		size += len(b)
	}
	h := len(p.gzHead)
	p.gzHead = append(p.gzHead, gzipHeader...)
	add(p.gzHead[h:])
	crc := uint32(0)
	total := 0
	for i, c := range p.chunks {
		seg := p.segs[i]
		total += len(seg)
		if c != nil {
			crc = crcCombine(crc, c.crc, c.shift)
			add(c.z)
			continue
		}
		crc = crc32.Update(crc, crc32.IEEETable, seg) // a few KB: cheaper than combining
		for len(seg) > 0 {
			n := min(len(seg), 0xFFFF)
			h = len(p.gzHead)
			p.gzHead = append(p.gzHead, 0, byte(n), byte(n>>8), ^byte(n), ^byte(n>>8))
			add(p.gzHead[h : h+5])
			add(seg[:n])
			seg = seg[n:]
		}
	}
	h = len(p.gzHead)
	p.gzHead = append(p.gzHead, finalBlock...)
	add(p.gzHead[h:])
	h = len(p.gzHead)
	p.gzHead = binary.LittleEndian.AppendUint32(p.gzHead, crc)
	p.gzHead = binary.LittleEndian.AppendUint32(p.gzHead, uint32(total))
	add(p.gzHead[h : h+8])
	return size
}

func slicesGrow(b []byte, n int) []byte {
	if cap(b)-len(b) < n {
		nb := make([]byte, len(b), len(b)+n)
		copy(nb, b)
		return nb
	}
	return b
}

// acceptsGzip reads Accept-Encoding; "gzip;q=0" is a refusal.
func acceptsGzip(h string) bool {
	for part := range strings.SplitSeq(h, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if n := strings.ToLower(strings.TrimSpace(name)); n != "gzip" && n != "x-gzip" {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return !(q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000")
	}
	return false
}
