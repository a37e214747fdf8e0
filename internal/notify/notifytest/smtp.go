// Package notifytest holds local receivers for notification tests: an SMTP
// sink on loopback built on emersion/go-smtp.
package notifytest

import (
	"errors"
	"io"
	"net"
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

	mu        sync.Mutex
	mails     []Mail
	fail      int
	permanent bool
}

// StartSMTP starts a sink; it stops when the test ends.
func StartSMTP(t testing.TB, user, password string) *SMTPSink {
	t.Helper()
	s := &SMTPSink{User: user, Password: password}
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
	return nil
}

func (s *session) Reset()        { s.mail = Mail{User: s.user} }
func (s *session) Logout() error { return nil }
