package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/fetch"
)

// receiver is a local HTTP receiver that records what it got and answers
// with the statuses queued in it (200 when the queue is empty).
type receiver struct {
	srv *httptest.Server

	mu       sync.Mutex
	bodies   [][]byte
	headers  []http.Header
	statuses []int
	retry    string
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, b)
		r.headers = append(r.headers, req.Header.Clone())
		st := http.StatusOK
		if len(r.statuses) > 0 {
			st, r.statuses = r.statuses[0], r.statuses[1:]
		}
		if r.retry != "" {
			w.Header().Set("Retry-After", r.retry)
		}
		r.mu.Unlock()
		w.WriteHeader(st)
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.bodies)
}

func loopbackClient(allow bool) *http.Client {
	o := fetch.Options{AllowPrivateNetworks: allow}
	if !allow {
		// Open only a documentation prefix: loopback stays refused.
		o.AllowedCIDRs = []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}
	}
	return fetch.NewOutboundClient(o, 5*time.Second)
}

// verify is the README's Go verification snippet, verbatim in spirit: parse
// t and v1, recompute HMAC-SHA256 over "t.body", compare in constant time,
// refuse stale timestamps.
func verify(secret, header string, body []byte, now time.Time) bool {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || now.Sub(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want := hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(sig))
}

func TestWebhookSignedBody(t *testing.T) {
	rc := newReceiver(t)
	m := SampleMessage()
	m.ID, m.Kind, m.Test = "rule:7/event:99/channel:3", "price_at_or_below", false
	m.At = time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	w := &Webhook{URL: rc.srv.URL + "/hook", Secret: "s3cret", Client: loopbackClient(true), UserAgent: "shelfwatch/test"}
	if err := w.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	if rc.count() != 1 {
		t.Fatalf("%d requests", rc.count())
	}
	body, h := rc.bodies[0], rc.headers[0]
	if !verify("s3cret", h.Get(HeaderSignature), body, time.Now()) {
		t.Fatalf("signature %q does not verify", h.Get(HeaderSignature))
	}
	if verify("other", h.Get(HeaderSignature), body, time.Now()) {
		t.Fatal("verifies under another secret")
	}
	tampered := append([]byte(nil), body...)
	tampered[10] ^= 1
	if verify("s3cret", h.Get(HeaderSignature), tampered, time.Now()) {
		t.Fatal("verifies a tampered body")
	}
	if verify("s3cret", h.Get(HeaderSignature), body, time.Now().Add(time.Hour)) {
		t.Fatal("verifies a stale timestamp")
	}
	if h.Get(HeaderDelivery) != m.ID || h.Get("User-Agent") != "shelfwatch/test" || h.Get("Content-Type") != "application/json" {
		t.Fatalf("headers %v", h)
	}
	var got WebhookBody
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.ID != m.ID || got.Type != "price_at_or_below" || got.NewPrice.Minor != 27900 || got.OldPrice.Display != "€329.00" ||
		got.Product.Title != "Example headphones" || !got.OccurredAt.Equal(m.At) {
		t.Fatalf("body %s", body)
	}
}

func TestWebhookFailureClasses(t *testing.T) {
	cases := []struct {
		status    int
		retry     string
		permanent bool
		after     time.Duration
	}{
		{500, "", false, 0},
		{502, "", false, 0},
		{408, "", false, 0},
		{429, "120", false, 2 * time.Minute},
		{503, "999999", false, MaxRetryAfter},
		{410, "", true, 0},
		{404, "", true, 0},
		{401, "", true, 0},
	}
	for _, c := range cases {
		rc := newReceiver(t, c.status)
		rc.retry = c.retry
		w := &Webhook{URL: rc.srv.URL, Client: loopbackClient(true)}
		err := w.Send(t.Context(), SampleMessage())
		var e *Error
		if !errors.As(err, &e) || e.Status != c.status || Permanent(err) != c.permanent || RetryAfter(err) != c.after {
			t.Errorf("%d: err %v (%+v), want permanent %v retry-after %v", c.status, err, e, c.permanent, c.after)
		}
	}
}

func TestWebhookToPrivateAddressRefused(t *testing.T) {
	rc := newReceiver(t)
	w := &Webhook{URL: rc.srv.URL + "/hook?token=abc123", Client: loopbackClient(false)}
	err := w.Send(t.Context(), SampleMessage())
	if err == nil || !Permanent(err) || !strings.Contains(err.Error(), "not allowed") {
		t.Fatalf("err %v, want a permanent refusal", err)
	}
	if strings.Contains(err.Error(), "abc123") {
		t.Fatalf("the error leaks the URL's token: %v", err)
	}
	if rc.count() != 0 {
		t.Fatal("the refused receiver got a request")
	}
	if err := fetch.CheckOutboundHost(t.Context(), fetch.Options{}, "127.0.0.1"); !errors.Is(err, fetch.ErrForbiddenAddress) {
		t.Fatalf("CheckOutboundHost(127.0.0.1) = %v", err)
	}
}

