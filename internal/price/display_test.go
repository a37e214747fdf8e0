package price

import "testing"

func TestDisplay(t *testing.T) {
	for _, c := range []struct {
		minor int64
		cur   string
		want  string
	}{
		{129900, "EUR", "€1,299.00"}, {5, "USD", "$0.05"}, {123456789, "JPY", "¥123,456,789"},
		{34900, "SEK", "SEK 349.00"}, {-1250, "GBP", "-£12.50"}, {1999, "", "19.99"},
		{1234567, "BHD", "BHD 1,234.567"}, {100, "XYZ", "XYZ 1.00"},
	} {
		if got := Display(c.minor, c.cur); got != c.want {
			t.Errorf("Display(%d, %q) = %q, want %q", c.minor, c.cur, got, c.want)
		}
	}
}
