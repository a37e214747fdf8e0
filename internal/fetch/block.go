package fetch

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
)

const blockReasonStatus429 = "status 429"

// blockMarkers are phrases found on bot-wall pages and not on product
// pages. Each is lower case; the reason is what Result.BlockReason says.
var blockMarkers = []struct{ marker, reason string }{
	{"_cf_chl_opt", "cloudflare challenge"},
	{"cf-browser-verification", "cloudflare challenge"},
	{"captcha-delivery.com", "datadome captcha"},
	{"px-captcha", "perimeterx captcha"},
	{"/errors/validatecaptcha", "robot check"},
	{"are you a robot", "robot check"},
	{"are you a human", "robot check"},
	{"verify you are human", "robot check"},
	{"verify you are a human", "robot check"},
	{"robot check", "robot check"},
	{"unusual traffic from your", "unusual traffic"},
	{"access to this page has been denied", "access denied"},
}

// smallPage bounds which 2xx pages are searched for markers. Walls served
// with 200 (Amazon's robot check, CAPTCHA interstitials) are a few
// kilobytes; product pages run to hundreds, and a review that says "are you
// a robot?" must not make a real page "blocked". It also keeps the check
// off the hot path for ordinary pages.
const smallPage = 32 << 10

// scanLimit bounds how much of a 403/429/503 body is searched.
const scanLimit = 128 << 10

// detectBlock returns why the response looks like a bot wall, or "".
// It only reports: shelfwatch never tries to get past a wall (no CAPTCHA
// solving, no fingerprint games), it backs off and tells the operator.
func detectBlock(status int, h http.Header, body []byte) string {
	if strings.EqualFold(h.Get("Cf-Mitigated"), "challenge") {
		return "cloudflare challenge"
	}
	wall := status == http.StatusForbidden || status == http.StatusTooManyRequests
	if !wall && status != http.StatusServiceUnavailable && (status < 200 || status > 299 || len(body) > smallPage) {
		return ""
	}
	head := body
	if len(head) > scanLimit {
		head = head[:scanLimit]
	}
	lower := asciiLower(head)
	for _, m := range blockMarkers {
		if bytes.Contains(lower, []byte(m.marker)) {
			return m.reason
		}
	}
	if t := title(lower); strings.Contains(t, "captcha") {
		return "captcha"
	} else if t == "just a moment..." || t == "attention required! | cloudflare" {
		return "cloudflare challenge"
	} else if wall && strings.Contains(t, "access denied") {
		return "access denied"
	}
	if wall {
		if status == http.StatusTooManyRequests {
			return blockReasonStatus429
		}
		return "status " + strconv.Itoa(status)
	}
	return ""
}

// title returns the text of the first <title> element of a lower-cased
// page, trimmed.
func title(lower []byte) string {
	i := bytes.Index(lower, []byte("<title"))
	if i < 0 {
		return ""
	}
	rest := lower[i:]
	j := bytes.IndexByte(rest, '>')
	if j < 0 {
		return ""
	}
	rest = rest[j+1:]
	k := bytes.Index(rest, []byte("</title"))
	if k < 0 {
		return ""
	}
	return strings.TrimSpace(string(rest[:k]))
}

// asciiLower lower-cases ASCII letters only: every marker is ASCII, and
// bytes.ToLower's Unicode path costs ten times more on pages with any
// non-ASCII byte.
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}
