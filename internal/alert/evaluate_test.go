package alert

import (
	"errors"
	"strings"
	"testing"
)

func p(v int64) *int64 { return &v }

// step is one evaluation in a sequence: the product's price now (0 = no
// price), its stock, the event, and whether the rule must fire.
type step struct {
	event string
	price int64
	stock string
	fire  bool
	note  string
}

// run evaluates a sequence against one rule, carrying state and the
// previous snapshot along, and checks every step's firing.
func run(t *testing.T, r Rule, c Control, steps []step, extra func(*Input)) State {
	t.Helper()
	if err := r.Validate(); err != nil {
		t.Fatalf("rule invalid: %v", err)
	}
	var s State
	prev := Snapshot{Currency: "EUR", Availability: StockIn}
	for i, st := range steps {
		cur := Snapshot{Currency: "EUR", Availability: st.stock}
		if cur.Availability == "" {
			cur.Availability = StockIn
		}
		if st.price != 0 {
			cur.PriceMinor = p(st.price)
		}
		in := Input{Event: st.event, Now: int64(1000 * (i + 1)), Prev: prev, Cur: cur}
		if extra != nil {
			extra(&in)
		}
		d := Evaluate(r, c, s, in)
		if d.Fire != st.fire {
			t.Fatalf("step %d (%s %d %s): fire = %v, want %v (state %+v, reason %q)", i, st.event, st.price, st.note, d.Fire, st.fire, d.State, d.Reason)
		}
		if d.Fire && d.Reason == "" {
			t.Fatalf("step %d fired without a reason", i)
		}
		s = d.State
		prev = cur
	}
	return s
}

const ch = EventPriceChanged

func TestTargetFiresOnceAndRearmsOutsideTheBand(t *testing.T) {
	r := Rule{Kind: PriceAtOrBelow, TargetMinor: 10000} // 100.00, band 2 % → 102.00
	run(t, r, Control{}, []step{
		{event: ch, price: 12000},
		{event: ch, price: 9500, fire: true, note: "crosses"},
		{event: Observed, price: 9500, note: "same price seen again"},
		{event: ch, price: 9000, note: "lower still: already fired"},
		{event: ch, price: 10100, note: "above target, inside the band: one false"},
		{event: ch, price: 9900, note: "back below before re-arming"},
		{event: ch, price: 10300, note: "leaves the band: re-armed"},
		{event: ch, price: 9800, fire: true, note: "fires again"},
		{event: ch, price: 10000, note: "at the target counts as below"},
	}, nil)
}

func TestTargetRearmsAfterConfirmations(t *testing.T) {
	r := Rule{Kind: PriceAtOrBelow, TargetMinor: 10000}
	run(t, r, Control{}, []step{
		{event: ch, price: 9500, fire: true},
		{event: ch, price: 10100, note: "false 1"},
		{event: Observed, price: 10100, note: "false 2: re-armed"},
		{event: ch, price: 9900, fire: true},
	}, nil)
	r.Confirmations = 3
	run(t, r, Control{}, []step{
		{event: ch, price: 9500, fire: true},
		{event: ch, price: 10100},
		{event: Observed, price: 10100},
		{event: ch, price: 9900, note: "three needed"},
	}, nil)
}

func TestTargetAtOrAbove(t *testing.T) {
	r := Rule{Kind: PriceAtOrAbove, TargetMinor: 5000, BandPercent: 10} // band down to 45.00
	run(t, r, Control{}, []step{
		{event: ch, price: 4000},
		{event: ch, price: 5000, fire: true},
		{event: ch, price: 4600, note: "inside the band"},
		{event: ch, price: 5100},
		{event: ch, price: 4400, note: "leaves the band"},
		{event: ch, price: 5200, fire: true},
	}, nil)
}

func TestTargetIgnoresOtherCurrenciesAndMissingPrices(t *testing.T) {
	r := Rule{Kind: PriceAtOrBelow, TargetMinor: 10000, Currency: "USD"}
	run(t, r, Control{}, []step{{event: ch, price: 5000, note: "EUR price, USD target"}}, nil)
	r.Currency = "EUR"
	run(t, r, Control{}, []step{
		{event: EventOutOfStock, price: 0, stock: StockOut, note: "no price"},
		{event: EventProductFailing, price: 9000, note: "not a price event"},
		{event: ch, price: 9000, fire: true},
	}, nil)
}

func TestInStockOnly(t *testing.T) {
	r := Rule{Kind: PriceAtOrBelow, TargetMinor: 10000, InStockOnly: true}
	run(t, r, Control{}, []step{
		{event: ch, price: 9000, stock: StockOut, note: "cheap but unavailable"},
		{event: EventBackInStock, price: 9000, fire: true},
	}, nil)
	r.InStockOnly = false
	run(t, r, Control{}, []step{{event: ch, price: 9000, stock: StockOut, fire: true}}, nil)
}

