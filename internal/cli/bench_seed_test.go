package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// Bad seed flags get exit code 2 and one line naming the flag; a small
// seed on SQLite runs end to end and prints its figures.
func TestBenchSeed(t *testing.T) {
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		e := env{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
		return runBench(context.Background(), e, args), out.String(), errOut.String()
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--seed-products", "0", "--seed-history-days", "30"}, "--seed-products"},
		{[]string{"--seed-products", "10", "--seed-history-days", "0"}, "--seed-history-days"},
		{[]string{"--seed-products", "10", "--seed-history-days", "30", "--retention-days", "30"}, "--retention-days"},
		{[]string{"--measure-seeded", "--seed-products", "10"}, "--measure-seeded"},
		{[]string{"--seed-products", "10", "--seed-history-days", "30", "extra"}, "unexpected argument"},
	} {
		code, _, stderr := run(tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line naming %s", tc.args, code, stderr, tc.want)
		}
	}
	if code, out, _ := run("--measure-seeded", "-h"); code != exitOK || !strings.Contains(out, "--seed-history-days") {
		t.Errorf("help: exit %d, %q", code, out)
	}

	dbPath := filepath.Join(t.TempDir(), "seed.db")
	code, out, stderr := run("--seed-products", "300", "--seed-history-days", "200", "--seed-watches", "20",
		"--retention-days", "120", "--database-url", dbPath)
	if code != exitOK {
		t.Fatalf("seed: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"seeded (sqlite): 300 products", "20 watches)", "chart 1 y (rollups)", "retention 120 d"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code, _, stderr := run("--seed-products", "10", "--seed-history-days", "5", "--database-url", dbPath); code != exitFailure || !strings.Contains(stderr, "not empty") {
		t.Errorf("seeding a seeded database: exit %d, %q", code, stderr)
	}
}
