package catalog

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/shelfwatch/shelfwatch/internal/price"
)

// FeedPageSize is the largest page Shopify's /products.json gives.
const FeedPageSize = 250

// Item is one product a scan found.
type Item struct {
	URL        string
	Title      string
	PriceMinor *int64 // in Currency's minor units (2 decimals when Currency is "")
	Currency   string // "" when the source does not say (Shopify's feed does not)
	Lastmod    *int64
}

type feedPage struct {
	Products []struct {
		Title    string `json:"title"`
		Handle   string `json:"handle"`
		URL      string `json:"url"` // not Shopify's; some feeds (storesim) give it
		Variants []struct {
			Price json.RawMessage `json:"price"` // "19.99" (or 19.99 in older feeds)
		} `json:"variants"`
		UpdatedAt string `json:"updated_at"`
	} `json:"products"`
}

// ParseFeed reads one page of a Shopify-style /products.json. A product's
// URL is its "url" when given on the store's host, else /products/<handle>
// on base. Products without a handle or URL are skipped. Its price is the
// first variant's; the feed names no currency.
func ParseFeed(body []byte, base *url.URL) ([]Item, error) {
	var page feedPage
	if err := json.Unmarshal(body, &page); err != nil {
		return nil, fmt.Errorf("catalog: product feed is not Shopify-style JSON: %w", err)
	}
	if page.Products == nil {
		return nil, fmt.Errorf("catalog: product feed has no \"products\" list")
	}
	items := make([]Item, 0, len(page.Products))
	for _, p := range page.Products {
		var link string
		if u, err := base.Parse(p.URL); p.URL != "" && err == nil && strings.EqualFold(u.Host, base.Host) {
			link = u.String()
		} else if h := strings.Trim(p.Handle, "/ "); h != "" {
			link = base.ResolveReference(&url.URL{Path: "/products/" + h}).String()
		} else {
			continue
		}
		it := Item{URL: link, Title: strings.Join(strings.Fields(p.Title), " "), Lastmod: parseLastmod(p.UpdatedAt)}
		if len(p.Variants) > 0 {
			it.PriceMinor = feedPrice(p.Variants[0].Price)
		}
		items = append(items, it)
	}
	return items, nil
}

func feedPrice(raw json.RawMessage) *int64 {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return nil
		}
		s = n.String()
	}
	minor, ok := price.Price{Amount: strings.TrimSpace(s)}.Minor()
	if !ok {
		return nil
	}
	return &minor
}
