package sse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// shop is a workspace watching products, with a clock for their checks.
type shop struct {
	st    *store.Store
	ws    int64
	clock int64
}

func newShop(t *testing.T, st *store.Store) *shop {
	t.Helper()
	ws, err := st.EnsureWorkspace(t.Context(), "live", "Live")
	if err != nil {
		t.Fatal(err)
	}
	return &shop{st: st, ws: ws.ID, clock: 1_800_000_000_000}
}

func (s *shop) product(t *testing.T, i int) int64 {
	t.Helper()
	p := &store.Product{CanonicalURL: fmt.Sprintf("https://shop.example/p/%d", i)}
	if _, err := s.st.CreateWatchForURL(t.Context(), s.ws, p, &store.Watch{}); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// see records a check of product that saw price and avail; inTx, when set,
// runs in its transaction.
func (s *shop) see(ctx context.Context, product, price int64, avail string, inTx func() error) error {
	s.clock += 60_000
	r := store.CheckResult{ProductID: product, At: s.clock, Kind: store.CheckSeen, Outcome: "ok",
		Observation: &store.Observation{Title: "Thing", Currency: "EUR", PriceMinor: &price, Availability: avail}}
	if inTx != nil {
		r.InTx = func(context.Context, *sql.Tx, *store.CheckOutcome) error { return inTx() }
	}
	_, err := s.st.RecordChecks(ctx, []store.CheckResult{r})
	return err
}

func noMessage(t *testing.T, msgs <-chan Message, what string) {
	t.Helper()
	select {
	case m := <-msgs:
		t.Fatalf("%s: got %+v, want no message", what, m)
	default:
	}
}

var errRollback = errors.New("roll back")

// On SQLite the hub hears a change once it is committed (a reader on
// another connection sees it), once per product, and never a rolled-back
// one.
func TestLiveSQLitePublishesAfterCommit(t *testing.T) {
	ctx := t.Context()
	st := store.New(dbtest.Open(t, db.SQLite))
	hub := NewHub()
	pub := &Publisher{Hub: hub}
	if pub.EventHook() != nil {
		t.Fatal("SQLite publisher has an in-transaction hook")
	}
	s := newShop(t, st)
	p := s.product(t, 1)
	msgs, stop := hub.Subscribe()
	defer stop()

	var seenPrice int64
	commit := pub.CommitHook()
	st.SetCommitHook(func(evs []store.Event) {
		// The read pool: a different connection than the writer's.
		got, err := st.GetProduct(ctx, p)
		if err != nil || got.PriceMinor == nil {
			t.Errorf("reading the product after commit: %+v, %v", got, err)
		} else {
			seenPrice = *got.PriceMinor
		}
		commit(evs)
	})

	if err := s.see(ctx, p, 1999, store.InStock, nil); err != nil {
		t.Fatal(err)
	}
	noMessage(t, msgs, "first price (no event)")

	// A price change and out of stock: two events, one message.
	if err := s.see(ctx, p, 1499, store.OutOfStock, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := recv(t, msgs), (Message{Kind: KindProduct, ProductID: p}); got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	noMessage(t, msgs, "after the change's message")
	if seenPrice != 1499 {
		t.Fatalf("the commit hook read price %d, want the new 1499", seenPrice)
	}

	if err := s.see(ctx, p, 999, store.InStock, func() error { return errRollback }); !errors.Is(err, errRollback) {
		t.Fatalf("rolled-back check: %v", err)
	}
	noMessage(t, msgs, "rolled-back change")

	// A catalog find reaches its workspace.
	cw := &store.CatalogWatch{WorkspaceID: s.ws, URL: "https://shop.example/", Interval: time.Hour, AnnounceExisting: true}
	if err := st.CreateCatalogWatch(ctx, cw); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordCatalogScan(ctx, cw.ID, store.CatalogScan{Items: []store.CatalogScanItem{
		{CanonicalURL: "https://shop.example/new/1", Matched: true},
		{CanonicalURL: "https://shop.example/new/2", Matched: true},
	}}); err != nil {
		t.Fatal(err)
	}
	if got, want := recv(t, msgs), (Message{Kind: KindCatalog, WorkspaceID: s.ws, ID: cw.ID}); got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	noMessage(t, msgs, "after the catalog message")
}

// openPostgres opens a second handle on the test schema at url: another
// process's pool.
func openPostgres(t *testing.T, url string, migrate bool) *db.DB {
	t.Helper()
	d, err := db.Open(t.Context(), db.Options{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if migrate {
		if err := d.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// On PostgreSQL a change written through one pool reaches a listener of
// another within 2 s, once, never when rolled back; a listener whose
// connection is killed reconnects, tells pages to resync, and hears again.
func TestLivePostgresAcrossProcesses(t *testing.T) {
	dbtest.SkipUnlessAvailable(t, db.Postgres)
	ctx := t.Context()
	url := dbtest.PostgresURL(t)
	writer, other := openPostgres(t, url, true), openPostgres(t, url, false)
	if writer.Schema == "" || writer.Schema != other.Schema {
		t.Fatalf("schemas %q and %q", writer.Schema, other.Schema)
	}
	st := store.New(writer)
	pub := &Publisher{DB: writer.Write, Channel: ChannelName(writer.Schema)}
	if pub.CommitHook() != nil {
		t.Fatal("PostgreSQL publisher also publishes after commit (pages would hear twice)")
	}
	st.SetEventHook(pub.EventHook())
	s := newShop(t, st)
	a, b := s.product(t, 1), s.product(t, 2)
	for _, p := range []int64{a, b} {
		if err := s.see(ctx, p, 1999, store.InStock, nil); err != nil {
			t.Fatal(err)
		}
	}

	hub := NewHub()
	msgs, stop := hub.Subscribe()
	defer stop()
	listening := make(chan bool, 4)
	l := &Listener{URL: url, Channel: ChannelName(other.Schema), Hub: hub, MinBackoff: 50 * time.Millisecond,
		OnListen: func(reconnected bool) { listening <- reconnected }}
	lctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- l.Run(lctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("listener: %v", err)
		}
	}()
	if re := waitListen(t, listening); re {
		t.Fatal("first LISTEN reported as a reconnect")
	}

	if err := s.see(ctx, a, 999, store.InStock, func() error { return errRollback }); !errors.Is(err, errRollback) {
		t.Fatalf("rolled-back check: %v", err)
	}
	start := time.Now()
	if err := s.see(ctx, b, 1499, store.InStock, nil); err != nil {
		t.Fatal(err)
	}
	got := recvWithin(t, msgs, 2*time.Second)
	t.Logf("commit → listener's hub: %v", time.Since(start))
	if want := (Message{Kind: KindProduct, ProductID: b}); got != want {
		t.Fatalf("first message %+v, want %+v (the rolled-back change must not be announced)", got, want)
	}
	// A notification published outside a transaction, as the deliverer
	// does, comes next: nothing was announced twice.
	n := &store.Notification{ID: 77, WorkspaceID: s.ws}
	pub.NotificationSent(n)
	if got, want := recvWithin(t, msgs, 2*time.Second), NotificationMessage(n, store.NotificationSent); got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}

	// Kill the listener's connection.
	var killed int
	if err := other.Write.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_stat_activity
		WHERE query LIKE 'LISTEN %' AND query LIKE '%' || $1 || '%' AND pg_terminate_backend(pid)`, l.Channel).Scan(&killed); err != nil {
		t.Fatal(err)
	}
	if killed != 1 {
		t.Fatalf("terminated %d listener connections, want 1", killed)
	}
	if got := recvWithin(t, msgs, 10*time.Second); got.Kind != KindResync {
		t.Fatalf("after the reconnect: %+v, want a resync", got)
	}
	if re := waitListen(t, listening); !re {
		t.Fatal("the reconnect was not reported as one")
	}
	if err := s.see(ctx, a, 1299, store.InStock, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := recvWithin(t, msgs, 2*time.Second), (Message{Kind: KindProduct, ProductID: a}); got != want {
		t.Fatalf("after the reconnect: %+v, want %+v", got, want)
	}
}

func waitListen(t *testing.T, listening <-chan bool) bool {
	t.Helper()
	select {
	case re := <-listening:
		return re
	case <-time.After(10 * time.Second):
		t.Fatal("the listener never listened")
	}
	return false
}

func recvWithin(t *testing.T, ch <-chan Message, d time.Duration) Message {
	t.Helper()
	select {
	case m, ok := <-ch:
		if !ok {
			t.Fatal("channel closed")
		}
		return m
	case <-time.After(d):
		t.Fatalf("no message within %v", d)
	}
	return Message{}
}

func TestPayloadsStayUnderTheLimit(t *testing.T) {
	var msgs []Message
	for i := range 2000 {
		msgs = append(msgs, Message{Kind: KindProduct, ProductID: 1<<40 + int64(i)})
	}
	ps := payloads(msgs)
	if len(ps) < 2 {
		t.Fatalf("%d payloads for 2000 messages", len(ps))
	}
	var back []Message
	for _, p := range ps {
		if len(p) > maxPayload {
			t.Fatalf("payload of %d bytes", len(p))
		}
		m, err := decode(p)
		if err != nil {
			t.Fatal(err)
		}
		back = append(back, m...)
	}
	if len(back) != len(msgs) || back[0] != msgs[0] || back[len(back)-1] != msgs[len(msgs)-1] {
		t.Fatalf("round trip: %d messages back", len(back))
	}
	if payloads(nil) != nil {
		t.Fatal("a payload for no messages")
	}
	n := Message{Kind: KindNotification, WorkspaceID: 3, ID: 9, Status: "dead"}
	if m, err := decode(payloads([]Message{n})[0]); err != nil || len(m) != 1 || m[0] != n {
		t.Fatalf("notification round trip: %+v, %v", m, err)
	}
}

func TestChannelName(t *testing.T) {
	if got := ChannelName(""); got != "shelfwatch_live" {
		t.Errorf("default schema: %q", got)
	}
	if got := ChannelName("tenant_a"); got != "shelfwatch_live_tenant_a" {
		t.Errorf("schema: %q", got)
	}
	long := strings.Repeat("s", 63)
	if got := ChannelName(long); len(got) > 63 || got == ChannelName(long[:62]) {
		t.Errorf("long schema: %q", got)
	}
}

func TestFromEvents(t *testing.T) {
	evs := []store.Event{
		{ProductID: 5, Kind: store.EventPriceChanged},
		{ProductID: 5, Kind: store.EventBackInStock},
		{ProductID: 6, Kind: store.EventProductFailing},
		{CatalogWatchID: 3, Kind: store.EventNewProduct, Data: `{"catalog_watch_id":3,"workspace_id":2}`},
		{CatalogWatchID: 3, Kind: store.EventNewProduct, Data: `{"catalog_watch_id":3,"workspace_id":2}`},
		{CatalogWatchID: 4, Kind: store.EventNewProduct, Data: `not json`},
	}
	got := FromEvents(evs)
	want := []Message{{Kind: KindProduct, ProductID: 5}, {Kind: KindProduct, ProductID: 6}, {Kind: KindCatalog, WorkspaceID: 2, ID: 3}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

// The whole path on each engine: a price change recorded through the store
// shows on the stream of a workspace watching the product within 2 s, and
// not on another workspace's (on PostgreSQL the stream is served by another
// pool, as by a web process apart from the worker).
func TestLiveStreamEndToEnd(t *testing.T) {
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			dbtest.SkipUnlessAvailable(t, eng)
			ctx := t.Context()
			hub := NewHub()
			var writer, reader *store.Store
			if eng == db.SQLite {
				writer = store.New(dbtest.Open(t, eng))
				writer.SetCommitHook((&Publisher{Hub: hub}).CommitHook())
				reader = writer
			} else {
				url := dbtest.PostgresURL(t)
				dw, dr := openPostgres(t, url, true), openPostgres(t, url, false)
				writer, reader = store.New(dw), store.New(dr)
				writer.SetEventHook((&Publisher{DB: dw.Write, Channel: ChannelName(dw.Schema)}).EventHook())
				listening := make(chan bool, 1)
				l := &Listener{URL: url, Channel: ChannelName(dr.Schema), Hub: hub, OnListen: func(re bool) { listening <- re }}
				lctx, cancel := context.WithCancel(ctx)
				done := make(chan error, 1)
				go func() { done <- l.Run(lctx) }()
				t.Cleanup(func() { cancel(); <-done })
				waitListen(t, listening)
			}
			s := newShop(t, writer)
			p := s.product(t, 1)
			other, err := writer.EnsureWorkspace(ctx, "other", "Other")
			if err != nil {
				t.Fatal(err)
			}
			if err := s.see(ctx, p, 1999, store.InStock, nil); err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(Handler(hub, testWho, reader.WatchedProductIDs))
			t.Cleanup(srv.Close)
			mine, theirs := open(t, srv.URL, s.ws), open(t, srv.URL, other.ID)

			start := time.Now()
			if err := s.see(ctx, p, 1499, store.InStock, nil); err != nil {
				t.Fatal(err)
			}
			select {
			case ev := <-mine.events:
				if want := (sseEvent{"product", fmt.Sprintf(`{"product_id":%d}`, p)}); ev != want {
					t.Fatalf("got %+v, want %+v", ev, want)
				}
			case <-time.After(2 * time.Second):
				t.Fatal("the price change did not show within 2 s")
			}
			t.Logf("%s: recorded → on the watching page's stream in %v", eng, time.Since(start))
			hub.Publish(Message{Kind: KindResync})
			if ev := theirs.next(t); ev.name != "resync" {
				t.Fatalf("a workspace not watching the product got %+v", ev)
			}
		})
	}
}
