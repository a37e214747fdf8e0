package fetch

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseProxyPools(t *testing.T) {
	got, err := ParseProxyPools(" default=http://u:p@10.0.0.5:3128, socks5://127.0.0.1:1080 ; eu=https://proxy.eu.example ;")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"default": {"http://u:p@10.0.0.5:3128", "socks5://127.0.0.1:1080"},
		"eu":      {"https://proxy.eu.example"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v", got)
	}
	if got, _ := ParseProxyPools("http://a:1,http://b:2"); len(got["default"]) != 2 {
		t.Errorf("bare list: %v", got)
	}
	if got, err := ParseProxyPools(""); err != nil || len(got) != 0 {
		t.Errorf("empty: %v %v", got, err)
	}
	for _, bad := range []string{"x=ftp://a", "direct=http://a:1", "=http://a:1", "p=http://"} {
		if _, err := ParseProxyPools(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestResultSummary(t *testing.T) {
	r := &Result{Outcome: OutcomeBlocked, Status: 403, Bytes: 512, Duration: 1234 * time.Microsecond,
		RobotsVerdict: RobotsAllowed, ProxyUsed: "http://10.0.0.5:3128", Attempts: 1, BlockReason: "robot check"}
	s := r.Summary()
	for _, part := range []string{"blocked", "HTTP 403", "512 bytes", "1ms", "robots allowed", "via http://10.0.0.5:3128", "1 attempt", "robot check"} {
		if !strings.Contains(s, part) {
			t.Errorf("summary %q lacks %q", s, part)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, o := range []Options{
		{ContactURL: "not a url"},
		{Version: "1 2"},
		{ProxyPools: map[string][]string{"p": {"ftp://x"}}},
		{DefaultProxyPool: "missing"},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v): no error", o)
		}
	}
	if ua := (Options{}).UserAgent(); ua != "shelfwatch/dev (+"+DefaultContactURL+")" {
		t.Errorf("default User-Agent %q", ua)
	}
}
