package ui

import (
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/alert"
	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/price"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/api"
	"github.com/shelfwatch/shelfwatch/internal/web/ratelimit"
)

func (h *Handler) productPages(mux *http.ServeMux) {
	previews := ratelimit.New(previewPerMinute, previewBurst, 10_000, h.Now)
	mux.HandleFunc("GET /watches/new", h.signedIn(h.addPage))
	mux.HandleFunc("POST /watches/preview", h.signedIn(h.preview(previews)))
	mux.HandleFunc("GET /watches/{id}", h.signedIn(h.productPage))
	mux.HandleFunc("GET /watches/{id}/summary", h.signedIn(h.productSummary))
	mux.HandleFunc("GET /watches/{id}/chart.json", h.signedIn(h.chartData))
	mux.HandleFunc("GET /watches/{id}/events", h.signedIn(h.productEvents))
}

// productFuncs are template helpers of these pages.
func (h *Handler) productFuncs() template.FuncMap {
	return template.FuncMap{
		"prodRuleText": prodRuleText,
		"prodEvent":    prodEventOf,
		"prodNeg":      func(f float64) float64 { return -f },
		"prodDecimal": func(minor *int64, currency string) string {
			if minor == nil {
				return ""
			}
			return price.Format(*minor, currency)
		},
	}
}

// summaryData is the product header, price and stats block (a live
// fragment of the product page).
type summaryData struct {
	W        *store.Watch
	P        *store.Product
	State    string
	Currency string // the product's, or the target's before the first price
	Target   *int64 // in Currency; nil when unset or in another currency
	AtTarget bool
	Stats    priceStats
	ATL      *int64
	ATLAt    int64
	Deal     dealHint
}

type productData struct {
	Summary     *summaryData
	CanWrite    bool
	Ranges      []chartRange
	Range       string
	Events      []store.Event
	Rules       []*store.AlertRule
	Kinds       []prodKindOption
	Channels    []store.Channel
	ChannelName map[int64]string
	DefaultChan string // JSON array of the enabled channels' ids
	Tags        string
	MinInterval string
	SnoozeUntil string // RFC 3339, a day from now
	Now         int64
}

type prodKindOption struct{ Value, Label string }

// watchFromPath loads the caller's watch named by {id}; anything else
// (malformed, missing, another workspace's) is the 404 page.
func (h *Handler) watchFromPath(w http.ResponseWriter, r *http.Request, id auth.Identity) (*store.Watch, bool) {
	watchID, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || watchID <= 0 {
		h.notFound(w, r)
		return nil, false
	}
	wt, err := h.Store.GetWatch(r.Context(), id.WorkspaceID, watchID)
	if errors.Is(err, store.ErrNotFound) {
		h.notFound(w, r)
		return nil, false
	}
	if err != nil {
		h.serverError(w, r, "get watch", err)
		return nil, false
	}
	return wt, true
}

func (h *Handler) productPage(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	wt, ok := h.watchFromPath(w, r, id)
	if !ok {
		return
	}
	sum, err := h.summarize(r.Context(), wt)
	if err != nil {
		h.serverError(w, r, "product summary", err)
		return
	}
	events, err := h.Store.ListEvents(r.Context(), wt.ProductID, productEventsShown)
	if err != nil {
		h.serverError(w, r, "product events", err)
		return
	}
	rules, err := h.Store.ListRules(r.Context(), id.WorkspaceID, store.FindRules{WatchID: wt.ID})
	if err != nil {
		h.serverError(w, r, "watch rules", err)
		return
	}
	channels, err := h.Store.ListChannels(r.Context(), id.WorkspaceID)
	if err != nil {
		h.serverError(w, r, "channels", err)
		return
	}
	d := productData{Summary: sum, CanWrite: id.CanWrite(), Ranges: chartRanges[:], Range: defaultChartRange,
		Events: events, Rules: rules, Channels: channels, ChannelName: map[int64]string{},
		Tags: strings.Join(wt.Tags, ", "), MinInterval: api.FormatInterval(wt.MinInterval),
		SnoozeUntil: h.now().Add(24 * time.Hour).UTC().Format(time.RFC3339), Now: h.now().UnixMilli()}
	enabled := []int64{}
	for _, c := range channels {
		d.ChannelName[c.ID] = c.Name
		if c.Enabled {
			enabled = append(enabled, c.ID)
		}
	}
	ids, _ := json.Marshal(enabled)
	d.DefaultChan = string(ids)
	for _, k := range alert.Kinds {
		if k != alert.NewProduct { // catalog watches only
			d.Kinds = append(d.Kinds, prodKindOption{string(k), kindLabel(string(k))})
		}
	}
	title := wt.Product.Title
	if title == "" {
		title = wt.Product.Domain
	}
	h.render(w, r, http.StatusOK, "product.html", page{Title: title, Live: true, Data: d})
}

