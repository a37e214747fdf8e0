package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Email sends an HTML + text email over SMTP.
type Email struct {
	SMTP    SMTPConfig
	From    string
	To      []string
	Dial    DialFunc      // guarded: fetch.NewGuardedDialer
	Timeout time.Duration // 0 → 30 s
}

// SMTPConfig is a parsed smtp:// URL.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	TLS      string // "starttls" (default), "tls" (implicit, port 465) or "none"
}

// ParseSMTPURL reads smtp://user:pass@host:port?tls=starttls|tls|none
// (smtps:// or port 465 mean tls=tls; the default port is 587, or 465 with
// tls=tls). Errors never contain the password.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return SMTPConfig{}, errors.New("smtp_url: not a URL (want smtp://user:password@host:port)")
	}
	c := SMTPConfig{Host: u.Hostname(), TLS: "starttls"}
	switch u.Scheme {
	case "smtp":
	case "smtps":
		c.TLS = "tls"
	default:
		return SMTPConfig{}, errors.New("smtp_url: the scheme must be smtp or smtps")
	}
	if t := u.Query().Get("tls"); t != "" {
		if t != "starttls" && t != "tls" && t != "none" {
			return SMTPConfig{}, errors.New("smtp_url: tls must be starttls, tls or none")
		}
		c.TLS = t
	}
	if c.Host == "" {
		return SMTPConfig{}, errors.New("smtp_url: no host")
	}
	c.Port = 587
	if c.TLS == "tls" {
		c.Port = 465
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTPConfig{}, errors.New("smtp_url: bad port")
		}
		c.Port = n
		if n == 465 && u.Query().Get("tls") == "" {
			c.TLS = "tls" // port 465 is implicit TLS (RFC 8314); STARTTLS there cannot work
		}
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	return c, nil
}

// ParseAddresses checks a comma-separated list of email addresses.
func ParseAddresses(s string) ([]string, error) {
	list, err := mail.ParseAddressList(s)
	if err != nil || len(list) == 0 {
		return nil, errors.New("not a list of email addresses")
	}
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.Address
	}
	return out, nil
}

// Send sends m to every recipient in one message.
func (e *Email) Send(ctx context.Context, m Message) error {
	text, err := RenderText(m)
	if err != nil {
		return &Error{Err: err, Permanent: true}
	}
	html, err := RenderHTML(m)
	if err != nil {
		return &Error{Err: err, Permanent: true}
	}
	mail := Mail{From: e.From, To: e.To, Subject: m.Subject, Text: text, HTML: html}
	if m.ID != "" {
		mail.Headers = map[string]string{"X-Shelfwatch-Delivery": m.ID}
	}
	return SendMail(ctx, e.SMTP, e.Dial, e.Timeout, mail)
}

// DialFunc connects to an SMTP server; SendMail needs a guarded one
// (fetch.NewGuardedDialer).
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Mail is one message for SendMail.
type Mail struct {
	From    string
	To      []string
	Subject string // encoded by go-mail: a CR or LF cannot start a new header
	Text    string
	HTML    string            // optional alternative to Text
	Headers map[string]string // extra headers (X-…)
}

// SendMail sends m through the server cfg in one SMTP transaction, dialing
// with dial, or fails within timeout (0 → 30 s). It is the one SMTP client
// of shelfwatch: alerts (Email) and account mail use it. The error is an
// *Error (a 5xx is permanent) and never contains cfg.Password.
func SendMail(ctx context.Context, cfg SMTPConfig, dial DialFunc, timeout time.Duration, m Mail) error {
	if dial == nil {
		return &Error{Err: errors.New("email: no dialer"), Permanent: true}
	}
	msg := gomail.NewMsg()
	if err := msg.From(m.From); err != nil {
		return &Error{Err: fmt.Errorf("email: from: %w", err), Permanent: true}
	}
	if err := msg.To(m.To...); err != nil {
		return &Error{Err: fmt.Errorf("email: to: %w", err), Permanent: true}
	}
	msg.Subject(m.Subject)
	msg.SetMessageID()
	msg.SetDate()
	msg.SetGenHeader(gomail.HeaderXMailer, "shelfwatch")
	for k, v := range m.Headers {
		msg.SetGenHeader(gomail.Header(k), v)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}

	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	opts := []gomail.Option{
		gomail.WithPort(cfg.Port),
		gomail.WithTimeout(timeout),
		gomail.WithDialContextFunc(gomail.DialContextFunc(dial)),
	}
	switch cfg.TLS {
	case "tls":
		opts = append(opts, gomail.WithSSLPort(false))
	case "none":
		opts = append(opts, gomail.WithTLSPortPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPortPolicy(gomail.TLSMandatory))
	}
	if cfg.Username != "" {
		auth := gomail.SMTPAuthAutoDiscover
		if cfg.TLS == "none" {
			// The operator chose a plain-text relay (a local MTA): go-mail
			// refuses PLAIN without TLS unless told so.
			auth = gomail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, gomail.WithSMTPAuth(auth),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	c, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return &Error{Err: fmt.Errorf("email: %w", err), Permanent: true}
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return classifySMTP(err, cfg.Password)
	}
	return nil
}

// classifySMTP: 5xx replies are permanent (bad recipient, auth refused),
// everything else temporary. The password is scrubbed from the text.
func classifySMTP(err error, password string) *Error {
	if errors.Is(err, fetchForbidden) {
		return classifyTransport(err)
	}
	msg := err.Error()
	if password != "" {
		msg = strings.ReplaceAll(msg, password, "[redacted]")
	}
	var se *gomail.SendError
	perm := errors.As(err, &se) && !se.IsTemp()
	return &Error{Err: fmt.Errorf("email: %s", msg), Permanent: perm}
}
