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
	SMTP SMTPConfig
	From string
	To   []string
	// Dial connects to the server; it must be guarded (fetch.NewGuardedDialer).
	Dial    func(ctx context.Context, network, addr string) (net.Conn, error)
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
// (smtps:// means tls=tls). Errors never contain the password.
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
	msg := gomail.NewMsg()
	if err := msg.From(e.From); err != nil {
		return &Error{Err: fmt.Errorf("email: from: %w", err), Permanent: true}
	}
	if err := msg.To(e.To...); err != nil {
		return &Error{Err: fmt.Errorf("email: to: %w", err), Permanent: true}
	}
	msg.Subject(m.Subject)
	msg.SetMessageID()
	msg.SetDate()
	msg.SetGenHeader(gomail.HeaderXMailer, "shelfwatch")
	if m.ID != "" {
		msg.SetGenHeader("X-Shelfwatch-Delivery", m.ID)
	}
	msg.SetBodyString(gomail.TypeTextPlain, text)
	msg.AddAlternativeString(gomail.TypeTextHTML, html)

	timeout := e.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	opts := []gomail.Option{
		gomail.WithPort(e.SMTP.Port),
		gomail.WithTimeout(timeout),
		gomail.WithDialContextFunc(e.Dial),
	}
	switch e.SMTP.TLS {
	case "tls":
		opts = append(opts, gomail.WithSSLPort(false))
	case "none":
		opts = append(opts, gomail.WithTLSPortPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPortPolicy(gomail.TLSMandatory))
	}
	if e.SMTP.Username != "" {
		auth := gomail.SMTPAuthAutoDiscover
		if e.SMTP.TLS == "none" {
			// The operator chose a plain-text relay (a local MTA): go-mail
			// refuses PLAIN without TLS unless told so.
			auth = gomail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, gomail.WithSMTPAuth(auth),
			gomail.WithUsername(e.SMTP.Username), gomail.WithPassword(e.SMTP.Password))
	}
	c, err := gomail.NewClient(e.SMTP.Host, opts...)
	if err != nil {
		return &Error{Err: fmt.Errorf("email: %w", err), Permanent: true}
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return classifySMTP(err, e.SMTP.Password)
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
