package notify

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the delivery worker's Prometheus series: what operators
// watch for a channel that stopped working or a queue that backs up.
type Metrics struct {
	attempts *prometheus.CounterVec
	latency  prometheus.Histogram
}

// NewMetrics registers the series on reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "shelfwatch_notification_attempts_total",
			Help: "Delivery attempts by channel kind and result (sent, retry, dead).",
		}, []string{"kind", "result"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "shelfwatch_notification_latency_seconds",
			Help:    "From the notification's creation (its event's commit) to its delivery.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 3600, 86400},
		}),
	}
	for _, c := range []prometheus.Collector{m.attempts, m.latency} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Metrics) attempt(kind, result string) {
	if m != nil {
		m.attempts.WithLabelValues(kind, result).Inc()
	}
}

func (m *Metrics) delivered(createdMS int64) {
	if m != nil {
		m.latency.Observe(time.Since(time.UnixMilli(createdMS)).Seconds())
	}
}
