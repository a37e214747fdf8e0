package secret

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func TestSealOpen(t *testing.T) {
	kr, err := New(testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	const url = "https://discord.com/api/webhooks/123/very-secret-token"
	s1, err := kr.Seal(url, "channel:1")
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := kr.Seal(url, "channel:1")
	if s1 == s2 {
		t.Fatal("two seals of the same value are equal: the nonce is not random")
	}
	if strings.Contains(s1, "secret-token") || !strings.HasPrefix(s1, "v1.") {
		t.Fatalf("sealed value %q", s1)
	}
	got, err := kr.Open(s1, "channel:1")
	if err != nil || got != url {
		t.Fatalf("Open = %q, %v", got, err)
	}
	// Bound to its row.
	if _, err := kr.Open(s1, "channel:2"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("opened under another row's aad: %v", err)
	}
	// Tampering is detected.
	b := []byte(s1)
	b[len(b)-3] ^= 1
	if _, err := kr.Open(string(b), "channel:1"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("tampered value: %v", err)
	}
	for _, bad := range []string{"", "v1", "v2.x.y", "v1.00000000.!!", "v1." + kr.keys[0].id + ".AAAA"} {
		if _, err := kr.Open(bad, "channel:1"); err == nil {
			t.Errorf("Open(%q) succeeded", bad)
		}
	}
	// Another key cannot open it.
	other, _ := New(testKey(2))
	if _, err := other.Open(s1, "channel:1"); !errors.Is(err, ErrNoKey) {
		t.Fatalf("foreign key: %v", err)
	}
}

func TestRotation(t *testing.T) {
	old, _ := New(testKey(1))
	sealed, _ := old.Seal("pw", "smtp")
	both, err := ParseKeys(base64.StdEncoding.EncodeToString(testKey(2)) + ", " + base64.RawURLEncoding.EncodeToString(testKey(1)))
	if err != nil {
		t.Fatal(err)
	}
	if both.Current(sealed) {
		t.Fatal("a value under the old key reported current")
	}
	if pt, err := both.Open(sealed, "smtp"); err != nil || pt != "pw" {
		t.Fatalf("old value under the new keyring: %q %v", pt, err)
	}
	moved, err := both.Reseal(sealed, "smtp")
	if err != nil || !both.Current(moved) {
		t.Fatalf("Reseal: %v", err)
	}
	if _, err := old.Open(moved, "smtp"); !errors.Is(err, ErrNoKey) {
		t.Fatal("the old keyring opens a value resealed under the new key")
	}
}

func TestParseKeysRejects(t *testing.T) {
	for _, s := range []string{"", "  ", "not base64 at all", base64.StdEncoding.EncodeToString(make([]byte, 16))} {
		if _, err := ParseKeys(s); !errors.Is(err, ErrBadKey) {
			t.Errorf("ParseKeys(%q) = %v", s, err)
		}
	}
}

func TestKeyFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	kr, created, err := LoadOrCreateKeyFile(dir)
	if err != nil || !created {
		t.Fatalf("first run: created %v, %v", created, err)
	}
	fi, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	sealed, _ := kr.Seal("x", "a")
	again, created, err := LoadOrCreateKeyFile(dir)
	if err != nil || created {
		t.Fatalf("second run: created %v, %v", created, err)
	}
	if pt, err := again.Open(sealed, "a"); err != nil || pt != "x" {
		t.Fatalf("the reloaded key does not open: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("left files behind: %v", entries)
	}
	if err := os.WriteFile(filepath.Join(dir, KeyFile), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateKeyFile(dir); !errors.Is(err, ErrBadKey) {
		t.Fatalf("a broken key file: %v", err)
	}
}
