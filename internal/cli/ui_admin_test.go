package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shelfwatch/shelfwatch/internal/db"
)

// bearerDo calls the API with an explicit token (not the test's admin one).
func bearerDo(t *testing.T, method, url, token string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// sessionGet signs in through the API with a cookie jar and GETs path,
// answering the status.
func sessionGet(t *testing.T, base, email, password, path string) int {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	resp, err := cl.Post(base+"/api/v1/auth/signin", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("sign in as %s: %d", email, resp.StatusCode)
	}
	resp, err = cl.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// acceptConfirms makes window.confirm answer yes on the current page.
func (b *chrome) acceptConfirms() {
	b.t.Helper()
	evalJS[bool](b, `window.confirm = function () { return true; }; true`)
}

// secretShown waits for the show-once dialog and returns its secret.
func (b *chrome) secretShown() string {
	b.t.Helper()
	b.do(chromedp.WaitVisible(chromedp.CSS(`dialog [data-secret]`)))
	return strings.TrimSpace(b.text(`dialog [data-secret]`))
}

// Settings in the browser: change the password, sign out and in with the
// new one; create an API token, shown once, that works against the API
// until it is revoked from the page.
func TestUIAdminAccountAndTokens(t *testing.T) {
	c := uiConfig(t, db.SQLite)
	base, stop := startServe(t, c)
	defer func() { _ = stop() }()
	openSignUp(t, base)
	b := newChrome(t, base)
	b.signUp("ada@example.com", "correct horse battery")

	b.open("/settings", "#password-form")
	if loc := b.location(); !strings.HasSuffix(loc, "/settings/account") {
		t.Fatalf("/settings went to %s", loc)
	}
	if got := b.text("[data-email]"); got != "ada@example.com" {
		t.Fatalf("account shows email %q", got)
	}
	b.fill("#current_password", "wrong password here", "#new_password", "battery staple horse")
	b.do(chromedp.Click(chromedp.CSS(`#password-form button[type=submit]`)))
	b.waitText("#password-form .form-error", "password", 10*time.Second)
	// chromedp's Clear leaves a password field as it was: empty it first.
	evalJS[bool](b, `document.querySelectorAll("#password-form input[type=password]").forEach(function (i) { i.value = "" }); true`)
	b.fill("#current_password", "correct horse battery", "#new_password", "battery staple horse")
	b.do(chromedp.Click(chromedp.CSS(`#password-form button[type=submit]`)))
	b.waitText("#toast", "Password changed", 10*time.Second)
	b.shot("password-changed")

	b.do(chromedp.Click(chromedp.CSS(`header [data-api="/api/v1/auth/signout"]`)))
	b.waitText("main h1", "Sign in", 10*time.Second)
	b.open("/signin", "#email")
	b.fill("#email", "ada@example.com", "#password", "correct horse battery")
	b.do(chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.waitText("form .form-error", "password", 10*time.Second)
	b.signIn("ada@example.com", "battery staple horse")

	// Another session (a second device) is listed, then signed out from here.
	if code := sessionGet(t, base, "ada@example.com", "battery staple horse", "/settings/sessions"); code != http.StatusOK {
		t.Fatalf("second session: %d", code)
	}
	b.open("/settings/sessions", "table.sessions")
	b.waitText("table.sessions", "This session", 5*time.Second)
	if n := evalJS[int](b, `document.querySelectorAll("table.sessions tbody tr").length`); n != 2 {
		t.Fatalf("%d sessions listed, want 2", n)
	}
	b.acceptConfirms()
	b.do(chromedp.Click(chromedp.CSS(`[data-revoke-others]`)))
	waitFor(t, "the other session signed out", func() bool {
		return evalJS[int](b, `document.readyState === "complete" ? document.querySelectorAll("table.sessions tbody tr").length : 0`) == 1
	})
	b.waitText("table.sessions", "This session", 5*time.Second)

	b.open("/settings/tokens", "#token-form")
	b.waitText("main", "No API tokens yet", 5*time.Second)
	b.fill("#token-name", "home server")
	b.do(chromedp.SetValue(chromedp.CSS("#token-scope"), "read-write"), chromedp.Click(chromedp.CSS(`#token-form button[type=submit]`)))
	token := b.secretShown()
	if !strings.HasPrefix(token, "sw") || len(token) < 30 {
		t.Fatalf("the dialog shows %q, not a token", token)
	}
	b.shot("token-shown-once")
	b.do(chromedp.Click(chromedp.CSS(`dialog button.primary`)))
	b.waitText("table.tokens", "home server", 10*time.Second)
	if evalJS[bool](b, `document.body.innerText.includes(`+jsString(token)+`)`) {
		t.Fatal("the token is still on the page after its dialog closed")
	}

	code, body := bearerDo(t, "GET", base+"/api/v1/auth/me", token)
	if code != http.StatusOK || !strings.Contains(string(body), `"email":"ada@example.com"`) {
		t.Fatalf("the new token: GET /auth/me = %d %s", code, body)
	}
	b.open("/settings/tokens", "table.tokens")
	b.waitText("table.tokens", "just now", 5*time.Second) // last used

	b.acceptConfirms()
	b.do(chromedp.Click(chromedp.CSS(`table.tokens button.danger`)))
	b.waitText("main", "No API tokens yet", 10*time.Second)
	if code, body := bearerDo(t, "GET", base+"/api/v1/auth/me", token); code != http.StatusUnauthorized {
		t.Fatalf("a revoked token: GET /auth/me = %d %s", code, body)
	}
	b.shot("token-revoked")
}

// Members: the owner invites by link, a second person signs up with it and
// appears among the members; made a viewer, they see no write controls.
func TestUIAdminInviteMembers(t *testing.T) {
	c := uiConfig(t, db.SQLite)
	base, stop := startServe(t, c)
	defer func() { _ = stop() }()
	if code, body := httpDo(t, "POST", base+"/api/v1/watches", `{"url":"http://127.0.0.1:9/p/1"}`); code != http.StatusCreated {
		t.Fatalf("POST watch: %d %s", code, body)
	}

	owner := newChrome(t, base)
	owner.signIn(adminEmail, adminPassword)
	owner.open("/settings/members", "#invite-form")
	owner.waitText("table.members", adminEmail, 5*time.Second)
	owner.do(chromedp.SetValue(chromedp.CSS("#invite-role"), "member"), chromedp.Click(chromedp.CSS(`#invite-form button[type=submit]`)))
	link := owner.secretShown()
	if !strings.HasPrefix(link, base+"/invite/") {
		t.Fatalf("invite link %q", link)
	}
	owner.shot("invite-link")
	owner.do(chromedp.Click(chromedp.CSS(`dialog button.primary`)))
	owner.waitText("table.invites", "member", 10*time.Second)

	// Sign-up is invite-only: the link is the way in.
	bob := newChrome(t, base)
	bob.open(strings.TrimPrefix(link, base), "main a.button.primary")
	bob.do(chromedp.Click(chromedp.CSS(`main a.button.primary`)))
	bob.do(chromedp.WaitVisible(chromedp.CSS("#email")))
	bob.fill("#email", "bob@example.com", "#password", "bobs long password")
	bob.do(chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	bob.waitText("main h1", "Watches", 20*time.Second)
	// The watch's row may be swapped in place by a live update meanwhile:
	// look again for a while before calling it missing.
	for deadline := time.Now().Add(15 * time.Second); ; {
		n := evalJS[int](bob, `document.querySelectorAll('input[name="ids"]').length`)
		main := bob.text("main")
		if n == 1 && strings.Contains(main, "Add a product") {
			break
		}
		if time.Now().After(deadline) {
			bob.shot("failure")
			t.Fatalf("a member does not see the dashboard's write controls (%d checkboxes, page %s):\n%s", n, bob.location(), main)
		}
		time.Sleep(200 * time.Millisecond)
	}

	owner.open("/settings/members", "table.members")
	owner.waitText("table.members", "bob@example.com", 5*time.Second)
	if n := evalJS[int](owner, `document.querySelectorAll("table.invites tbody tr").length`); n != 0 {
		t.Fatalf("the used invitation is still pending (%d rows)", n)
	}
	// The page reloads after the change: the marker goes with the old page.
	evalJS[bool](owner, `(function(){window.swOld=true;const f=document.querySelector('tr[data-email="bob@example.com"] form');`+
		`f.querySelector('select').value='viewer';f.requestSubmit();return true})()`)
	waitFor(t, "the role change", func() bool {
		return evalJS[string](owner, `(function(){const s=document.querySelector('tr[data-email="bob@example.com"] select');`+
			`return !window.swOld && document.readyState==="complete" && s ? s.value : ""})()`) == "viewer"
	})
	var members struct {
		Items []struct {
			Email string `json:"email"`
			Role  string `json:"role"`
		} `json:"items"`
	}
	_, body := httpDo(t, "GET", base+"/api/v1/members", "")
	if err := json.Unmarshal(body, &members); err != nil {
		t.Fatal(err)
	}
	roles := map[string]string{}
	for _, m := range members.Items {
		roles[m.Email] = m.Role
	}
	if roles["bob@example.com"] != "viewer" {
		t.Fatalf("members after the change: %s", body)
	}
	owner.shot("members")

	bob.open("/", "main h1")
	bob.waitText("main", "Watches", 5*time.Second)
	if n := evalJS[int](bob, `document.querySelectorAll('input[name="ids"], [data-bulk-bar], a[href="/watches/new"]').length`); n != 0 {
		t.Fatalf("a viewer sees %d write controls on the dashboard", n)
	}
	bob.open("/settings/members", "main")
	if n := evalJS[int](bob, `document.querySelectorAll('#invite-form, table.members').length`); n != 0 {
		t.Fatal("a viewer sees member management")
	}
	bob.open("/", "main h1")
	bob.shot("viewer-dashboard")

	// A viewer may still leave.
	bob.open("/settings/members", "main")
	bob.acceptConfirms()
	bob.do(chromedp.Click(chromedp.CSS(`[data-api^="/api/v1/members/"][data-method="DELETE"]`)))
	bob.waitText("main h1", "Watches", 10*time.Second)
	owner.open("/settings/members", "table.members")
	if strings.Contains(owner.text("table.members"), "bob@example.com") {
		t.Fatal("bob left but is still listed")
	}
	owner.shot("after-leave")
}

// Administration: the domain table lists storesim's domain with its
// products; the domain's rate and selector rule are saved and the live
// test shows the price the rule extracts from a storesim page; the jobs
// and users pages; the sign-up switch; a non-admin gets 403.
func TestUIAdminPages(t *testing.T) {
	sim := startStore(t, 3)
	c := uiConfig(t, db.SQLite)
	// A pool no domain uses: the pages list it, nothing goes through it.
	c.Fetch.Proxies = "eu=http://user:secret@127.0.0.1:9"
	base, stop := startServe(t, c)
	defer func() { _ = stop() }()
	for id := 1; id <= 3; id++ {
		if code, body := httpDo(t, "POST", base+"/api/v1/watches", fmt.Sprintf(`{"url":%q}`, sim.URL(id))); code != http.StatusCreated {
			t.Fatalf("POST watch: %d %s", code, body)
		}
	}
	waitFor(t, "the first checks", func() bool {
		for _, w := range listWatches(t, base) {
			if w.Product.Price == nil {
				return false
			}
		}
		return true
	})
	domain := strings.Split(strings.TrimPrefix(sim.URL(1), "http://"), ":")[0]

	b := newChrome(t, base)
	// Signing in from a link to /admin lands back on the admin pages.
	b.open("/signin?next=/admin", "#email")
	b.fill("#email", adminEmail, "#password", adminPassword)
	b.do(chromedp.Click(chromedp.CSS(`form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS("table.domains")))
	if loc := b.location(); !strings.HasSuffix(loc, "/admin/domains") {
		t.Fatalf("/admin went to %s", loc)
	}
	row := `tr[data-domain="` + domain + `"]`
	if got := b.text(row + ` [data-products]`); got != "3" {
		t.Fatalf("domain %s shows %q products", domain, got)
	}
	b.do(chromedp.Click(chromedp.CSS(`th a.sort[href*="sort=products"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`th[aria-sort="ascending"] a[href*="sort=products"]`)))
	b.shot("admin-domains")

	b.do(chromedp.Click(chromedp.CSS(row + ` a`)))
	b.do(chromedp.WaitVisible(chromedp.CSS("#domain-form")), chromedp.WaitReady(chromedp.CSS(`#proxy option[value="eu"]`)))
	const priceSel = `.price-item--sale, .product__price .price-item--regular, .special-price .price, .price-box > .price, .pdp-price__now, .priceToPay .a-offscreen`
	b.fill("#rate", "30", "#sel-price", priceSel, "#sel-title", "h1.product-title")
	b.do(chromedp.Click(chromedp.CSS(`#domain-form button[type=submit]`)))
	b.waitText("#toast", "Domain settings saved", 10*time.Second)
	var domains struct {
		Items []struct {
			Domain     string          `json:"domain"`
			RatePerMin float64         `json:"rate_per_min"`
			Selectors  json.RawMessage `json:"selectors"`
		} `json:"items"`
	}
	_, body := httpDo(t, "GET", base+"/api/v1/admin/domains", "")
	if err := json.Unmarshal(body, &domains); err != nil {
		t.Fatal(err)
	}
	saved := false
	for _, d := range domains.Items {
		if d.Domain == domain && d.RatePerMin == 30 && strings.Contains(string(d.Selectors), `"title":"h1.product-title"`) &&
			strings.Contains(string(d.Selectors), `.pdp-price__now`) {
			saved = true
		}
	}
	if !saved {
		t.Fatalf("domain settings after save: %s", body)
	}

	// The live test runs on the product chosen in the list.
	b.do(chromedp.SetValue(chromedp.CSS("#test-url"), sim.URL(2)))
	truth, _ := sim.Product(2)
	b.do(chromedp.Click(chromedp.CSS(`#selector-test button[type=submit]`)))
	b.waitText(`#selector-result tr[data-field="price"] td.with`, truth.Currency, 30*time.Second)
	// "137" and "137.00" are the same price.
	if got, want := sameDecimal(b.text(`#selector-result tr[data-field="price"] td.with`)), sameDecimal(truth.Price+" "+truth.Currency); got != want {
		t.Fatalf("price with the rule %q, want %q", got, want)
	}
	if got := b.text(`#selector-result tr[data-field="title"] td.with`); got != truth.Title {
		t.Fatalf("title with the rule %q, want %q", got, truth.Title)
	}
	b.waitText(`#selector-result .matches`, "price", 2*time.Second)
	b.shot("admin-selector-test")

	// River's table gets a job it gave up on and one for later.
	d, err := db.Open(t.Context(), db.Options{URL: c.DatabaseURL, DataDir: c.DataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, q := range []string{
		`INSERT INTO river_job (kind, max_attempts, attempt, state, finalized_at, errors) VALUES ('ui_test_dead', 1, 1, 'discarded',
			datetime('now', 'subsec'), jsonb('[{"at":"2026-01-01T00:00:00Z","attempt":1,"error":"gave up: the test said so"}]'))`,
		`INSERT INTO river_job (kind, max_attempts, state, scheduled_at) VALUES ('ui_test_later', 3, 'scheduled', datetime('now', '+1 hour'))`,
	} {
		if _, err := d.Write.ExecContext(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
	b.open("/admin/jobs", ".job-totals")
	totals := map[string]int{}
	for _, k := range []string{"queued", "running", "retrying", "dead"} {
		txt := b.text(`[data-total="` + k + `"]`)
		var n int
		if _, err := fmt.Sscan(txt, &n); err != nil {
			t.Fatalf("jobs total %s = %q", k, txt)
		}
		totals[k] = n
	}
	if totals["dead"] != 1 || totals["queued"] < 1 {
		t.Fatalf("job totals %v", totals)
	}
	b.waitText("table.jobs", "ui_test_later", 2*time.Second)
	b.waitText("table.dead", "gave up: the test said so", 2*time.Second)
	b.shot("admin-jobs")

	b.open("/admin/settings", "#signup-form")
	if !evalJS[bool](b, `document.querySelector('input[name="signup_mode"][value="invite-only"]').checked`) {
		t.Fatal("the sign-up switch does not show the default, invite-only")
	}
	b.do(chromedp.Click(chromedp.CSS(`input[name="signup_mode"][value="open"]`)), chromedp.Click(chromedp.CSS(`#signup-form button[type=submit]`)))
	b.waitText("#toast", "saved", 10*time.Second)
	if _, body := httpDo(t, "GET", base+"/api/v1/admin/settings", ""); !strings.Contains(string(body), `"signup_mode":"open"`) {
		t.Fatalf("settings after the switch: %s", body)
	}
	b.shot("admin-settings")

	// Sign-up is open now: a stranger signs up and is refused the admin pages.
	eve := newChrome(t, base)
	eve.signUp("eve@example.com", "eves long password")
	if strings.Contains(eve.text("header nav"), "Admin") {
		t.Fatal("a non-admin sees the Admin entry")
	}
	if code := sessionGet(t, base, "eve@example.com", "eves long password", "/admin/domains"); code != http.StatusForbidden {
		t.Fatalf("non-admin GET /admin/domains = %d", code)
	}
	eve.open("/admin", "main h1")
	eve.waitText("main h1", "Not allowed", 5*time.Second)
	eve.shot("non-admin-403")

	b.open("/admin/users", "table.users")
	b.waitText("table.users", "eve@example.com", 5*time.Second)
	if got := b.text(`tr[data-user="` + adminEmail + `"]`); !strings.Contains(got, "instance admin") || strings.Contains(got, "never") {
		t.Fatalf("the admin's row: %q", got)
	}
	b.open("/admin/audit", "table.audit")
	b.waitText("table.audit", "instance.setting", 5*time.Second)
	b.open("/admin/proxies", "#proxy-pools")
	b.waitText(`#proxy-pools tr[data-pool="eu"]`, "eu\t1\thttp://127.0.0.1:9", 10*time.Second)
	if html := evalJS[string](b, `document.documentElement.outerHTML`); strings.Contains(html, "secret") {
		t.Fatal("the proxies page shows a proxy's password")
	}
	b.shot("admin-proxies")
	b.open("/admin/users", "table.users")
	b.shot("admin-users")
}

// sameDecimal drops trailing fractional zeros from the first number in s.
func sameDecimal(s string) string {
	num, rest, _ := strings.Cut(strings.TrimSpace(s), " ")
	if strings.Contains(num, ".") {
		num = strings.TrimSuffix(strings.TrimRight(num, "0"), ".")
	}
	return num + " " + rest
}
