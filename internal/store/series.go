package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/shelfwatch/shelfwatch/internal/db"
)

// DayMS is one UTC day in Unix milliseconds; price_daily's days start at
// multiples of it.
const DayMS int64 = 24 * 60 * 60 * 1000

// RawSeriesMaxMS is the widest range PriceSeries answers with raw points;
// wider ranges get daily rollups. Retention must keep more than this.
const RawSeriesMaxMS = 90 * DayMS

// SeriesPoint is one raw history row: the values in force from At on.
type SeriesPoint struct {
	At           int64
	PriceMinor   *int64 // nil: no price (e.g. the page showed none)
	Currency     string
	Availability string
}

// DayOHLC is one UTC day of a product's price (Day is its midnight in Unix
// ms). Open, High, Low and Close are in Currency (the close's currency) and
// nil when no price was in force; a day without changes carries the previous
// close. InStockShare is the time-weighted fraction of the day the product
// was in stock.
type DayOHLC struct {
	Day                    int64
	Currency               string
	Open, High, Low, Close *int64
	InStockShare           float64
	Changes                int
}

// Series is a product's chart data for a time range. Daily is false for
// ranges up to RawSeriesMaxMS: Points holds the raw rows in the range plus
// the last one before it (the price in force at the left edge). For wider
// ranges Daily is true: Days holds one entry per rolled-up day in the range
// (from the product's first row on), and Points the raw rows after the last
// rolled-up day, again with the one in force before them.
type Series struct {
	Daily  bool
	Points []SeriesPoint
	Days   []DayOHLC
}

// PriceSeries returns product productID's chart data for [from, to] (Unix
// ms, both inclusive). An unknown product has an empty series.
func (s *Store) PriceSeries(ctx context.Context, productID, from, to int64) (*Series, error) {
	if to < from {
		return nil, fmt.Errorf("%w: series range ends (%d) before it starts (%d)", ErrInvalid, to, from)
	}
	out := &Series{}
	rawFrom := from
	if to-from > RawSeriesMaxMS {
		out.Daily = true
		w, err := s.rollupWatermark(ctx, s.db.Read)
		if err != nil {
			return nil, fmt.Errorf("price series: %w", err)
		}
		first, end := floorDay(from), min(floorDay(w), floorDay(to)+DayMS)
		if end > first {
			if out.Days, err = s.seriesDays(ctx, productID, first, end); err != nil {
				return nil, fmt.Errorf("price series: %w", err)
			}
			rawFrom = end
		}
		if rawFrom > to {
			return out, nil
		}
	}
	pts, err := s.seriesPoints(ctx, productID, rawFrom, to)
	if err != nil {
		return nil, fmt.Errorf("price series: %w", err)
	}
	out.Points = pts
	return out, nil
}

// seriesPointsSQL is one indexed range scan: the rows in [from, to] and the
// last row before from.
const seriesPointsSQL = `SELECT observed_at, price_minor, currency, availability FROM price_history
	WHERE product_id = $1 AND observed_at <= $3 AND observed_at >= COALESCE(
		(SELECT MAX(observed_at) FROM price_history WHERE product_id = $1 AND observed_at < $2), $2)
	ORDER BY observed_at`

// seriesPoints runs seriesPointsSQL. Prices point into shared slabs and
// repeated strings are shared (a product's currency and availability rarely
// change), so the answer costs little beyond its slice. On PostgreSQL the
// rows are read raw from pgx, without database/sql's per-value boxing: a
// product with tens of thousands of rows in range is the case to be fast for.
func (s *Store) seriesPoints(ctx context.Context, productID, from, to int64) ([]SeriesPoint, error) {
	if s.db.Engine == db.Postgres && s.db.Pool != nil {
		return s.seriesPointsPgx(ctx, productID, from, to)
	}
	rows, err := s.db.Read.QueryContext(ctx, seriesPointsSQL, productID, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		b         pointBuilder
		price     sql.NullInt64
		curB, avB sql.RawBytes
	)
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at, &price, &curB, &avB); err != nil {
			return nil, err
		}
		b.add(at, price.Int64, price.Valid, curB, avB)
	}
	return b.out, rows.Err()
}

