package auth

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/notify"
)

// Message is one plain-text email.
type Message struct {
	To      string
	Subject string
	Body    string
}

// Mailer sends email (password resets).
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// SMTPMailer sends through one SMTP server with notify.SendMail, the
// go-mail client alerts use: STARTTLS required before the password for
// smtp:// (port 587 by default), implicit TLS for smtps:// or port 465,
// plain text only with an explicit ?tls=none.
type SMTPMailer struct {
	smtp notify.SMTPConfig
	from string
	// Dial connects to the server; set it to a guarded dialer
	// (fetch.NewGuardedDialer). Without one, Send refuses.
	Dial    notify.DialFunc
	Timeout time.Duration
}

// ParseSMTPURL checks smtp://[user:pass@]host[:port][?tls=starttls|tls|none]
// (or smtps://) and a From address, and returns a mailer. Errors never
// repeat the password.
func ParseSMTPURL(raw, from string) (*SMTPMailer, error) {
	cfg, err := notify.ParseSMTPURL(strings.TrimSpace(raw))
	if err != nil {
		return nil, errors.New("must be smtp://user:password@host:port (STARTTLS), smtps:// for TLS from the start, or smtp://…?tls=none for a plain-text relay")
	}
	if _, err := mail.ParseAddress(from); err != nil || strings.TrimSpace(from) == "" {
		return nil, errors.New("a From address (--mail-from) is needed with an SMTP server, e.g. shelfwatch@example.com")
	}
	return &SMTPMailer{smtp: cfg, from: from, Timeout: 30 * time.Second}, nil
}

// String names the server without credentials, for logs.
func (m *SMTPMailer) String() string {
	scheme := "smtp"
	if m.smtp.TLS == "tls" {
		scheme = "smtps"
	}
	return scheme + "://" + net.JoinHostPort(m.smtp.Host, strconv.Itoa(m.smtp.Port))
}

// Send delivers msg, or fails within Timeout.
func (m *SMTPMailer) Send(ctx context.Context, msg Message) error {
	to, err := mail.ParseAddress(msg.To)
	if err != nil {
		return fmt.Errorf("mail: recipient: %w", err)
	}
	err = notify.SendMail(ctx, m.smtp, m.Dial, m.Timeout, notify.Mail{
		From: m.from, To: []string{to.String()}, Subject: msg.Subject, Text: msg.Body})
	if err != nil {
		return fmt.Errorf("mail: %s: %w", m, err)
	}
	return nil
}