// productSummary re-renders the header and stats (live updates).
func (h *Handler) productSummary(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	wt, ok := h.watchFromPath(w, r, id)
	if !ok {
		return
	}
	sum, err := h.summarize(r.Context(), wt)
	if err != nil {
		h.serverError(w, r, "product summary", err)
		return
	}
	h.fragment(w, r, "product.html", "product-summary", sum)
}

// productEvents re-renders the timeline (live updates).
func (h *Handler) productEvents(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	wt, ok := h.watchFromPath(w, r, id)
	if !ok {
		return
	}
	events, err := h.Store.ListEvents(r.Context(), wt.ProductID, productEventsShown)
	if err != nil {
		h.serverError(w, r, "product events", err)
		return
	}
	h.fragment(w, r, "product.html", "product-events", productData{Summary: &summaryData{W: wt, P: wt.Product}, Events: events})
}

// productEventsShown is how many of a product's latest events its page lists.
const productEventsShown = 30

// summarize derives the header's state, the 90-day stats, the all-time low
// and the deal hint.
func (h *Handler) summarize(ctx context.Context, wt *store.Watch) (*summaryData, error) {
	p := wt.Product
	now := h.now().UnixMilli()
	d := &summaryData{W: wt, P: p, State: productState(wt, p), Currency: p.Currency}
	if d.Currency == "" {
		d.Currency = wt.TargetCurrency
	}
	if wt.TargetMinor != nil && (wt.TargetCurrency == "" || wt.TargetCurrency == d.Currency) {
		d.Target = wt.TargetMinor
		d.AtTarget = p.PriceMinor != nil && *p.PriceMinor <= *wt.TargetMinor
	}
	from := now - store.RawSeriesMaxMS
	n, err := h.Store.ChangesBetween(ctx, p.ID, from, now)
	if err != nil {
		return nil, err
	}
	if n > maxRawChartPoints { // as the chart: too many changes to read one by one
		days, err := h.Store.DailySeries(ctx, p.ID, from, now)
		if err != nil {
			return nil, err
		}
		d.Stats = dailyStats(days, d.Currency, from, now)
	} else {
		recent, err := h.Store.PriceSeries(ctx, p.ID, from, now)
		if err != nil {
			return nil, err
		}
		d.Stats = seriesStats(recent.Points, d.Currency, from, now)
	}
	d.Deal = judgeDeal(p.PriceMinor, d.Stats.Median)
	all, err := h.Store.PriceSeries(ctx, p.ID, 0, now)
	if err != nil {
		return nil, err
	}
	if low, at, ok := allTimeLow(all, d.Currency); ok {
		d.ATL, d.ATLAt = &low, at
	}
	return d, nil
}

// productState is the dashboard's status word for one watch.
func productState(wt *store.Watch, p *store.Product) string {
	return deriveRow(store.DashboardRow{Paused: wt.Paused, LastOutcome: p.LastOutcome, Status: p.Status}).State
}

