package ui

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/alert"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

func TestJudgeDeal(t *testing.T) {
	for _, tc := range []struct {
		name            string
		current, median *int64
		level           string
	}{
		{"no price", nil, prodPtr[int64](1000), ""},
		{"no history", prodPtr[int64](1000), nil, ""},
		{"zero median", prodPtr[int64](1000), prodPtr[int64](0), ""},
		{"well below", prodPtr[int64](800), prodPtr[int64](1000), "good"},
		{"exactly 5 % below", prodPtr[int64](950), prodPtr[int64](1000), "good"},
		{"a little below", prodPtr[int64](960), prodPtr[int64](1000), "fair"},
		{"at the median", prodPtr[int64](1000), prodPtr[int64](1000), "fair"},
		{"a little above", prodPtr[int64](1040), prodPtr[int64](1000), "fair"},
		{"exactly 5 % above", prodPtr[int64](1050), prodPtr[int64](1000), "high"},
		{"far above", prodPtr[int64](2000), prodPtr[int64](1000), "high"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := judgeDeal(tc.current, tc.median)
			if got.Level != tc.level {
				t.Fatalf("level %q, want %q (pct %v)", got.Level, tc.level, got.Pct)
			}
			if tc.level == "" && !math.IsNaN(got.Pct) {
				t.Fatalf("pct %v without a verdict, want NaN", got.Pct)
			}
			if tc.level != "" {
				want := float64(*tc.current-*tc.median) / float64(*tc.median) * 100
				if math.Abs(got.Pct-want) > 1e-9 {
					t.Fatalf("pct %v, want %v", got.Pct, want)
				}
			}
		})
	}
}

func pt(at int64, p int64, cur, avail string) store.SeriesPoint {
	return store.SeriesPoint{At: at, PriceMinor: &p, Currency: cur, Availability: avail}
}

func TestSeriesStats(t *testing.T) {
	// 100 before the window (in force at 0 for 10 ms), 300 for 10 ms,
	// 200 for 80 ms: low 100, high 300, average (1000+3000+16000)/100 = 200,
	// time-weighted median 200 (80 % of the time).
	pts := []store.SeriesPoint{pt(-50, 100, "EUR", store.InStock), pt(10, 300, "EUR", store.InStock), pt(20, 200, "EUR", store.OutOfStock)}
	st := seriesStats(pts, "EUR", 0, 100)
	if *st.Low != 100 || st.LowAt != 0 || *st.High != 300 || *st.Avg != 200 || *st.Median != 200 {
		t.Fatalf("stats low %d at %d, high %d, avg %d, median %d", *st.Low, st.LowAt, *st.High, *st.Avg, *st.Median)
	}
	// Another currency and missing prices are left out.
	noPrice := store.SeriesPoint{At: 30, Currency: "EUR"}
	st = seriesStats([]store.SeriesPoint{pt(0, 500, "USD", ""), pt(10, 400, "EUR", ""), noPrice, pt(60, 600, "EUR", "")}, "EUR", 0, 100)
	// EUR 400 for 20 ms, 600 for 40 ms: average 533.33 → 533, median 600.
	if *st.Low != 400 || *st.High != 600 || *st.Avg != 533 || *st.Median != 600 {
		t.Fatalf("mixed: low %d high %d avg %d median %d", *st.Low, *st.High, *st.Avg, *st.Median)
	}
	if st := seriesStats(nil, "EUR", 0, 100); st.Low != nil || st.Avg != nil || st.Median != nil {
		t.Fatalf("empty series has stats: %+v", st)
	}
}

func TestDailyStats(t *testing.T) {
	d := func(day, lo, hi, cl int64) store.DayOHLC {
		return store.DayOHLC{Day: day * store.DayMS, Currency: "EUR", Low: &lo, High: &hi, Open: &cl, Close: &cl}
	}
	// Two days closing at 100 and 300 (lows 50 and 250, highs 150 and 400),
	// then the raw row of the third day at 200 until its end.
	s := &store.Series{Daily: true, Days: []store.DayOHLC{d(0, 50, 150, 100), d(1, 250, 400, 300)},
		Points: []store.SeriesPoint{pt(2*store.DayMS, 200, "EUR", store.InStock)}}
	st := dailyStats(s, "EUR", 0, 3*store.DayMS)
	if *st.Low != 50 || st.LowAt != 0 || *st.High != 400 || *st.Avg != 200 || *st.Median != 200 {
		t.Fatalf("daily stats low %d at %d, high %d, avg %d, median %d", *st.Low, st.LowAt, *st.High, *st.Avg, *st.Median)
	}
}

