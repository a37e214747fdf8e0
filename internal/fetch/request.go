package fetch

// Request is one page to fetch. Only URL is required.
type Request struct {
	URL string
	// Validators from the previous fetch of this URL, sent as If-None-Match
	// and If-Modified-Since; PrevBodyHash turns an identical body into
	// OutcomeUnchanged.
	ETag         string
	LastModified string
	PrevBodyHash string
	Domain       Domain
}

// Domain carries the per-domain settings the operator stored for the URL's
// domain (the domains table). The zero value means defaults.
type Domain struct {
	// Name keys pacing and the circuit breaker; "" means the URL's host.
	Name string
	// RatePerMinute caps requests to the domain; 0 means
	// Options.DefaultRatePerMinute. A slower robots.txt Crawl-delay wins.
	RatePerMinute float64
	// RequiresJS sends the page through headless Chromium.
	RequiresJS bool
	// ProxyPool names the operator's proxy pool to use; "" means
	// Options.DefaultProxyPool, and "direct" means no proxy.
	ProxyPool string
}
