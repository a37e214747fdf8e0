package storesim

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// chrome holds the parts of every page that do not depend on one product's
// price or stock, rendered once per store. Pages pick variants by product, so
// sizes and markup differ between products without any per-request
// templating of the bulk of the page.
type chrome struct {
	css       *chunk
	sprites   []*chunk
	navs      []*chunk
	scripts   []*chunk
	reviews   []*chunk
	descs     [][]*chunk // by category
	carousels [][]*chunk // by currency
	footers   []*chunk   // by currency
	storeName string
}

const (
	pickNav = iota
	pickScripts
	pickReviews
	pickCarousel
	pickSprite
	pickDesc
	pickTheme  // buy-box markup family
	pickExtras // bits: sticky cart bar, related ItemList JSON-LD, app-state JSON
)

func newChrome(seed uint64, sampleTitles func(r *rand.Rand) (int, string, string)) *chrome {
	r := rand.New(rand.NewPCG(seed, 0xC4C0_4E))
	c := &chrome{storeName: []string{"Shelfwatch Outfitters", "Northgate Market", "Lumen & Larch", "Kiosk Nordic"}[r.IntN(4)]}
	c.css = newChunk(renderCSS(r))
	for range 4 {
		c.sprites = append(c.sprites, newChunk(renderSprite(r, 14_000+r.IntN(26_000))))
	}
	for range 6 {
		c.navs = append(c.navs, newChunk(renderNav(r, 8+r.IntN(6))))
	}
	for range 6 {
		c.scripts = append(c.scripts, newChunk(renderScripts(r, 40_000+r.IntN(50_000))))
	}
	for range 10 {
		c.reviews = append(c.reviews, newChunk(renderReviews(r, 6+r.IntN(30))))
	}
	for cat := range nouns {
		var ds []*chunk
		for range 3 {
			ds = append(ds, newChunk(renderDescription(r, cat)))
		}
		c.descs = append(c.descs, ds)
	}
	for ci := range currencies {
		var cs []*chunk
		for range 8 {
			cs = append(cs, newChunk(renderCarousel(r, &currencies[ci], sampleTitles)))
		}
		c.carousels = append(c.carousels, cs)
		c.footers = append(c.footers, newChunk(renderFooter(r, &currencies[ci], c.storeName)))
	}
	return c
}

func pickOf[T any](pool []T, v uint8) T { return pool[int(v)%len(pool)] }

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func randWord(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[r.IntN(26)]
	}
	return string(b)
}

func randToken(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[r.IntN(len(alnum))]
	}
	return string(b)
}

func renderCSS(r *rand.Rand) string {
	var b strings.Builder
	b.WriteString("<style>")
	for i := range 220 {
		fmt.Fprintf(&b, ".%s-%d{display:%s;margin:%dpx %dpx;padding:%dpx;color:#%06x;font-size:%.2frem}",
			randWord(r, 6), i, []string{"flex", "block", "grid", "inline-block"}[r.IntN(4)], r.IntN(40), r.IntN(40), r.IntN(24), r.IntN(1<<24), 0.75+r.Float64())
	}
	b.WriteString("@media (max-width:768px){.mega-menu{display:none}.product-gallery{flex-direction:column}}</style>\n")
	return b.String()
}

func renderSprite(r *rand.Rand, size int) string {
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" style="display:none" aria-hidden="true">`)
	for b.Len() < size {
		fmt.Fprintf(&b, `<symbol id="icon-%s" viewBox="0 0 24 24"><path d="M%d.%d %d.%dC`, randWord(r, 7), r.IntN(24), r.IntN(10), r.IntN(24), r.IntN(10))
		for range 12 {
			fmt.Fprintf(&b, "%d.%d %d.%d ", r.IntN(24), r.IntN(100), r.IntN(24), r.IntN(100))
		}
		b.WriteString(`Z"/></symbol>`)
	}
	b.WriteString("</svg>\n")
	return b.String()
}

var navTopics = []string{"New In", "Kitchen", "Outdoor", "Electronics", "Clothing", "Fitness", "Pantry", "Home", "Garden",
	"Kids", "Gifts", "Brands", "Deals", "Travel", "Office"}

