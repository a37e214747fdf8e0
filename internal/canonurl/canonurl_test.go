package canonurl

import (
	"errors"
	"strings"
	"testing"
)

func TestCanonicalize(t *testing.T) {
	cases := []struct{ in, want, host string }{
		{"https://example.com/p/1", "https://example.com/p/1", "example.com"},
		{"  HTTPS://Example.COM/p/1  ", "https://example.com/p/1", "example.com"},
		{"https://example.com:443/p/1", "https://example.com/p/1", "example.com"},
		{"http://example.com:80/p/1", "http://example.com/p/1", "example.com"},
		{"http://example.com:8080/p/1", "http://example.com:8080/p/1", "example.com"},
		{"https://example.com:80/p/1", "https://example.com:80/p/1", "example.com"},
		{"https://example.com/p/1#reviews", "https://example.com/p/1", "example.com"},
		{"https://example.com", "https://example.com/", "example.com"},
		{"https://example.com.", "https://example.com/", "example.com"},
		{"https://example.com/P/Shoe", "https://example.com/P/Shoe", "example.com"},
		{"https://example.com/p?utm_source=x&id=3&UTM_Medium=y&gclid=z", "https://example.com/p?id=3", "example.com"},
		{"https://example.com/p?color=red&size=9&color=blue", "https://example.com/p?color=red&color=blue&size=9", "example.com"},
		{"https://example.com/p?fbclid=1&_ga=2&srsltid=3", "https://example.com/p", "example.com"},
		{"https://example.com/p?", "https://example.com/p", "example.com"},
		{"https://bücher.de/x", "https://xn--bcher-kva.de/x", "xn--bcher-kva.de"},
		{"http://127.0.0.1:8081/p/7", "http://127.0.0.1:8081/p/7", "127.0.0.1"},
		{"http://[::1]:8081/p/7", "http://[::1]:8081/p/7", "::1"},
		{"https://example.com/a%20b?q=a%2Bb", "https://example.com/a%20b?q=a%2Bb", "example.com"},
	}
	for _, tc := range cases {
		got, host, err := Canonicalize(tc.in)
		if err != nil {
			t.Errorf("Canonicalize(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want || host != tc.host {
			t.Errorf("Canonicalize(%q) = %q, %q; want %q, %q", tc.in, got, host, tc.want, tc.host)
		}
	}
}

func TestCanonicalizeIsIdempotent(t *testing.T) {
	for _, in := range []string{"HTTPS://Example.com:443/x?b=2&a=1&utm_x=3#f", "http://bücher.de", "https://e.com/p?x"} {
		once, _, err := Canonicalize(in)
		if err != nil {
			t.Fatal(err)
		}
		twice, _, err := Canonicalize(once)
		if err != nil || twice != once {
			t.Errorf("not idempotent: %q → %q → %q (%v)", in, once, twice, err)
		}
	}
}

func TestCanonicalizeRejects(t *testing.T) {
	cases := []struct {
		in   string
		want error
	}{
		{"", ErrEmpty},
		{"   ", ErrEmpty},
		{"ftp://example.com/x", ErrScheme},
		{"javascript:alert(1)", ErrScheme},
		{"file:///etc/passwd", ErrScheme},
		{"example.com/p/1", ErrScheme},
		{"https://", ErrHost},
		{"https:///path", ErrHost},
		{"https://user:pw@example.com/", ErrCredentials},
		{"https://exa mple.com/", ErrMalformed},
		{"https://example.com/\x00", ErrMalformed},
		{"https://example.com/" + strings.Repeat("a", MaxLength), ErrTooLong},
		{"http://%zz/", ErrMalformed},
	}
	for _, tc := range cases {
		_, _, err := Canonicalize(tc.in)
		if !errors.Is(err, tc.want) {
			t.Errorf("Canonicalize(%q) err = %v; want %v", tc.in, err, tc.want)
		}
	}
}

func FuzzCanonicalize(f *testing.F) {
	for _, s := range []string{"https://example.com/p?utm_source=x#y", "http://[::1]:80/", "HTTPS://A.B:443", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, _, err := Canonicalize(in)
		if err != nil {
			return
		}
		again, _, err := Canonicalize(got)
		if err != nil || again != got {
			t.Fatalf("%q → %q → %q, %v", in, got, again, err)
		}
	})
}
