package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/shelfwatch/shelfwatch/internal/alert"
	"github.com/shelfwatch/shelfwatch/internal/jobs"
	"github.com/shelfwatch/shelfwatch/internal/price"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// Dispatcher turns events into notifications. It runs inside the
// transaction that wrote the events: it evaluates every rule that applies,
// saves the rules' states, and writes one notifications row per firing rule
// and channel (unique on rule, event and channel) with its delivery job. So
// an event, its notifications and their jobs commit together or not at all.
type Dispatcher struct {
	Store   *store.Store
	Jobs    *jobs.Runner
	BaseURL string // shelfwatch's public URL for links ("" = none)
	Now     func() time.Time
}

// Dispatched counts what OnEvents wrote.
type Dispatched struct {
	Notifications int
	Suppressed    int
}

// OnEvents evaluates and writes in tx. Events of one product's check come
// together: a level rule (a target price, say) is evaluated once per
// product per call, on the first event that concerns its condition, so one
// check never counts twice toward re-arming.
func (d *Dispatcher) OnEvents(ctx context.Context, tx *sql.Tx, evs []store.Event) (Dispatched, error) {
	var out Dispatched
	levelDone := map[[2]int64]bool{} // rule, watch
	for _, ev := range evs {
		var err error
		switch {
		case ev.CatalogWatchID != 0:
			err = d.catalogEvent(ctx, tx, ev, &out)
		case ev.ProductID != 0:
			err = d.productEvent(ctx, tx, ev, levelDone, &out)
		}
		if err != nil {
			return out, fmt.Errorf("alerts for event %d (%s): %w", ev.ID, ev.Kind, err)
		}
	}
	return out, nil
}

func (d *Dispatcher) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// eventData is the union of the fields RecordCheck puts in events.
type eventData struct {
	OldMinor    *int64 `json:"old_minor"`
	OldCurrency string `json:"old_currency"`
	NewMinor    *int64 `json:"new_minor"`
	Currency    string `json:"currency"`
	Previous    string `json:"previous"`
	Title       string `json:"title"`
	URL         string `json:"url"`
	PriceMinor  *int64 `json:"price_minor"`
	Confirmed   bool   `json:"confirmed"`
}

func (d *Dispatcher) productEvent(ctx context.Context, tx *sql.Tx, ev store.Event, levelDone map[[2]int64]bool, out *Dispatched) error {
	targets, err := d.Store.AlertTargetsTx(ctx, tx, ev.ProductID)
	if err != nil || len(targets) == 0 {
		return err
	}
	p, err := d.Store.ProductTx(ctx, tx, ev.ProductID)
	if err != nil {
		return err
	}
	var data eventData
	_ = json.Unmarshal([]byte(ev.Data), &data) // our own JSON; a missing field stays zero

	cur := alert.Snapshot{PriceMinor: p.PriceMinor, Currency: p.Currency, Availability: p.Availability}
	prev := cur
	switch ev.Kind {
	case alert.EventPriceChanged:
		prev.PriceMinor, prev.Currency = data.OldMinor, data.OldCurrency
		if data.NewMinor != nil {
			cur.PriceMinor, cur.Currency = data.NewMinor, data.Currency
		}
	case alert.EventBackInStock:
		prev.Availability = alert.StockOut
	case alert.EventOutOfStock:
		prev.Availability = data.Previous
	}

	for _, t := range targets {
		rule := t.Rule.Rule
		if (rule.Kind == alert.PriceAtOrBelow || rule.Kind == alert.PriceAtOrAbove) && rule.TargetMinor == 0 {
			// "The watch's target": skip watches without one.
			if t.Watch.TargetMinor == nil {
				continue
			}
			rule.TargetMinor, rule.Currency = *t.Watch.TargetMinor, t.Watch.TargetCurrency
		}
		key := [2]int64{t.Rule.ID, t.Watch.ID}
		if rule.Level() {
			if levelDone[key] {
				continue
			}
		}
		in := alert.Input{Event: ev.Kind, Now: ev.At, Prev: prev, Cur: cur, Failures: p.ConsecutiveFailures}
		if days := max(rule.LowDays(), rule.MedianDays()); days != 0 && cur.PriceMinor != nil {
			var since int64
			if days > 0 {
				since = ev.At - int64(days)*24*time.Hour.Milliseconds()
			}
			low, median, err := d.Store.PriceStatsTx(ctx, tx, p.ID, cur.Currency, since, ev.At)
			if err != nil {
				return err
			}
			in.LowMinor, in.MedianMinor = low, median
		}
		dec := alert.Evaluate(rule, alert.Control{Muted: t.Rule.Muted, SnoozedUntil: t.Rule.SnoozedUntil}, t.State, in)
		if rule.Level() && dec.Reason != "" {
			levelDone[key] = true
		}
		if dec.State != t.State {
			if err := d.Store.SaveAlertStateTx(ctx, tx, t.Rule.ID, t.Watch.ID, dec.State); err != nil {
				return err
			}
		}
		if dec.Suppressed != "" {
			out.Suppressed++
		}
		if !dec.Fire {
			continue
		}
		m := d.productMessage(p, rule, ev, in, dec)
		watchID := t.Watch.ID
		if err := d.write(ctx, tx, t, ev, &watchID, m, out); err != nil {
			return err
		}
	}
	return nil
}