func TestAllTimeLow(t *testing.T) {
	lo, mid := int64(90), int64(120)
	s := &store.Series{Daily: true,
		Days:   []store.DayOHLC{{Day: 0, Currency: "EUR", Low: &mid, Close: &mid}, {Day: store.DayMS, Currency: "EUR", Low: &lo, Close: &mid}},
		Points: []store.SeriesPoint{pt(3*store.DayMS, 95, "EUR", ""), pt(4*store.DayMS, 10, "USD", "")}}
	low, at, ok := allTimeLow(s, "EUR")
	if !ok || low != 90 || at != store.DayMS {
		t.Fatalf("all-time low %d at %d (%v), want 90 on day 1", low, at, ok)
	}
	if _, _, ok := allTimeLow(&store.Series{}, "EUR"); ok {
		t.Fatal("an empty series has an all-time low")
	}
}

// chartJSON is the wire form of appendChartJSON, decoded for assertions.
type chartJSON struct {
	Range    string    `json:"range"`
	Daily    bool      `json:"daily"`
	Currency string    `json:"currency"`
	Digits   int       `json:"digits"`
	From     float64   `json:"from"`
	To       float64   `json:"to"`
	Target   *int64    `json:"target"`
	T        []float64 `json:"t"`
	P        []*int64  `json:"p"`
	Lo       []*int64  `json:"lo"`
	Hi       []*int64  `json:"hi"`
	S        []*int    `json:"s"`
}