func TestEdgeRulesFireOnEveryQualifyingChange(t *testing.T) {
	run(t, Rule{Kind: AnyDrop}, Control{}, []step{
		{event: ch, price: 10000},
		{event: ch, price: 9000, fire: true},
		{event: ch, price: 8000, fire: true, note: "each drop"},
		{event: Observed, price: 8000},
		{event: ch, price: 8500, note: "a rise"},
		{event: ch, price: 8400, fire: true},
	}, nil)
	run(t, Rule{Kind: DropPercent, Percent: 10}, Control{}, []step{
		{event: ch, price: 10000},
		{event: ch, price: 9100, note: "9 %"},
		{event: ch, price: 8190, fire: true, note: "exactly 10 % of 91.00"},
		{event: ch, price: 7500, note: "8.4 %"},
	}, nil)
	run(t, Rule{Kind: DropPercent, Percent: 12.5}, Control{}, []step{
		{event: ch, price: 800},
		{event: ch, price: 701, note: "12.375 %"},
		{event: ch, price: 800},
		{event: ch, price: 700, fire: true, note: "12.5 %"},
	}, nil)
	run(t, Rule{Kind: DropAmount, AmountMinor: 500}, Control{}, []step{
		{event: ch, price: 10000},
		{event: ch, price: 9501},
		{event: ch, price: 9001, fire: true},
	}, nil)
}

func TestDropIgnoresCurrencyChange(t *testing.T) {
	d := Evaluate(Rule{Kind: AnyDrop}, Control{}, State{}, Input{Event: ch,
		Prev: Snapshot{PriceMinor: p(10000), Currency: "USD"}, Cur: Snapshot{PriceMinor: p(90), Currency: "EUR"}})
	if d.Fire {
		t.Fatal("a currency switch fired a drop")
	}
}

func TestDropAgainstMedianIsALevelRule(t *testing.T) {
	r := Rule{Kind: DropPercent, Percent: 10, Basis: AgainstMedian} // median 100.00 → ≤ 90.00
	if !r.Level() || r.MedianDays() != DefaultMedianDays {
		t.Fatalf("Level %v MedianDays %d", r.Level(), r.MedianDays())
	}
	median := func(in *Input) { in.MedianMinor = p(10000) }
	run(t, r, Control{}, []step{
		{event: ch, price: 9500},
		{event: ch, price: 8900, fire: true},
		{event: ch, price: 8800, note: "still below: fired"},
		{event: ch, price: 9900, note: "within 2 % of the median: re-armed"},
		{event: ch, price: 8900, fire: true},
	}, median)
	run(t, r, Control{}, []step{{event: ch, price: 100}}, nil) // no median: nothing
}

func TestNewLows(t *testing.T) {
	low := func(in *Input) { in.LowMinor = p(5000) }
	run(t, Rule{Kind: LowestInDays, Days: 30}, Control{}, []step{
		{event: ch, price: 5000, note: "equal is not new"},
		{event: ch, price: 4999, fire: true},
		{event: EventBackInStock, price: 4000, fire: true, note: "back at a new low"},
	}, low)
	run(t, Rule{Kind: AllTimeLow}, Control{}, []step{{event: ch, price: 1, note: "no history"}}, nil)
	if (Rule{Kind: AllTimeLow}).LowDays() != -1 || (Rule{Kind: LowestInDays, Days: 7}).LowDays() != 7 {
		t.Fatal("LowDays")
	}
}

func TestStockRules(t *testing.T) {
	run(t, Rule{Kind: BackInStock}, Control{}, []step{
		{event: EventOutOfStock, stock: StockOut},
		{event: EventBackInStock, price: 100, fire: true},
		{event: ch, price: 90},
		{event: EventOutOfStock, stock: StockOut},
		{event: EventBackInStock, price: 100, fire: true},
	}, nil)
	run(t, Rule{Kind: OutOfStock}, Control{}, []step{
		{event: EventOutOfStock, stock: StockOut, fire: true},
		{event: EventBackInStock, price: 100},
	}, nil)
}

func TestWatchFailing(t *testing.T) {
	r := Rule{Kind: WatchFailing}
	var failures int
	fail := func(in *Input) {
		if in.Event == EventProductFailing {
			failures++
		} else {
			failures = 0
		}
		in.Failures = failures
	}
	run(t, r, Control{}, []step{
		{event: EventProductFailing},
		{event: EventProductFailing},
		{event: EventProductFailing, fire: true, note: "third in a row"},
		{event: EventProductFailing, note: "still failing"},
		{event: EventProductRecovered, price: 100, note: "re-armed at once"},
		{event: EventProductFailing},
		{event: EventProductFailing},
		{event: EventProductFailing, fire: true},
	}, fail)
	run(t, Rule{Kind: WatchFailing, Failures: 1}, Control{}, []step{
		{event: EventExtractionMissing, fire: true},
		{event: EventExtractionMissing},
	}, nil)
}

