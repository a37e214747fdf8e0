package auth

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

// testParams keep tests fast; DefaultParams are measured in BenchmarkHash.
var testParams = Params{Memory: 1024, Time: 1, Threads: 1}

func TestHashVerify(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(testParams, 2)
	enc, err := h.Hash(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\$argon2id\$v=19\$m=1024,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`).MatchString(enc) {
		t.Fatalf("not a PHC string: %s", enc)
	}
	if enc2, _ := h.Hash(ctx, "correct horse battery"); enc2 == enc {
		t.Error("two hashes of one password are equal: no salt?")
	}
	if ok, rehash, err := h.Verify(ctx, "correct horse battery", enc); !ok || rehash || err != nil {
		t.Errorf("Verify(right) = %v %v %v", ok, rehash, err)
	}
	if ok, _, err := h.Verify(ctx, "correct horse batterY", enc); ok || err != nil {
		t.Errorf("Verify(wrong) = %v %v", ok, err)
	}
	// Stronger parameters than the stored hash's ask for a rehash.
	h2 := NewHasher(Params{Memory: 2048, Time: 2, Threads: 1}, 1)
	if ok, rehash, err := h2.Verify(ctx, "correct horse battery", enc); !ok || !rehash || err != nil {
		t.Errorf("Verify with new params = %v %v %v, want ok and rehash", ok, rehash, err)
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", strings.Replace(enc, "t=1", "t=x", 1)} {
		if ok, _, err := h.Verify(ctx, "x", bad); ok || !errors.Is(err, ErrBadHash) {
			t.Errorf("Verify(%q) = %v %v, want ErrBadHash", bad, ok, err)
		}
	}
}

// The semaphore bounds hashes in flight; a waiting caller gives up with its
// context.
func TestHasherConcurrencyCap(t *testing.T) {
	h := NewHasher(testParams, 1)
	h.sem <- struct{}{} // one hash "in flight"
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Hash(ctx, "0123456789"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Hash past the cap = %v, want context.Canceled", err)
	}
	<-h.sem
	if _, err := h.Hash(context.Background(), "0123456789"); err != nil {
		t.Fatal(err)
	}
}

func TestPasswordProblem(t *testing.T) {
	for _, c := range []struct {
		pw, email string
		ok        bool
	}{
		{"short", "", false},
		{"ninechars", "", false},
		{"tencharsok", "", true},
		{"ääääääääää", "", true}, // runes, not bytes
		{strings.Repeat("a", 1025), "", false},
		{"Ann@Example.com", "ann@example.com", false},
		{"\xff\xfe0123456789", "", false},
		{"aaaaaaaaaa", "", true}, // no composition rules
	} {
		if got := PasswordProblem(c.pw, c.email) == ""; got != c.ok {
			t.Errorf("PasswordProblem(%q) ok=%v, want %v", c.pw, got, c.ok)
		}
	}
}

func TestEmailProblem(t *testing.T) {
	for e, ok := range map[string]bool{"ann@example.com": true, "ann": false, "": false, "Ann <ann@example.com>": false,
		"a@b": true, strings.Repeat("a", 250) + "@b.co": false} {
		if got := EmailProblem(e) == ""; got != ok {
			t.Errorf("EmailProblem(%q) ok=%v, want %v", e, got, ok)
		}
	}
}

func TestLockoutDelay(t *testing.T) {
	want := []time.Duration{0, 0, 0, 0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}
	for i, w := range want {
		if got := DefaultLockout.Delay(i + 1); got != w {
			t.Errorf("Delay(%d) = %s, want %s", i+1, got, w)
		}
	}
	if got := DefaultLockout.Delay(40); got != 15*time.Minute {
		t.Errorf("Delay(40) = %s, want the 15 min cap", got)
	}
}

func TestIPKey(t *testing.T) {
	if ipKey("2001:db8:1:2:aaaa::1") != ipKey("2001:db8:1:2:bbbb::9") {
		t.Error("one IPv6 /64 gives two keys")
	}
	if ipKey("2001:db8:1:3::1") == ipKey("2001:db8:1:2::1") {
		t.Error("two IPv6 /64s share a key")
	}
	if ipKey("::ffff:192.0.2.1") != "ip:192.0.2.1" || ipKey("192.0.2.1") != "ip:192.0.2.1" {
		t.Errorf("IPv4 keys: %s %s", ipKey("::ffff:192.0.2.1"), ipKey("192.0.2.1"))
	}
	if RemoteIP("[2001:db8::1]:443") != "2001:db8::1" || RemoteIP("192.0.2.1:80") != "192.0.2.1" {
		t.Error("RemoteIP")
	}
}

func TestAPITokenShape(t *testing.T) {
	tok, prefix, hash := NewAPIToken()
	if !strings.HasPrefix(tok, "sw_"+prefix+"_") || len(prefix) != 8 || len(hash) != 64 || hash != HashSecret(tok) {
		t.Fatalf("token %q prefix %q hash %q", tok, prefix, hash)
	}
	if !LooksLikeAPIToken(tok) {
		t.Error("a new token does not look like one")
	}
	tok2, _, _ := NewAPIToken()
	if tok2 == tok {
		t.Error("two tokens are equal")
	}
	for _, bad := range []string{"", "sw_", tok[:len(tok)-1], "xx" + tok[2:], strings.Replace(tok, "_", "-", 2), tok + "a"} {
		if LooksLikeAPIToken(bad) {
			t.Errorf("LooksLikeAPIToken(%q) = true", bad)
		}
	}
	s, h := NewSecret()
	if len(s) != 43 || h != HashSecret(s) {
		t.Errorf("NewSecret = %q %q", s, h)
	}
}

func BenchmarkHashDefault(b *testing.B) {
	h := NewHasher(DefaultParams, 1)
	for b.Loop() {
		if _, err := h.Hash(context.Background(), "correct horse battery"); err != nil {
			b.Fatal(err)
		}
	}
}
