package catalog

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/net/html/charset"
)

// Default caps: the sitemaps protocol allows 50,000 URLs and 50 MB
// (uncompressed) per file; a scan reads at most MaxURLs product URLs.
const (
	DefaultMaxDocBytes = 50 << 20
	DefaultMaxURLs     = 200_000
)

// Sentinel errors of parsing.
var (
	ErrTooLarge    = errors.New("catalog: document larger than the cap")
	ErrTooManyURLs = errors.New("catalog: more product URLs than the cap")
	ErrNotSitemap  = errors.New("catalog: not a sitemap")
)

// Sitemap is one parsed sitemap document: a urlset (URLs) or a sitemap
// index (Sitemaps), never both.
type Sitemap struct {
	Index    bool
	URLs     []Entry // urlset <url> entries
	Sitemaps []Entry // sitemapindex <sitemap> entries
}

// Entry is a <url> or <sitemap> entry.
type Entry struct {
	Loc     string
	Lastmod *int64 // Unix ms, when given and readable
	Title   string // <image:title> (or a video/news title), when given
}

// ParseSitemap reads a sitemap (an XML urlset or sitemapindex, or the plain
// text format of one URL a line), gzip-compressed or not, streaming: it
// stops with ErrTooLarge after maxBytes of (decompressed) input and with
// ErrTooManyURLs after maxURLs entries. decoded says the bytes were already
// decoded to UTF-8 (by the fetcher), so an XML encoding declaration is
// ignored.
func ParseSitemap(r io.Reader, maxBytes int64, maxURLs int, decoded bool) (*Sitemap, error) {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("catalog: gzip sitemap: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
		decoded = false
	}
	lr := &capReader{r: br, left: maxBytes}
	body := bufio.NewReader(lr)
	first, err := firstNonSpace(body)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: empty document", ErrNotSitemap)
		}
		return nil, lr.wrap(err)
	}
	var sm *Sitemap
	if first == '<' {
		sm, err = parseXML(body, maxURLs, decoded)
	} else {
		sm, err = parseText(body, maxURLs)
	}
	if err != nil {
		return nil, lr.wrap(err)
	}
	return sm, nil
}

// capReader fails with ErrTooLarge once more than left bytes were asked of it.
type capReader struct {
	r    io.Reader
	left int64
	over bool
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One byte more tells "exactly the cap" from "more than the cap".
		var one [1]byte
		if n, _ := c.r.Read(one[:]); n > 0 {
			c.over = true
			return 0, ErrTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// wrap turns whatever error a decoder reported after the cap was passed
// into ErrTooLarge (encoding/xml wraps reader errors in its own).
func (c *capReader) wrap(err error) error {
	if c.over || errors.Is(err, ErrTooLarge) {
		return ErrTooLarge
	}
	return err
}

func firstNonSpace(r *bufio.Reader) (byte, error) {
	for {
		b, err := r.ReadByte()
		if err != nil {
			return 0, err
		}
		// A UTF-8 byte-order mark precedes some sitemaps.
		if b == 0xef {
			if next, _ := r.Peek(2); bytes.Equal(next, []byte{0xbb, 0xbf}) {
				_, _ = r.Discard(2)
				continue
			}
		}
		if b != ' ' && b != '\t' && b != '\r' && b != '\n' {
			return b, r.UnreadByte()
		}
	}
}

func parseXML(r io.Reader, maxURLs int, decoded bool) (*Sitemap, error) {
	dec := xml.NewDecoder(r)
	// Real sitemaps contain stray "&" in URLs and HTML entities in titles.
	dec.Strict = false
	dec.Entity = xml.HTMLEntity
	dec.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		if decoded {
			return in, nil
		}
		return charset.NewReaderLabel(label, in)
	}
	sm := &Sitemap{}
	var (
		root       string
		cur        *Entry
		field      string // the element whose text is being read: loc, lastmod or title
		text       strings.Builder
		depth      int
		entryDepth int
	)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("catalog: malformed sitemap XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			name := strings.ToLower(t.Name.Local)
			switch {
			case depth == 1:
				root = name
				switch name {
				case "urlset":
				case "sitemapindex":
					sm.Index = true
				default:
					return nil, fmt.Errorf("%w: the root element is <%s>", ErrNotSitemap, t.Name.Local)
				}
			case depth == 2 && (name == "url" && root == "urlset" || name == "sitemap" && root == "sitemapindex"):
				if len(sm.URLs)+len(sm.Sitemaps) >= maxURLs {
					return nil, fmt.Errorf("%w of %d", ErrTooManyURLs, maxURLs)
				}
				cur, entryDepth = &Entry{}, depth
			case cur != nil && depth == entryDepth+1 && (name == "loc" || name == "lastmod"):
				field = name
				text.Reset()
			case cur != nil && name == "title" && cur.Title == "":
				// <image:title>, <video:title> or <news:title>, nested deeper.
				field = "title"
				text.Reset()
			}
		case xml.CharData:
			if field != "" && text.Len() < 64<<10 {
				text.Write(t)
			}
		case xml.EndElement:
			name := strings.ToLower(t.Name.Local)
			if cur != nil && field != "" && name == field {
				v := strings.TrimSpace(text.String())
				switch field {
				case "loc":
					cur.Loc = v
				case "lastmod":
					cur.Lastmod = parseLastmod(v)
				case "title":
					cur.Title = strings.Join(strings.Fields(v), " ")
				}
				field = ""
			}
			if cur != nil && depth == entryDepth {
				if cur.Loc != "" {
					if sm.Index {
						sm.Sitemaps = append(sm.Sitemaps, *cur)
					} else {
						sm.URLs = append(sm.URLs, *cur)
					}
				}
				cur = nil
			}
			depth--
		}
	}
	if root == "" {
		return nil, fmt.Errorf("%w: no root element", ErrNotSitemap)
	}
	if depth != 0 {
		return nil, fmt.Errorf("catalog: malformed sitemap XML: the document ends inside <%s>", root)
	}
	return sm, nil
}

// parseText reads the sitemaps protocol's text format: one URL a line.
func parseText(r io.Reader, maxURLs int) (*Sitemap, error) {
	sm := &Sitemap{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if !strings.HasPrefix(line, "http://") && !strings.HasPrefix(line, "https://") {
			return nil, fmt.Errorf("%w: a line of a text sitemap is not an http(s) URL", ErrNotSitemap)
		}
		if len(sm.URLs) >= maxURLs {
			return nil, fmt.Errorf("%w of %d", ErrTooManyURLs, maxURLs)
		}
		sm.URLs = append(sm.URLs, Entry{Loc: line})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("catalog: text sitemap: %w", err)
	}
	return sm, nil
}

// parseLastmod reads the W3C datetime forms sitemaps use.
func parseLastmod(s string) *int64 {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			ms := t.UnixMilli()
			return &ms
		}
	}
	return nil
}
