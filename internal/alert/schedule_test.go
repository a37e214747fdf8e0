package alert

import (
	"errors"
	"testing"
	"time"
)

func TestQuietHours(t *testing.T) {
	q, err := ParseQuiet("22:00-07:00", "Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	berlin := q.Loc
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, berlin) }
	cases := []struct{ in, want time.Time }{
		{at(2026, 6, 1, 12, 0), at(2026, 6, 1, 12, 0)},   // daytime: now
		{at(2026, 6, 1, 21, 59), at(2026, 6, 1, 21, 59)}, // just before
		{at(2026, 6, 1, 22, 0), at(2026, 6, 2, 7, 0)},    // start of the night
		{at(2026, 6, 1, 23, 30), at(2026, 6, 2, 7, 0)},
		{at(2026, 6, 2, 3, 0), at(2026, 6, 2, 7, 0)}, // after midnight
		{at(2026, 6, 2, 7, 0), at(2026, 6, 2, 7, 0)}, // the end is not quiet
		// The night clocks go forward (29 March 2026, 02:00 → 03:00): the
		// end is still 07:00 local, one hour less after 23:00.
		{at(2026, 3, 28, 23, 0), at(2026, 3, 29, 7, 0)},
	}
	for _, c := range cases {
		if got := q.Release(c.in.UTC()); !got.Equal(c.want) {
			t.Errorf("Release(%v) = %v, want %v", c.in, got.In(berlin), c.want)
		}
	}
	if d := at(2026, 3, 29, 7, 0).Sub(at(2026, 3, 28, 23, 0)); d != 7*time.Hour {
		t.Errorf("DST night is %v long, want 7h", d)
	}

	day, _ := ParseQuiet("01:00-06:30", "UTC")
	u := func(h, m int) time.Time { return time.Date(2026, 1, 1, h, m, 0, 0, time.UTC) }
	if got := day.Release(u(0, 59)); !got.Equal(u(0, 59)) {
		t.Errorf("before a same-day span: %v", got)
	}
	if got := day.Release(u(3, 0)); !got.Equal(u(6, 30)) {
		t.Errorf("inside a same-day span: %v", got)
	}
	none, _ := ParseQuiet("", "")
	if got := none.Release(u(3, 0)); !got.Equal(u(3, 0)) {
		t.Errorf("no quiet hours: %v", got)
	}

	for _, bad := range []struct{ span, zone, field string }{
		{"22-07", "UTC", "quiet_hours"},
		{"25:00-07:00", "UTC", "quiet_hours"},
		{"22:00-07:00", "Mars/Olympus", "time_zone"},
		{"22:00-07:00", "", "time_zone"},
	} {
		_, err := ParseQuiet(bad.span, bad.zone)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != bad.field {
			t.Errorf("ParseQuiet(%q, %q) = %v, want a %s error", bad.span, bad.zone, err, bad.field)
		}
	}
}

func TestNextDigest(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 21, 9, 30, 0, 0, ny)
	if got, want := NextDigest(now, 8, ny), time.Date(2026, 11, 22, 8, 0, 0, 0, ny); !got.Equal(want) {
		t.Errorf("after the hour: %v, want %v", got, want)
	}
	if got, want := NextDigest(now, 18, ny), time.Date(2026, 11, 21, 18, 0, 0, 0, ny); !got.Equal(want) {
		t.Errorf("before the hour: %v, want %v", got, want)
	}
	exact := time.Date(2026, 11, 21, 8, 0, 0, 0, ny)
	if got := NextDigest(exact, 8, ny); !got.Equal(exact) {
		t.Errorf("at the hour: %v", got)
	}
}
