package config

import (
	"errors"
	"flag"
	"io"
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func noFiles(string) ([]byte, error) { return nil, fs.ErrNotExist }

var serveCmd = Command{Name: "serve", Groups: []Group{GroupServe, GroupDatabase, GroupLog, GroupFetch}}

func loadServe(args []string, env func(string) string, read func(string) ([]byte, error)) (Config, error) {
	c, _, err := load(serveCmd, args, env, io.Discard, read)
	return c, err
}

func TestDefaults(t *testing.T) {
	c, err := loadServe(nil, envOf(nil), noFiles)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Listen: "127.0.0.1:8080", DataDir: "./data", Role: RoleAll, LogFormat: "text",
		LogLevel: "info", ShutdownTimeout: 8 * time.Second, EventRetention: 90 * 24 * time.Hour,
		Fetch: Fetch{ContactURL: "https://github.com/shelfwatch/shelfwatch", RatePerMinute: 30, Timeout: 45 * time.Second,
			MaxBodyBytes: 10 << 20, RobotsTTL: 24 * time.Hour, RenderConcurrency: 2, RenderTimeout: 45 * time.Second},
		HTTP:     HTTP{APIRatePerMin: 600, SignInRatePerMin: 10},
		Accounts: Accounts{SessionIdle: 7 * 24 * time.Hour, SessionLifetime: 30 * 24 * time.Hour}}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got %+v\nwant %+v", c, want)
	}
	if c.Postgres() {
		t.Fatal("default must be SQLite")
	}
}

func TestFlagBeatsEnvBeatsDefault(t *testing.T) {
	env := envOf(map[string]string{"SHELFWATCH_LISTEN": "127.0.0.1:9000", "SHELFWATCH_LOG_FORMAT": "json"})
	c, err := loadServe([]string{"--listen", ":7000"}, env, noFiles)
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != ":7000" || c.LogFormat != "json" || c.LogLevel != "info" {
		t.Fatalf("got %+v", c)
	}
}

func TestSecretFromFile(t *testing.T) {
	const key = "c2hlbGZ3YXRjaC10ZXN0cy1zZWNyZXQta2V5LTMyYnk="
	env := envOf(map[string]string{"SHELFWATCH_DATABASE_URL_FILE": "/run/secrets/db", "SHELFWATCH_SECRET_KEY_FILE": "/run/secrets/key"})
	read := func(p string) ([]byte, error) {
		switch p {
		case "/run/secrets/db":
			return []byte("postgres://u:p@db:5432/sw\n"), nil
		case "/run/secrets/key":
			return []byte(key + "\n"), nil
		}
		return nil, fs.ErrNotExist
	}
	c, err := loadServe(nil, env, read)
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "postgres://u:p@db:5432/sw" || !c.Postgres() || c.SecretKey != key {
		t.Fatalf("got %q, key %q", c.DatabaseURL, c.SecretKey)
	}
}

// PostgreSQL serves several processes: they must share the key that seals
// channel secrets, so it cannot be generated; a bad key is refused.
func TestSecretKeyRequiredWithPostgres(t *testing.T) {
	_, err := loadServe([]string{"--database-url", "postgres://db/sw"}, envOf(nil), noFiles)
	if err == nil || !strings.Contains(err.Error(), "--secret-key") {
		t.Fatalf("PostgreSQL without a key: %v", err)
	}
	_, err = loadServe([]string{"--secret-key", "c2hvcnQ="}, envOf(nil), noFiles)
	if err == nil || strings.Contains(err.Error(), "c2hvcnQ=") || !strings.Contains(err.Error(), "secret-key") {
		t.Fatalf("a short key: %v (the key must not be echoed)", err)
	}
	if c, err := loadServe(nil, envOf(nil), noFiles); err != nil || c.SecretKey != "" {
		t.Fatalf("SQLite without a key (generated later): %v", err)
	}
}

