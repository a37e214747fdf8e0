package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultParams is OWASP's first argon2id recommendation (46 MiB, one pass,
// one lane): about 75 ms on one core of a small server, and one lane keeps
// the second core free for the rest of the app. Each hash in flight holds
// 46 MiB, so Hasher caps how many run at once.
var DefaultParams = Params{Memory: 46 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// Password rules: long enough, not absurdly long (argon2 hashes it all), and
// no composition rules (NIST SP 800-63B).
const (
	MinPasswordRunes = 10
	MaxPasswordBytes = 1024
)

// ErrBadHash reports a stored hash that is not an argon2id PHC string.
var ErrBadHash = errors.New("auth: stored password hash is not argon2id")

// Hasher hashes and verifies passwords, at most `concurrency` at a time.
type Hasher struct {
	params Params
	sem    chan struct{}
	dummy  string // a hash to verify against for unknown accounts
}

// NewHasher returns a Hasher with p (zero fields take DefaultParams') that
// runs at most concurrency hashes at once (at least 1).
func NewHasher(p Params, concurrency int) *Hasher {
	if p.Memory == 0 {
		p.Memory = DefaultParams.Memory
	}
	if p.Time == 0 {
		p.Time = DefaultParams.Time
	}
	if p.Threads == 0 {
		p.Threads = DefaultParams.Threads
	}
	if p.SaltLen == 0 {
		p.SaltLen = DefaultParams.SaltLen
	}
	if p.KeyLen == 0 {
		p.KeyLen = DefaultParams.KeyLen
	}
	h := &Hasher{params: p, sem: make(chan struct{}, max(concurrency, 1))}
	salt := make([]byte, p.SaltLen)
	_, _ = rand.Read(salt)
	h.dummy = encodePHC(p, salt, argon2.IDKey([]byte("not a password"), salt, p.Time, p.Memory, p.Threads, p.KeyLen))
	return h
}

// Params returns the parameters new hashes use.
func (h *Hasher) Params() Params { return h.params }

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.sem }

// Hash returns password's argon2id PHC string:
// $argon2id$v=19$m=47104,t=1,p=1$<salt>$<hash> (unpadded base64).
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	p := h.params
	return encodePHC(p, salt, argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)), nil
}

// Verify reports whether password matches encoded, and whether encoded
// should be replaced because its parameters differ from the Hasher's. A
// malformed hash costs the same time as a real one and is ErrBadHash.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (ok, rehash bool, err error) {
	p, salt, key, perr := decodePHC(encoded)
	if perr != nil {
		h.VerifyDummy(ctx, password)
		return false, false, perr
	}
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer h.release()
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	ok = subtle.ConstantTimeCompare(got, key) == 1
	rehash = p.Memory != h.params.Memory || p.Time != h.params.Time || p.Threads != h.params.Threads ||
		uint32(len(key)) != h.params.KeyLen || uint32(len(salt)) != h.params.SaltLen
	return ok, rehash, nil
}

// VerifyDummy spends what Verify spends, for accounts that do not exist, so
// timing does not tell them apart.
func (h *Hasher) VerifyDummy(ctx context.Context, password string) {
	p, salt, key, _ := decodePHC(h.dummy)
	if h.acquire(ctx) != nil {
		return
	}
	defer h.release()
	_ = argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
}

var b64 = base64.RawStdEncoding

func encodePHC(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decodePHC parses an argon2id PHC string, refusing parameters no sane
// configuration uses (a corrupted row must not allocate gigabytes).
func decodePHC(s string) (Params, []byte, []byte, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return Params{}, nil, nil, ErrBadHash
	}
	var p Params
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return Params{}, nil, nil, ErrBadHash
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			p.Threads = uint8(min(n, 255))
		default:
			return Params{}, nil, nil, ErrBadHash
		}
	}
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 || len(key) > 64 ||
		p.Memory < 8 || p.Memory > 1<<20 || p.Time < 1 || p.Time > 64 || p.Threads < 1 || p.Threads > 16 {
		return Params{}, nil, nil, ErrBadHash
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// PasswordProblem says what is wrong with a new password, "" when it is
// acceptable. The message is meant for the user.
func PasswordProblem(password, email string) string {
	switch {
	case !utf8.ValidString(password):
		return "The password must be valid UTF-8 text."
	case utf8.RuneCountInString(password) < MinPasswordRunes:
		return fmt.Sprintf("Use at least %d characters; a few words together make a good password.", MinPasswordRunes)
	case len(password) > MaxPasswordBytes:
		return fmt.Sprintf("Use at most %d bytes.", MaxPasswordBytes)
	case email != "" && strings.EqualFold(strings.TrimSpace(password), strings.TrimSpace(email)):
		return "The password must not be your email address."
	}
	return ""
}
