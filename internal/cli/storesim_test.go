package cli

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer lets a test read what a running command has printed so far.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// field returns the value after a "label   value" line of storesim's output.
func field(out, label string) string {
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, label); ok {
			return strings.Fields(rest)[0]
		}
	}
	return ""
}

func TestStoresimServesAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- runStoresim(ctx, env{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }},
			[]string{"--listen", "127.0.0.1:0", "--products", "20", "--seed", "3", "--layouts", "microdata, visible"})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for field(out.String(), "sample product") == "" {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no sample product printed: %q %q", out.String(), errOut.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, u := range []string{field(out.String(), "sample product"), field(out.String(), "base URL") + "/robots.txt"} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(b) == 0 {
			t.Errorf("GET %s: %d, %d bytes", u, resp.StatusCode, len(b))
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d, want 0; stderr %q", code, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("storesim did not stop after cancel")
	}
}

// A real process: SIGINT stops it with exit 0.
func TestStoresimSIGINT(t *testing.T) {
	cmd := exec.Command(os.Args[0], "storesim", "--listen", "127.0.0.1:0", "--products", "5")
	cmd.Env = append(os.Environ(), "SHELFWATCH_TEST_AS_CLI=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	var sample string
	for sc.Scan() {
		if sample = field(sc.Text(), "sample product"); sample != "" {
			break
		}
	}
	if sample == "" {
		_ = cmd.Process.Kill()
		t.Fatalf("no sample product line; stderr %q", stderr.String())
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	resp, err := http.Get(sample)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Fatalf("exit after SIGINT: %v; stderr %q", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("still running 10 s after SIGINT")
	}
}

func TestStoresimBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--products", "0"},
		{"--products", "many"},
		{"--error-rate", "1.5"},
		{"--latency", "-1s"},
		{"--listen", "nowhere"},
		{"--bogus"},
		{"extra"},
		{"--error-rate", "0.6", "--429-rate", "0.6"},
		{"--layouts", "jsonld,fancy"},
		{"--error-rate", "NaN"},
	} {
		var out, errOut bytes.Buffer
		code := runStoresim(context.Background(), env{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}, args)
		lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
		if code != exitUsage || len(lines) != 1 || !strings.HasPrefix(lines[0], "shelfwatch storesim: ") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut.String())
		}
	}
	var out bytes.Buffer
	if code := runStoresim(context.Background(), env{stdout: &out, stderr: io.Discard}, []string{"-h"}); code != exitOK || !strings.Contains(out.String(), "--products") {
		t.Errorf("-h: exit %d, %q", code, out.String())
	}
}
