package alert

import (
	"fmt"
	"time"
)

// Quiet is a person's quiet hours: no notification is delivered between
// Start and End, local time, in Loc. Start after End wraps midnight
// (22:00–07:00). Start == End means no quiet hours.
type Quiet struct {
	Start, End time.Duration // since local midnight, in [0, 24h)
	Loc        *time.Location
}

// ParseQuiet reads "22:00-07:00" in the named IANA zone ("" = none).
func ParseQuiet(span, zone string) (Quiet, error) {
	if span == "" {
		return Quiet{}, nil
	}
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "" {
		return Quiet{}, fmt.Errorf("%w: %w", ErrInvalid, &FieldError{Field: "time_zone", Detail: "must be an IANA time zone such as Europe/Berlin"})
	}
	var sh, sm, eh, em int
	if n, err := fmt.Sscanf(span, "%d:%d-%d:%d", &sh, &sm, &eh, &em); err != nil || n != 4 ||
		sh < 0 || sh > 23 || eh < 0 || eh > 23 || sm < 0 || sm > 59 || em < 0 || em > 59 {
		return Quiet{}, fmt.Errorf("%w: %w", ErrInvalid, &FieldError{Field: "quiet_hours", Detail: `must look like "22:00-07:00"`})
	}
	return Quiet{
		Start: time.Duration(sh)*time.Hour + time.Duration(sm)*time.Minute,
		End:   time.Duration(eh)*time.Hour + time.Duration(em)*time.Minute,
		Loc:   loc,
	}, nil
}

// Release returns when a notification due at t may go out: t itself outside
// quiet hours, else the local time the quiet hours end.
func (q Quiet) Release(t time.Time) time.Time {
	if q.Loc == nil || q.Start == q.End {
		return t
	}
	lt := t.In(q.Loc)
	day := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, q.Loc)
	at := func(d time.Time, off time.Duration) time.Time {
		// Wall-clock arithmetic, so a DST change inside the night moves
		// the end to the right instant.
		return time.Date(d.Year(), d.Month(), d.Day(), int(off/time.Hour), int(off%time.Hour/time.Minute), 0, 0, q.Loc)
	}
	start, end := at(day, q.Start), at(day, q.End)
	if q.Start < q.End { // same day: 01:00–06:00
		if !lt.Before(start) && lt.Before(end) {
			return end
		}
		return t
	}
	// Wraps midnight: quiet from start to midnight, and from midnight to end.
	if lt.Before(end) {
		return end
	}
	if !lt.Before(start) {
		return at(day.AddDate(0, 0, 1), q.End)
	}
	return t
}

// NextDigest is the next time at or after now when a daily digest is sent,
// at local hour:00 in loc.
func NextDigest(now time.Time, hour int, loc *time.Location) time.Time {
	lt := now.In(loc)
	d := time.Date(lt.Year(), lt.Month(), lt.Day(), hour, 0, 0, 0, loc)
	if d.Before(now) {
		d = time.Date(lt.Year(), lt.Month(), lt.Day()+1, hour, 0, 0, 0, loc)
	}
	return d
}