func renderNav(r *rand.Rand, tops int) string {
	var b strings.Builder
	b.WriteString(`<header class="site-header"><div class="announcement-bar" role="region">Free returns within 30 days · Members get early access</div>`)
	b.WriteString(`<a class="site-logo" href="/">Home</a><form class="site-search" action="/search" role="search"><input type="search" name="q" placeholder="Search products"></form>`)
	b.WriteString(`<a class="mini-cart" href="/cart" aria-label="Cart"><span class="mini-cart__count">0</span></a>`)
	b.WriteString(`<nav class="mega-menu" aria-label="Main navigation"><ul class="mega-menu__top">`)
	for t := range tops {
		topic := navTopics[t%len(navTopics)]
		fmt.Fprintf(&b, `<li class="mega-menu__item"><a class="mega-menu__link" href="/c/%s">%s</a><div class="mega-menu__panel">`, slugify(topic), topic)
		for col := range 4 + r.IntN(3) {
			fmt.Fprintf(&b, `<div class="mega-menu__col"><p class="mega-menu__heading">%s %d</p><ul>`, topic, col+1)
			for l := range 8 + r.IntN(8) {
				label := adjectives[r.IntN(len(adjectives))] + " " + nouns[r.IntN(len(nouns))][r.IntN(7)]
				fmt.Fprintf(&b, `<li><a href="/c/%s/%s?nav=%d_%d_%d" data-track='{"event":"nav_click","menu":"%s","pos":%d}'>%s</a></li>`,
					slugify(topic), slugify(label), t, col, l, topic, l, label)
			}
			b.WriteString(`</ul></div>`)
		}
		b.WriteString(`</div></li>`)
	}
	b.WriteString("</ul></nav></header>\n")
	return b.String()
}

