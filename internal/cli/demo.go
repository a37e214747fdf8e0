package cli

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/alert"
	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/canonurl"
	"github.com/shelfwatch/shelfwatch/internal/config"
	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/notify"
	"github.com/shelfwatch/shelfwatch/internal/price"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/storesim"
)

// serve --demo: a simulated store on loopback, a demo account with a dozen
// watches of its products (half a year of history backfilled), alert rules
// sending to an in-process "Demo inbox" webhook, and prices that move every
// demo tick, so a new user sees charts and a notification within a minute.
const (
	demoEmail = "demo@shelfwatch.local"
	demoSeed  = 2026
	// demoTickEnv shortens the tick for tests (not documented: a demo
	// has no use for it).
	demoTickEnv     = "SHELFWATCH_DEMO_TICK"
	demoDefaultTick = 20 * time.Second
	// demoStoreSetting remembers the store's address: the watches' URLs
	// name its port, so a restart must listen there again.
	demoStoreSetting = "demo.store_addr"
	demoInboxName    = "Demo inbox"
	demoInboxPath    = "/demo-inbox"
	// demoRatePerMin lets every demo product be checked each tick.
	demoRatePerMin = 240
	demoHistory    = 180 * 24 * time.Hour
)

// demoLoopback is the one private address demo mode lets the fetcher and
// webhooks reach: where its store and inbox listen.
func demoLoopback() netip.Prefix { return netip.MustParsePrefix("127.0.0.1/32") }

// demoItem is one product of the demo store and its watch.
type demoItem struct {
	title, price, currency, category string
	avail                            storesim.Availability
	layout                           storesim.Layout
	targetPct                        int64 // the watch's target, in % of the starting price
}

// demoCatalog is the demo store: varied categories, currencies, page
// layouts and stock. The first product goes on sale below its target at the
// first tick (the notification a new user sees); the third sells out at
// the second and is back three ticks later.
func demoCatalog() []demoItem {
	return []demoItem{
		{"Northwind Burr Espresso Grinder", "249.00", "EUR", "kitchen", storesim.InStock, storesim.LayoutJSONLD, 90},
		{"Kestrel & Co Trail Backpack 38 L", "129.99", "USD", "outdoor", storesim.InStock, storesim.LayoutShopify, 85},
		{"Lumio Wireless Noise-Cancelling Headphones", "179.00", "GBP", "electronics", storesim.InStock, storesim.LayoutMicrodata, 88},
		{"Fjellstad Merino Wool Sweater", "1299.00", "SEK", "clothing", storesim.InStock, storesim.LayoutJSONLDEnd, 85},
		{"Tanaka Works Santoku Knife 18 cm", "18800", "JPY", "kitchen", storesim.InStock, storesim.LayoutJSONLD, 90},
		{"Verde Cork Yoga Mat", "2499.00", "INR", "fitness", storesim.InStock, storesim.LayoutOpenGraph, 80},
		{"Harbor Goods Cast-Iron Dutch Oven 5.5 L", "89.95", "USD", "kitchen", storesim.OutOfStock, storesim.LayoutMicrodata, 85},
		{"Oakline Mechanical Keyboard TKL", "149.00", "EUR", "electronics", storesim.InStock, storesim.LayoutShopify, 88},
		{"Brightfield Compact Camp Stove", "64.99", "GBP", "outdoor", storesim.InStock, storesim.LayoutJSONLDEnd, 85},
		{"Aldergrove Trail Running Shoe", "119.95", "EUR", "clothing", storesim.PreOrder, storesim.LayoutJSONLD, 85},
		{"Northwind Single-Origin Coffee Beans 1 kg", "24.90", "EUR", "pantry", storesim.InStock, storesim.LayoutOpenGraph, 90},
		{"Lumio USB-C Hub 8-in-1", "49.99", "USD", "electronics", storesim.BackOrder, storesim.LayoutMicrodata, 85},
	}
}