func (d *Dispatcher) catalogEvent(ctx context.Context, tx *sql.Tx, ev store.Event, out *Dispatched) error {
	if ev.Kind != alert.EventNewProduct {
		return nil
	}
	targets, err := d.Store.CatalogAlertTargetsTx(ctx, tx, ev.CatalogWatchID)
	if err != nil || len(targets) == 0 {
		return err
	}
	var data eventData
	_ = json.Unmarshal([]byte(ev.Data), &data)
	item := &alert.Item{Title: data.Title, URL: data.URL}
	for _, t := range targets {
		dec := alert.Evaluate(t.Rule.Rule, alert.Control{Muted: t.Rule.Muted, SnoozedUntil: t.Rule.SnoozedUntil}, t.State,
			alert.Input{Event: ev.Kind, Now: ev.At, Item: item})
		if dec.Suppressed != "" {
			out.Suppressed++
		}
		if !dec.Fire {
			continue
		}
		title := data.Title
		if title == "" {
			title = data.URL
		}
		m := Message{Kind: string(alert.NewProduct), At: time.UnixMilli(ev.At), Subject: "New in " + t.CatalogName + ": " + title,
			Reason: dec.Reason, Product: Product{Title: data.Title, URL: data.URL, Store: hostOf(data.URL)}}
		if data.PriceMinor != nil && data.Currency != "" {
			m.New = money(*data.PriceMinor, data.Currency)
		}
		if err := d.write(ctx, tx, t, ev, nil, m, out); err != nil {
			return err
		}
	}
	return nil
}

// write inserts one notification per channel of t and enqueues its
// delivery, both in tx. A notification that exists already (same rule,
// event and channel) is left alone: that is the exactly-once.
func (d *Dispatcher) write(ctx context.Context, tx *sql.Tx, t store.AlertTarget, ev store.Event, watchID *int64, m Message, out *Dispatched) error {
	now := d.now()
	for _, ch := range t.Channels {
		m.ID = "r" + strconv.FormatInt(t.Rule.ID, 10) + ":e" + strconv.FormatInt(ev.ID, 10) + ":c" + strconv.FormatInt(ch.ID, 10)
		body, err := json.Marshal(m)
		if err != nil {
			return err
		}
		at := releaseAt(ch, now)
		ruleID, eventID, chID := t.Rule.ID, ev.ID, ch.ID
		next := at.UnixMilli()
		n := &store.Notification{WorkspaceID: t.Rule.WorkspaceID, IdempotencyKey: m.ID, RuleID: &ruleID, EventID: &eventID,
			WatchID: watchID, ChannelID: &chID, Kind: m.Kind, Message: string(body), NextAttemptAt: &next}
		created, err := d.Store.InsertNotificationTx(ctx, tx, n)
		if err != nil {
			return err
		}
		if !created {
			continue
		}
		if _, err := d.Jobs.InsertTx(ctx, tx, DeliverArgs{NotificationID: n.ID}, deliverOpts(at, now)); err != nil {
			return err
		}
		out.Notifications++
	}
	return nil
}

