package extract

import "testing"

func TestJoinDecimal(t *testing.T) {
	for in, want := range map[string]string{"$ 49 .99": "$ 49.99", "32 . 97": "32.97", "1 199,000 DT": "1 199,000 DT", "1.849, 99 lei": "1.849,99 lei", "$32.97": "$32.97", "12 , 50 €": "12,50 €", "Size 8 . 5": "Size 8.5"} {
		if got := joinDecimal(in); got != want {
			t.Errorf("joinDecimal(%q) = %q, want %q", in, got, want)
		}
	}
	if got := (&pricer{}).structAmount("19.990000000000002", "USD"); got != "19.99" {
		t.Errorf("float noise: %q", got)
	}
}
