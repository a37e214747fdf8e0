// Package notifytest holds local receivers for notification tests: an SMTP
// sink on loopback built on emersion/go-smtp.
package notifytest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mail is one message the sink accepted.
type Mail struct {
	From string
	To   []string
	Data []byte
	User string // the AUTH PLAIN user, "" without auth
}

// SMTPSink accepts mail on 127.0.0.1 and keeps it in memory. With User
// set it requires AUTH PLAIN with User/Password (over plain text: tests
// only). Fail makes the next n transactions fail with a 4xx (temporary) or,
// with Permanent, a 5xx reply.
type SMTPSink struct {
	Addr     string
	User     string
	Password string

	arrived chan Mail // every accepted mail, for WaitMail

	mu        sync.Mutex
	mails     []Mail
	fail      int
	permanent bool
}

// StartSMTP starts a sink; it stops when the test ends.
func StartSMTP(t testing.TB, user, password string) *SMTPSink {
	t.Helper()
	s := &SMTPSink{User: user, Password: password, arrived: make(chan Mail, 64)}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{sink: s}, nil }))
	srv.Domain = "sink.test"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// FailNext makes the next n transactions fail.
func (s *SMTPSink) FailNext(n int, permanent bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail, s.permanent = n, permanent
}

// Mails returns what was accepted so far.
func (s *SMTPSink) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// WaitMail returns the next mail the sink accepts (in order, starting with
// the first), failing the test after 20 s.
func (s *SMTPSink) WaitMail(t testing.TB) Mail {
	t.Helper()
	select {
	case m := <-s.arrived:
		return m
	case <-time.After(20 * time.Second):
		t.Fatal("smtp sink: no mail within 20 s")
		return Mail{}
	}
}

// Header parses the message's header.
func (m Mail) Header() (mail.Header, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return nil, err
	}
	return msg.Header, nil
}

// Text is the decoded text/plain body: the message itself or its first
// text/plain part.
func (m Mail) Text() (string, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return "", err
	}
	return textPart(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
}

func textPart(contentType, encoding string, body io.Reader) (string, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			// NextPart undoes quoted-printable itself.
			p, err := r.NextPart()
			if err != nil {
				return "", fmt.Errorf("no text/plain part: %w", err)
			}
			if t, err := textPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err == nil {
				return t, nil
			}
		}
	}
	if mt != "text/plain" {
		return "", fmt.Errorf("%s is not text/plain", mt)
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	return string(b), err
}

type session struct {
	sink *SMTPSink
	user string
	mail Mail
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if s.sink.User == "" || username != s.sink.User || password != s.sink.Password {
			return errors.New("invalid credentials")
		}
		s.user = username
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.sink.User != "" && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.mail = Mail{From: from, User: s.user}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.mail.To = append(s.mail.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.sink.mu.Lock()
	defer s.sink.mu.Unlock()
	if s.sink.fail > 0 {
		s.sink.fail--
		if s.sink.permanent {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable"}
		}
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.mail.Data = b
	s.sink.mails = append(s.sink.mails, s.mail)
	select {
	case s.sink.arrived <- s.mail:
	default: // nobody waits for mail this old
	}
	return nil
}

func (s *session) Reset()        { s.mail = Mail{User: s.user} }
func (s *session) Logout() error { return nil }
