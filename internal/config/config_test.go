package config

import (
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func noFiles(string) ([]byte, error) { return nil, fs.ErrNotExist }

func TestDefaults(t *testing.T) {
	c, err := load("serve", nil, envOf(nil), io.Discard, noFiles)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Listen: "127.0.0.1:8080", DataDir: "./data", Role: RoleAll, LogFormat: "text",
		LogLevel: "info", ShutdownTimeout: 8 * time.Second, EventRetention: 90 * 24 * time.Hour}
	if c != want {
		t.Fatalf("got %+v\nwant %+v", c, want)
	}
	if c.Postgres() {
		t.Fatal("default must be SQLite")
	}
}

func TestFlagBeatsEnvBeatsDefault(t *testing.T) {
	env := envOf(map[string]string{"SHELFWATCH_LISTEN": "127.0.0.1:9000", "SHELFWATCH_LOG_FORMAT": "json"})
	c, err := load("serve", []string{"--listen", ":7000"}, env, io.Discard, noFiles)
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != ":7000" || c.LogFormat != "json" || c.LogLevel != "info" {
		t.Fatalf("got %+v", c)
	}
}

func TestSecretFromFile(t *testing.T) {
	env := envOf(map[string]string{"SHELFWATCH_DATABASE_URL_FILE": "/run/secrets/db"})
	read := func(p string) ([]byte, error) {
		if p != "/run/secrets/db" {
			return nil, fs.ErrNotExist
		}
		return []byte("postgres://u:p@db:5432/sw\n"), nil
	}
	c, err := load("serve", nil, env, io.Discard, read)
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "postgres://u:p@db:5432/sw" || !c.Postgres() {
		t.Fatalf("got %q", c.DatabaseURL)
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
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load("serve", tc.args, envOf(tc.env), io.Discard, noFiles)
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
	_, err := load("serve", []string{"-h"}, envOf(nil), &out, noFiles)
	if !errors.Is(err, ErrHelp) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(out.String(), "SHELFWATCH_DATABASE_URL") {
		t.Fatalf("help lacks env names:\n%s", out.String())
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
