package cli

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/notify/notifytest"
)

// Accounts in the browser: sign up → the empty dashboard, no Admin entry; sign out; a wrong password shows the API's message on the
// form; the right one signs in; a password-reset request is answered
// without saying whether the account exists; pages need a session.
func TestUIAccounts(t *testing.T) {
	c := uiConfig(t, db.SQLite)
	base, stop := startServe(t, c)
	defer func() { _ = stop() }()
	b := newChrome(t, base)
	openSignUp(t, base)

	// Signed out, a page sends the browser to sign in and back afterwards.
	b.open("/?q=lamp", "#email")
	if loc := b.location(); !strings.Contains(loc, "/signin?next=%2F%3Fq%3Dlamp") {
		t.Fatalf("signed-out page went to %s", loc)
	}

	b.open("/signup", "#email")
	b.fill("#email", "ada@example.com", "#password", "short")
	b.do(chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.waitText("form .form-error", "at least 10 characters", 10*time.Second)
	if got := evalJS[string](b, `document.querySelector("#password").getAttribute("aria-invalid")`); got != "true" {
		t.Fatalf("password field not marked invalid: %q", got)
	}

	b.signUp("ada@example.com", "correct horse battery")
	b.waitText("main", "Nothing watched yet", 5*time.Second)
	if strings.Contains(b.text("header nav"), "Admin") {
		t.Fatal("a user who is not an instance admin sees the Admin entry")
	}

	b.do(chromedp.Click(chromedp.CSS(`header [data-api="/api/v1/auth/signout"]`)))
	b.waitText("main h1", "Sign in", 10*time.Second)

	b.open("/signin", "#email")
	b.fill("#email", "ada@example.com", "#password", "wrong password!")
	b.do(chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.waitText("form .form-error", "password is wrong", 10*time.Second)

	b.open("/reset-password", "#email")
	b.fill("#email", "nobody@example.com")
	b.do(chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.waitText("main", "If an account uses that address", 10*time.Second)

	b.signIn("ada@example.com", "correct horse battery")
	b.do(chromedp.Click(chromedp.CSS(`header [data-api="/api/v1/auth/signout"]`)))
	b.waitText("main h1", "Sign in", 10*time.Second)

	b.signIn(adminEmail, adminPassword)
	if !strings.Contains(b.text("header nav"), "Admin") {
		t.Fatal("the instance admin does not see the Admin entry")
	}
	b.shot("signed-in")
}

// A forgotten password in the browser, to its end: the reset page → the
// emailed link → a new password → signed in with it (and not the old one).
func TestUIPasswordReset(t *testing.T) {
	sink := notifytest.StartSMTP(t, "mailer", "mail-pass-123")
	c := uiConfig(t, db.SQLite)
	host, port, _ := net.SplitHostPort(sink.Addr)
	c.Accounts.SMTPURL = fmt.Sprintf("smtp://mailer:mail-pass-123@%s:%s?tls=none", host, port)
	c.Accounts.MailFrom = "shelfwatch@example.test"
	base, stop := startServe(t, c)
	defer func() { _ = stop() }()
	openSignUp(t, base)
	b := newChrome(t, base)
	b.signUp("lin@example.com", "the first passphrase")
	b.do(chromedp.Click(chromedp.CSS(`header [data-api="/api/v1/auth/signout"]`)))
	b.waitText("main h1", "Sign in", 10*time.Second)

	b.open("/reset-password", "#email")
	b.fill("#email", "lin@example.com")
	b.do(chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.waitText("main", "If an account uses that address", 10*time.Second)
	text, err := sink.WaitMail(t).Text()
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(text, "/reset-password?token=")
	if i < 0 {
		t.Fatalf("no reset link in the mail:\n%s", text)
	}
	link := text[i:]
	if j := strings.IndexAny(link, " \r\n"); j >= 0 {
		link = link[:j]
	}
	b.open(link, "#password")
	b.fill("#password", "the second passphrase")
	b.do(chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.waitText("main h1", "Sign in", 10*time.Second)

	b.fill("#email", "lin@example.com", "#password", "the first passphrase")
	b.do(chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.waitText("form .form-error", "password is wrong", 10*time.Second)
	b.signIn("lin@example.com", "the second passphrase")
	// The link was for one use.
	b.do(chromedp.Click(chromedp.CSS(`header [data-api="/api/v1/auth/signout"]`)))
	b.waitText("main h1", "Sign in", 10*time.Second)
	b.open(link, "#password")
	b.fill("#password", "a third passphrase")
	b.do(chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.waitText("form .form-error", "invalid, used or expired", 10*time.Second)
	b.shot("reset-link-used")
}

// The keyboard alone: sign in by typing and Enter (the email field has the
// focus), then Tab reaches the skip link first and Enter jumps to the
// content; the dashboard's controls are reachable by Tab.
func TestUIKeyboard(t *testing.T) {
	c := uiConfig(t, db.SQLite)
	base, stop := startServe(t, c)
	defer func() { _ = stop() }()
	b := newChrome(t, base)
	b.open("/signin", "#email")
	if got := evalJS[string](b, `document.activeElement.id`); got != "email" {
		t.Fatalf("the sign-in page focuses %q, want the email field", got)
	}
	b.do(chromedp.KeyEvent(adminEmail), chromedp.KeyEvent("\t"), chromedp.KeyEvent(adminPassword), chromedp.KeyEvent("\r"))
	b.waitText("main h1", "Watches", 20*time.Second)

	b.do(chromedp.KeyEvent("\t"))
	if got := evalJS[string](b, `document.activeElement.className`); got != "skip" {
		t.Fatalf("the first Tab focuses %q, want the skip link", got)
	}
	b.do(chromedp.KeyEvent("\r"))
	if got := evalJS[string](b, `location.hash`); got != "#main" {
		t.Fatalf("the skip link went to %q", got)
	}
	// Every control of the page is in the tab order: none has tabindex -1
	// except the main landmark the skip link targets.
	if n := evalJS[int](b, `[...document.querySelectorAll("a[href], button, input, select, textarea")].filter(e => e.tabIndex < 0).length`); n != 0 {
		t.Fatalf("%d controls are out of the tab order", n)
	}
	b.shot("keyboard")
}
