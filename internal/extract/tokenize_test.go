package extract

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// token is what scan reads of one token: its type, its raw bytes, and the
// text of a text token.
type token struct {
	tt   html.TokenType
	raw  string
	text string
}

func (t token) String() string { return fmt.Sprintf("%v raw=%q text=%q", t.tt, t.raw, t.text) }

func xnetTokens(b []byte) []token {
	z := html.NewTokenizer(bytes.NewReader(b))
	var out []token
	for {
		tt := z.Next()
		t := token{tt: tt, raw: string(z.Raw())}
		if tt == html.TextToken {
			t.text = string(z.Text())
		}
		out = append(out, t)
		if tt == html.ErrorToken {
			return out
		}
	}
}

func ourTokens(b []byte) []token {
	z := newTokenizer(bytes.Clone(b)) // Text works in place
	var out []token
	for {
		tt := z.Next()
		t := token{tt: tt, raw: string(z.Raw())}
		if tt == html.TextToken {
			t.text = string(z.Text())
		}
		out = append(out, t)
		if tt == html.ErrorToken || len(out) > len(b)+2 {
			return out
		}
	}
}

// sameTokens reports the first token where the two tokenizers differ.
func sameTokens(t *testing.T, name string, b []byte) {
	t.Helper()
	want, got := xnetTokens(b), ourTokens(b)
	for i := range min(len(want), len(got)) {
		if want[i] != got[i] {
			t.Fatalf("%s: token %d differs:\nx/net: %v\nours:  %v", name, i, want[i], got[i])
		}
	}
	if len(want) != len(got) {
		t.Fatalf("%s: x/net has %d tokens, ours %d", name, len(want), len(got))
	}
}

var tokenizerSeeds = []string{
	"", "<", "<<", "</", "</>", "<a", "<a ", "<a b", "<a b=", "<a b='", "<a b=c", "a<b>c</b>d", "x < y > z",
	"<!doctype html><html lang=en>", "<!DOCTYPE", "<!DOC", "<!-->", "<!--->", "<!---->", "<!-- a -- b --!>c", "<!--x--!->y-->",
	"<!-- unterminated", "<![CDATA[ x<y ]]>z", "<?xml version=\"1.0\"?><p>", "</ p>", "</3>", "<3>", "<a\x00b>",
	"<p a=/>", "<p a=x/>", "<p a=\"x\"/>", "<br/>", "<br />", "<img src=x alt=y />", "<p a a=/>", "<p a=/ A/>",
	"<p A=1 a=2/>", "<p a=1 b=2 a=/>", "<p x= /y>", "<p =a>", "<p ==a>", "<p a b/ c>", "<div class=a/b>t</div>",
	"<script>a</script>", "<script>a</scrip</script>", "<script>if(a<b){}</script>", "<SCRIPT>x</Script >y",
	"<script><!-- <script> </script> --></script>z", "<script><!--<script>x</script>--></script>", "<script><!-- x --></script>",
	"<script>a<!--b-->c</script>", "<script><!--", "<script><!-- <sCrIpT/> -- </script>", "<script/>a</script>b",
	"<style>p>a{}</style>", "<title>A &amp; B</title>", "<textarea><p>&lt;</textarea>", "<title>t</titlex></title>",
	"<iframe><b></iframe>", "<noscript><img></noscript>", "<xmp><a></xmp>", "<plaintext><a></plaintext>", "<noembed>a</noembed",
	"a\r\nb\rc", "<title>a\r\nb\x00</title>", "x\x00y", "<script>\x00</script>", "&amp;&lt;&gt;&quot;&#39;&#x41;&nbsp;&notanentity;&",
	"<p title='a>b'>c</p>", "<p title=\"a>b\">c</p>", "<p\ttitle\n=\n\"x\"\f>", "<a href=x>y</a >", "</div foo=bar>",
	"<p>&euro;9,99&nbsp;€</p>", "<p>&NotANumber; &amp &AMP; &#128;</p>", "<meta charset=utf-8><title>Ç</title>",
}

func TestTokenizerSeeds(t *testing.T) {
	for _, s := range tokenizerSeeds {
		sameTokens(t, fmt.Sprintf("%q", s), []byte(s))
	}
}

// TestTokenizerPages holds the port to x/net/html on every page the tests
// use and the real-store corpus, as given and as scan sees them (script and
// style bodies cut out).
func TestTokenizerPages(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, d := range []string{"holdout/pages", "traps"} {
		more, _ := filepath.Glob(filepath.Join("testdata", d, "*.html"))
		files = append(files, more...)
	}
	if dir := corpusDir(t); dir != "" {
		more, _ := filepath.Glob(filepath.Join(dir, "pages", "*.html"))
		files = append(files, more...)
	}
	if len(files) < 50 {
		t.Fatalf("found only %d pages", len(files))
	}
	pages := map[string][]byte{"benchPage": benchPage(t)}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pages[f] = b
	}
	for name, b := range pages {
		sameTokens(t, name, b)
		kept := dropScriptBodies(toUTF8(b)).bytes()
		sameTokens(t, name+" (kept)", kept)
	}
}

func FuzzTokenizer(f *testing.F) {
	for _, s := range tokenizerSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(strings.Repeat("<div class=\"a\">x</div>", 3)))
	// Pieces of real-looking pages give the mutator markup to work on.
	files, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, fn := range files {
		if b, err := os.ReadFile(fn); err == nil {
			for off := 0; off < len(b); off += 3000 {
				f.Add(b[off:min(len(b), off+1500)])
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sameTokens(t, "input", b)
	})
}
