package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/bench"
)

// TestBenchSmall runs the bench on SQLite with a few products and checks its
// invariants: every product checked each round, one history row per changed
// price, and output that parses.
func TestBenchSmall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	e := env{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	code := runBench(ctx, e, []string{"--products", "30", "--rounds", "2", "--changed-share", "0.2", "--hosts", "3", "--json"})
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s\nstdout:\n%s", code, errOut.String(), out.String())
	}
	var r bench.Result
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, out.String())
	}
	if r.Engine != "sqlite" || r.Products != 30 || r.Rounds != 2 {
		t.Errorf("engine %q products %d rounds %d, want sqlite 30 2", r.Engine, r.Products, r.Rounds)
	}
	if !r.CheckedEveryRound || r.First.Checks != 30 || r.Change.Checks != 60 {
		t.Errorf("checks: first %d, change rounds %d (every round %t); want 30 and 60", r.First.Checks, r.Change.Checks, r.CheckedEveryRound)
	}
	if r.PricesChanged != 12 || r.HistoryRows != int64(r.PricesChanged) || r.HistoryRowsFirst != 30 {
		t.Errorf("history rows %d (first %d) for %d changed prices; want 12 (30)", r.HistoryRows, r.HistoryRowsFirst, r.PricesChanged)
	}
	if r.FailedChecks != 0 {
		t.Errorf("%d failed checks", r.FailedChecks)
	}
	if r.First.FullFetches != 30 || r.Change.FullFetches != 12 {
		t.Errorf("full fetches: first %d, change rounds %d; want 30 and 12 (the rest 304)", r.First.FullFetches, r.Change.FullFetches)
	}
	if len(r.GoalsMet) != 5 || r.GoalsMet[0].Met != nil || r.GoalsMet[2].Met == nil || r.GoalsMet[4].Met == nil {
		t.Errorf("goals: %+v; want 5, the throughput one not judged with 30 products, RSS and alert latency judged", r.GoalsMet)
	}
	// The alerts phase drops every product's price (30 < the default 100):
	// one any-drop notification each, all delivered to the webhook.
	if a := r.Alerts; a == nil || a.Drops != 30 || a.Notifications != 30 || a.P95MS <= 0 || a.MaxMS < a.P50MS {
		t.Errorf("alerts phase: %+v, want 30 drops delivered", r.Alerts)
	}
	if r.First.ChecksPerSec <= 0 || r.PeakRSSKB <= 0 || r.DBBytesPerProduct <= 0 || r.First.P99MS < r.First.P50MS {
		t.Errorf("implausible figures: %+v", r)
	}
}

func TestBenchTable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	e := env{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	if code := runBench(ctx, e, []string{"--products", "10", "--rounds", "1", "--hosts", "2", "--no-reuse", "--alert-drops", "0"}); code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut.String())
	}
	for _, want := range []string{"no connection reuse", "checks/s", "history rows", "peak RSS", "bytes per product",
		"goals (issues 5 and 6)", "peak RSS ≤ 64 MB: ", "-        ≥ 2000 checks/s, plain HTTP", "-        claim a due batch",
		"-        alert latency p95"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

func TestBenchFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--products", "0"}, {"--rounds", "0"}, {"--changed-share", "1.5"}, {"--hosts", "300"},
		{"--database-url", "mysql://x"}, {"extra"}, {"--batch", "-1"}, {"--alert-drops", "-1"},
	} {
		var out, errOut bytes.Buffer
		e := env{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
		if code := runBench(context.Background(), e, args); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
}