// releaseAt is when a notification through ch may go out: now, after the
// channel's quiet hours, or at its next daily digest.
func releaseAt(ch store.Channel, now time.Time) time.Time {
	q, err := alert.ParseQuiet(ch.QuietHours, ch.TimeZone)
	if err != nil {
		q = alert.Quiet{} // validated when saved; a zone gone from the tz database means no quiet hours
	}
	if ch.DigestHour != nil {
		loc, err := time.LoadLocation(ch.TimeZone)
		if err != nil {
			loc = time.UTC
		}
		return alert.NextDigest(now, *ch.DigestHour, loc)
	}
	return q.Release(now)
}

func deliverOpts(at, now time.Time) *river.InsertOpts {
	o := &river.InsertOpts{MaxAttempts: riverMaxAttempts, Queue: Queue}
	if at.After(now) {
		o.ScheduledAt = at
	}
	return o
}

func (d *Dispatcher) productMessage(p *store.Product, rule alert.Rule, ev store.Event, in alert.Input, dec alert.Decision) Message {
	title := p.Title
	if title == "" {
		title = p.URL
	}
	m := Message{
		Kind: string(rule.Kind), At: time.UnixMilli(ev.At), Reason: dec.Reason,
		Product:      Product{ID: p.ID, Title: p.Title, URL: p.URL, ImageURL: p.ImageURL, Store: p.Domain},
		Availability: in.Cur.Availability,
	}
	if in.Cur.PriceMinor != nil {
		m.New = money(*in.Cur.PriceMinor, in.Cur.Currency)
	}
	if ev.Kind == alert.EventPriceChanged && in.Prev.PriceMinor != nil {
		m.Old = money(*in.Prev.PriceMinor, in.Prev.Currency)
	}
	if in.LowMinor != nil {
		m.Low = money(*in.LowMinor, in.Cur.Currency)
	}
	if rule.TargetMinor != 0 && (rule.Kind == alert.PriceAtOrBelow || rule.Kind == alert.PriceAtOrAbove) {
		cur := rule.Currency
		if cur == "" {
			cur = in.Cur.Currency
		}
		m.Target = money(rule.TargetMinor, cur)
	}
	if d.BaseURL != "" {
		m.Link = strings.TrimRight(d.BaseURL, "/") + "/products/" + strconv.FormatInt(p.ID, 10)
	}
	now := ""
	if m.New != nil {
		now = " now " + m.New.Display
	}
	switch rule.Kind {
	case alert.PriceAtOrBelow:
		m.Subject = "Target reached: " + title + now
	case alert.PriceAtOrAbove:
		m.Subject = "Price up to target: " + title + now
	case alert.AnyDrop, alert.DropPercent, alert.DropAmount:
		m.Subject = "Price drop: " + title + now
	case alert.LowestInDays, alert.AllTimeLow:
		m.Subject = "New low: " + title + now
	case alert.BackInStock:
		m.Subject = "Back in stock: " + title + now
	case alert.OutOfStock:
		m.Subject = "Out of stock: " + title
	case alert.WatchFailing:
		m.Subject = "Watch failing: " + title
	default:
		m.Subject = title
	}
	return m
}

func money(minor int64, currency string) *Money {
	return &Money{Minor: minor, Currency: currency, Display: price.Display(minor, currency)}
}

func hostOf(u string) string {
	_, rest, ok := strings.Cut(u, "://")
	if !ok {
		return ""
	}
	host, _, _ := strings.Cut(rest, "/")
	return host
}
