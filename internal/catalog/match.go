// Package catalog watches store catalogs for new products: it finds a
// store's sitemaps (through robots.txt, or given), reads sitemap indexes and
// gzip sitemaps, or a Shopify /products.json feed, keeps the products whose
// title or URL matches a catalog watch's keywords, and records them through
// the store, which announces each product once with a new_product event.
//
// Parsing and matching are pure; fetching goes through the project's polite
// fetcher, and scans run as River jobs.
package catalog

import (
	"net/url"
	"path"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Matcher decides whether a product's title or URL matches a catalog watch's
// keywords: any include keyword (or none given), and no exclude keyword.
//
// Matching ignores case and diacritics ("Crème" matches "creme") and treats
// punctuation, hyphens, underscores and slashes as spaces, so a URL slug
// "lego-technic_42115" holds the words "lego technic 42115". A keyword matches
// whole words: "lego" matches "LEGO®" and "legos" (a plural s/es is allowed)
// but not "legolas". A keyword of several words matches them in a row, and a
// trailing "*" matches any word beginning ("lego*" matches "legolas"). A
// keyword in a script written without spaces (Chinese, Japanese, Thai, …)
// matches anywhere in the text.
type Matcher struct {
	include, exclude []keyword
}

type keyword struct {
	words  []string
	prefix bool   // the last word matches any word it begins
	cont   string // non-empty for scripts without spaces: a substring match
}

// NewMatcher compiles include and exclude keywords. Blank keywords are
// ignored.
func NewMatcher(include, exclude []string) *Matcher {
	return &Matcher{include: compile(include), exclude: compile(exclude)}
}

func compile(in []string) []keyword {
	var out []keyword
	for _, raw := range in {
		raw = strings.TrimSpace(raw)
		prefix := strings.HasSuffix(raw, "*")
		raw = strings.TrimRight(raw, "*")
		if hasUnspacedScript(raw) {
			if c := strings.Join(words(raw), ""); c != "" {
				out = append(out, keyword{cont: c})
			}
			continue
		}
		if w := words(raw); len(w) > 0 {
			out = append(out, keyword{words: w, prefix: prefix})
		}
	}
	return out
}

// Match reports whether a product with this title and URL passes the
// filter.
func (m *Matcher) Match(title, rawURL string) bool {
	text := append(words(title), words(slugText(rawURL))...)
	joined := strings.Join(text, "")
	hit := func(ks []keyword) bool {
		for _, k := range ks {
			if k.matches(text, joined) {
				return true
			}
		}
		return false
	}
	if len(m.include) > 0 && !hit(m.include) {
		return false
	}
	return !hit(m.exclude)
}

func (k keyword) matches(text []string, joined string) bool {
	if k.cont != "" {
		return strings.Contains(joined, k.cont)
	}
	n := len(k.words)
	for i := 0; i+n <= len(text); i++ {
		ok := true
		for j, w := range k.words {
			if !wordMatches(text[i+j], w, k.prefix && j == n-1) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func wordMatches(got, want string, prefix bool) bool {
	if prefix {
		return strings.HasPrefix(got, want)
	}
	if got == want {
		return true
	}
	rest, ok := strings.CutPrefix(got, want)
	return ok && (rest == "s" || rest == "es")
}

// slugText is the part of a URL that describes the product: its path,
// percent-decoded, without a file extension. The host is left out: a
// keyword "shop" must not match every product of shop.example.
func slugText(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	p := u.Path
	if ext := path.Ext(p); len(ext) > 1 && len(ext) <= 5 && !strings.ContainsAny(ext, "-_ ") {
		p = strings.TrimSuffix(p, ext)
	}
	return p
}

// words lower-cases s, removes diacritics and splits it at everything that
// is not a letter or a digit.
func words(s string) []string {
	if isASCII(s) { // most titles and URLs: nothing to decompose
		return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
			return (r < 'a' || r > 'z') && (r < '0' || r > '9')
		})
	}
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// a combining mark: the diacritic NFKD split off its letter
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Fields(foldSpecial(b.String()))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// foldSpecial folds the letters NFKD does not decompose.
var specialFold = strings.NewReplacer("ß", "ss", "æ", "ae", "ø", "o", "œ", "oe", "ł", "l", "đ", "d", "ı", "i")

func foldSpecial(s string) string { return specialFold.Replace(s) }

func hasUnspacedScript(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar) {
			return true
		}
	}
	return false
}
