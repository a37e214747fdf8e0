package fetch

import (
	"net/http"
	"strings"
	"testing"
)

func TestDetectBlock(t *testing.T) {
	big := "<html><head><title>Blue kettle</title></head><body>" + strings.Repeat("<p>A fine kettle.</p>", 2000) +
		"<div class=review>Are you a robot? I love it.</div></body></html>"
	cases := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   string
	}{
		{"amazon robot check", 200, nil, `<html><head><title>Robot Check</title></head><body><form action="/errors/validateCaptcha">`, "robot check"},
		{"captcha title", 200, nil, `<html><head><title>hCaptcha verification</title></head></html>`, "captcha"},
		{"datadome", 403, nil, `<script src="https://ct.captcha-delivery.com/c.js"></script>`, "datadome captcha"},
		{"perimeterx", 403, nil, `<div id="px-captcha"></div>`, "perimeterx captcha"},
		{"unusual traffic", 200, nil, `<p>Our systems have detected unusual traffic from your computer network.</p>`, "unusual traffic"},
		{"cloudflare header", 200, http.Header{"Cf-Mitigated": {"challenge"}}, "", "cloudflare challenge"},
		{"cloudflare 503", 503, nil, `<title>Just a moment...</title><script>window._cf_chl_opt={cvId:'3'}</script>`, "cloudflare challenge"},
		{"access denied 403", 403, nil, `<html><head><title>Access Denied</title></head><body>You don't have permission</body></html>`, "access denied"},
		{"bare 403", 403, nil, "", "status 403"},
		{"bare 429", 429, nil, "", "status 429"},
		{"product with recaptcha form", 200, nil, `<title>Kettle</title><div class="g-recaptcha" data-sitekey="x"></div><span>€ 19,99</span>`, ""},
		{"long page quoting a wall phrase", 200, nil, big, ""},
		{"plain 503", 503, nil, "Service Unavailable", ""},
		{"404 mentioning captcha", 404, nil, "<title>captcha</title>", ""},
		{"ordinary page", 200, nil, "<title>Kettle</title><p>In stock</p>", ""},
	}
	for _, tc := range cases {
		if got := detectBlock(tc.status, tc.header, []byte(tc.body)); got != tc.want {
			t.Errorf("%s: detectBlock = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// A wall is reported as blocked: not a page without a price, not a retry.
func TestBlockedOutcome(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(`<html><head><title>Robot Check</title></head><body>Type the characters you see</body></html>`))
	})
	res := mustFetch(t, newClient(t, Options{}), Request{URL: s.URL + "/dp/B0001"})
	wantOutcome(t, res, OutcomeBlocked)
	if res.BlockReason != "robot check" || res.Body != nil || res.Attempts != 1 || !res.Outcome.Failure() {
		t.Errorf("reason %q, body %d bytes, attempts %d", res.BlockReason, len(res.Body), res.Attempts)
	}
}
