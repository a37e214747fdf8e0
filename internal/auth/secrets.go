package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// API tokens look like sw_<prefix>_<secret>: the prefix (8 hex digits) is
// shown in listings so people can tell their tokens apart; the secret is 32
// random bytes. Only the SHA-256 of the whole token is stored: a slow hash
// adds nothing for 256 bits of entropy, and lookups stay one index probe.
const (
	apiTokenMarker = "sw_"
	prefixLen      = 8
	secretBytes    = 32
)

// NewAPIToken returns a new token, its prefix and the hash to store.
func NewAPIToken() (token, prefix, hash string) {
	p := make([]byte, prefixLen/2)
	_, _ = rand.Read(p) // crypto/rand.Read never fails (Go 1.24+)
	prefix = hex.EncodeToString(p)
	token = apiTokenMarker + prefix + "_" + randomString(secretBytes)
	return token, prefix, HashSecret(token)
}

// LooksLikeAPIToken reports whether s has an API token's shape (checked
// before any database lookup).
func LooksLikeAPIToken(s string) bool {
	rest, ok := strings.CutPrefix(s, apiTokenMarker)
	if !ok || len(rest) != prefixLen+1+base64.RawURLEncoding.EncodedLen(secretBytes) || rest[prefixLen] != '_' {
		return false
	}
	if _, err := hex.DecodeString(rest[:prefixLen]); err != nil {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(rest[prefixLen+1:])
	return err == nil
}

// NewSecret returns a random URL-safe token of 32 bytes and its hash (for
// password resets).
func NewSecret() (token, hash string) {
	token = randomString(secretBytes)
	return token, HashSecret(token)
}

// HashSecret is the stored form of a high-entropy secret: hex SHA-256.
func HashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
