package fetch

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/andybalholm/brotli"
	"golang.org/x/net/html/charset"
)

// acceptEncoding is what we can decode (and count) ourselves.
const acceptEncoding = "gzip, deflate, br"

// errTooLarge is returned when a body passes the cap.
var errTooLarge = errors.New("fetch: body exceeds the size cap")

// readBody reads at most max decompressed bytes of resp's body. The cap
// counts what comes out of the decompressor, not what crosses the wire, so
// a few kilobytes of gzip that inflate to gigabytes stop at max. Past the
// cap it returns the first max bytes and an error wrapping errTooLarge.
func readBody(resp *http.Response, max int64) ([]byte, error) {
	r, release, err := decoder(resp.Header.Get("Content-Encoding"), resp.Body)
	if err != nil {
		return nil, err
	}
	defer release()
	// The body is read into a pooled buffer and copied out at its size: a
	// fresh buffer doubles its way up from the compressed length, which
	// for a 200 KB page allocates several times the page.
	buf, _ := bodyBuffers.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer func() {
		if buf.Cap() <= maxPooledBody {
			buf.Reset()
			bodyBuffers.Put(buf)
		}
	}()
	// One byte more than allowed tells "exactly max" from "more than max".
	n, err := buf.ReadFrom(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if n > max {
		return bytes.Clone(buf.Bytes()[:max]), fmt.Errorf("%w of %d bytes", errTooLarge, max)
	}
	return bytes.Clone(buf.Bytes()), nil
}

// bodyBuffers are read buffers for readBody; one larger than maxPooledBody
// (a rare huge page) is left to the garbage collector.
var bodyBuffers sync.Pool

const maxPooledBody = 1 << 20

// gzipReaders keeps gzip readers for reuse: a new one allocates its
// decompressor's tables and window (tens of KB) for every page.
var gzipReaders sync.Pool

// decoder returns a reader of body's decoded bytes and a function to call
// once the reader is no longer used.
func decoder(encoding string, body io.Reader) (io.Reader, func(), error) {
	noop := func() {}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity":
		return body, noop, nil
	case "gzip", "x-gzip":
		zr, _ := gzipReaders.Get().(*gzip.Reader)
		var err error
		if zr == nil {
			zr, err = gzip.NewReader(body)
		} else {
			err = zr.Reset(body)
		}
		if err != nil {
			if zr != nil {
				gzipReaders.Put(zr)
			}
			return nil, nil, fmt.Errorf("gzip body: %w", err)
		}
		return zr, func() { gzipReaders.Put(zr) }, nil
	case "br":
		return brotli.NewReader(body), noop, nil
	case "deflate":
		// RFC 9110 says zlib-wrapped; some servers send raw DEFLATE.
		// A zlib stream starts with a header whose first byte's low
		// nibble is 8 (CM=deflate) and whose first two bytes are a
		// multiple of 31.
		br := bufio.NewReader(body)
		head, _ := br.Peek(2)
		if len(head) == 2 && head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 {
			zr, err := zlib.NewReader(br)
			if err != nil {
				return nil, nil, fmt.Errorf("deflate body: %w", err)
			}
			return zr, noop, nil
		}
		return flate.NewReader(br), noop, nil
	}
	return nil, nil, fmt.Errorf("fetch: unsupported Content-Encoding %q", encoding)
}

// isText reports whether a body of this media type is text we should
// decode to UTF-8.
func isText(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	}
	switch {
	case mt == "":
		return true // sniffed by charset.DetermineEncoding
	case strings.HasPrefix(mt, "text/"),
		mt == "application/xhtml+xml", mt == "application/xml",
		mt == "application/ld+json", mt == "application/json",
		strings.HasSuffix(mt, "+xml"), strings.HasSuffix(mt, "+json"):
		return true
	}
	return false
}

// toUTF8 decodes body by the WHATWG rules: a BOM, then the Content-Type
// charset, then a <meta charset> in the first 1024 bytes, then a guess
// (UTF-8 when the bytes are valid UTF-8, windows-1252 otherwise).
func toUTF8(body []byte, contentType string) ([]byte, error) {
	if !isText(contentType) {
		return body, nil
	}
	enc, name, _ := charset.DetermineEncoding(body, contentType)
	if name == "utf-8" {
		if bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
			body = body[3:]
		}
		if utf8.Valid(body) {
			return body, nil
		}
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, fmt.Errorf("decode %s body: %w", name, err)
	}
	return out, nil
}

func hashBody(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}
