package catalog

import (
	"net/url"
	"testing"
)

func TestProductURL(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]bool{
		"https://s.example/":                               false,
		"https://s.example/p/12-red-kettle":                true,
		"https://s.example/products/red-kettle":            true,
		"https://s.example/collections/kitchen/products/x": true,
		"https://s.example/collections/kitchen":            false,
		"https://s.example/pages/about":                    false,
		"https://s.example/blogs/news/spring":              false,
		"https://s.example/blog/spring":                    false,
		"https://s.example/en/blog/spring":                 false,
		"https://s.example/en-us/products/kettle":          true,
		"https://s.example/en/":                            false,
		"https://s.example/category/kitchen":               false,
		"https://s.example/c/kitchen":                      false,
		"https://s.example/red-kettle-123.html":            true,
		"https://s.example/dp/B0123":                       true,
		"https://s.example/media/kettle.jpg":               false,
		"https://s.example/about-us":                       false,
		"https://s.example/kettles/red-kettle":             true,
	} {
		u, _ := url.Parse(raw)
		if got := ProductURL(u); got != want {
			t.Errorf("ProductURL(%s) = %v, want %v", raw, got, want)
		}
	}
}

func TestProductSitemap(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]bool{
		"https://s.example/sitemap_products_1.xml?from=1&to=9": true,
		"https://s.example/sitemap_pages_1.xml":                false,
		"https://s.example/sitemap_blogs_1.xml":                false,
		"https://s.example/sitemap_collections_1.xml":          false,
		"https://s.example/post-sitemap.xml":                   false,
		"https://s.example/page-sitemap.xml":                   false,
		"https://s.example/product_cat-sitemap.xml":            true,
		"https://s.example/category-sitemap.xml":               false,
		"https://s.example/sitemaps/products-1.xml.gz":         true,
		"https://s.example/sitemaps/site.xml":                  true,
		"https://s.example/sitemap-1.xml":                      true,
	} {
		u, _ := url.Parse(raw)
		if got := ProductSitemap(u); got != want {
			t.Errorf("ProductSitemap(%s) = %v, want %v", raw, got, want)
		}
	}
}
