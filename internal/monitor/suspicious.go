package monitor

import (
	"context"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/store"
)

// Thresholds of a suspicious change.
const (
	// LowConfidence: extraction below it is not trusted for a change.
	LowConfidence = 0.5
	// OutlierMove: a price further than this share from the 30-day median.
	OutlierMove  = 0.5
	medianWindow = 30 * 24 * time.Hour
)

// suspicious reports whether o changes p's price in a way worth confirming
// before it counts: low extraction confidence, a new currency, or a move
// beyond OutlierMove both from the 30-day median and from the current
// price. (The median alone would hold every small move for weeks after a
// confirmed big one.) A first price, or a check that keeps the price, is
// never suspicious.
func (m *Monitor) suspicious(ctx context.Context, p store.Product, o store.Observation, confidence float64, at int64) (bool, error) {
	if p.PriceMinor == nil || o.PriceMinor == nil {
		return false, nil
	}
	if *p.PriceMinor == *o.PriceMinor && p.Currency == o.Currency {
		return false, nil
	}
	if p.Currency != o.Currency || confidence < LowConfidence {
		return true, nil
	}
	median, ok, err := m.o.Store.PriceMedian(ctx, p.ID, p.Currency, at-medianWindow.Milliseconds())
	if err != nil {
		return false, err
	}
	if !ok {
		median = *p.PriceMinor
	}
	return outlier(*o.PriceMinor, median) && outlier(*o.PriceMinor, *p.PriceMinor), nil
}

// outlier reports whether v is more than OutlierMove away from median.
func outlier(v, median int64) bool {
	if median <= 0 {
		return v != median
	}
	d := float64(v-median) / float64(median)
	return d > OutlierMove || d < -OutlierMove
}
