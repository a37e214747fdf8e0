package auth

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// Message is one plain-text email.
type Message struct {
	To      string
	Subject string
	Body    string
}

// Mailer sends email (password resets; later, alerts).
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// SMTPMailer sends through one SMTP server with net/smtp: STARTTLS when the
// server offers it (required before AUTH), implicit TLS for smtps:// or port
// 465.
type SMTPMailer struct {
	host     string
	port     string
	user     string
	password string
	implicit bool
	from     string
	// TLSConfig, when set, replaces the default (tests trust their own CA).
	TLSConfig *tls.Config
	Timeout   time.Duration
}

// ParseSMTPURL checks smtp://[user:pass@]host[:port] (or smtps://) and a
// From address, and returns a mailer. Errors never repeat the password.
func ParseSMTPURL(raw, from string) (*SMTPMailer, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, errors.New("must be smtp://user:password@host:port (or smtps:// for TLS from the start)")
	}
	if _, err := mail.ParseAddress(from); err != nil || strings.TrimSpace(from) == "" {
		return nil, errors.New("a From address (--mail-from) is needed with an SMTP server, e.g. shelfwatch@example.com")
	}
	m := &SMTPMailer{host: u.Hostname(), port: u.Port(), implicit: u.Scheme == "smtps", from: from, Timeout: 30 * time.Second}
	if m.port == "" {
		m.port = "587"
		if m.implicit {
			m.port = "465"
		}
	}
	if m.port == "465" {
		m.implicit = true
	}
	if u.User != nil {
		m.user = u.User.Username()
		m.password, _ = u.User.Password()
	}
	return m, nil
}

// String names the server without credentials, for logs.
func (m *SMTPMailer) String() string { return "smtp://" + net.JoinHostPort(m.host, m.port) }

func (m *SMTPMailer) tlsConfig() *tls.Config {
	if m.TLSConfig != nil {
		return m.TLSConfig
	}
	return &tls.Config{ServerName: m.host, MinVersion: tls.VersionTLS12}
}

// Send delivers msg, or fails within Timeout.
func (m *SMTPMailer) Send(ctx context.Context, msg Message) error {
	to, err := mail.ParseAddress(msg.To)
	if err != nil {
		return fmt.Errorf("mail: recipient: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, m.Timeout)
	defer cancel()
	d := &net.Dialer{}
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(m.host, m.port))
	if err != nil {
		return fmt.Errorf("mail: connect to %s: %w", m, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if m.implicit {
		conn = tls.Client(conn, m.tlsConfig())
	}
	c, err := smtp.NewClient(conn, m.host)
	if err != nil {
		_ = conn.Close()
		return fmt.Errorf("mail: %s: %w", m, err)
	}
	defer c.Close()
	if !m.implicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(m.tlsConfig()); err != nil {
				return fmt.Errorf("mail: STARTTLS with %s: %w", m, err)
			}
		}
	}
	if m.user != "" {
		// PlainAuth refuses to send the password without TLS (except to
		// localhost), which is what we want.
		if err := c.Auth(smtp.PlainAuth("", m.user, m.password, m.host)); err != nil {
			return fmt.Errorf("mail: authenticate with %s: %w", m, err)
		}
	}
	from, _ := mail.ParseAddress(m.from)
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("mail: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return fmt.Errorf("mail: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if _, err := w.Write(formatMessage(from.String(), to.String(), msg, time.Now())); err != nil {
		return fmt.Errorf("mail: write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: send: %w", err)
	}
	return c.Quit()
}

func formatMessage(from, to string, msg Message, now time.Time) []byte {
	var b strings.Builder
	subject := strings.NewReplacer("\r", " ", "\n", " ").Replace(msg.Subject)
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n", from, to, subject, now.Format(time.RFC1123Z))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	body := strings.ReplaceAll(strings.ReplaceAll(msg.Body, "\r\n", "\n"), "\n", "\r\n")
	b.WriteString(body)
	if !strings.HasSuffix(body, "\r\n") {
		b.WriteString("\r\n")
	}
	return []byte(b.String())
}
