// Package storesim is a simulated online store for shelfwatch's demo, tests
// and benchmarks.
//
// It serves product pages of 150–300 KB (head with OpenGraph, mega-menu,
// inline scripts and app-state JSON, breadcrumbs, gallery, description,
// reviews, a "customers also bought" carousel with other prices, footer) in
// five layouts: JSON-LD in <head>, JSON-LD @graph at the end of <body>,
// microdata only, OpenGraph product:price only, and visible prices only.
// Prices are in USD, EUR, GBP, SEK, JPY or INR, written as shoppers in each
// locale read them ("$1,299.99", "1.299,99 €", "1 299 kr", "¥1,299",
// "₹1,29,999"); sale items show the struck list price, some pages a per-unit
// or instalment amount; stock is in stock, out of stock, pre-order or
// backorder, in the structured data and in words. Everything derives from
// Options.Seed: two stores with the same options serve the same bytes, and a
// product's content depends only on the seed and its id.
//
// Pages cost little to serve: the chrome is rendered (and DEFLATE-compressed)
// once per store and spliced with the per-product head, buy box and
// structured data. Pages carry ETag and Last-Modified, which change when the
// product does, and answer conditional GETs with 304 (unless Config.NoValidators). Clients that accept
// gzip get it.
//
// Around the pages:
//
//	GET  /robots.txt                    allows /p/, disallows /_sim/; Crawl-delay when configured
//	GET  /sitemap.xml                   sitemap index → /sitemaps/products-N.xml.gz (≤ 50,000 URLs each, lastmod)
//	GET  /products.json?page=N&limit=L  Shopify-like product feed (30 a page, at most 250)
//	GET  /p/{id}-{slug}                 a product page; an outdated slug redirects (301)
//
// The control API (JSON, never delayed or failed):
//
//	GET  /_sim/products/{id}   the truth: title, price, currency, availability, URL, ETag…
//	POST /_sim/products/{id}   {"price":"12.34","availability":"out_of_stock"} (either may be left out)
//	POST /_sim/products        {"count":N} or {"products":[{"title":…,"price":…,"currency":…,"availability":…,"layout":…}]}
//	GET  /_sim/config
//	POST /_sim/config          {"latency_ms":…,"error_rate":…,"status_429_rate":…,"block_rate":…,"crawl_delay":…,"no_validators":…};
//	                           fields left out keep their values
//	POST /_sim/tick            {"changed_share":0.1} changes the price of that share of products; "stock_share" flips stock
//	GET  /_sim/stats           requests served, by kind
//
// Faults apply to every store response except robots.txt: a 500, a 429 with
// Retry-After, or a 403 CAPTCHA-like bot wall, drawn from the seed and a
// request counter.
//
// In Go: New(Options) builds a store; Handler serves it from any server
// (httptest included); Start listens and serves until its context ends. With
// Options.Hosts = K > 1, Start also listens on 127.0.0.2 … 127.0.0.(K+1) at
// the same port and product id lives on 127.0.0.(2 + id mod K), so a client
// that limits its rate per host sees K stores; each host's sitemap and feed
// list its own products. Linux routes all of 127.0.0.0/8 to the loopback
// interface, so no setup is needed. With Options.TLS the store serves HTTPS
// with a self-signed certificate made at Start; CertPool lets clients trust
// it. Product, URL, SetPrice, SetAvailability, Update, AddProducts, Tick and
// SetConfig do in-process what the control API does over HTTP.
package storesim
