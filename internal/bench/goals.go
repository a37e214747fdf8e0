package bench

import "fmt"

// Goal is one of issue 5's targets for this machine and whether the run met
// it. Met is nil when the run's flags do not measure it (the TLS goal needs
// --tls --no-reuse, the claim goal --idle-products 1000000).
type Goal struct {
	Goal     string `json:"goal"`
	Measured string `json:"measured"`
	Met      *bool  `json:"met"`
}

// Targets (issue 5). Throughput is judged on the change rounds: the steady
// state, where most pages are unchanged.
const (
	goalPlainChecks  = 2000
	goalTLSChecks    = 800
	goalPeakRSSKB    = 64 * 1024
	goalIdleProducts = 1_000_000
	goalClaimMS      = 5.0
	goalMinProducts  = 1000
)

// Goals judges r against issue 5's goals.
func (r *Result) Goals() []Goal {
	yes := func(b bool) *bool { return &b }
	var out []Goal

	g := Goal{Goal: fmt.Sprintf("≥ %d checks/s, plain HTTP, %d products", goalPlainChecks, goalMinProducts)}
	if !r.TLS && !r.NoReuse && !r.NoValidators && r.Products >= goalMinProducts {
		g.Measured = fmt.Sprintf("%.0f checks/s in the change rounds (%.0f with every page new)", r.Change.ChecksPerSec, r.First.ChecksPerSec)
		g.Met = yes(r.Change.ChecksPerSec >= goalPlainChecks)
	} else {
		g.Measured = "not measured by this run (plain HTTP, no other flags)"
	}
	out = append(out, g)

	g = Goal{Goal: fmt.Sprintf("≥ %d checks/s, TLS, gzip, no connection reuse", goalTLSChecks)}
	if r.TLS && r.NoReuse && !r.NoValidators && r.Products >= goalMinProducts {
		g.Measured = fmt.Sprintf("%.0f checks/s in the change rounds (%.0f with every page new)", r.Change.ChecksPerSec, r.First.ChecksPerSec)
		g.Met = yes(r.Change.ChecksPerSec >= goalTLSChecks)
	} else {
		g.Measured = "not measured by this run (--tls --no-reuse)"
	}
	out = append(out, g)

	out = append(out, Goal{Goal: "peak RSS ≤ 64 MB",
		Measured: fmt.Sprintf("%.1f MB", float64(r.PeakRSSKB)/1024), Met: yes(r.PeakRSSKB <= goalPeakRSSKB)})

	g = Goal{Goal: fmt.Sprintf("claim a due batch among %d idle products ≤ %g ms", goalIdleProducts, goalClaimMS)}
	if ic := r.Idle; ic != nil && ic.IdleProducts >= goalIdleProducts {
		g.Measured = fmt.Sprintf("p50 %.2f ms, max %.2f ms (%d claims)", ic.P50MS, ic.MaxMS, ic.Claims)
		g.Met = yes(ic.P50MS <= goalClaimMS)
	} else {
		g.Measured = "not measured by this run (--idle-products 1000000)"
	}
	out = append(out, g)

	g = Goal{Goal: fmt.Sprintf("alert latency p95 < %d ms (issue 6: event committed → webhook received)", goalAlertP95MS)}
	if a := r.Alerts; a != nil && a.Notifications > 0 {
		g.Measured = fmt.Sprintf("p95 %.0f ms, p50 %.0f ms, max %.0f ms over %d notifications", a.P95MS, a.P50MS, a.MaxMS, a.Notifications)
		g.Met = yes(a.P95MS < goalAlertP95MS)
	} else {
		g.Measured = "not measured by this run (--alert-drops 0)"
	}
	return append(out, g)
}
