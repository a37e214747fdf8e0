package store

import (
	"context"
	"fmt"
)

// ChangesBetween is how many history rows the daily rollups count for
// product productID on the days overlapping [from, to] (Unix ms). It reads
// at most one rollup row per day, so a chart can learn cheaply whether a
// range holds more changes than it can draw; rows after the rollup
// watermark (the last hour or so) are not counted.
func (s *Store) ChangesBetween(ctx context.Context, productID, from, to int64) (int64, error) {
	var n int64
	err := s.db.Read.QueryRowContext(ctx, `SELECT COALESCE(SUM(changes), 0) FROM price_daily
		WHERE product_id = $1 AND day >= $2 AND day <= $3`, productID, floorDay(from), to).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("changes of product %d: %w", productID, err)
	}
	return n, nil
}

// DailySeries is PriceSeries' daily form for any range, however short:
// the rolled-up days in [from, to], then the raw rows after the last of
// them (with the one in force before). Charts use it when a range has too
// many changes to draw one by one.
func (s *Store) DailySeries(ctx context.Context, productID, from, to int64) (*Series, error) {
	if to < from {
		return nil, fmt.Errorf("%w: series range ends (%d) before it starts (%d)", ErrInvalid, to, from)
	}
	out := &Series{Daily: true}
	w, err := s.rollupWatermark(ctx, s.db.Read)
	if err != nil {
		return nil, fmt.Errorf("daily series: %w", err)
	}
	rawFrom := from
	first, end := floorDay(from), min(floorDay(w), floorDay(to)+DayMS)
	if end > first {
		if out.Days, err = s.seriesDays(ctx, productID, first, end); err != nil {
			return nil, fmt.Errorf("daily series: %w", err)
		}
		rawFrom = end
	}
	if rawFrom > to {
		return out, nil
	}
	if out.Points, err = s.seriesPoints(ctx, productID, rawFrom, to); err != nil {
		return nil, fmt.Errorf("daily series: %w", err)
	}
	return out, nil
}
