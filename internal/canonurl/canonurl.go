// Package canonurl turns a product URL as people paste it into the canonical
// form that identifies a product globally, so that one fetch serves every
// watcher of the same page.
package canonurl

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"

	"golang.org/x/net/idna"
)

// MaxLength bounds accepted URLs; longer ones are almost always junk or abuse.
const MaxLength = 2048

// Sentinel errors, each with a message fit for a user.
var (
	ErrEmpty       = errors.New("URL is empty")
	ErrTooLong     = fmt.Errorf("URL is longer than %d characters", MaxLength)
	ErrMalformed   = errors.New("URL is not well formed")
	ErrScheme      = errors.New("URL must start with http:// or https://")
	ErrHost        = errors.New("URL has no valid host name")
	ErrCredentials = errors.New("URL must not contain a user name or password")
)

// trackingParams are query keys that only attribute a visit; they never select
// a different product, so two URLs that differ only by them are the same page.
var trackingParams = map[string]bool{
	"gclid": true, "gclsrc": true, "dclid": true, "gbraid": true, "wbraid": true, "fbclid": true,
	"msclkid": true, "yclid": true, "twclid": true, "ttclid": true, "li_fat_id": true, "igshid": true,
	"mc_cid": true, "mc_eid": true, "_ga": true, "_gl": true, "srsltid": true, "_hsenc": true,
	"_hsmi": true, "mkt_tok": true, "oly_anon_id": true, "oly_enc_id": true, "vero_id": true,
	"vero_conv": true, "wickedid": true, "ref_src": true, "spm": true, "scm": true, "affiliate": true,
	"campaignid": true, "adgroupid": true,
}

func isTracking(key string) bool {
	k := strings.ToLower(key)
	return trackingParams[k] || strings.HasPrefix(k, "utm_") || strings.HasPrefix(k, "pk_") || strings.HasPrefix(k, "mtm_")
}

// Canonicalize returns the canonical form of raw and its host. It lower-cases
// scheme and host (IDNs in ASCII form), drops default ports, the fragment and
// tracking parameters, sorts the remaining query parameters and gives an
// empty path as "/". Path case is kept: many stores' paths are case-sensitive.
func Canonicalize(raw string) (canonical, host string, err error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", "", ErrEmpty
	}
	if len(raw) > MaxLength {
		return "", "", ErrTooLong
	}
	if strings.ContainsAny(raw, " \t\r\n\x00") {
		return "", "", ErrMalformed
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", ErrMalformed
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		if u.Scheme == "" && u.Host == "" && !strings.HasPrefix(raw, "/") {
			return "", "", fmt.Errorf("%w (did you mean https://%s?)", ErrScheme, raw)
		}
		return "", "", ErrScheme
	}
	if u.Opaque != "" {
		return "", "", ErrMalformed
	}
	if u.User != nil {
		return "", "", ErrCredentials
	}
	host, err = canonicalHost(u.Hostname())
	if err != nil {
		return "", "", err
	}
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	u.Host = host
	if strings.Contains(host, ":") { // IPv6 literal
		u.Host = "[" + host + "]"
	}
	if port != "" {
		u.Host += ":" + port
	}
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path, u.RawPath = "/", ""
	}
	u.RawQuery = canonicalQuery(u.RawQuery)
	u.ForceQuery = false
	return u.String(), host, nil
}

func canonicalHost(h string) (string, error) {
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	if h == "" {
		return "", ErrHost
	}
	if ip := net.ParseIP(h); ip != nil {
		return ip.String(), nil
	}
	ascii, err := idna.Lookup.ToASCII(h)
	if err != nil || ascii == "" {
		return "", ErrHost
	}
	return ascii, nil
}

// canonicalQuery drops tracking parameters and sorts the rest by key, keeping
// the original order of repeated keys. Pairs are kept as written (not
// re-encoded) so stores that are strict about encoding still match.
func canonicalQuery(q string) string {
	if q == "" {
		return ""
	}
	type pair struct{ key, raw string }
	var kept []pair
	for _, part := range strings.Split(q, "&") {
		if part == "" {
			continue
		}
		k, _, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			key = k
		}
		if isTracking(key) {
			continue
		}
		kept = append(kept, pair{key, part})
	}
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].key < kept[j].key })
	parts := make([]string, len(kept))
	for i, p := range kept {
		parts[i] = p.raw
	}
	return strings.Join(parts, "&")
}