func TestMuteAndSnoozeSuppressWithoutALateAlert(t *testing.T) {
	r := Rule{Kind: PriceAtOrBelow, TargetMinor: 10000}
	in := Input{Event: ch, Now: 5000, Cur: Snapshot{PriceMinor: p(9000), Currency: "EUR"}}
	d := Evaluate(r, Control{SnoozedUntil: 6000}, State{}, in)
	if d.Fire || d.Suppressed != "snoozed" || !d.State.Fired {
		t.Fatalf("snoozed: %+v", d)
	}
	in.Now = 7000 // snooze over, price unchanged: the crossing was during the snooze
	if d2 := Evaluate(r, Control{SnoozedUntil: 6000}, d.State, in); d2.Fire {
		t.Fatalf("fired late after the snooze: %+v", d2)
	}
	if d := Evaluate(Rule{Kind: AnyDrop}, Control{Muted: true}, State{}, Input{Event: ch,
		Prev: Snapshot{PriceMinor: p(2), Currency: "EUR"}, Cur: Snapshot{PriceMinor: p(1), Currency: "EUR"}}); d.Fire || d.Suppressed != "muted" {
		t.Fatalf("muted: %+v", d)
	}
}

func TestNewProductKeywords(t *testing.T) {
	r := Rule{Kind: NewProduct, Include: []string{"tv", "espresso machine"}, Exclude: []string{"refurbished"}}
	item := func(title, url string) func(*Input) {
		return func(in *Input) { in.Item = &Item{Title: title, URL: url} }
	}
	cases := []struct {
		title, url string
		want       bool
	}{
		{"Samsung 55\" 4K TV", "https://s.example/p/1", true},
		{"Smart-TV stand", "https://s.example/p/2", true},
		{"Tvorba kit", "https://s.example/p/3", false},
		{"Gaggia Espresso Machine", "", true},
		{"Espresso cups, machine washable", "", false},
		{"Refurbished TV", "", false},
		{"Lamp", "https://s.example/products/oled-tv-65", true},
		{"Télé", "", false},
	}
	for _, c := range cases {
		run(t, r, Control{}, []step{{event: EventNewProduct, fire: c.want, note: c.title}}, item(c.title, c.url))
	}
	if !Matches(nil, nil, "anything") || !Matches([]string{"cafe"}, nil, "Café crème") || Matches(nil, []string{"Crème"}, "cafe creme") {
		t.Fatal("Matches: empty include, accents")
	}
}

func TestValidate(t *testing.T) {
	bad := map[string]Rule{
		"kind":          {Kind: "price_is_right"},
		"target":        {Kind: PriceAtOrBelow},
		"percent":       {Kind: DropPercent, Percent: 100},
		"amount":        {Kind: DropAmount, AmountMinor: -1},
		"days":          {Kind: LowestInDays},
		"basis":         {Kind: DropPercent, Percent: 5, Basis: "mean"},
		"currency":      {Kind: PriceAtOrBelow, TargetMinor: 1, Currency: "eur"},
		"keywords":      {Kind: NewProduct, Include: []string{" "}},
		"band_percent":  {Kind: PriceAtOrBelow, TargetMinor: 1, BandPercent: -1},
		"confirmations": {Kind: PriceAtOrBelow, TargetMinor: 1, Confirmations: 101},
		"failures":      {Kind: WatchFailing, Failures: -2},
	}
	for field, r := range bad {
		err := r.Validate()
		var fe *FieldError
		if !errors.Is(err, ErrInvalid) || !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: Validate = %v, want a field error on %q", field, err, field)
		}
	}
	for _, k := range Kinds {
		r := Rule{Kind: k, TargetMinor: 1, Percent: 1, AmountMinor: 1, Days: 1}
		if err := r.Validate(); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
}

// Whatever the inputs, a level rule never fires twice without re-arming in
// between, and a suppressed firing is never also a firing.
func FuzzLevelRuleNeverFiresTwiceWhileFired(f *testing.F) {
	f.Add(int64(10000), []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Fuzz(func(t *testing.T, target int64, moves []byte) {
		if target <= 0 || target > 1<<40 {
			return
		}
		r := Rule{Kind: PriceAtOrBelow, TargetMinor: target}
		var s State
		for i, m := range moves {
			price := target/2 + int64(m)*target/128
			ev := ch
			if m%7 == 0 {
				ev = Observed
			}
			d := Evaluate(r, Control{SnoozedUntil: int64(m%3) * 1000}, s, Input{Event: ev, Now: int64(i) * 500,
				Cur: Snapshot{PriceMinor: &price, Currency: "EUR", Availability: StockIn}})
			if (d.Fire || d.Suppressed != "") && s.Fired {
				t.Fatalf("fired while fired: %+v → %+v", s, d)
			}
			if d.Fire && d.Suppressed != "" {
				t.Fatalf("both fired and suppressed: %+v", d)
			}
			if (d.Fire || d.Suppressed != "") && !strings.Contains(d.Reason, "target") {
				t.Fatalf("reason %q", d.Reason)
			}
			s = d.State
		}
	})
}