func TestShoutrrrNtfyThroughTheGuard(t *testing.T) {
	rc := newReceiver(t)
	host := strings.TrimPrefix(rc.srv.URL, "http://")
	u := "ntfy://" + host + "/prices?scheme=http"
	if name, err := ValidateShoutrrrURL(u); err != nil || name != "ntfy" {
		t.Fatalf("ValidateShoutrrrURL = %q, %v", name, err)
	}
	s := &Shoutrrr{URL: u, Client: loopbackClient(true)}
	if err := s.Send(t.Context(), SampleMessage()); err != nil {
		t.Fatal(err)
	}
	if rc.count() != 1 || !strings.Contains(string(rc.bodies[0]), "Example headphones") {
		t.Fatalf("ntfy receiver got %d requests: %q", rc.count(), rc.bodies)
	}

	// Private networks off: refused before anything reaches the receiver.
	s.Client = loopbackClient(false)
	err := s.Send(t.Context(), SampleMessage())
	if err == nil || !strings.Contains(err.Error(), "not allowed") {
		t.Fatalf("err %v, want refused", err)
	}
	if rc.count() != 1 {
		t.Fatal("the refused send reached the receiver")
	}

	// A 429 from the service is classified like a webhook's.
	rl := newReceiver(t, 429)
	rl.retry = "30"
	s = &Shoutrrr{URL: "ntfy://" + strings.TrimPrefix(rl.srv.URL, "http://") + "/prices?scheme=http", Client: loopbackClient(true)}
	err = s.Send(t.Context(), SampleMessage())
	if Permanent(err) || RetryAfter(err) != 30*time.Second {
		t.Fatalf("429: %v (retry after %v)", err, RetryAfter(err))
	}
}

func TestShoutrrrURLValidation(t *testing.T) {
	for _, u := range []string{"", "nonsense", "smtp://u:p@mail.example:25/?from=a@b.example&to=c@d.example", "logger://", "gopher://x"} {
		if _, err := ValidateShoutrrrURL(u); !errors.Is(err, ErrUnsupportedService) {
			t.Errorf("ValidateShoutrrrURL(%q) = %v", u, err)
		}
	}
	secretURL := "discord://TOPSECRETTOKEN@" // no webhook id: invalid
	if _, err := ValidateShoutrrrURL(secretURL); err == nil || strings.Contains(err.Error(), "TOPSECRET") {
		t.Fatalf("bad discord URL: %v", err)
	}
	for _, u := range []string{"discord://token@123456789", "slack://hook:T00000000-B00000000-XXXXXXXXXXXXXXXXXXXXXXXX@webhook", "telegram://110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw@telegram?chats=@chan", "gotify://gotify.example/Aaa.bbb.ccc", "pushover://shoutrrr:token@userkey"} {
		if _, err := ValidateShoutrrrURL(u); err != nil {
			t.Errorf("ValidateShoutrrrURL(%q) = %v", u, err)
		}
	}
}

func TestBackoffSpansAboutADay(t *testing.T) {
	var total time.Duration
	for a := 1; a < MaxAttempts; a++ {
		lo, hi := Backoff(a, 0, 0), Backoff(a, 0, 0.999)
		if hi <= lo || lo <= 0 {
			t.Fatalf("attempt %d: jitter range %v..%v", a, lo, hi)
		}
		total += Backoff(a, 0, 0.5)
	}
	if total < 18*time.Hour || total > 30*time.Hour {
		t.Fatalf("retries span %v, want about a day", total)
	}
	if Backoff(1, 0, 0.5) != 30*time.Second || Backoff(30, 0, 0.5) != 2*time.Hour {
		t.Fatalf("first %v, cap %v", Backoff(1, 0, 0.5), Backoff(30, 0, 0.5))
	}
	if Backoff(1, time.Hour, 0.5) != time.Hour {
		t.Fatal("Retry-After not honoured")
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	if d := parseRetryAfter("Sat, 21 Nov 2026 08:02:00 GMT", now); d != 2*time.Minute {
		t.Fatalf("date: %v", d)
	}
	for _, v := range []string{"", "soon", "-5"} {
		if d := parseRetryAfter(v, now); d != 0 {
			t.Errorf("%q: %v", v, d)
		}
	}
}

func TestTemplates(t *testing.T) {
	text, err := RenderText(SampleMessage())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Example headphones (shop.example)", "€329.00 → €279.00", "Lowest before: €269.00", "https://shop.example/p/headphones"} {
		if !strings.Contains(text, want) {
			t.Errorf("default text lacks %q:\n%s", want, text)
		}
	}
	custom, err := ParseTextTemplate("{{.Product.Title}} is {{.New.Display}}")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := RenderWith(custom, SampleMessage()); got != "Example headphones is €279.00" {
		t.Fatalf("custom: %q", got)
	}
	for _, bad := range []string{"{{.Nope}}", "{{if}}", strings.Repeat("x", MaxTemplateBytes+1)} {
		if _, err := ParseTextTemplate(bad); !errors.Is(err, ErrTemplate) {
			t.Errorf("ParseTextTemplate(%.20q) = %v", bad, err)
		}
	}
	m := SampleMessage()
	m.Product.Title = `<script>alert(1)</script>`
	m.Product.URL = "javascript:alert(1)"
	html, err := RenderHTML(m)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, "<script>") || strings.Contains(html, "javascript:") {
		t.Fatalf("HTML not escaped:\n%s", html)
	}
}

func TestClassifyTransportHidesURL(t *testing.T) {
	c := &http.Client{Timeout: time.Second}
	_, err := c.Get("http://127.0.0.1:1/hook?token=SECRET")
	e := classifyTransport(err)
	if e.Permanent || strings.Contains(e.Error(), "SECRET") {
		t.Fatalf("%v (permanent %v)", e, e.Permanent)
	}
}
