package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/config"
	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/notify/notifytest"
)

// lockedBuffer is a log sink serve and the test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Across a whole account flow — sign-up, a failed and a good sign-in, a
// password reset by email, an API token and its use — no secret reaches the
// logs, even at debug level: not the passwords, the reset token, the
// session tokens, the API token, nor the SMTP password.
func TestNoSecretsInLogs(t *testing.T) {
	const smtpPass = "smtp-Pa55-word-XYZ"
	mail := notifytest.StartSMTP(t, "mailer", smtpPass)
	c, _, err := config.Load(serveCommand, []string{"--listen", "127.0.0.1:0", "--data-dir", t.TempDir(),
		"--database-url", dbtest.URL(t, db.SQLite), "--log-level", "debug", "--log-format", "json",
		"--signin-rate-limit", "0", "--mail-from", "shelfwatch@example.com", "--base-url", "http://shelfwatch.example"},
		func(k string) string {
			if k == "SHELFWATCH_SMTP_URL" {
				// The sink speaks plain text, which has to be asked for.
				return "smtp://mailer:" + smtpPass + "@" + mail.Addr + "?tls=none"
			}
			return ""
		}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, c, log, ready) }()
	var base string
	select {
	case addr := <-ready:
		base = "http://" + addr
	case err := <-done:
		cancel()
		t.Fatal(err)
	}
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	var secrets []string
	sessionToken := func() {
		req, _ := http.NewRequest("GET", base, nil)
		for _, ck := range jar.Cookies(req.URL) {
			secrets = append(secrets, ck.Value)
		}
	}
	call := func(c *http.Client, bearer, method, path, body string, want int) []byte {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, res.StatusCode, want, b)
		}
		return b
	}
	const first, wrong, second = "first-Secret-pass", "wrong-Guess-pass", "second-Secret-pass"
	secrets = append(secrets, first, wrong, second, smtpPass)

	call(browser, "", "POST", "/api/v1/auth/signup", fmt.Sprintf(`{"email":"ann@example.com","password":%q}`, first), 201)
	sessionToken()
	call(browser, "", "POST", "/api/v1/auth/signout", "", 204)
	call(browser, "", "POST", "/api/v1/auth/signin", fmt.Sprintf(`{"email":"ann@example.com","password":%q}`, wrong), 401)
	call(browser, "", "POST", "/api/v1/auth/signin", fmt.Sprintf(`{"email":"ann@example.com","password":%q}`, first), 200)
	sessionToken()
	call(browser, "", "POST", "/api/v1/auth/password-reset", `{"email":"ann@example.com"}`, 202)
	m := mail.WaitMail(t)
	if m.User != "mailer" {
		t.Errorf("SMTP auth user = %q", m.User)
	}
	text, err := m.Text()
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(text, "reset-password?token=")
	if !ok {
		t.Fatalf("no link in the email:\n%s", m.Data)
	}
	resetToken := strings.Fields(after)[0]
	secrets = append(secrets, resetToken)
	call(&http.Client{}, "", "POST", "/api/v1/auth/password-reset/confirm", fmt.Sprintf(`{"token":%q,"password":%q}`, resetToken, second), 204)
	call(browser, "", "POST", "/api/v1/auth/signin", fmt.Sprintf(`{"email":"ann@example.com","password":%q}`, second), 200)
	sessionToken()
	var tok struct{ Token string }
	if err := json.Unmarshal(call(browser, "", "POST", "/api/v1/tokens", `{"name":"script"}`, 201), &tok); err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, tok.Token, tok.Token[len(tok.Token)-43:])
	call(&http.Client{}, tok.Token, "GET", "/api/v1/watches", "", 200)
	call(&http.Client{}, tok.Token+"x", "GET", "/api/v1/watches", "", 401)

	out := logs.String()
	if !strings.Contains(out, "password reset email sent") || !strings.Contains(out, "/api/v1/auth/signin") {
		t.Fatalf("the logs do not show the flow (is the capture working?):\n%s", out)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("secret %q appears in the logs", s)
		}
	}
}
