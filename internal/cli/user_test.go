package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/config"
	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// testTokens maps a test server's base URL to the API token httpDo sends.
var testTokens sync.Map

func authorize(base, token string) { testTokens.Store(base, token) }

func setTestToken(req *http.Request) {
	if tok, ok := testTokens.Load(req.URL.Scheme + "://" + req.URL.Host); ok {
		req.Header.Set("Authorization", "Bearer "+tok.(string))
	}
}

// testToken makes sure the database of c has a test user (the first user,
// who owns the default workspace) and returns a new read-write API token.
func testToken(t *testing.T, c config.Config) string {
	t.Helper()
	ctx := context.Background()
	d, err := openDB(ctx, c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	a := auth.New(auth.Options{Store: store.New(d), Hasher: auth.NewHasher(auth.Params{Memory: 1024, Time: 1, Threads: 1}, 1)})
	_, err = a.CreateUser(ctx, auth.NewUser{Email: "test@example.com", Password: "test password", ByOperator: true})
	if err != nil && !errors.Is(err, auth.ErrEmailTaken) {
		t.Fatal(err)
	}
	token, _, err := a.CreateTokenForEmail(ctx, "test@example.com", "", "tests", auth.ScopeReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// runCLI runs the command in-process with stdin, env and captured output.
func runCLI(stdin string, environ map[string]string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = mainEnv(args, env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb,
		getenv: func(k string) string { return environ[k] }})
	return code, out.String(), errb.String()
}

// The README's fresh-install flow: user create, token create, then the API
// with the token.
func TestUserAndTokenCreate(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			c := testConfig(t, engine)
			dbArgs := []string{"--data-dir", c.DataDir, "--database-url", c.DatabaseURL}
			code, out, errOut := runCLI("", map[string]string{"SHELFWATCH_ADMIN_PASSWORD": "a long admin password"},
				append([]string{"user", "create", "--email", "Admin@Example.com", "--admin"}, dbArgs...)...)
			if code != 0 || !strings.Contains(out, "instance admin admin@example.com") || !strings.Contains(out, `"default"`) {
				t.Fatalf("user create: %d %q %q", code, out, errOut)
			}
			// Password from stdin; a later user gets a workspace of their own.
			code, out, errOut = runCLI("another long password\n", nil, append([]string{"user", "create", "--email", "bob@example.com"}, dbArgs...)...)
			if code != 0 || !strings.Contains(out, "created user bob@example.com") {
				t.Fatalf("user create (stdin): %d %q %q", code, out, errOut)
			}
			code, tok, errOut := runCLI("", nil, append([]string{"token", "create", "--email", "admin@example.com", "--name", "readme"}, dbArgs...)...)
			tok = strings.TrimSpace(tok)
			if code != 0 || !auth.LooksLikeAPIToken(tok) || errOut != "" {
				t.Fatalf("token create: %d %q %q", code, tok, errOut)
			}
			code, readTok, _ := runCLI("", nil, append([]string{"token", "create", "--email", "bob@example.com", "--scope", "read"}, dbArgs...)...)
			readTok = strings.TrimSpace(readTok)
			if code != 0 {
				t.Fatalf("read token: %d", code)
			}

			base, stop := startServe(t, c)
			defer func() {
				if err := stop(); err != nil {
					t.Error(err)
				}
			}()
			call := func(token, method, path, body string) int {
				req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				return res.StatusCode
			}
			if got := call(tok, "POST", "/api/v1/watches", `{"url":"http://127.0.0.1:9/p/1"}`); got != http.StatusCreated {
				t.Errorf("POST with the admin token: %d", got)
			}
			if got := call("", "GET", "/api/v1/watches", ""); got != http.StatusUnauthorized {
				t.Errorf("GET without a token: %d", got)
			}
			if got := call(readTok, "GET", "/api/v1/watches", ""); got != http.StatusOK {
				t.Errorf("GET with a read token: %d", got)
			}
			if got := call(readTok, "POST", "/api/v1/watches", `{"url":"http://127.0.0.1:9/p/2"}`); got != http.StatusForbidden {
				t.Errorf("POST with a read token: %d", got)
			}
		})
	}
}

func TestUserCreateBadInput(t *testing.T) {
	dir := t.TempDir()
	pw := map[string]string{"SHELFWATCH_ADMIN_PASSWORD": "a long admin password"}
	for _, c := range []struct {
		stdin string
		env   map[string]string
		args  []string
		want  string
	}{
		{"", pw, []string{"user", "create"}, "--email is required"},
		{"", pw, []string{"user", "create", "--email", "not-an-email"}, "--email:"},
		{"", nil, []string{"user", "create", "--email", "a@example.com"}, "SHELFWATCH_ADMIN_PASSWORD"},
		{"short\n", nil, []string{"user", "create", "--email", "a@example.com"}, "password: Use at least 10"},
		{"", pw, []string{"user", "create", "--email", "a@example.com", "--bogus"}, "flag provided but not defined"},
		{"", pw, []string{"user", "delete"}, "user create"},
		{"", nil, []string{"token", "create", "--email", "nobody@example.com"}, "--email: No user has this email"},
		{"", nil, []string{"token", "create", "--email", "a@example.com", "--scope", "admin"}, "--scope must be read or read-write"},
		{"", nil, []string{"token", "create"}, "--email is required"},
	} {
		args := append(c.args, "--data-dir", dir)
		if len(c.args) < 2 || (c.args[1] != "create") {
			args = c.args
		}
		code, out, errOut := runCLI(c.stdin, c.env, args...)
		if code != exitUsage || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and one line with %q", c.args, code, out, errOut, c.want)
		}
	}
	// A taken email is bad input too; nothing else was written.
	if code, _, errOut := runCLI("", pw, "user", "create", "--email", "a@example.com", "--data-dir", dir); code != 0 {
		t.Fatalf("user create: %d %s", code, errOut)
	}
	code, _, errOut := runCLI("", pw, "user", "create", "--email", "A@example.com", "--data-dir", dir)
	if code != exitUsage || !strings.Contains(errOut, "exists") {
		t.Errorf("duplicate: %d %q", code, errOut)
	}
	code, _, errOut = runCLI("", nil, "token", "create", "--email", "a@example.com", "--workspace", "nope", "--data-dir", dir)
	if code != exitUsage || !strings.Contains(errOut, "--workspace") {
		t.Errorf("unknown workspace: %d %q", code, errOut)
	}
	d, err := db.Open(context.Background(), db.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if n, _ := store.New(d).CountUsers(context.Background()); n != 1 {
		t.Errorf("%d users, want 1", n)
	}
}
