package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Webhook headers. The signature is HMAC-SHA256, keyed with the channel's
// signing secret, over "<timestamp>.<body>", hex encoded:
//
//	Shelfwatch-Signature: t=1732147200,v1=5257a869e7…
//
// A receiver recomputes it over the raw body and the t value, compares in
// constant time, and rejects timestamps older than a few minutes (replay).
// README ("Webhook signatures") has verification snippets.
const (
	HeaderSignature = "Shelfwatch-Signature"
	HeaderDelivery  = "Shelfwatch-Delivery" // the notification's idempotency key
	HeaderEvent     = "Shelfwatch-Event"    // the message kind
)

// Webhook posts a JSON document to a URL.
type Webhook struct {
	URL       string
	Secret    string // signing secret; "" sends unsigned
	Client    *http.Client
	UserAgent string
	Now       func() time.Time // for tests; nil = time.Now
}

// WebhookBody is the JSON a webhook receives (its documented schema).
type WebhookBody struct {
	ID           string    `json:"id"`
	Type         string    `json:"type"`
	Test         bool      `json:"test,omitempty"`
	OccurredAt   time.Time `json:"occurred_at"`
	Subject      string    `json:"subject"`
	Text         string    `json:"text"`
	Reason       string    `json:"reason,omitempty"`
	Product      Product   `json:"product"`
	OldPrice     *Money    `json:"old_price,omitempty"`
	NewPrice     *Money    `json:"new_price,omitempty"`
	LowPrice     *Money    `json:"low_price,omitempty"`
	Target       *Money    `json:"target,omitempty"`
	Availability string    `json:"availability,omitempty"`
	Link         string    `json:"link,omitempty"`
}

// Body builds the webhook document for m.
func Body(m Message) WebhookBody {
	text, _ := RenderText(m) // the default template cannot fail on a Message
	return WebhookBody{ID: m.ID, Type: m.Kind, Test: m.Test, OccurredAt: m.At.UTC(), Subject: m.Subject, Text: text,
		Reason: m.Reason, Product: m.Product, OldPrice: m.Old, NewPrice: m.New, LowPrice: m.Low,
		Target: m.Target, Availability: m.Availability, Link: m.Link}
}

// Sign returns the Shelfwatch-Signature value for body at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Send posts m. 2xx is success; see statusError for the rest.
func (w *Webhook) Send(ctx context.Context, m Message) error {
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	body, err := json.Marshal(Body(m))
	if err != nil {
		return &Error{Err: fmt.Errorf("webhook: encode: %w", err), Permanent: true}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return &Error{Err: fmt.Errorf("webhook: %w", err), Permanent: true}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", w.UserAgent)
	req.Header.Set(HeaderDelivery, m.ID)
	req.Header.Set(HeaderEvent, m.Kind)
	if w.Secret != "" {
		req.Header.Set(HeaderSignature, Sign(w.Secret, now(), body))
	}
	resp, err := w.Client.Do(req)
	if err != nil {
		// Network errors, timeouts and refused addresses: the error says
		// which; refused addresses are permanent (the guard will refuse
		// again).
		return classifyTransport(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	return statusError(resp, now())
}