// demo is the running demo around serve.
type demo struct {
	log    *slog.Logger
	d      *db.DB
	st     *store.Store
	sim    *storesim.Store
	inbox  *http.Server
	tick   time.Duration
	items  []demoItem
	simIDs []int   // storesim ids, in catalog order
	prods  []int64 // shelfwatch product ids, in catalog order
	live   []demoLive

	// ready receives serve's address; the banner is printed then.
	ready   chan string
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	stopSim context.CancelFunc
}

// demoLive is a product's state in the store as the ticks move it.
type demoLive struct {
	currency string
	base     int64 // the regular price
	price    int64 // the price shown: base, or lower during a sale
	avail    storesim.Availability
	saleLeft int // ticks until a sale ends
	outLeft  int // ticks until a sell-out ends
}

// startDemo prepares demo mode before serve starts: it lets the fetcher
// reach the demo's loopback address (in c), starts the store and the inbox,
// and makes sure the account, watches, history, channel and rules exist.
// The banner goes to out once serve listens (dm.ready); stop ends it all
// after serve has returned.
func startDemo(ctx context.Context, c *config.Config, log *slog.Logger, out io.Writer, getenv func(string) string) (_ *demo, err error) {
	tick := demoDefaultTick
	if v := getenv(demoTickEnv); v != "" {
		t, err := time.ParseDuration(v)
		if err != nil || t < 100*time.Millisecond || t > 10*time.Minute {
			return nil, fmt.Errorf("%s=%q: want a duration from 100ms to 10m", demoTickEnv, v)
		}
		tick = t
	}
	c.Fetch.AllowedCIDRs = append(c.Fetch.AllowedCIDRs, demoLoopback())
	log.Warn("demo mode: the fetcher and webhooks may reach loopback ("+demoLoopback().String()+"), where the demo store and inbox listen; do not expose this instance",
		"allowed", demoLoopback().String())

	d, err := openDB(ctx, *c, log)
	if err != nil {
		return nil, err
	}
	dm := &demo{log: log, d: d, st: store.New(d), tick: tick, items: demoCatalog(), ready: make(chan string, 1)}
	defer func() {
		if err != nil {
			dm.stop()
		}
	}()
	if err := dm.startStore(ctx); err != nil {
		return nil, err
	}
	inboxURL, err := dm.startInbox()
	if err != nil {
		return nil, err
	}
	ws, password, err := dm.ensureAccount(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo account: %w", err)
	}
	if err := dm.ensureWatches(ctx, ws); err != nil {
		return nil, fmt.Errorf("demo watches: %w", err)
	}
	if err := dm.ensureAlerts(ctx, *c, ws, inboxURL); err != nil {
		return nil, fmt.Errorf("demo alerts: %w", err)
	}
	if err := dm.ensureDomainRate(ctx); err != nil {
		return nil, fmt.Errorf("demo store's rate: %w", err)
	}

	tctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	dm.cancel = cancel
	dm.wg.Go(func() { dm.run(tctx) })
	dm.wg.Go(func() {
		select {
		case addr := <-dm.ready:
			dm.printBanner(out, *c, addr, password)
		case <-tctx.Done():
		}
	})
	return dm, nil
}

