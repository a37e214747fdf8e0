package cli

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/notify"
	"github.com/shelfwatch/shelfwatch/internal/notify/notifytest"
	"github.com/shelfwatch/shelfwatch/internal/price"
)

// verifyShelfwatchSignature is the README's verification snippet ("Webhook
// signatures"), kept word for word so the documented code is the tested
// code.
func verifyShelfwatchSignature(secret, header string, body []byte, now time.Time) bool {
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
		return false // missing or stale timestamp: a replay
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(sig))
}

// webhookSink is a local webhook receiver that checks signatures.
type webhookSink struct {
	srv    *httptest.Server
	secret string

	mu       sync.Mutex
	bodies   []notify.WebhookBody
	badSig   int
	received map[string]int // by Shelfwatch-Delivery
}

func newWebhookSink(t *testing.T) *webhookSink {
	s := &webhookSink{received: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		defer s.mu.Unlock()
		if !verifyShelfwatchSignature(s.secret, r.Header.Get(notify.HeaderSignature), b, time.Now()) {
			s.badSig++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var wb notify.WebhookBody
		_ = json.Unmarshal(b, &wb)
		s.bodies = append(s.bodies, wb)
		s.received[r.Header.Get(notify.HeaderDelivery)]++
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *webhookSink) got() (n, bad int, bodies []notify.WebhookBody) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.bodies), s.badSig, append([]notify.WebhookBody(nil), s.bodies...)
}

