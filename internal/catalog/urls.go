package catalog

import (
	"net/url"
	"path"
	"regexp"
	"strings"
)

// Path segments that name a product page wherever they appear
// (/products/x, /collections/y/products/x, /p/123, /dp/B0…, /item/…).
var productSegments = map[string]bool{
	"p": true, "product": true, "products": true, "produkt": true, "produit": true, "producto": true,
	"prodotto": true, "dp": true, "item": true, "items": true, "sku": true, "artikel": true,
}

// First path segments of pages that are not products: a sitemap that mixes
// them in (WordPress, Shopify's pages and collections) would otherwise
// announce "About us" as a new product.
var nonProductSegments = map[string]bool{
	"blog": true, "blogs": true, "news": true, "article": true, "articles": true, "post": true, "posts": true,
	"page": true, "pages": true, "category": true, "categories": true, "collections": true, "collection": true,
	"c": true, "tag": true, "tags": true, "author": true, "authors": true, "search": true, "cart": true,
	"checkout": true, "account": true, "login": true, "register": true, "about": true, "about-us": true,
	"contact": true, "contact-us": true, "faq": true, "faqs": true, "help": true, "support": true,
	"policies": true, "policy": true, "privacy": true, "privacy-policy": true, "terms": true, "legal": true,
	"imprint": true, "impressum": true, "shipping": true, "returns": true, "careers": true, "jobs": true,
	"press": true, "stores": true, "store-locator": true, "wishlist": true, "compare": true, "brands": true,
	"brand": true, "sitemap": true, "feed": true, "wp-content": true,
}

// A locale prefix such as /en/, /en-us/, /de_DE/.
var localeRe = regexp.MustCompile(`^[a-z]{2}([-_][a-z]{2})?$`)

// Files that are never product pages.
var nonPageExts = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true,
	".svg": true, ".pdf": true, ".xml": true, ".gz": true, ".css": true, ".js": true, ".txt": true}

// ProductURL reports whether a sitemap URL may be a product page: not the
// home page, not a file, and not under a blog, page, category, account or
// similar section (after an optional locale prefix), unless a segment
// names a product.
func ProductURL(u *url.URL) bool {
	segs := segments(u.Path)
	if len(segs) == 0 {
		return false
	}
	if nonPageExts[strings.ToLower(path.Ext(u.Path))] {
		return false
	}
	for _, s := range segs[:len(segs)-1] {
		if productSegments[s] {
			return true
		}
	}
	first := segs[0]
	if localeRe.MatchString(first) && !productSegments[first] {
		if len(segs) == 1 {
			return false // /en/ is a home page
		}
		first = segs[1]
	}
	return !nonProductSegments[first]
}

// Words in a child sitemap's file name that say it lists no products
// (sitemap_pages_1.xml, post-sitemap.xml, category-sitemap.xml,
// sitemap_blogs_1.xml, sitemap_collections_1.xml).
var nonProductSitemapRe = regexp.MustCompile(`(^|[^a-z])(pages?|posts?|blogs?|articles?|news|categor(y|ies)|collections?|tags?|authors?|brands?|stores?|videos?|images?)([^a-z]|$)`)

// ProductSitemap reports whether a child of a sitemap index may list
// products, judging by its file name.
func ProductSitemap(u *url.URL) bool {
	name := strings.ToLower(path.Base(u.Path))
	if strings.Contains(name, "product") {
		return true
	}
	return !nonProductSitemapRe.MatchString(name)
}

func segments(p string) []string {
	var out []string
	for s := range strings.SplitSeq(strings.ToLower(p), "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
