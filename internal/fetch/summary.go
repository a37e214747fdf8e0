package fetch

import (
	"fmt"
	"strings"
	"time"
)

// Summary is a one-line account of the fetch for logs and `shelfwatch
// check`: outcome, status, size, time, robots verdict, route, attempts.
func (r *Result) Summary() string {
	var b strings.Builder
	b.WriteString(string(r.Outcome))
	if r.Status != 0 {
		fmt.Fprintf(&b, " · HTTP %d", r.Status)
	}
	fmt.Fprintf(&b, " · %d bytes · %s", r.Bytes, r.Duration.Round(time.Millisecond))
	if r.RobotsVerdict != "" {
		fmt.Fprintf(&b, " · robots %s", r.RobotsVerdict)
	}
	if r.ProxyUsed != "" {
		fmt.Fprintf(&b, " · via %s", r.ProxyUsed)
	} else {
		b.WriteString(" · direct")
	}
	if r.Rendered {
		b.WriteString(" · rendered")
	}
	fmt.Fprintf(&b, " · %d attempt", r.Attempts)
	if r.Attempts != 1 {
		b.WriteString("s")
	}
	if r.BlockReason != "" {
		fmt.Fprintf(&b, " · blocked: %s", r.BlockReason)
	}
	if r.RetryAfter > 0 {
		fmt.Fprintf(&b, " · retry after %s", r.RetryAfter)
	}
	return b.String()
}