// The alerts issue end to end, through serve: a watch on a storesim
// product with a target rule sending to a signed webhook and an email
// channel. A drop below the target gives exactly one notification per
// channel; seeing that price again gives none; rising above the band and
// dropping again fires again.
func TestAlertsEndToEnd(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			sim := startStore(t, 1)
			c := e2eConfig(t, engine)
			base, stop := startServe(t, c)
			defer func() {
				if err := stop(); err != nil {
					t.Errorf("stop: %v", err)
				}
			}()
			side := openSide(t, c)

			code, body := httpDo(t, "POST", base+"/api/v1/watches", fmt.Sprintf(`{"url":%q}`, sim.URL(1)))
			if code != http.StatusCreated {
				t.Fatalf("POST watch: %d %s", code, body)
			}
			var w apiWatch
			_ = json.Unmarshal(body, &w)
			waitFor(t, "the first check", func() bool {
				ws := listWatches(t, base)
				return len(ws) == 1 && ws[0].Product.LastCheckedAt != nil
			})
			truth, _ := sim.Product(1)
			start, ok := price.Price{Amount: truth.Price, Currency: truth.Currency}.Minor()
			if !ok {
				t.Fatalf("storesim price %q", truth.Price)
			}
			if truth.Availability != "in_stock" {
				if err := sim.SetAvailability(1, "in_stock"); err != nil {
					t.Fatal(err)
				}
			}

			hook := newWebhookSink(t)
			code, body = httpDo(t, "POST", base+"/api/v1/channels", fmt.Sprintf(`{"kind":"webhook","name":"hook","url":%q}`, hook.srv.URL+"/shelfwatch"))
			if code != http.StatusCreated {
				t.Fatalf("POST webhook channel: %d %s", code, body)
			}
			var wh struct {
				ID            int64  `json:"id"`
				SigningSecret string `json:"signing_secret"`
			}
			_ = json.Unmarshal(body, &wh)
			hook.mu.Lock()
			hook.secret = wh.SigningSecret
			hook.mu.Unlock()

			sink := notifytest.StartSMTP(t, "alerts", "smtp-pass-123")
			host, port, _ := net.SplitHostPort(sink.Addr)
			code, body = httpDo(t, "POST", base+"/api/v1/channels", fmt.Sprintf(
				`{"kind":"email","name":"mail","smtp_url":"smtp://alerts:smtp-pass-123@%s:%s?tls=none","from":"shelfwatch@example.test","to":"ann@example.test"}`, host, port))
			if code != http.StatusCreated {
				t.Fatalf("POST email channel: %d %s", code, body)
			}
			var em struct {
				ID int64 `json:"id"`
			}
			_ = json.Unmarshal(body, &em)

			target := start * 95 / 100
			code, body = httpDo(t, "POST", base+"/api/v1/rules", fmt.Sprintf(`{"kind":"price_at_or_below","watch_id":%d,"target":%q,"currency":%q,"channel_ids":[%d,%d]}`,
				w.ID, price.Format(target, truth.Currency), truth.Currency, wh.ID, em.ID))
			if code != http.StatusCreated {
				t.Fatalf("POST rule: %d %s", code, body)
			}

			checks := 0
			recheck := func(minor int64) {
				t.Helper()
				if minor != 0 {
					if err := sim.SetPrice(1, price.Format(minor, truth.Currency)); err != nil {
						t.Fatal(err)
					}
				}
				checks++
				before, err := side.GetProduct(t.Context(), w.Product.ID)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := side.DB().Write.ExecContext(t.Context(), `UPDATE products SET next_check_at = $1 WHERE id = $2`, time.Now().UnixMilli(), w.Product.ID); err != nil {
					t.Fatal(err)
				}
				waitFor(t, fmt.Sprintf("check %d", checks), func() bool {
					p, err := side.GetProduct(t.Context(), w.Product.ID)
					return err == nil && p.LastCheckedAt != nil && (before.LastCheckedAt == nil || *p.LastCheckedAt > *before.LastCheckedAt)
				})
			}
			delivered := func(want int) {
				t.Helper()
				waitFor(t, fmt.Sprintf("%d deliveries per channel", want), func() bool {
					n, _, _ := hook.got()
					return n >= want && len(sink.Mails()) >= want
				})
				// Let a duplicate, if there were one, arrive.
				time.Sleep(300 * time.Millisecond)
				n, bad, _ := hook.got()
				if n != want || len(sink.Mails()) != want || bad != 0 {
					t.Fatalf("webhook got %d (%d bad signatures), mail got %d; want %d each", n, bad, len(sink.Mails()), want)
				}
			}

			recheck(start * 90 / 100) // below the target: fires
			delivered(1)
			recheck(0)                   // the same price again: nothing
			recheck(target + target/100) // up, inside the 2 % band: nothing
			recheck(start * 90 / 100)    // down again without re-arming: nothing
			delivered(1)
			recheck(start * 120 / 100) // leaves the band: re-armed
			recheck(start * 80 / 100)  // fires again
			delivered(2)

			_, _, bodies := hook.got()
			if bodies[0].NewPrice == nil || bodies[0].NewPrice.Minor != start*90/100 || bodies[1].NewPrice.Minor != start*80/100 ||
				bodies[0].Type != "price_at_or_below" || bodies[0].Product.URL != sim.URL(1) || bodies[0].Target == nil {
				t.Fatalf("webhook bodies %+v", bodies)
			}
			mail := string(sink.Mails()[0].Data)
			if !strings.Contains(mail, "text/html") || !strings.Contains(mail, "text/plain") {
				t.Fatalf("mail without both parts:\n%s", mail)
			}
			code, body = httpDo(t, "GET", base+"/api/v1/notifications?status=sent", "")
			if code != http.StatusOK || strings.Count(string(body), `"status":"sent"`) != 4 {
				t.Fatalf("GET notifications: %d %s", code, body)
			}
			code, body = httpDo(t, "GET", base+"/metrics", "")
			for _, want := range []string{`shelfwatch_notification_attempts_total{kind="email",result="sent"} 2`,
				`shelfwatch_notification_attempts_total{kind="webhook",result="sent"} 2`, `shelfwatch_notification_latency_seconds_count 4`} {
				if code != http.StatusOK || !strings.Contains(string(body), want) {
					t.Errorf("metrics lack %s", want)
				}
			}
		})
	}
}

// A webhook pointing at loopback is refused when saved unless private
// networks are allowed (testConfig does not allow them).
func TestWebhookToLoopbackRefused(t *testing.T) {
	c := testConfig(t, "sqlite")
	base, stop := startServe(t, c)
	defer func() { _ = stop() }()
	code, body := httpDo(t, "POST", base+"/api/v1/channels", `{"kind":"webhook","name":"h","url":"http://127.0.0.1:9/hook"}`)
	if code != http.StatusBadRequest || !strings.Contains(string(body), "private") {
		t.Fatalf("loopback webhook: %d %s", code, body)
	}
}
