package extract

import (
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// corpusEntry is one page of ../shared/corpus/expected.json.
type corpusEntry struct {
	ID           string  `json:"id"`
	Store        string  `json:"store"`
	URL          string  `json:"url"`
	Price        *string `json:"price"`
	Currency     string  `json:"currency"`
	Availability string  `json:"availability"`
	Title        string  `json:"title"`
	Split        string  `json:"split"`
}

// corpusDir finds the shared corpus: $SHELFWATCH_CORPUS, else ../shared/corpus
// next to the repository root, found by walking up from the package.
func corpusDir(t testing.TB) string {
	if d := os.Getenv("SHELFWATCH_CORPUS"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			c := filepath.Join(filepath.Dir(d), "shared", "corpus")
			if _, err := os.Stat(filepath.Join(c, "expected.json")); err == nil {
				return c
			}
			return ""
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

func loadCorpus(t testing.TB) (string, []corpusEntry) {
	dir := corpusDir(t)
	if dir == "" {
		const msg = "SKIPPING: real-store corpus not found (set SHELFWATCH_CORPUS or provide ../shared/corpus); golden accuracy NOT checked"
		fmt.Fprintln(os.Stderr, "WARNING: "+t.Name()+": "+msg)
		t.Skip(msg)
	}
	b, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "WARNING: %s: SKIPPING: corpus manifest unreadable: %v\n", t.Name(), err)
		t.Skipf("SKIPPING: corpus manifest unreadable: %v", err)
	}
	var es []corpusEntry
	if err := json.Unmarshal(b, &es); err != nil {
		t.Fatalf("corpus manifest: %v", err)
	}
	return dir, es
}

var nonWord = regexp.MustCompile(`[^\p{L}\p{N}_]+`)

// normTitle matches eval_extract.py: NFKC, lower case, runs of non-word
// characters to one space.
func normTitle(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	return strings.Join(strings.Fields(nonWord.ReplaceAllString(s, " ")), " ")
}

func samePrice(got string, want *string) bool {
	if want == nil || got == "" {
		return want == nil && got == ""
	}
	a, ok1 := new(big.Rat).SetString(got)
	b, ok2 := new(big.Rat).SetString(*want)
	return ok1 && ok2 && a.Cmp(b) == 0
}

func TestCorpusGolden(t *testing.T) {
	dir, entries := loadCorpus(t)
	scoreSet(t, dir, entries)
}

// TestSyntheticHoldoutGolden scores testdata/holdout: synthetic pages of
// other stores' layouts (not third-party copies), scored the same way.
func TestSyntheticHoldoutGolden(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "holdout", "expected.json"))
	if err != nil {
		t.Skipf("no testdata/holdout: %v", err)
	}
	var es []corpusEntry
	if err := json.Unmarshal(b, &es); err != nil {
		t.Fatalf("holdout manifest: %v", err)
	}
	scoreSet(t, filepath.Join("testdata", "holdout"), es)
}

// scoreSet runs Extract over dir/pages/<id>.html and scores it like
// eval_extract.py.
func scoreSet(t *testing.T, dir string, entries []corpusEntry) {
	var n, okPrice, okCur, okAvail, okTitle int
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, "pages", e.ID+".html"))
		if err != nil {
			t.Errorf("%s: %v", e.ID, err)
			continue
		}
		u := e.URL
		if u == "" {
			u = "https://" + strings.ReplaceAll(strings.ToLower(e.Store), " ", "") + "/"
		}
		o := Extract(b, u, Options{})
		n++
		pOK := samePrice(o.Price, e.Price)
		cOK := e.Price == nil || strings.EqualFold(o.Currency, e.Currency)
		aOK := string(o.Availability) == e.Availability ||
			e.Availability == "backorder" && (o.Availability == PreOrder || o.Availability == OutOfStock)
		nt, nw := normTitle(o.Title), normTitle(e.Title)
		tOK := nt == nw || len(nw) > 10 && strings.Contains(nt, nw)
		for _, c := range []struct {
			ok   bool
			n    *int
			what string
			got  string
			want string
		}{
			{pOK, &okPrice, "price", o.Price, deref(e.Price)},
			{cOK, &okCur, "currency", o.Currency, e.Currency},
			{aOK, &okAvail, "availability", string(o.Availability), e.Availability},
			{tOK, &okTitle, "title", o.Title, e.Title},
		} {
			if c.ok {
				*c.n++
			} else {
				t.Logf("MISS %-24s %-12s got %q want %q (source %s)", e.ID, c.what, c.got, c.want, o.Source)
			}
		}
	}
	if n == 0 {
		t.Skip("SKIPPING: corpus has no pages")
	}
	pct := func(k int) float64 { return 100 * float64(k) / float64(n) }
	t.Logf("corpus %s: %d pages: price %.1f%%  currency %.1f%%  availability %.1f%%  title %.1f%%",
		dir, n, pct(okPrice), pct(okCur), pct(okAvail), pct(okTitle))
	if pct(okPrice) < 95 || pct(okCur) < 100 || pct(okAvail) < 95 || pct(okTitle) < 90 {
		t.Errorf("accuracy below the bar (price 95%%, currency 100%%, availability 95%%, title 90%%)")
	}
}

func deref(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}

// TestCorpusVisibleOnly strips the structured data (JSON-LD, microdata,
// product/og price meta, Magento data-price attributes) from the corpus
// pages and scores what the visible-text heuristics alone recover. Hidden
// pages will carry structured data that is missing, stale or wrong; this
// keeps the fallback honest.
func TestCorpusVisibleOnly(t *testing.T) {
	dir, entries := loadCorpus(t)
	strip := []struct {
		re   *regexp.Regexp
		with string
	}{
		{regexp.MustCompile(`(?is)<script[^>]*ld\+json[^>]*>.*?</script>`), ""},
		{regexp.MustCompile(`(?i)<meta[^>]*(product:|og:price|itemprop)[^>]*>`), ""},
		{regexp.MustCompile(`(?i)\s(itemprop|itemscope|itemtype)(="[^"]*")?`), ""},
		{regexp.MustCompile(`data-price-amount`), "data-x"},
	}
	var n, okPrice, okAvail, okTitle int
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, "pages", e.ID+".html"))
		if err != nil {
			continue
		}
		for _, s := range strip {
			b = s.re.ReplaceAll(b, []byte(s.with))
		}
		o := Extract(b, e.URL, Options{})
		n++
		if samePrice(o.Price, e.Price) {
			okPrice++
		} else {
			t.Logf("visible-only MISS %-24s price %q want %s", e.ID, o.Price, deref(e.Price))
		}
		if string(o.Availability) == e.Availability {
			okAvail++
		}
		nt, nw := normTitle(o.Title), normTitle(e.Title)
		if nt == nw || len(nw) > 10 && strings.Contains(nt, nw) {
			okTitle++
		}
	}
	if n == 0 {
		t.Skip("SKIPPING: corpus has no pages")
	}
	pct := func(k int) float64 { return 100 * float64(k) / float64(n) }
	t.Logf("visible-only: price %.1f%%  availability %.1f%%  title %.1f%%", pct(okPrice), pct(okAvail), pct(okTitle))
	if pct(okPrice) < 85 || pct(okAvail) < 90 || pct(okTitle) < 90 {
		t.Errorf("visible-only accuracy below the bar (price 85%%, availability 90%%, title 90%%)")
	}
}
