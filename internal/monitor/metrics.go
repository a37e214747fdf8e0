package monitor

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the monitor's Prometheus series; nil-safe, so a monitor
// without a registry (tests) skips them.
type metrics struct {
	checks   *prometheus.CounterVec
	duration prometheus.Histogram
	changes  prometheus.Counter
	held     prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := &metrics{
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "shelfwatch_checks_total", Help: "Product checks by fetch outcome.",
		}, []string{"outcome"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "shelfwatch_check_duration_seconds", Help: "Time of one check, domain slot wait excluded.",
			Buckets: prometheus.DefBuckets,
		}),
		changes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "shelfwatch_price_history_rows_total", Help: "Checks that changed price, currency or availability.",
		}),
		held: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "shelfwatch_changes_held_total", Help: "Suspicious changes held for a confirm re-check.",
		}),
	}
	for _, c := range []prometheus.Collector{m.checks, m.duration, m.changes, m.held} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *metrics) observe(outcome string, took time.Duration, changed, held bool) {
	if m == nil {
		return
	}
	m.checks.WithLabelValues(outcome).Inc()
	m.duration.Observe(took.Seconds())
	if changed {
		m.changes.Inc()
	}
	if held {
		m.held.Inc()
	}
}