func TestAppendChartJSONRaw(t *testing.T) {
	target := int64(150)
	s := &store.Series{Points: []store.SeriesPoint{
		pt(500, 200, "EUR", store.InStock), // before the range: drawn from its start
		pt(2_000, 180, "EUR", store.OutOfStock),
		{At: 3_250, Currency: "EUR", Availability: store.Unknown}, // no price
		pt(4_000, 170, "USD", store.InStock),                      // another currency
	}}
	b := appendChartJSON(nil, "30d", s, "EUR", &target, 1_000, 10_000)
	var got map[string]json.RawMessage
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	want := map[string]string{
		"range": `"30d"`, "daily": `false`, "currency": `"EUR"`, "digits": `2`, "from": `1`, "to": `10`, "target": `150`,
		"t":  `[1,2,3.25,4,10]`,
		"p":  `[200,180,null,null,null]`,
		"lo": `[200,180,null,null,null]`,
		"hi": `[200,180,null,null,null]`,
		"s":  `[1,0,null,1,1]`,
	}
	for k, v := range want {
		if string(got[k]) != v {
			t.Errorf("%s = %s, want %s", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("keys %d, want %d: %s", len(got), len(want), b)
	}
}

func TestAppendChartJSONDaily(t *testing.T) {
	o, h, l, c := int64(100), int64(130), int64(90), int64(120)
	s := &store.Series{Daily: true,
		Days:   []store.DayOHLC{{Day: 0, Currency: "JPY", Open: &o, High: &h, Low: &l, Close: &c, InStockShare: 0.25}},
		Points: []store.SeriesPoint{pt(store.DayMS/2, 120, "JPY", store.InStock), pt(store.DayMS+1_000, 110, "JPY", store.InStock)}}
	b := appendChartJSON(nil, "all", s, "JPY", nil, 0, 2*store.DayMS)
	var got chartJSON
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	day := float64(store.DayMS / 1000)
	if got.Digits != 0 || got.Target != nil || !got.Daily {
		t.Fatalf("header: %s", b)
	}
	// The day (close 120, band 90–130, mostly out of stock), the raw row in
	// force at the day's end, the change, and the range's end.
	wantT := []float64{0, day, day + 1, 2 * day}
	if len(got.T) != len(wantT) {
		t.Fatalf("t = %v, want %v", got.T, wantT)
	}
	for i := range wantT {
		if got.T[i] != wantT[i] {
			t.Fatalf("t = %v, want %v", got.T, wantT)
		}
	}
	if *got.P[0] != 120 || *got.Lo[0] != 90 || *got.Hi[0] != 130 || *got.S[0] != 0 {
		t.Fatalf("day 0: p %d lo %d hi %d s %d", *got.P[0], *got.Lo[0], *got.Hi[0], *got.S[0])
	}
	if *got.P[2] != 110 || *got.Lo[2] != 110 || *got.P[3] != 110 || *got.S[3] != 1 {
		t.Fatalf("raw tail: %s", b)
	}
}

func TestAppendChartJSONEmpty(t *testing.T) {
	b := appendChartJSON(nil, "7d", &store.Series{}, "", nil, 0, 1000)
	var got chartJSON
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	if len(got.T) != 0 || len(got.P) != 0 || got.Currency != "" {
		t.Fatalf("empty series: %s", b)
	}
}

func TestAppendSeconds(t *testing.T) {
	for ms, want := range map[int64]string{0: "0", 1_000: "1", 1_500: "1.5", 1_001: "1.001", 1_010: "1.01", 1_700_000_000_123: "1700000000.123"} {
		if got := string(appendSeconds(nil, ms)); got != want {
			t.Errorf("appendSeconds(%d) = %s, want %s", ms, got, want)
		}
	}
}

func TestProdEventOf(t *testing.T) {
	for _, tc := range []struct {
		e     store.Event
		text  string
		class string
	}{
		{store.Event{Kind: store.EventPriceChanged, Data: `{"old_minor":2000,"old_currency":"EUR","new_minor":1500,"currency":"EUR"}`}, "Price €20.00 → €15.00 (-25.0 %)", "down"},
		{store.Event{Kind: store.EventPriceChanged, Data: `{"old_minor":1000,"old_currency":"EUR","new_minor":1100,"currency":"EUR"}`}, "Price €10.00 → €11.00 (+10.0 %)", "up"},
		{store.Event{Kind: store.EventPriceChanged, Data: `{"old_minor":1000,"old_currency":"USD","new_minor":900,"currency":"EUR"}`}, "Price $10.00 → €9.00", ""},
		{store.Event{Kind: store.EventBackInStock, Data: `{"price_minor":999,"currency":"GBP"}`}, "Back in stock at £9.99", "down"},
		{store.Event{Kind: store.EventOutOfStock, Data: `{}`}, "Out of stock", "up"},
		{store.Event{Kind: "something_new", Data: `{}`}, "something new", ""},
	} {
		got := prodEventOf(tc.e)
		if got.Text != tc.text || got.Class != tc.class {
			t.Errorf("%s %s: %q (%s), want %q (%s)", tc.e.Kind, tc.e.Data, got.Text, got.Class, tc.text, tc.class)
		}
	}
}

func TestProdRuleText(t *testing.T) {
	for _, tc := range []struct {
		r    alert.Rule
		want string
	}{
		{alert.Rule{Kind: alert.PriceAtOrBelow}, "Price at or below the watch's target"},
		{alert.Rule{Kind: alert.PriceAtOrBelow, TargetMinor: 1999, InStockOnly: true}, "Price at or below €19.99, only while in stock"},
		{alert.Rule{Kind: alert.DropPercent, Percent: 12.5}, "Price drops 12.5 % or more"},
		{alert.Rule{Kind: alert.DropAmount, AmountMinor: 500, Currency: "USD", Basis: alert.AgainstMedian}, "Price drops by $5.00 or more below the 30-day median"},
		{alert.Rule{Kind: alert.DropAmount, AmountMinor: 500}, "Price drops by €5.00 or more"},
		{alert.Rule{Kind: alert.LowestInDays, Days: 60}, "Lowest price in 60 days"},
		{alert.Rule{Kind: alert.WatchFailing}, "Checks fail 3 times in a row"},
		{alert.Rule{Kind: alert.BackInStock}, "Back in stock"},
	} {
		if got := prodRuleText(&store.AlertRule{Rule: tc.r}, "EUR"); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.r, got, tc.want)
		}
	}
}

func TestParseChartRange(t *testing.T) {
	for _, k := range []string{"7d", "30d", "90d", "1y", "all"} {
		if r, ok := parseChartRange(k); !ok || r.Key != k {
			t.Errorf("range %q not parsed", k)
		}
	}
	for _, k := range []string{"", "2d", "ALL"} {
		if _, ok := parseChartRange(k); ok {
			t.Errorf("range %q accepted", k)
		}
	}
	from, to := chartRanges[0].span(10 * store.DayMS)
	if from != 3*store.DayMS || to != 10*store.DayMS {
		t.Errorf("7 d span = %d..%d", from, to)
	}
}
