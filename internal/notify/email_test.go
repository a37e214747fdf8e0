package notify_test

import (
	"mime"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/fetch"
	"github.com/shelfwatch/shelfwatch/internal/notify"
	"github.com/shelfwatch/shelfwatch/internal/notify/notifytest"
)

func emailTo(t *testing.T, sink *notifytest.SMTPSink, user, pass string, allowPrivate bool) *notify.Email {
	t.Helper()
	host, port, _ := net.SplitHostPort(sink.Addr)
	u := "smtp://" + host + ":" + port + "?tls=none"
	if user != "" {
		u = "smtp://" + user + ":" + pass + "@" + host + ":" + port + "?tls=none"
	}
	cfg, err := notify.ParseSMTPURL(u)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Port != mustAtoi(t, port) || cfg.Password != pass {
		t.Fatalf("parsed %+v", cfg)
	}
	return &notify.Email{SMTP: cfg, From: "alerts@shelfwatch.test", To: []string{"ann@example.test", "bob@example.test"},
		Dial: fetch.NewGuardedDialer(fetch.Options{AllowPrivateNetworks: allowPrivate}).DialContext}
}

func mustAtoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEmailHTMLAndText(t *testing.T) {
	sink := notifytest.StartSMTP(t, "mailer", "pw-123456")
	e := emailTo(t, sink, "mailer", "pw-123456", true)
	m := notify.SampleMessage()
	m.ID = "rule:1/event:2/channel:3"
	m.Product.ImageURL = "https://shop.example/img/h.jpg"
	if err := e.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	mails := sink.Mails()
	if len(mails) != 1 {
		t.Fatalf("%d mails", len(mails))
	}
	got := mails[0]
	data := string(got.Data)
	if got.User != "mailer" || got.From != "alerts@shelfwatch.test" || len(got.To) != 2 {
		t.Fatalf("envelope %+v", got)
	}
	parsed, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
	if err != nil || subject != m.Subject {
		t.Fatalf("subject %q (%v), want %q", subject, err, m.Subject)
	}
	for _, want := range []string{"multipart/alternative", "text/plain", "text/html",
		"https://shop.example/img/h.jpg", "X-Shelfwatch-Delivery: rule:1/event:2/channel:3"} {
		if !strings.Contains(data, want) {
			t.Errorf("mail lacks %q", want)
		}
	}
}

func TestEmailFailures(t *testing.T) {
	sink := notifytest.StartSMTP(t, "mailer", "right-password")
	// Wrong password: refused, and the password is not in the error.
	err := emailTo(t, sink, "mailer", "WRONGPASSWORD", true).Send(t.Context(), notify.SampleMessage())
	if err == nil || strings.Contains(err.Error(), "WRONGPASSWORD") {
		t.Fatalf("wrong password: %v", err)
	}
	e := emailTo(t, sink, "mailer", "right-password", true)
	sink.FailNext(1, false)
	if err := e.Send(t.Context(), notify.SampleMessage()); err == nil || notify.Permanent(err) {
		t.Fatalf("451: %v (permanent %v), want temporary", err, notify.Permanent(err))
	}
	sink.FailNext(1, true)
	if err := e.Send(t.Context(), notify.SampleMessage()); !notify.Permanent(err) {
		t.Fatalf("550: %v, want permanent", err)
	}
	if len(sink.Mails()) != 0 {
		t.Fatal("a failed send was accepted")
	}
	// Private networks off: the guarded dialer refuses the loopback sink.
	err = emailTo(t, sink, "mailer", "right-password", false).Send(t.Context(), notify.SampleMessage())
	if err == nil || !notify.Permanent(err) || !strings.Contains(err.Error(), "not allowed") {
		t.Fatalf("private sink: %v", err)
	}
}

// SendMail without HTML sends one text/plain part; a nil dialer sends
// nothing.
func TestSendMailText(t *testing.T) {
	sink := notifytest.StartSMTP(t, "mailer", "pw-123456")
	e := emailTo(t, sink, "mailer", "pw-123456", true)
	m := notify.Mail{From: "sw@shelfwatch.test", To: []string{"ann@example.test"}, Subject: "Reset", Text: "héllo, a link: https://x.example/r?token=abc"}
	if err := notify.SendMail(t.Context(), e.SMTP, nil, 0, m); err == nil || !notify.Permanent(err) {
		t.Fatalf("nil dialer: %v", err)
	}
	if err := notify.SendMail(t.Context(), e.SMTP, e.Dial, 0, m); err != nil {
		t.Fatal(err)
	}
	got := sink.WaitMail(t)
	text, err := got.Text()
	if err != nil || strings.TrimRight(text, "\r\n") != m.Text || strings.Contains(string(got.Data), "multipart") {
		t.Fatalf("text %q (%v):\n%s", text, err, got.Data)
	}
}

func TestParseSMTPURL(t *testing.T) {
	c, err := notify.ParseSMTPURL("smtps://u%40x:p%3Ass@mail.example")
	if err != nil || c.Port != 465 || c.TLS != "tls" || c.Username != "u@x" || c.Password != "p:ss" {
		t.Fatalf("%+v %v", c, err)
	}
	c, err = notify.ParseSMTPURL("smtp://mail.example")
	if err != nil || c.Port != 587 || c.TLS != "starttls" {
		t.Fatalf("%+v %v", c, err)
	}
	c, err = notify.ParseSMTPURL("smtp://mail.example:465")
	if err != nil || c.Port != 465 || c.TLS != "tls" {
		t.Fatalf("port 465: %+v %v", c, err)
	}
	for _, bad := range []string{"http://mail.example", "smtp://", "smtp://u:SECRETPW@h:99999", "smtp://h?tls=maybe", "::"} {
		_, err := notify.ParseSMTPURL(bad)
		if err == nil || strings.Contains(err.Error(), "SECRETPW") {
			t.Errorf("ParseSMTPURL(%q) = %v", bad, err)
		}
	}
	if _, err := notify.ParseAddresses("a@b.example, C <c@d.example>"); err != nil {
		t.Fatal(err)
	}
	if _, err := notify.ParseAddresses("not-an-address"); err == nil {
		t.Fatal("accepted a bad address")
	}
}