// startStore builds the demo store and listens where the watches expect it
// (a free port the first time).
func (dm *demo) startStore(ctx context.Context) error {
	specs := make([]storesim.NewProduct, len(dm.items))
	for i, it := range dm.items {
		specs[i] = storesim.NewProduct{Title: it.title, Price: it.price, Currency: it.currency, Availability: it.avail, Layout: it.layout}
	}
	// storesim always has generated products; the demo's come after the
	// one it is asked for.
	dm.sim = storesim.New(storesim.Options{Products: 1, Seed: demoSeed})
	ids, err := dm.sim.AddProducts(specs...)
	if err != nil {
		return fmt.Errorf("demo store: %w", err)
	}
	dm.simIDs = ids
	for _, it := range dm.items {
		minor, ok := price.Price{Amount: it.price, Currency: it.currency}.Minor()
		if !ok {
			return fmt.Errorf("demo store: price %q", it.price)
		}
		dm.live = append(dm.live, demoLive{currency: it.currency, base: minor, price: minor, avail: it.avail})
	}
	addr := "127.0.0.1:0"
	saved, err := dm.st.GetSetting(ctx, demoStoreSetting)
	switch {
	case err == nil:
		addr = saved
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	simCtx, cancel := context.WithCancel(context.Background())
	dm.stopSim = cancel
	base, err := dm.sim.Start(simCtx, addr)
	if err != nil {
		if saved != "" {
			return fmt.Errorf("the demo store must listen on %s, where this data directory's demo watches point: %w (is another 'serve --demo' running on it? stop it, or use another --data-dir)", saved, err)
		}
		return fmt.Errorf("demo store: %w", err)
	}
	if saved == "" {
		if err := dm.st.SetSetting(ctx, nil, demoStoreSetting, strings.TrimPrefix(base, "http://")); err != nil {
			return err
		}
	}
	dm.log.Info("demo store listening", "url", base, "products", len(ids))
	return nil
}

// startInbox runs the webhook receiver the "Demo inbox" channel sends to; it
// logs each delivery.
func (dm *demo) startInbox() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("demo inbox: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+demoInboxPath, func(w http.ResponseWriter, r *http.Request) {
		var b notify.WebhookBody
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&b); err != nil {
			http.Error(w, "not a shelfwatch webhook", http.StatusBadRequest)
			return
		}
		dm.log.Info("demo inbox: delivery received", "subject", b.Subject, "type", b.Type, "id", r.Header.Get(notify.HeaderDelivery),
			"signed", r.Header.Get(notify.HeaderSignature) != "")
		w.WriteHeader(http.StatusNoContent)
	})
	dm.inbox = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(dm.log.Handler(), slog.LevelWarn)}
	go func() { _ = dm.inbox.Serve(ln) }()
	return "http://" + ln.Addr().String() + demoInboxPath, nil
}

// ensureAccount returns the demo user's workspace, creating the user with a
// new random password (returned) the first time; "" when it existed.
func (dm *demo) ensureAccount(ctx context.Context) (workspaceID int64, password string, err error) {
	if u, err := dm.st.GetUserByEmail(ctx, demoEmail); err == nil {
		ws, err := dm.st.HomeWorkspace(ctx, u.ID)
		return ws, "", err
	} else if !errors.Is(err, store.ErrNotFound) {
		return 0, "", err
	}
	password = demoPassword()
	a := auth.New(auth.Options{Store: dm.st, Logger: dm.log})
	acct, err := a.CreateUser(ctx, auth.NewUser{Email: demoEmail, Password: password, Name: "Demo", ByOperator: true})
	if err != nil {
		return 0, "", err
	}
	return acct.PersonalWorkspaceID, password, nil
}

// demoPassword is 15 characters from an alphabet without look-alikes, in
// three groups to read off the terminal: about 74 bits.
func demoPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	b := make([]byte, 15)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	var s strings.Builder
	for i, v := range b {
		if i > 0 && i%5 == 0 {
			s.WriteByte('-')
		}
		s.WriteByte(alphabet[int(v)%len(alphabet)])
	}
	return s.String()
}

// ensureWatches watches every demo product in ws (a watch that exists is
// kept as it is) and backfills the history of products that have none.
func (dm *demo) ensureWatches(ctx context.Context, ws int64) error {
	now := time.Now()
	for i, it := range dm.items {
		canonical, host, err := canonurl.Canonicalize(dm.sim.URL(dm.simIDs[i]))
		if err != nil {
			return err
		}
		lv := dm.live[i]
		target := demoRound(lv.base*it.targetPct/100, lv.currency)
		p := &store.Product{URL: canonical, CanonicalURL: canonical, Domain: host}
		w := &store.Watch{TargetMinor: &target, TargetCurrency: lv.currency, Tags: []string{"demo", it.category},
			Notes: "A demo product: its price moves on its own."}
		_, err = dm.st.CreateWatchForURL(ctx, ws, p, w)
		switch {
		case errors.Is(err, store.ErrConflict):
			if p, err = dm.st.GetProductByCanonicalURL(ctx, canonical); err != nil {
				return err
			}
			dm.resume(i, p)
		case err != nil:
			return err
		}
		dm.prods = append(dm.prods, p.ID)
		hist, err := dm.st.ListPriceHistory(ctx, p.ID, store.FindHistory{Limit: 1})
		if err != nil {
			return err
		}
		if len(hist) > 0 {
			continue
		}
		r := mrand.New(mrand.NewPCG(demoSeed, uint64(i)))
		rows := demoBackfill(r, p.ID, lv, now.Add(-demoHistory).UnixMilli(), now.Add(-time.Minute).UnixMilli())
		if err := dm.st.ImportHistory(ctx, rows); err != nil {
			return err
		}
	}
	return nil
}

