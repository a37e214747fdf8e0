package ui

import (
	"cmp"
	"math"
	"slices"
	"strconv"

	"github.com/shelfwatch/shelfwatch/internal/price"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// chartRange is one of the product chart's time ranges; Days 0 is all of
// the product's history.
type chartRange struct {
	Key, Label string
	Days       int
}

var chartRanges = [...]chartRange{{"7d", "7 d", 7}, {"30d", "30 d", 30}, {"90d", "90 d", 90}, {"1y", "1 y", 365}, {"all", "All", 0}}

const defaultChartRange = "30d"

// parseChartRange is the range named by key, or false.
func parseChartRange(key string) (chartRange, bool) {
	for _, r := range chartRanges {
		if r.Key == key {
			return r, true
		}
	}
	return chartRange{}, false
}

// span is the range's [from, to] in Unix ms ending at now.
func (c chartRange) span(now int64) (from, to int64) {
	if c.Days == 0 {
		return 0, now
	}
	return now - int64(c.Days)*store.DayMS, now
}

// purchasable availabilities count as "in stock" on the chart.
func stockFlag(a string) int8 {
	switch a {
	case store.InStock, store.PreOrder, store.BackOrder, "limited":
		return 1
	case store.OutOfStock:
		return 0
	}
	return -1 // unknown
}

// appendChartJSON writes the series as columnar JSON for uPlot: times in
// Unix seconds (t), prices in minor units of currency (p; null where no
// price in that currency was in force), the day's low and high for daily
// points (lo, hi; equal to p for raw ones) and stock (s: 1 in stock, 0
// out, null unknown). Raw points start at from (the price in force at the
// left edge) and the last value is repeated at to, so the step line spans
// the whole range. One buffer, no per-point maps or reflection.
func appendChartJSON(b []byte, rangeKey string, s *store.Series, currency string, target *int64, from, to int64) []byte {
	n := len(s.Days) + len(s.Points) + 1
	type col struct {
		t          int64
		p, lo, hi  int64
		hasP, hasR bool
		stock      int8
	}
	cols := make([]col, 0, n)
	for _, d := range s.Days {
		c := col{t: max(d.Day, from), stock: 0}
		if d.InStockShare >= 0.5 {
			c.stock = 1
		}
		if d.Close != nil && d.Currency == currency {
			c.p, c.hasP = *d.Close, true
			if d.Low != nil && d.High != nil {
				c.lo, c.hi, c.hasR = *d.Low, *d.High, true
			}
		}
		cols = append(cols, c)
	}
	rawFrom := from
	if len(s.Days) > 0 {
		rawFrom = s.Days[len(s.Days)-1].Day + store.DayMS
	}
	for _, pt := range s.Points {
		c := col{t: max(pt.At, rawFrom), stock: stockFlag(pt.Availability)}
		if pt.PriceMinor != nil && pt.Currency == currency {
			c.p, c.hasP = *pt.PriceMinor, true
		}
		cols = append(cols, c)
	}
	if k := len(cols); k > 0 && cols[k-1].t < to {
		last := cols[k-1]
		last.t, last.hasR = to, false
		cols = append(cols, last)
	}

	b = append(b, `{"range":`...)
	b = strconv.AppendQuote(b, rangeKey)
	b = append(b, `,"daily":`...)
	b = strconv.AppendBool(b, len(s.Days) > 0) // a "daily" range before any rollup is all raw rows
	b = append(b, `,"currency":`...)
	b = strconv.AppendQuote(b, currency)
	b = append(b, `,"digits":`...)
	b = strconv.AppendInt(b, int64(price.Digits(currency)), 10)
	b = append(b, `,"from":`...)
	b = appendSeconds(b, from)
	b = append(b, `,"to":`...)
	b = appendSeconds(b, to)
	b = append(b, `,"target":`...)
	if target != nil {
		b = strconv.AppendInt(b, *target, 10)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"t":[`...)
	for i, c := range cols {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendSeconds(b, c.t)
	}
	b = append(b, `],"p":[`...)
	for i, c := range cols {
		b = appendOpt(b, i, c.p, c.hasP)
	}
	b = append(b, `],"lo":[`...)
	for i, c := range cols {
		if c.hasR {
			b = appendOpt(b, i, c.lo, true)
		} else {
			b = appendOpt(b, i, c.p, c.hasP)
		}
	}
	b = append(b, `],"hi":[`...)
	for i, c := range cols {
		if c.hasR {
			b = appendOpt(b, i, c.hi, true)
		} else {
			b = appendOpt(b, i, c.p, c.hasP)
		}
	}
	b = append(b, `],"s":[`...)
	for i, c := range cols {
		b = appendOpt(b, i, int64(c.stock), c.stock >= 0)
	}
	return append(b, "]}"...)
}

func appendOpt(b []byte, i int, v int64, ok bool) []byte {
	if i > 0 {
		b = append(b, ',')
	}
	if !ok {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, v, 10)
}

// appendSeconds writes Unix ms as seconds with the milliseconds as a
// fraction only when there are some ("1700000000", "1700000000.25").
func appendSeconds(b []byte, ms int64) []byte {
	b = strconv.AppendInt(b, ms/1000, 10)
	if f := ms % 1000; f > 0 {
		b = append(b, '.')
		s := strconv.AppendInt(nil, f+1000, 10)[1:] // zero-padded to 3 digits
		for len(s) > 0 && s[len(s)-1] == '0' {
			s = s[:len(s)-1]
		}
		b = append(b, s...)
	}
	return b
}

// priceStats summarises a window of a product's history in one currency.
// Average and Median are time-weighted: a price counts for as long as it
// was in force.
type priceStats struct {
	Low, High, Avg, Median *int64
	LowAt                  int64
}

// seriesStats computes priceStats over [from, to] from raw points (the
// first may precede from: it is the price in force at from). Points in
// another currency or without a price are left out.
func seriesStats(pts []store.SeriesPoint, currency string, from, to int64) priceStats {
	type weighted struct{ p, dur int64 }
	var ws []weighted
	var st priceStats
	var sum float64
	var total int64
	for i, pt := range pts {
		start := max(pt.At, from)
		end := to
		if i+1 < len(pts) {
			end = min(pts[i+1].At, to)
		}
		if pt.PriceMinor == nil || pt.Currency != currency || end < start {
			continue
		}
		p := *pt.PriceMinor
		if st.Low == nil || p < *st.Low {
			st.Low, st.LowAt = prodPtr(p), start
		}
		if st.High == nil || p > *st.High {
			st.High = prodPtr(p)
		}
		d := end - start
		ws = append(ws, weighted{p, d})
		sum += float64(p) * float64(d)
		total += d
	}
	if len(ws) == 0 {
		return st
	}
	if total == 0 { // every price lasted no time: plain average
		for i := range ws {
			ws[i].dur = 1
			sum += float64(ws[i].p)
		}
		total = int64(len(ws))
	}
	st.Avg = prodPtr(int64(math.Round(sum / float64(total))))
	slices.SortFunc(ws, func(a, b weighted) int { return cmp.Compare(a.p, b.p) })
	var acc int64
	for _, w := range ws {
		acc += w.dur
		if 2*acc >= total {
			st.Median = prodPtr(w.p)
			break
		}
	}
	return st
}

// dailyStats is seriesStats over a daily series: each day counts with its
// close for the average and the median (an approximation, for products
// with more changes than are read one by one), and its low and high for
// the extremes.
func dailyStats(s *store.Series, currency string, from, to int64) priceStats {
	pts := make([]store.SeriesPoint, 0, len(s.Days)+len(s.Points))
	for _, d := range s.Days {
		if d.Close != nil && d.Currency == currency {
			pts = append(pts, store.SeriesPoint{At: d.Day, PriceMinor: d.Close, Currency: currency})
		} else {
			pts = append(pts, store.SeriesPoint{At: d.Day}) // a gap
		}
	}
	pts = append(pts, s.Points...)
	st := seriesStats(pts, currency, from, to)
	for _, d := range s.Days {
		if d.Currency != currency {
			continue
		}
		if d.Low != nil && st.Low != nil && *d.Low < *st.Low {
			st.Low, st.LowAt = prodPtr(*d.Low), max(d.Day, from)
		}
		if d.High != nil && st.High != nil && *d.High > *st.High {
			st.High = prodPtr(*d.High)
		}
	}
	return st
}

// allTimeLow is the lowest price in currency over the whole series (daily
// lows and raw points) and when it was first seen; ok false without one.
func allTimeLow(s *store.Series, currency string) (low, at int64, ok bool) {
	for _, d := range s.Days {
		if d.Low != nil && d.Currency == currency && (!ok || *d.Low < low) {
			low, at, ok = *d.Low, d.Day, true
		}
	}
	for _, p := range s.Points {
		if p.PriceMinor != nil && p.Currency == currency && (!ok || *p.PriceMinor < low) {
			low, at, ok = *p.PriceMinor, p.At, true
		}
	}
	return low, at, ok
}

// dealHint says whether the current price is a good deal compared with the
// 90-day median.
type dealHint struct {
	Level string // good, fair, high; "" when there is too little history
	Pct   float64
}

// dealThreshold is how far from the median (in %) a price has to be to
// count as a deal or as expensive.
const dealThreshold = 5.0

// judgeDeal compares current with median (pure).
func judgeDeal(current, median *int64) dealHint {
	if current == nil || median == nil || *median <= 0 {
		return dealHint{Pct: math.NaN()}
	}
	pct := float64(*current-*median) / float64(*median) * 100
	switch {
	case pct <= -dealThreshold:
		return dealHint{Level: "good", Pct: pct}
	case pct >= dealThreshold:
		return dealHint{Level: "high", Pct: pct}
	}
	return dealHint{Level: "fair", Pct: pct}
}

func prodPtr[T any](v T) *T { return &v }