func TestErrorsAreOneActionableLine(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want []string // substrings the message must contain
	}{
		{"bad listen flag", []string{"--listen", "nope"}, nil, []string{"--listen", "host:port"}},
		{"bad listen env", nil, map[string]string{"SHELFWATCH_LISTEN": "1.2.3.4:99999"}, []string{"SHELFWATCH_LISTEN", "port"}},
		{"bad log level", []string{"--log-level", "loud"}, nil, []string{"--log-level", "debug, info, warn, error"}},
		{"bad role", []string{"--role", "boss"}, nil, []string{"--role", "all, web, worker"}},
		{"worker needs postgres", []string{"--role", "worker"}, nil, []string{"PostgreSQL", "--database-url"}},
		{"bad database url", []string{"--database-url", "mysql://x"}, nil, []string{"--database-url", "postgres://"}},
		{"password not echoed", []string{"--database-url", "postgres://u:hunter2@/db"}, nil, []string{"missing host"}},
		{"both env and file", nil, map[string]string{"SHELFWATCH_DATABASE_URL": "postgres://h/db", "SHELFWATCH_DATABASE_URL_FILE": "/x"}, []string{"keep one"}},
		{"unreadable file", nil, map[string]string{"SHELFWATCH_DATABASE_URL_FILE": "/missing"}, []string{"SHELFWATCH_DATABASE_URL_FILE"}},
		{"bad duration", []string{"--event-retention", "soon"}, nil, []string{"--event-retention", "30d"}},
		{"duration out of range", []string{"--shutdown-timeout", "1ms"}, nil, []string{"between"}},
		{"unknown flag", []string{"--colour", "red"}, nil, []string{"colour", "-h"}},
		{"stray argument", []string{"extra"}, nil, []string{"unexpected argument"}},
		{"bad bool", nil, map[string]string{"SHELFWATCH_ALLOW_PRIVATE_NETWORKS": "yes please"}, []string{"SHELFWATCH_ALLOW_PRIVATE_NETWORKS", "true or false"}},
		{"bad cidr", []string{"--fetch-allow-cidrs", "10.0.0.0/8,nonsense"}, nil, []string{"nonsense", "CIDR"}},
		{"bad contact", []string{"--fetch-contact-url", "me"}, nil, []string{"--fetch-contact-url", "mailto"}},
		{"bad rate", []string{"--fetch-rate", "0"}, nil, []string{"--fetch-rate", "from 1"}},
		{"bad proxy", nil, map[string]string{"SHELFWATCH_FETCH_PROXIES": "eu=ftp://u:hunter2@p:1"}, []string{"SHELFWATCH_FETCH_PROXIES", "socks5://"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadServe(tc.args, envOf(tc.env), noFiles)
			if err == nil {
				t.Fatal("want an error")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("message spans lines: %q", msg)
			}
			if strings.Contains(msg, "hunter2") {
				t.Errorf("message leaks a password: %q", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
		})
	}
}

func TestHelp(t *testing.T) {
	var out strings.Builder
	_, _, err := load(serveCmd, []string{"-h"}, envOf(nil), &out, noFiles)
	if !errors.Is(err, ErrHelp) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(out.String(), "SHELFWATCH_DATABASE_URL") {
		t.Fatalf("help lacks env names:\n%s", out.String())
	}
}

func TestFetchOptions(t *testing.T) {
	env := envOf(map[string]string{"SHELFWATCH_FETCH_ALLOW_CIDRS": "10.1.2.3/24, 192.168.0.0/16",
		"SHELFWATCH_FETCH_PROXIES": "eu=http://u:p@127.0.0.1:3128,socks5://127.0.0.1:1080;us=http://10.0.0.1:8080"})
	c, err := loadServe([]string{"--allow-private-networks", "--render-timeout", "20s"}, env, noFiles)
	if err != nil {
		t.Fatal(err)
	}
	f := c.Fetch
	if !f.AllowPrivateNetworks || f.RenderTimeout != 20*time.Second || len(f.AllowedCIDRs) != 2 ||
		f.AllowedCIDRs[0].String() != "10.1.2.0/24" || !strings.HasPrefix(f.Proxies, "eu=") {
		t.Fatalf("fetch = %+v", f)
	}
	if c, _ := loadServe([]string{"--allow-private-networks=false"}, envOf(map[string]string{"SHELFWATCH_ALLOW_PRIVATE_NETWORKS": "true"}), noFiles); c.Fetch.AllowPrivateNetworks {
		t.Error("flag must beat environment")
	}
}

// A command takes only its groups' options, and positional arguments where
// it declares them, before or after flags.
func TestCommandShape(t *testing.T) {
	check := Command{Name: "check", Groups: []Group{GroupLog, GroupFetch}, Args: "URL"}
	var asJSON bool
	check.Flags = func(fs *flag.FlagSet) { fs.BoolVar(&asJSON, "json", false, "") }
	c, pos, err := load(check, []string{"--json", "https://a.example/p", "--allow-private-networks"}, envOf(nil), io.Discard, noFiles)
	if err != nil || !asJSON || !c.Fetch.AllowPrivateNetworks || len(pos) != 1 || pos[0] != "https://a.example/p" {
		t.Fatalf("c=%+v pos=%v json=%v err=%v", c.Fetch, pos, asJSON, err)
	}
	if _, _, err := load(check, []string{"--listen", ":1"}, envOf(nil), io.Discard, noFiles); err == nil {
		t.Error("check accepted a serve flag")
	}
	migrate := Command{Name: "migrate", Groups: []Group{GroupDatabase, GroupLog}}
	if _, _, err := load(migrate, []string{"--role", "worker"}, envOf(nil), io.Discard, noFiles); err == nil {
		t.Error("migrate accepted --role")
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"30d": 720 * time.Hour, "90s": 90 * time.Second, "1h30m": 90 * time.Minute} {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "-1d", "x"} {
		if _, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) accepted", in)
		}
	}
}
