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

// smallPage bounds which 200 pages are searched for markers. Walls are a
// few kilobytes; product pages run to hundreds, and a review that says
// "are you a robot?" must not make a real page "blocked".
const smallPage = 128 << 10

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
	if len(head) > smallPage {
		head = head[:smallPage]
	}
	lower := bytes.ToLower(head)
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
