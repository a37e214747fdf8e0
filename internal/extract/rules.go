package extract

import (
	"bytes"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// matchRule returns the first rule whose domain is the host or a parent of it.
func matchRule(rules []Rule, host string) *Rule {
	host = strings.TrimPrefix(strings.ToLower(host), "www.")
	for i := range rules {
		d := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(rules[i].Domain)), "www.")
		if d != "" && (host == d || strings.HasSuffix(host, "."+d)) {
			return &rules[i]
		}
	}
	return nil
}

// fromRule applies an admin's CSS selectors. It is the only place the page is
// parsed into a DOM (goquery), and only for domains that have a rule.
func fromRule(b []byte, r *Rule, pr *pricer) (facts, bool) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(b))
	if err != nil {
		return facts{}, false
	}
	f := facts{strategy: SourceRule, avail: Unknown, where: "rule:" + r.Domain}
	first := func(sel string) *goquery.Selection {
		if strings.TrimSpace(sel) == "" {
			return nil
		}
		defer func() { _ = recover() }() // cascadia panics on a few malformed selectors
		s := doc.Find(sel).First()
		if s.Length() == 0 {
			return nil
		}
		return s
	}
	if s := first(r.Price); s != nil {
		raw := strings.TrimSpace(s.AttrOr("content", ""))
		if raw == "" {
			raw = strings.TrimSpace(s.Text())
		}
		f.rawPrice = raw
		if a := pr.structAmount(raw, ""); a != "" {
			f.amount = a
		}
		if pp, ok := pr.text(raw, ""); ok {
			f.amount, f.currency = pp.Amount, pp.Currency
		}
		f.where = "rule:" + r.Price
	}
	if s := first(r.Title); s != nil {
		f.title = cleanText(s.Text())
	}
	if s := first(r.Image); s != nil {
		f.image = firstNonEmpty(s.AttrOr("src", ""), s.AttrOr("content", ""), s.AttrOr("href", ""), s.AttrOr("data-src", ""))
	}
	if s := first(r.Availability); s != nil {
		t := firstNonEmpty(s.AttrOr("content", ""), s.AttrOr("href", ""), strings.TrimSpace(s.Text()))
		if a, ok := parseAvailability(t); ok {
			f.avail = a
		} else {
			lt := strings.ToLower(t)
			switch {
			case hasAnyStr(lt, cueOut):
				f.avail = OutOfStock
			case hasAnyStr(lt, cuePre):
				f.avail = PreOrder
			case hasAnyStr(lt, cueBack):
				f.avail = BackOrder
			case hasAnyStr(lt, cueIn):
				f.avail = InStock
			}
		}
	}
	return f, f.amount != "" || f.title != "" || f.avail != Unknown
}
