package ui

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The stylesheet's promise: every text colour on the background it is used
// on meets WCAG AA (4.5:1) in the light and the dark theme. The pairs are
// read from app.css itself, so a token changed later is checked too.
func TestDesignTokensMeetAA(t *testing.T) {
	css, err := assetFS.ReadFile("assets/css/app.css")
	if err != nil {
		t.Fatal(err)
	}
	s := string(css)
	light := tokens(t, s[strings.Index(s, ":root {"):])
	dark := tokens(t, s[strings.Index(s, `:root[data-theme="dark"]`):])
	pairs := [][2]string{
		{"--text", "--bg"}, {"--text", "--surface"}, {"--text", "--surface-2"},
		{"--muted", "--bg"}, {"--muted", "--surface"}, {"--muted", "--surface-2"},
		{"--accent", "--bg"}, {"--accent", "--surface"}, {"--accent", "--info-bg"}, {"--accent-text", "--accent"},
		{"--good", "--good-bg"}, {"--bad", "--bad-bg"}, {"--warn", "--warn-bg"}, {"--bad", "--surface"},
		{"--good", "--surface"},
	}
	for name, theme := range map[string]map[string]string{"light": light, "dark": dark} {
		for _, p := range pairs {
			fg, bg := theme[p[0]], theme[p[1]]
			if fg == "" || bg == "" {
				t.Fatalf("%s theme lacks %s or %s", name, p[0], p[1])
			}
			if r := contrast(t, fg, bg); r < 4.5 {
				t.Errorf("%s theme: %s (%s) on %s (%s) is %.2f:1, below AA's 4.5:1", name, p[0], fg, p[1], bg, r)
			}
		}
	}
}

var tokenRe = regexp.MustCompile(`(--[a-z0-9-]+):\s*(#[0-9a-fA-F]{6})`)

// tokens reads the hex colour tokens of the first rule block in css.
func tokens(t *testing.T, css string) map[string]string {
	t.Helper()
	end := strings.Index(css, "}")
	if end < 0 {
		t.Fatal("unterminated token block")
	}
	out := map[string]string{}
	for _, m := range tokenRe.FindAllStringSubmatch(css[:end], -1) {
		out[m[1]] = m[2]
	}
	return out
}

// contrast is the WCAG 2 contrast ratio of two #rrggbb colours.
func contrast(t *testing.T, a, b string) float64 {
	la, lb := luminance(t, a), luminance(t, b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	var c [3]float64
	for i := range c {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			t.Fatalf("colour %q: %v", hex, err)
		}
		x := float64(v) / 255
		if x <= 0.03928 {
			c[i] = x / 12.92
		} else {
			c[i] = math.Pow((x+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}
