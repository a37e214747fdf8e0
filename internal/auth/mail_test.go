package auth

import (
	"context"
	"mime"
	"strings"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/fetch"
	"github.com/shelfwatch/shelfwatch/internal/notify/notifytest"
)

func sinkMailer(t *testing.T, url string) *SMTPMailer {
	t.Helper()
	m, err := ParseSMTPURL(url, "Shelfwatch <sw@example.com>")
	if err != nil {
		t.Fatal(err)
	}
	m.Dial = fetch.NewGuardedDialer(fetch.Options{AllowPrivateNetworks: true}).DialContext
	return m
}

func TestSMTPMailer(t *testing.T) {
	sink := notifytest.StartSMTP(t, "mailer", "s3cret-pass")
	// The sink speaks plain text: the URL has to say so.
	m := sinkMailer(t, "smtp://mailer:s3cret-pass@"+sink.Addr+"?tls=none")
	if strings.Contains(m.String(), "s3cret") {
		t.Errorf("String() shows the password: %s", m)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.Send(ctx, Message{To: "ann@example.com", Subject: "Hi\r\nBcc: evil@example.com", Body: "line 1\nline 2"}); err != nil {
		t.Fatal(err)
	}
	got := sink.WaitMail(t)
	if got.From != "sw@example.com" || len(got.To) != 1 || got.To[0] != "ann@example.com" || got.User != "mailer" {
		t.Errorf("envelope = %+v", got)
	}
	// The CRLF in the subject is encoded into the Subject header, not a
	// header of its own: no Bcc, and nobody else in the envelope.
	h, err := got.Header()
	if err != nil {
		t.Fatal(err)
	}
	if len(h["Bcc"]) != 0 || strings.Contains(string(got.Data), "\nBcc:") {
		t.Errorf("a Bcc header got through:\n%s", got.Data)
	}
	if subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject")); err != nil || !strings.HasPrefix(subject, "Hi") {
		t.Errorf("subject %q (%v)", subject, err)
	}
	text, err := got.Text()
	if err != nil || strings.TrimRight(strings.ReplaceAll(text, "\r\n", "\n"), "\n") != "line 1\nline 2" {
		t.Errorf("body %q (%v):\n%s", text, err, got.Data)
	}
}

func TestSMTPMailerRefuses(t *testing.T) {
	sink := notifytest.StartSMTP(t, "mailer", "s3cret-pass")
	msg := Message{To: "ann@example.com", Subject: "Hi", Body: "hello"}
	// smtp:// requires STARTTLS before the password; the sink offers none.
	err := sinkMailer(t, "smtp://mailer:s3cret-pass@"+sink.Addr).Send(t.Context(), msg)
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("no STARTTLS: %v", err)
	}
	// A wrong password is refused, and not repeated.
	err = sinkMailer(t, "smtp://mailer:WRONG-pass@"+sink.Addr+"?tls=none").Send(t.Context(), msg)
	if err == nil || strings.Contains(err.Error(), "WRONG-pass") {
		t.Errorf("wrong password: %v", err)
	}
	// Without a dialer nothing is sent.
	m := sinkMailer(t, "smtp://mailer:s3cret-pass@"+sink.Addr+"?tls=none")
	m.Dial = nil
	if err := m.Send(t.Context(), msg); err == nil {
		t.Error("sent without a dialer")
	}
	// Neither is a header smuggled through the recipient.
	m = sinkMailer(t, "smtp://mailer:s3cret-pass@"+sink.Addr+"?tls=none")
	if err := m.Send(t.Context(), Message{To: "ann@example.com\r\nBcc: evil@example.com", Subject: "Hi"}); err == nil {
		t.Error("accepted a recipient with a CRLF")
	}
	if n := len(sink.Mails()); n != 0 {
		t.Errorf("%d mails accepted", n)
	}
}

func TestParseSMTPURL(t *testing.T) {
	for _, c := range []struct{ url, from string }{
		{"http://host", "a@example.com"},
		{"smtp://", "a@example.com"},
		{"smtp://host:25?tls=maybe", "a@example.com"},
		{"smtp://host:25", ""},
		{"smtp://host:25", "not an address"},
	} {
		if _, err := ParseSMTPURL(c.url, c.from); err == nil {
			t.Errorf("ParseSMTPURL(%q, %q) accepted", c.url, c.from)
		}
	}
	for _, c := range []struct{ url, tls, str string }{
		{"smtps://u:p@mail.example.com", "tls", "smtps://mail.example.com:465"},
		{"smtp://mail.example.com", "starttls", "smtp://mail.example.com:587"},
		{"smtp://u:p@mail.example.com:465", "tls", "smtps://mail.example.com:465"},
		{"smtp://127.0.0.1:25?tls=none", "none", "smtp://127.0.0.1:25"},
	} {
		m, err := ParseSMTPURL(c.url, "a@example.com")
		if err != nil {
			t.Errorf("ParseSMTPURL(%q): %v", c.url, err)
		} else if m.smtp.TLS != c.tls || m.String() != c.str {
			t.Errorf("ParseSMTPURL(%q): tls=%s %s", c.url, m.smtp.TLS, m)
		}
	}
	_, err := ParseSMTPURL("ftp://u:topsecret@host", "a@example.com")
	if err == nil || strings.Contains(err.Error(), "topsecret") {
		t.Errorf("error shows the password or is nil: %v", err)
	}
}
