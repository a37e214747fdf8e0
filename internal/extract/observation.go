// Package extract turns a product page's HTML and URL into an Observation:
// what a shopper sees (title, price, currency, availability, identifiers),
// with the evidence for each value. It is pure: no I/O, no mutable globals.
package extract

// Availability is the stock state a shopper sees for the default selection.
type Availability string

// Availability values, as stored and shown.
const (
	InStock    Availability = "in_stock"
	OutOfStock Availability = "out_of_stock"
	PreOrder   Availability = "preorder"
	BackOrder  Availability = "backorder"
	Unknown    Availability = "unknown"
)

// Strategy names, in the order the chain trusts them.
const (
	SourceRule      = "rule"
	SourceJSONLD    = "jsonld"
	SourceMicrodata = "microdata"
	SourceMeta      = "meta"
	SourcePlatform  = "platform"
	SourceVisible   = "visible"
	SourceNone      = "none"
)

// Observation is what the page shows a shopper for the default selection.
type Observation struct {
	Title        string
	Price        string // canonical decimal ("19.99", "173000"); "" when no price is shown
	Currency     string // ISO 4217, or "" when unknown
	Availability Availability
	Image        string // absolute URL
	Brand        string
	SKU          string
	GTIN         string
	MPN          string
	Canonical    string // <link rel=canonical> or og:url, absolute
	Variants     []Variant
	Source       string  // strategy that supplied the price (SourceNone when there is none)
	Confidence   float64 // 0..1, lowered when strategies disagree
	Evidence     []Evidence
}

// Variant is one purchasable selection (size, colour) found in structured data.
type Variant struct {
	Name         string
	SKU          string
	Price        string
	Currency     string
	Availability Availability
}

// Evidence records one candidate value and where it came from.
type Evidence struct {
	Strategy string // jsonld, microdata, meta, platform:shopify, visible, rule, resolver…
	Field    string // price, currency, availability, title, image, …
	Value    string
	Where    string // selector-ish location or a short snippet
}

// Options steer one extraction.
type Options struct {
	// Rules are per-domain CSS selectors; the first whose Domain matches the
	// page host (exactly or as a parent domain) is applied before any other
	// strategy.
	Rules []Rule
	// Currency and Locale are optional hints (e.g. from the watch's settings)
	// used when the page itself does not settle them.
	Currency string
	Locale   string
}

// Rule is an admin-editable set of CSS selectors for one domain. Empty
// selectors are skipped.
type Rule struct {
	Domain       string
	Price        string
	Title        string
	Availability string
	Image        string
}
