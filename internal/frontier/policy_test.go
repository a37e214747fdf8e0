package frontier

import (
	"testing"
	"time"
)

const day = 24 * time.Hour

func TestIntervalTable(t *testing.T) {
	now := int64(1_800_000_000_000)
	ago := func(d time.Duration) int64 { return now - d.Milliseconds() }
	tests := []struct {
		name   string
		in     Input
		lo, hi time.Duration // expected range (jitter is ±10 %)
	}{
		{"one watcher, new product", Input{Watchers: 1}, 5*time.Hour + 24*time.Minute, 6*time.Hour + 36*time.Minute},
		{"four watchers", Input{Watchers: 4}, 108 * time.Minute, 132 * time.Minute},
		{"volatile", Input{Watchers: 1, Changes30d: 10, LastChangeAt: ago(time.Hour)}, 81 * time.Minute, 99 * time.Minute},
		{"some changes", Input{Watchers: 1, Changes30d: 3, LastChangeAt: ago(time.Hour)}, 162 * time.Minute, 198 * time.Minute},
		{"quiet for a month", Input{Watchers: 1, LastChangeAt: ago(40 * day)}, 16*time.Hour + 12*time.Minute, 19*time.Hour + 48*time.Minute},
		{"quiet for half a year", Input{Watchers: 1, LastChangeAt: ago(180 * day)}, 32*time.Hour + 24*time.Minute, 39*time.Hour + 36*time.Minute},
		{"priority 2", Input{Watchers: 1, Priority: 2}, 81 * time.Minute, 99 * time.Minute},
		{"one failure", Input{Watchers: 1, ConsecutiveFailures: 1}, 54 * time.Minute, 66 * time.Minute},
		{"three failures", Input{Watchers: 1, ConsecutiveFailures: 3}, 216 * time.Minute, 264 * time.Minute},
		{"many failures hit the cap", Input{Watchers: 1, ConsecutiveFailures: 50}, 115 * time.Hour, MaxInterval},
		{"floor", Input{Watchers: 1000, Changes30d: 50, LastChangeAt: ago(time.Hour), Priority: 9}, MinInterval, MinInterval},
		{"watch minimum raises the floor", Input{Watchers: 1000, Changes30d: 50, LastChangeAt: ago(time.Hour), WatchMinInterval: 4 * time.Hour}, 4 * time.Hour, 4 * time.Hour},
		{"watch minimum above the ceiling", Input{Watchers: 1, WatchMinInterval: 30 * day}, MaxInterval, MaxInterval},
		{"ceiling", Input{Watchers: 1, LastChangeAt: ago(400 * day), ConsecutiveFailures: 0, Changes30d: 0}, 32 * time.Hour, 40 * time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for id := int64(1); id <= 50; id++ {
				in := tc.in
				in.ProductID, in.Now = id, now
				got := Interval(in)
				if got < tc.lo || got > tc.hi {
					t.Fatalf("product %d: Interval = %v, want in [%v, %v]", id, got, tc.lo, tc.hi)
				}
				if got < MinInterval || got > MaxInterval {
					t.Fatalf("product %d: Interval = %v outside the bounds", id, got)
				}
			}
		})
	}
}

func TestIntervalDeterministicJitter(t *testing.T) {
	in := Input{ProductID: 7, Now: 1_800_000_000_000, Watchers: 1}
	if a, b := Interval(in), Interval(in); a != b {
		t.Fatalf("same input gave %v and %v", a, b)
	}
	seen := map[time.Duration]bool{}
	for id := int64(1); id <= 20; id++ {
		in.ProductID = id
		seen[Interval(in)] = true
	}
	if len(seen) < 15 {
		t.Fatalf("jitter spread 20 products over only %d intervals", len(seen))
	}
	var sum float64
	const n = 10000
	for i := int64(0); i < n; i++ {
		j := jitter(i, 1_800_000_000_000+i)
		if j < -1 || j >= 1 {
			t.Fatalf("jitter %v out of [-1, 1)", j)
		}
		sum += j
	}
	if mean := sum / n; mean < -0.05 || mean > 0.05 {
		t.Fatalf("jitter mean %v, want about 0", mean)
	}
}

func TestNext(t *testing.T) {
	in := Input{ProductID: 1, Now: 1000, Watchers: 1}
	if got, want := Next(in), in.Now+Interval(in).Milliseconds(); got != want {
		t.Fatalf("Next = %d, want %d", got, want)
	}
}

func FuzzInterval(f *testing.F) {
	f.Add(int64(1), int64(0), 1, 0, int64(0), 0, 0, int64(0))
	f.Fuzz(func(t *testing.T, id, now int64, watchers, changes int, last int64, fails, prio int, minMS int64) {
		got := Interval(Input{ProductID: id, Now: now, Watchers: watchers, Changes30d: changes, LastChangeAt: last,
			ConsecutiveFailures: fails, Priority: prio, WatchMinInterval: time.Duration(minMS) * time.Millisecond})
		if got < MinInterval || got > MaxInterval {
			t.Fatalf("Interval = %v outside the bounds", got)
		}
	})
}
