package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/config"
	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
)

// TestMain lets a test re-run this binary as the shelfwatch command, so
// signals and exit codes are tested on a real process.
func TestMain(m *testing.M) {
	if os.Getenv("SHELFWATCH_TEST_AS_CLI") == "1" {
		os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	// serve on PostgreSQL needs the key sealing channel secrets; the
	// re-exec'd processes inherit it.
	if err := os.Setenv("SHELFWATCH_SECRET_KEY", testSecretKey); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

// testSecretKey is the channel-secret key of the tests' serve processes.
const testSecretKey = "c2hlbGZ3YXRjaC10ZXN0cy1zZWNyZXQta2V5LTMyYnk="

func testConfig(t *testing.T, engine db.Engine) config.Config {
	t.Helper()
	c, _, err := config.Load(serveCommand, []string{"--listen", "127.0.0.1:0", "--data-dir", t.TempDir(),
		"--database-url", dbtest.URL(t, engine), "--secret-key", testSecretKey}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// startServe runs serve until the returned stop function is called; stop
// returns serve's error.
func startServe(t *testing.T, c config.Config) (base string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() { done <- serve(ctx, c, log, ready) }()
	select {
	case addr := <-ready:
		base = "http://" + addr
		authorize(base, testToken(t, c))
	case err := <-done:
		cancel()
		t.Fatalf("serve failed to start: %v", err)
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("serve did not start")
	}
	return base, func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(15 * time.Second):
			return fmt.Errorf("serve did not stop within 15 s")
		}
	}
}

func httpDo(t *testing.T, method, url, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	setTestToken(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// The foundation's promise: a watch created through the API is still there
// after a restart, on both engines, and the operational endpoints answer.
// The product URLs point at loopback, which the fetcher refuses by default:
// the monitor checks them and nothing leaves the machine.
func TestServeKeepsWatchesAcrossRestart(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			c := testConfig(t, engine)
			base, stop := startServe(t, c)
			code, body := httpDo(t, "POST", base+"/api/v1/watches", `{"url":"http://127.0.0.1:9/p/1"}`)
			if code != http.StatusCreated {
				t.Fatalf("POST: %d %s", code, body)
			}
			for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
				if code, body := httpDo(t, "GET", base+p, ""); code != http.StatusOK {
					t.Errorf("GET %s: %d %s", p, code, body)
				}
			}
			if _, body := httpDo(t, "GET", base+"/metrics", ""); !bytes.Contains(body, []byte(`shelfwatch_http_requests_total{code="201",route="POST /api/v1/watches"} 1`)) {
				t.Errorf("metrics lack the API request:\n%s", body)
			}
			if err := stop(); err != nil {
				t.Fatalf("stop: %v", err)
			}

			base, stop = startServe(t, c)
			defer func() {
				if err := stop(); err != nil {
					t.Errorf("stop: %v", err)
				}
			}()
			code, body = httpDo(t, "GET", base+"/api/v1/watches", "")
			var list struct {
				Items []struct {
					Product struct {
						CanonicalURL string `json:"canonical_url"`
					} `json:"product"`
				} `json:"items"`
			}
			if err := json.Unmarshal(body, &list); err != nil || code != 200 {
				t.Fatalf("GET: %d %s %v", code, body, err)
			}
			if len(list.Items) != 1 || list.Items[0].Product.CanonicalURL != "http://127.0.0.1:9/p/1" {
				t.Fatalf("after restart: %s", body)
			}
		})
	}
}

// A real process: SIGTERM while serving exits 0 promptly, and what was
// written survives.
func TestSIGTERMExitsCleanly(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	cmd := exec.Command(os.Args[0], "serve", "--data-dir", dir, "--listen", "127.0.0.1:"+port, "--log-format", "json")
	cmd.Env = append(os.Environ(), "SHELFWATCH_TEST_AS_CLI=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	base := "http://127.0.0.1:" + port
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("not ready: %v\n%s", err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	side, _, _ := config.Load(migrateCommand, []string{"--data-dir", dir}, func(string) string { return "" }, io.Discard)
	authorize(base, testToken(t, side))
	if code, body := httpDo(t, "POST", base+"/api/v1/watches", `{"url":"http://127.0.0.1:9/kept"}`); code != 201 {
		t.Fatalf("POST: %d %s", code, body)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("still running 10 s after SIGTERM\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "stopped cleanly") {
		t.Errorf("no clean-stop log line:\n%s", stderr.String())
	}

	c, _, err := config.Load(serveCommand, []string{"--listen", "127.0.0.1:0", "--data-dir", dir}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	base2, stop := startServe(t, c)
	defer func() { _ = stop() }()
	if _, body := httpDo(t, "GET", base2+"/api/v1/watches", ""); !bytes.Contains(body, []byte("http://127.0.0.1:9/kept")) {
		t.Fatalf("watch lost after SIGTERM: %s", body)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, err := net.SplitHostPort(ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return port
}

func TestBadConfigExitsTwoWithOneLine(t *testing.T) {
	cases := [][]string{
		{"serve", "--listen", "nowhere"},
		{"serve", "--log-level", "chatty"},
		{"serve", "--role", "worker"},
		{"serve", "--database-url", "mysql://db"},
		{"migrate", "--bogus"},
		{"frobnicate"},
	}
	for _, args := range cases {
		var out, errOut bytes.Buffer
		code := mainEnv(args, env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }})
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
		lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
		if len(lines) != 1 || lines[0] == "" {
			t.Errorf("%v: stderr should be one line, got %q", args, errOut.String())
		}
	}
	// A broken value in the environment is named as such.
	var errOut bytes.Buffer
	code := mainEnv([]string{"serve"}, env{stdout: io.Discard, stderr: &errOut, getenv: func(k string) string {
		if k == "SHELFWATCH_LISTEN" {
			return "8080"
		}
		return ""
	}})
	if code != exitUsage || !strings.Contains(errOut.String(), "SHELFWATCH_LISTEN") {
		t.Errorf("env error: exit %d, %q", code, errOut.String())
	}
}
