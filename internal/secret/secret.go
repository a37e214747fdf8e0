// Package secret seals channel secrets (webhook URLs, tokens, SMTP
// passwords) at rest with AES-256-GCM.
//
// A sealed value is "v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>". The
// key id is the first 8 hex digits of SHA-256 over the key, so a keyring can
// hold the current key and older ones: values sealed under an old key still
// open, and Reseal moves them to the current one. Callers pass associated
// data (e.g. "channel:42") that binds a sealed value to the row it belongs
// to: a ciphertext copied into another row does not open.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the length of an AES-256 key.
const KeySize = 32

// Errors.
var (
	ErrBadKey  = errors.New("secret: a key must be 32 bytes, base64 encoded")
	ErrNoKey   = errors.New("secret: sealed under a key this keyring does not hold")
	ErrCorrupt = errors.New("secret: sealed value is corrupt or was tampered with")
)

// Keyring seals with its first key and opens with any of them.
type Keyring struct {
	keys []key
}

type key struct {
	id   string
	aead cipher.AEAD
}

// ParseKeys builds a keyring from base64 keys (standard or URL alphabet,
// padded or not), current first, separated by commas or whitespace.
func ParseKeys(s string) (*Keyring, error) {
	var raw [][]byte
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' || r == '\r' }) {
		b, err := decodeKey(f)
		if err != nil {
			return nil, err
		}
		raw = append(raw, b)
	}
	if len(raw) == 0 {
		return nil, ErrBadKey
	}
	return New(raw...)
}

// New builds a keyring from raw 32-byte keys, current first.
func New(keys ...[]byte) (*Keyring, error) {
	kr := &Keyring{}
	for _, k := range keys {
		if len(k) != KeySize {
			return nil, ErrBadKey
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("secret: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("secret: %w", err)
		}
		sum := sha256.Sum256(k)
		kr.keys = append(kr.keys, key{id: hex.EncodeToString(sum[:4]), aead: aead})
	}
	if len(kr.keys) == 0 {
		return nil, ErrBadKey
	}
	return kr, nil
}

func decodeKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == KeySize {
			return b, nil
		}
	}
	return nil, ErrBadKey
}

// Seal encrypts plaintext bound to aad.
func (kr *Keyring) Seal(plaintext, aad string) (string, error) {
	k := kr.keys[0]
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("secret: %w", err)
	}
	out := k.aead.Seal(nonce, nonce, []byte(plaintext), []byte(aad))
	return "v1." + k.id + "." + base64.RawURLEncoding.EncodeToString(out), nil
}

// Open decrypts a value Seal made with the same aad.
func (kr *Keyring) Open(sealed, aad string) (string, error) {
	k, body, err := kr.split(sealed)
	if err != nil {
		return "", err
	}
	n := k.aead.NonceSize()
	if len(body) < n+k.aead.Overhead() {
		return "", ErrCorrupt
	}
	pt, err := k.aead.Open(nil, body[:n], body[n:], []byte(aad))
	if err != nil {
		return "", ErrCorrupt
	}
	return string(pt), nil
}

// Current reports whether sealed is under the keyring's current key (false
// means Reseal would move it).
func (kr *Keyring) Current(sealed string) bool {
	k, _, err := kr.split(sealed)
	return err == nil && k.id == kr.keys[0].id
}

// Reseal opens sealed and seals it again under the current key.
func (kr *Keyring) Reseal(sealed, aad string) (string, error) {
	pt, err := kr.Open(sealed, aad)
	if err != nil {
		return "", err
	}
	return kr.Seal(pt, aad)
}

func (kr *Keyring) split(sealed string) (key, []byte, error) {
	parts := strings.SplitN(sealed, ".", 3)
	if len(parts) != 3 || parts[0] != "v1" {
		return key{}, nil, ErrCorrupt
	}
	body, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return key{}, nil, ErrCorrupt
	}
	for _, k := range kr.keys {
		if k.id == parts[1] {
			return k, body, nil
		}
	}
	return key{}, nil, ErrNoKey
}

// KeyFile is the key file's name in the data directory.
const KeyFile = "secret.key"

// LoadOrCreateKeyFile reads the key in dir/secret.key, creating it with a
// new random key (mode 0600) when it does not exist: the embedded mode's
// zero-configuration default. The file is written to a temporary name and
// renamed, so a crash never leaves a half-written key.
func LoadOrCreateKeyFile(dir string) (kr *Keyring, created bool, err error) {
	path := filepath.Join(dir, KeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		kr, err := ParseKeys(string(b))
		if err != nil {
			return nil, false, fmt.Errorf("secret: %s: %w", path, err)
		}
		return kr, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("secret: %w", err)
	}
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		return nil, false, fmt.Errorf("secret: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("secret: %w", err)
	}
	tmp, err := os.CreateTemp(dir, KeyFile+".tmp*")
	if err != nil {
		return nil, false, fmt.Errorf("secret: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		_ = tmp.Close()
		return nil, false, fmt.Errorf("secret: %w", err)
	}
	if _, err := tmp.WriteString(base64.StdEncoding.EncodeToString(raw) + "\n"); err != nil {
		_ = tmp.Close()
		return nil, false, fmt.Errorf("secret: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return nil, false, fmt.Errorf("secret: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, false, fmt.Errorf("secret: %w", err)
	}
	// Link, not rename: if another process created the key meanwhile, keep
	// theirs rather than replacing a key that may already seal values.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return LoadOrCreateKeyFile(dir)
		}
		return nil, false, fmt.Errorf("secret: %w", err)
	}
	kr, err = New(raw)
	return kr, true, err
}