// resume starts product i where the last run left it (its last checked
// price and stock), not back at the catalog's: a restart is not a sale.
func (dm *demo) resume(i int, p *store.Product) {
	lv := &dm.live[i]
	if p.Currency != lv.currency {
		return
	}
	// Within 15 % of the catalog price; further (a sale, or restarts
	// adding up) the regular price starts over.
	if m := p.PriceMinor; m != nil && *m*100 >= lv.base*85 && *m*100 <= lv.base*115 {
		lv.base, lv.price = *m, *m
	}
	switch a := storesim.Availability(p.Availability); a {
	case storesim.InStock, storesim.OutOfStock, storesim.PreOrder, storesim.BackOrder:
		lv.avail = a
	}
	if err := dm.sim.Update(dm.simIDs[i], price.Format(lv.price, lv.currency), lv.avail); err != nil {
		dm.log.Error("demo store: resume", "product", dm.simIDs[i], "err", err)
	}
}

// ensureAlerts makes sure ws has the "Demo inbox" webhook channel, pointed
// at this run's inbox, and two workspace rules sending to it: a drop of
// 5 % or more, and at or below the watch's target.
func (dm *demo) ensureAlerts(ctx context.Context, c config.Config, ws int64, inboxURL string) error {
	keys, err := secretKeys(c, dm.log)
	if err != nil {
		return err
	}
	svc := &notify.Service{Store: dm.st, Deliverer: &notify.Deliverer{Store: dm.st, Keys: keys, Outbound: fetchOptions(c, dm.log)}}
	in := notify.ChannelInput{Kind: store.ChannelWebhook, URL: inboxURL}
	sec, cfg, err := svc.CheckChannel(ctx, &in)
	if err != nil {
		return err
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	chs, err := dm.st.ListChannels(ctx, ws)
	if err != nil {
		return err
	}
	var ch *store.Channel
	for i := range chs {
		if chs[i].Name == demoInboxName && chs[i].Kind == store.ChannelWebhook {
			ch = &chs[i]
		}
	}
	// The inbox listens on a new port each run: point the channel there.
	if ch != nil {
		ch.Config, ch.Enabled = string(cfgJSON), true
		err = dm.st.UpdateChannel(ctx, ch, svc.Seal(sec), nil)
	} else {
		ch = &store.Channel{WorkspaceID: ws, Kind: store.ChannelWebhook, Name: demoInboxName, Config: string(cfgJSON), TimeZone: in.TimeZone, Enabled: true}
		err = dm.st.CreateChannel(ctx, ch, svc.Seal(sec), nil)
	}
	if err != nil {
		return err
	}
	rules, err := dm.st.ListRules(ctx, ws, store.FindRules{DefaultsOnly: true})
	if err != nil {
		return err
	}
	// Drops of 5 % or more, not every drop: the demo's prices drift by a
	// few percent all the time, and the inbox would fill with the drifts.
	// A target rule without a target uses each watch's own.
	for _, rule := range []alert.Rule{{Kind: alert.DropPercent, Percent: 5}, {Kind: alert.PriceAtOrBelow}} {
		found := false
		for _, r := range rules {
			found = found || r.Rule.Kind == rule.Kind && r.Rule.TargetMinor == 0
		}
		if found {
			continue
		}
		r := &store.AlertRule{WorkspaceID: ws, Rule: rule, ChannelIDs: []int64{ch.ID}}
		if err := dm.st.CreateRule(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// ensureDomainRate raises the loopback store's request rate so that every
// demo product can be checked each tick.
func (dm *demo) ensureDomainRate(ctx context.Context) error {
	dom, err := dm.st.GetDomain(ctx, demoLoopback().Addr().String())
	switch {
	case errors.Is(err, store.ErrNotFound):
		dom = &store.Domain{Domain: demoLoopback().Addr().String()}
	case err != nil:
		return err
	}
	if dom.RatePerMin >= demoRatePerMin {
		return nil
	}
	dom.RatePerMin = demoRatePerMin
	return dm.st.SetDomainSettings(ctx, *dom)
}

// run moves prices each tick (the first after half a tick) and makes the
// demo products due, so the monitor sees the moves within seconds: the
// frontier would otherwise wait at least half an hour.
func (dm *demo) run(ctx context.Context) {
	dm.checkSoon(ctx) // a restart finds the store back at its starting prices
	t := time.NewTimer(dm.tick / 2)
	defer t.Stop()
	for k := 1; ; k++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n := dm.step(k)
		dm.log.Info("demo store: prices moved", "tick", k, "changed", n)
		dm.checkSoon(ctx)
		t.Reset(dm.tick)
	}
}

func (dm *demo) checkSoon(ctx context.Context) {
	if _, err := dm.st.CheckSoon(ctx, time.Now().UnixMilli(), dm.prods...); err != nil && ctx.Err() == nil {
		dm.log.Error("demo: make products due", "err", err)
	}
}

// step applies tick k to the store and returns how many products changed.
func (dm *demo) step(k int) int {
	r := mrand.New(mrand.NewPCG(demoSeed, uint64(k)<<8))
	n := 0
	for i := range dm.live {
		before := dm.live[i]
		dm.live[i].next(r, k, i)
		lv := dm.live[i]
		if lv.price == before.price && lv.avail == before.avail {
			continue
		}
		if err := dm.sim.Update(dm.simIDs[i], price.Format(lv.price, lv.currency), lv.avail); err != nil {
			dm.log.Error("demo store: update", "product", dm.simIDs[i], "err", err)
			continue
		}
		n++
	}
	return n
}

// next moves one product at tick k: the scripted first sale and sell-out,
// then sales ending, stock coming back, small drifts, now and then a sale
// (10–25 % off) or a sell-out. Moves stay within the monitor's outlier
// bound (50 %), so none waits for a confirm re-check.
func (lv *demoLive) next(r *mrand.Rand, k, i int) {
	switch {
	case k == 1 && i == 0:
		lv.price, lv.saleLeft = demoRound(lv.base*82/100, lv.currency), 3
		return
	case k == 2 && i == 2:
		lv.avail, lv.outLeft = storesim.OutOfStock, 3
		return
	}
	if lv.saleLeft > 0 {
		if lv.saleLeft--; lv.saleLeft == 0 {
			lv.price = lv.base
		}
	}
	if lv.outLeft > 0 {
		if lv.outLeft--; lv.outLeft == 0 {
			lv.avail = storesim.InStock
		}
	} else if lv.avail != storesim.InStock && r.IntN(8) == 0 {
		lv.avail = storesim.InStock
	} else if lv.avail == storesim.InStock && r.IntN(40) == 0 {
		lv.avail, lv.outLeft = storesim.OutOfStock, 2+r.IntN(3)
	}
	switch x := r.IntN(100); {
	case lv.saleLeft == 0 && x < 4:
		lv.price, lv.saleLeft = demoRound(lv.base*int64(75+r.IntN(16))/100, lv.currency), 2+r.IntN(3)
	case x < 25:
		lv.base = demoRound(lv.base*int64(1000+r.IntN(81)-40)/1000, lv.currency)
		if lv.saleLeft == 0 {
			lv.price = lv.base
		}
	}
}

// demoBackfill makes change-only history for a product over [from, to]: a
// few changes a week (drifts, sales, sell-outs), ending at lv's state, so
// the product's price is its newest row's.
func demoBackfill(r *mrand.Rand, productID int64, lv demoLive, from, to int64) []store.HistoryImportRow {
	type point struct {
		at    int64
		mult  float64 // price relative to the start
		avail storesim.Availability
	}
	var pts []point
	base, mult, avail := 1.0, 1.0, storesim.InStock
	sale, out := 0, 0
	day := float64(24 * time.Hour.Milliseconds())
	for at := from; at < to-int64(day/4); at += int64(day * (0.4 + 2.6*r.Float64())) {
		switch {
		case out > 0:
			out, avail = 0, storesim.InStock
		case sale > 0:
			sale, mult = 0, base
		case r.IntN(12) == 0:
			out, avail = 1, storesim.OutOfStock
		case r.IntN(5) == 0:
			sale, mult = 1, base*(0.72+0.18*r.Float64())
		default:
			base *= 0.95 + 0.1*r.Float64() + 0.004 // a slow rise, as prices do
			mult = base
		}
		pts = append(pts, point{at, mult, avail})
	}
	// Scale so the newest point is today's price, then end on today's
	// state exactly.
	scale := 1.0
	if len(pts) > 0 {
		scale = float64(lv.price) / pts[len(pts)-1].mult
	}
	var rows []store.HistoryImportRow
	add := func(at, minor int64, a storesim.Availability) {
		if n := len(rows); n > 0 && *rows[n-1].PriceMinor == minor && rows[n-1].Availability == string(a) {
			return // change-only
		}
		rows = append(rows, store.HistoryImportRow{ProductID: productID, ObservedAt: at, PriceMinor: &minor, Currency: lv.currency, Availability: string(a)})
	}
	for _, p := range pts {
		add(p.at, demoRound(int64(p.mult*scale), lv.currency), p.avail)
	}
	add(to, lv.price, lv.avail)
	return rows
}

// demoRound gives a price the ending shops use: 24.99 in two-decimal
// currencies, 1 299 in the whole-unit ones (SEK, INR), ¥18,790 in yen.
func demoRound(minor int64, currency string) int64 {
	switch price.Digits(currency) {
	case 0:
		return max((minor+5)/10*10, 10)
	}
	units := max((minor+50)/100, 1)
	switch currency {
	case "SEK", "INR":
		if units >= 10 {
			units = units/10*10 + 9
		}
		return units * 100
	}
	return units*100 - 1
}

// printBanner tells the user where to go and how to sign in.
func (dm *demo) printBanner(w io.Writer, c config.Config, addr, password string) {
	url := c.Accounts.BaseURL
	if url == "" {
		scheme := "http"
		if c.HTTP.TLSCert != "" {
			scheme = "https"
		}
		host, port, _ := net.SplitHostPort(addr)
		if ip, err := netip.ParseAddr(host); err == nil && ip.IsUnspecified() {
			host = "127.0.0.1"
		}
		url = scheme + "://" + net.JoinHostPort(host, port)
	}
	pw := password + "   (shown once: note it now)"
	if password == "" {
		pw = "unchanged: the demo account exists (its password was printed at the first 'serve --demo' on this data directory; lost it? start with a new --data-dir)"
	}
	fmt.Fprintf(w, `
shelfwatch demo ─────────────────────────────────────────────────────────
  open       %s
  email      %s
  password   %s
  watching   %d products of a simulated store at %s; prices move every %s
  alerts     drops of 5 %%+ and prices at or below each watch's target go to the %q webhook (deliveries are logged)
──────────────────────────────────────────────────────────────────────────

`, url, demoEmail, pw, len(dm.items), dm.sim.Origins()[0], dm.tick, demoInboxName)
}

// stop ends the demo after serve has returned.
func (dm *demo) stop() {
	if dm.cancel != nil {
		dm.cancel()
	}
	dm.wg.Wait()
	if dm.inbox != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = dm.inbox.Shutdown(ctx)
		cancel()
	}
	if dm.stopSim != nil {
		dm.stopSim()
		dm.sim.Wait()
	}
	_ = dm.d.Close()
}