func renderScripts(r *rand.Rand, size int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}gtag("js",new Date());gtag("config","G-%s",{"anonymize_ip":true});</script>`, strings.ToUpper(randToken(r, 10)))
	b.WriteString(`<script id="__APP_STATE__" type="application/json">{"flags":{`)
	for i := range 60 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"%s_%d":%t`, randWord(r, 8), i, r.IntN(2) == 0)
	}
	b.WriteString(`},"i18n":{`)
	for i := range 120 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"%s.%s":"%s %s"`, randWord(r, 5), randWord(r, 6), randWord(r, 4), randWord(r, 7))
	}
	fmt.Fprintf(&b, `},"session":{"bucket":%d,"experiments":["%s","%s"]}}</script>`, r.IntN(100), randWord(r, 6), randWord(r, 6))
	// A minified bundle: repetitive like real code (it compresses about 4:1),
	// with an opaque base64 blob at the end as tag managers ship them.
	b.WriteString(`<script>(function(){"use strict";`)
	ids := make([]string, 40)
	for i := range ids {
		ids[i] = randWord(r, 1+r.IntN(3))
	}
	id := func() string { return ids[r.IntN(len(ids))] }
	for b.Len() < size*9/10 {
		switch r.IntN(4) {
		case 0:
			fmt.Fprintf(&b, "function %s(%s,%s){return %s.map(function(%s){return %s.%s+%s})}", id(), id(), id(), id(), id(), id(), id(), id())
		case 1:
			fmt.Fprintf(&b, "var %s=document.querySelector(\".%s-%d\");if(%s){%s.addEventListener(\"click\",%s,{passive:!0})}", id(), randWord(r, 5), r.IntN(200), id(), id(), id())
		case 2:
			fmt.Fprintf(&b, "%s.prototype.%s=function(%s){this.%s=%s||%d;return this};", id(), id(), id(), id(), id(), r.IntN(1000))
		default:
			fmt.Fprintf(&b, "window.%s=window.%s||{};window.%s.%s=[%d,%d,\"%s\"];", id(), id(), id(), id(), r.IntN(99), r.IntN(99), randWord(r, 6))
		}
	}
	b.WriteString(`var t="`)
	for b.Len() < size {
		b.WriteString(randToken(r, 76))
	}
	b.WriteString(`";window.__rum=t.length;})();</script>` + "\n")
	return b.String()
}

var reviewBodies = []string{
	"Bought this after my old one broke. Build quality is solid and it arrived in 2 days.",
	"Works as described. The finish scratched a little after 3 weeks of daily use, still happy.",
	"Great value. I compared it with two others in the shop and this one felt sturdier.",
	"Size runs small; I ordered one size up and it fits perfectly now.",
	"Exactly what I needed for the trip. Survived 12 days of rain without a problem.",
	"Packaging was excessive but the product itself is excellent. 5 stars from me.",
	"Instructions were unclear, took me 45 minutes to set up. Works fine since then.",
	"Second one I've bought – gave the first to my sister. Recommend.",
}

func renderReviews(r *rand.Rand, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<section class="reviews" id="reviews"><h2>Customer reviews</h2><div class="reviews__histogram">`)
	for s := 5; s >= 1; s-- {
		fmt.Fprintf(&b, `<div class="reviews__bar"><span>%d star</span><meter min="0" max="100" value="%d"></meter><span>%d%%</span></div>`, s, r.IntN(100), r.IntN(100))
	}
	b.WriteString(`</div><ol class="reviews__list">`)
	for range n {
		fmt.Fprintf(&b, `<li class="review"><div class="review__stars" aria-label="%d out of 5 stars">%s</div><p class="review__title">%s</p>`,
			1+r.IntN(5), strings.Repeat("★", 1+r.IntN(5)), []string{"Love it", "Solid", "Not bad", "Would buy again", "Okay for the money"}[r.IntN(5)])
		fmt.Fprintf(&b, `<p class="review__meta">By %s %c. · Verified purchase · %d %s 2026</p>`,
			[]string{"Anna", "Ben", "Chiara", "Dmitri", "Emeka", "Freya", "Hiro", "Ines"}[r.IntN(8)], 'A'+rune(r.IntN(26)), 1+r.IntN(28),
			[]string{"January", "March", "May", "July", "September"}[r.IntN(5)])
		for range 1 + r.IntN(4) {
			b.WriteString(`<p class="review__body">` + reviewBodies[r.IntN(len(reviewBodies))] + `</p>`)
		}
		fmt.Fprintf(&b, `<p class="review__helpful">%d people found this helpful</p></li>`, r.IntN(300))
	}
	b.WriteString("</ol></section>\n")
	return b.String()
}

func renderDescription(r *rand.Rand, cat int) string {
	var b strings.Builder
	b.WriteString(`<section class="product-description"><h2>Description</h2>`)
	for range 3 + r.IntN(5) {
		b.WriteString("<p>Designed for everyday use in the " + strings.ToLower(categoryNames[cat]) + ", it pairs durable materials with a clean, timeless look. ")
		b.WriteString("Every unit is inspected before it ships, and spare parts stay available for at least 7 years.</p>")
	}
	b.WriteString(`<table class="specs"><caption>Specifications</caption>`)
	for _, row := range [][2]string{
		{"Dimensions", fmt.Sprintf("%d × %d × %d cm", 5+r.IntN(60), 5+r.IntN(40), 2+r.IntN(30))},
		{"Weight", fmt.Sprintf("%d.%d kg", r.IntN(8), r.IntN(10))},
		{"Material", []string{"Stainless steel", "Recycled polyester", "Oak", "Aluminium", "Merino wool"}[r.IntN(5)]},
		{"Warranty", fmt.Sprintf("%d years", 1+r.IntN(5))},
		{"Model year", "2026"},
	} {
		fmt.Fprintf(&b, "<tr><th>%s</th><td>%s</td></tr>", row[0], row[1])
	}
	b.WriteString("</table></section>\n")
	return b.String()
}

func renderCarousel(r *rand.Rand, c *currency, sample func(r *rand.Rand) (int, string, string)) string {
	var b strings.Builder
	b.WriteString(`<section class="recommendations" aria-label="Customers also bought"><h2>Customers also bought</h2><ul class="carousel">`)
	for range 8 + r.IntN(6) {
		id, title, slug := sample(r)
		p := randomPrice(r, c)
		fmt.Fprintf(&b, `<li class="product-card"><a href="/p/%d-%s"><img src="/img/%d/card.webp" alt="" loading="lazy" width="240" height="240"><span class="product-card__title">%s</span>`, id, slug, id, title)
		if r.IntN(3) == 0 {
			fmt.Fprintf(&b, `<s class="product-card__compare">%s</s>`, c.format(roundPrice(c, p*13/10)))
		}
		fmt.Fprintf(&b, `<span class="product-card__price">%s</span>`, c.format(p))
		if r.IntN(6) == 0 {
			b.WriteString(`<span class="product-card__badge">Sold out</span>`)
		}
		fmt.Fprintf(&b, `<span class="product-card__rating">%d.%d (%d)</span></a></li>`, 3+r.IntN(2), r.IntN(10), r.IntN(900))
	}
	b.WriteString("</ul></section>\n")
	return b.String()
}

func renderFooter(r *rand.Rand, c *currency, store string) string {
	var b strings.Builder
	b.WriteString(`<footer class="site-footer"><div class="site-footer__perks">`)
	fmt.Fprintf(&b, `<p>Free shipping on orders over %s</p><p>Gift cards from %s</p>`, c.format(10*c.lo*c.scale()), c.format(2*c.lo*c.scale()))
	b.WriteString(`</div><div class="site-footer__links">`)
	for _, col := range []string{"Help", "About", "Stores", "Legal"} {
		fmt.Fprintf(&b, `<div><h3>%s</h3><ul>`, col)
		for i := range 6 + r.IntN(5) {
			fmt.Fprintf(&b, `<li><a href="/pages/%s-%d">%s %s</a></li>`, strings.ToLower(col), i, col, randWord(r, 6))
		}
		b.WriteString(`</ul></div>`)
	}
	fmt.Fprintf(&b, `</div><p class="site-footer__legal">© 2026 %s. Company no. %d. All prices include VAT where applicable.</p></footer>`+"\n", store, 10000000+r.IntN(89999999))
	return b.String()
}

func itoa(i int) string { return strconv.Itoa(i) }
