package auth

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/auth/smtptest"
)

func TestSMTPMailer(t *testing.T) {
	srv := smtptest.Start(t)
	// net/smtp sends AUTH PLAIN without TLS only to localhost, as here.
	m, err := ParseSMTPURL("smtp://mailer:s3cret-pass@"+srv.Addr, "Shelfwatch <sw@example.com>")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.String(), "s3cret") {
		t.Errorf("String() shows the password: %s", m)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.Send(ctx, Message{To: "ann@example.com", Subject: "Hi\r\nBcc: evil@example.com", Body: "line 1\nline 2"}); err != nil {
		t.Fatal(err)
	}
	got := <-srv.C
	if got.From != "sw@example.com" || got.To != "ann@example.com" || got.Auth != "mailer\x00s3cret-pass" {
		t.Errorf("envelope = %+v", got)
	}
	if !strings.Contains(got.Data, "Subject: Hi  Bcc: evil@example.com\r\n") || !strings.Contains(got.Data, "\r\n\r\nline 1\r\nline 2\r\n") {
		t.Errorf("message:\n%s", got.Data)
	}
}

func TestParseSMTPURL(t *testing.T) {
	for _, c := range []struct{ url, from string }{
		{"http://host", "a@example.com"},
		{"smtp://", "a@example.com"},
		{"smtp://host:25", ""},
		{"smtp://host:25", "not an address"},
	} {
		if _, err := ParseSMTPURL(c.url, c.from); err == nil {
			t.Errorf("ParseSMTPURL(%q, %q) accepted", c.url, c.from)
		}
	}
	m, err := ParseSMTPURL("smtps://u:p@mail.example.com", "a@example.com")
	if err != nil || m.port != "465" || !m.implicit {
		t.Errorf("smtps default = %+v %v", m, err)
	}
	m, err = ParseSMTPURL("smtp://mail.example.com", "a@example.com")
	if err != nil || m.port != "587" || m.implicit {
		t.Errorf("smtp default = %+v %v", m, err)
	}
	_, err = ParseSMTPURL("ftp://u:topsecret@host", "a@example.com")
	if err == nil || strings.Contains(err.Error(), "topsecret") {
		t.Errorf("error shows the password or is nil: %v", err)
	}
}
