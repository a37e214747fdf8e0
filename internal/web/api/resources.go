package api

import (
	"time"

	"github.com/shelfwatch/shelfwatch/internal/price"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// JSON shapes of the API. Money goes out as decimal strings with an ISO 4217
// code, never as floats; times as RFC 3339 in UTC.

type watchJSON struct {
	ID          int64        `json:"id"`
	ProductID   int64        `json:"product_id"`
	TargetPrice *string      `json:"target_price"`
	Currency    string       `json:"currency,omitempty"`
	Tags        []string     `json:"tags"`
	Notes       string       `json:"notes"`
	Paused      bool         `json:"paused"`
	MinInterval string       `json:"min_interval,omitempty"` // "15m": checks no more often (omitted: no limit)
	CreatedAt   string       `json:"created_at"`
	Product     *productJSON `json:"product,omitempty"`
}

type productJSON struct {
	ID            int64   `json:"id"`
	URL           string  `json:"url"`
	CanonicalURL  string  `json:"canonical_url"`
	Domain        string  `json:"domain"`
	Title         string  `json:"title"`
	ImageURL      string  `json:"image_url"`
	Price         *string `json:"price"`
	Currency      string  `json:"currency"`
	Availability  string  `json:"availability"`
	Status        string  `json:"status"`
	LastCheckedAt *string `json:"last_checked_at"`
	NextCheckAt   string  `json:"next_check_at"`
	CreatedAt     string  `json:"created_at"`
}

type pointJSON struct {
	At           string  `json:"at"`
	Price        *string `json:"price"`
	Currency     string  `json:"currency"`
	Availability string  `json:"availability"`
}

func rfc3339(ms int64) string {
	return time.UnixMilli(ms).UTC().Format(time.RFC3339Nano)
}

func optTime(ms *int64) *string {
	if ms == nil {
		return nil
	}
	s := rfc3339(*ms)
	return &s
}

func money(minor *int64, currency string) *string {
	if minor == nil {
		return nil
	}
	s := price.Format(*minor, currency)
	return &s
}

func toProductJSON(p *store.Product) *productJSON {
	return &productJSON{
		ID: p.ID, URL: p.URL, CanonicalURL: p.CanonicalURL, Domain: p.Domain, Title: p.Title,
		ImageURL: p.ImageURL, Price: money(p.PriceMinor, p.Currency), Currency: p.Currency,
		Availability: p.Availability, Status: p.Status, LastCheckedAt: optTime(p.LastCheckedAt),
		NextCheckAt: rfc3339(p.NextCheckAt), CreatedAt: rfc3339(p.CreatedAt),
	}
}

func toWatchJSON(w *store.Watch) watchJSON {
	out := watchJSON{ID: w.ID, ProductID: w.ProductID, Tags: w.Tags, Notes: w.Notes,
		Paused: w.Paused, MinInterval: FormatInterval(w.MinInterval), CreatedAt: rfc3339(w.CreatedAt)}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	out.Currency = w.TargetCurrency
	if w.Product != nil {
		out.Product = toProductJSON(w.Product)
		if out.Currency == "" {
			out.Currency = w.Product.Currency
		}
	}
	out.TargetPrice = money(w.TargetMinor, out.Currency)
	return out
}