// chartData answers GET /watches/{id}/chart.json?range=30d.
func (h *Handler) chartData(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	rng, ok := parseChartRange(r.URL.Query().Get("range"))
	if !ok {
		http.Error(w, "range must be one of 7d, 30d, 90d, 1y, all", http.StatusBadRequest)
		return
	}
	wt, ok := h.watchFromPath(w, r, id)
	if !ok {
		return
	}
	b, err := h.chartJSON(r.Context(), wt, rng, nil)
	if err != nil {
		h.serverError(w, r, "chart data", err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}

// maxRawChartPoints is the most changes a raw range is drawn with: more
// than a chart's width can show (several per pixel), and reading them
// would take longer than the chart's 30 ms budget.
const maxRawChartPoints = 5_000

// chartJSON reads the range's series and encodes it, appending to buf.
func (h *Handler) chartJSON(ctx context.Context, wt *store.Watch, rng chartRange, buf []byte) ([]byte, error) {
	from, to := rng.span(h.now().UnixMilli())
	var s *store.Series
	if to-from <= store.RawSeriesMaxMS {
		// A range with more changes than a chart can draw one by one (and
		// than a request should read) is drawn by day.
		n, err := h.Store.ChangesBetween(ctx, wt.ProductID, from, to)
		if err != nil {
			return nil, err
		}
		if n > maxRawChartPoints {
			if s, err = h.Store.DailySeries(ctx, wt.ProductID, from, to); err != nil {
				return nil, err
			}
		}
	}
	if s == nil {
		var err error
		if s, err = h.Store.PriceSeries(ctx, wt.ProductID, from, to); err != nil {
			return nil, err
		}
	}
	cur := wt.Product.Currency
	if cur == "" {
		cur = wt.TargetCurrency
	}
	if cur == "" { // no current price: the newest row's currency
		if n := len(s.Points); n > 0 {
			cur = s.Points[n-1].Currency
		}
	}
	var target *int64
	if wt.TargetMinor != nil && (wt.TargetCurrency == "" || wt.TargetCurrency == cur) {
		target = wt.TargetMinor
	}
	if rng.Days == 0 && len(s.Days)+len(s.Points) > 0 { // "all" starts at the first row
		if len(s.Days) > 0 {
			from = s.Days[0].Day
		} else {
			from = s.Points[0].At
		}
	}
	return appendChartJSON(buf, rng.Key, s, cur, target, from, to), nil
}

// prodRuleText describes a rule's condition in the words of the alerts
// page; a rule without a currency speaks in the watch's.
func prodRuleText(r *store.AlertRule, watchCurrency string) string {
	ru := r.Rule
	if ru.Currency == "" {
		ru.Currency = watchCurrency
	}
	return ruleWords(ru)
}

// prodEventLine is one entry of the product's timeline.
type prodEventLine struct {
	Text  string
	Class string // down, up or ""
}

// prodEventOf words a product event (pure).
func prodEventOf(e store.Event) prodEventLine {
	var d struct {
		OldMinor    *int64 `json:"old_minor"`
		OldCurrency string `json:"old_currency"`
		NewMinor    *int64 `json:"new_minor"`
		Currency    string `json:"currency"`
		PriceMinor  *int64 `json:"price_minor"`
	}
	_ = json.Unmarshal([]byte(e.Data), &d) // older rows may lack fields
	switch e.Kind {
	case store.EventPriceChanged:
		if d.OldMinor == nil || d.NewMinor == nil {
			return prodEventLine{Text: "Price changed"}
		}
		old := d.OldCurrency
		if old == "" {
			old = d.Currency
		}
		l := prodEventLine{Text: "Price " + formatMoney(*d.OldMinor, old) + " → " + formatMoney(*d.NewMinor, d.Currency)}
		if old == d.Currency && *d.OldMinor > 0 {
			pct := float64(*d.NewMinor-*d.OldMinor) / float64(*d.OldMinor) * 100
			if !math.IsNaN(pct) {
				sign := ""
				if pct > 0 {
					sign = "+"
				}
				l.Text += " (" + sign + strconv.FormatFloat(pct, 'f', 1, 64) + " %)"
			}
			if *d.NewMinor < *d.OldMinor {
				l.Class = "down"
			} else {
				l.Class = "up"
			}
		}
		return l
	case store.EventBackInStock:
		l := prodEventLine{Text: "Back in stock", Class: "down"}
		if d.PriceMinor != nil {
			l.Text += " at " + formatMoney(*d.PriceMinor, d.Currency)
		}
		return l
	case store.EventOutOfStock:
		return prodEventLine{Text: "Out of stock", Class: "up"}
	case store.EventProductFailing:
		return prodEventLine{Text: "Checks started failing", Class: "up"}
	case store.EventExtractionMissing:
		return prodEventLine{Text: "No price found on the page"}
	case store.EventProductBlocked:
		return prodEventLine{Text: "The store blocked the check", Class: "up"}
	case store.EventProductRecovered:
		return prodEventLine{Text: "Checks work again", Class: "down"}
	}
	return prodEventLine{Text: strings.ReplaceAll(e.Kind, "_", " ")}
}