func (s *Store) seriesPointsPgx(ctx context.Context, productID, from, to int64) ([]SeriesPoint, error) {
	rows, err := s.db.Pool.Query(ctx, seriesPointsSQL, productID, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	fd := rows.FieldDescriptions()
	if len(fd) != 4 {
		return nil, fmt.Errorf("series: %d columns", len(fd))
	}
	// int8 columns come in binary (8 bytes, big-endian) or, with the
	// simple protocol, as text.
	num := func(i int, v []byte) (int64, error) {
		if fd[i].Format == pgx.BinaryFormatCode {
			if len(v) != 8 {
				return 0, fmt.Errorf("series: column %d: %d bytes", i, len(v))
			}
			return int64(binary.BigEndian.Uint64(v)), nil
		}
		return strconv.ParseInt(string(v), 10, 64)
	}
	var b pointBuilder
	for rows.Next() {
		v := rows.RawValues()
		at, err := num(0, v[0])
		if err != nil {
			return nil, err
		}
		var price int64
		if v[1] != nil {
			if price, err = num(1, v[1]); err != nil {
				return nil, err
			}
		}
		b.add(at, price, v[1] != nil, v[2], v[3])
	}
	return b.out, rows.Err()
}

// pointBuilder collects series points with few allocations.
type pointBuilder struct {
	out        []SeriesPoint
	slab       []int64
	cur, avail interned
}

func (b *pointBuilder) add(at, price int64, hasPrice bool, cur, avail []byte) {
	p := SeriesPoint{At: at, Currency: b.cur.of(cur), Availability: b.avail.of(avail)}
	if hasPrice {
		if len(b.slab) == cap(b.slab) {
			b.slab = make([]int64, 0, min(max(2*cap(b.slab), 64), 4096))
		}
		b.slab = append(b.slab, price)
		p.PriceMinor = &b.slab[len(b.slab)-1]
	}
	b.out = append(b.out, p)
}

// interned returns the previous string when the bytes repeat it (a
// product's currency and availability rarely change).
type interned struct{ last string }

func (in *interned) of(b []byte) string {
	if string(b) != in.last { // no allocation for the comparison
		in.last = string(b)
	}
	return in.last
}

// seriesDays reads the rollups of days [first, end) (plus the last one
// before first, to carry its close) and fills the days without a rollup row,
// which had no changes, with the close in force.
func (s *Store) seriesDays(ctx context.Context, productID, first, end int64) ([]DayOHLC, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT day, currency, open_minor, high_minor, low_minor, close_minor,
			close_availability, in_stock_share, changes FROM price_daily
		WHERE product_id = $1 AND day < $3 AND day >= COALESCE(
			(SELECT MAX(day) FROM price_daily WHERE product_id = $1 AND day < $2), $2)
		ORDER BY day`, productID, first, end)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var stored []DailyRollup
	for rows.Next() {
		var r DailyRollup
		if err := rows.Scan(&r.Day, &r.Currency, &r.Open, &r.High, &r.Low, &r.Close,
			&r.CloseAvailability, &r.InStockShare, &r.Changes); err != nil {
			return nil, err
		}
		stored = append(stored, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return fillDays(stored, first, end), nil
}

// fillDays expands sparse rollups (ascending; the first may precede first)
// to one entry per day in [first, end), from the first day with data on.
func fillDays(stored []DailyRollup, first, end int64) []DayOHLC {
	if len(stored) == 0 {
		return nil
	}
	start := max(first, stored[0].Day)
	out := make([]DayOHLC, 0, (end-start)/DayMS)
	var carry *DailyRollup
	i := 0
	for d := start; d < end; d += DayMS {
		for i < len(stored) && stored[i].Day < d {
			carry = &stored[i]
			i++
		}
		if i < len(stored) && stored[i].Day == d {
			out = append(out, stored[i].DayOHLC)
			carry = &stored[i]
			i++
			continue
		}
		out = append(out, carriedDay(d, carry))
	}
	return out
}

// carriedDay is a day without changes after the day c.
func carriedDay(d int64, c *DailyRollup) DayOHLC {
	day := DayOHLC{Day: d, Currency: c.Currency, Open: c.Close, High: c.Close, Low: c.Close, Close: c.Close}
	if c.CloseAvailability == InStock {
		day.InStockShare = 1
	}
	return day
}

// floorDay is the UTC midnight at or before t (Unix ms).
func floorDay(t int64) int64 {
	d := t / DayMS * DayMS
	if d > t { // negative t rounds toward zero
		d -= DayMS
	}
	return d
}
