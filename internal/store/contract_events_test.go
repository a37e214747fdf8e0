package store_test

import (
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/store"
)

func testEvents(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))
	_, q := watch(t, st, ws.ID, productURL(2))

	e := &store.Event{ProductID: p.ID, Kind: "price_changed"}
	if err := st.AddEvent(c, e); err != nil {
		t.Fatal(err)
	}
	if e.ID == 0 || e.At == 0 || e.Data != "{}" {
		t.Errorf("AddEvent filled %+v", e)
	}
	for i, at := range []int64{10, 30, 20} {
		ev := &store.Event{ProductID: p.ID, Kind: "k", Data: `{"i":` + string(rune('0'+i)) + `}`, At: at}
		if err := st.AddEvent(c, ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.AddEvent(c, &store.Event{ProductID: q.ID, Kind: "other", At: 40}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, st.AddEvent(c, &store.Event{ProductID: p.ID + 1000, Kind: "k"}), store.ErrNotFound, "event of a missing product")
	wantErr(t, st.AddEvent(c, &store.Event{ProductID: p.ID}), store.ErrInvalid, "event without kind")

	got := must[[]store.Event](t)(st.ListEvents(c, p.ID, 3))
	if len(got) != 3 || got[0].ID != e.ID || got[1].At != 30 || got[2].At != 20 || got[1].Data != `{"i":1}` {
		t.Errorf("ListEvents(limit 3) = %+v, want newest first", got)
	}
	if all := must[[]store.Event](t)(st.ListEvents(c, p.ID, 0)); len(all) != 4 {
		t.Errorf("ListEvents(default) returned %d, want 4", len(all))
	}
}

func testPruneEvents(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	_, p := watch(t, st, ws.ID, productURL(1))
	for _, at := range []int64{100, 199, 200, 300} {
		if err := st.AddEvent(c, &store.Event{ProductID: p.ID, Kind: "k", At: at}); err != nil {
			t.Fatal(err)
		}
	}
	if n := must[int64](t)(st.PruneEvents(c, 200)); n != 2 {
		t.Errorf("PruneEvents(200) = %d, want 2", n)
	}
	left := must[[]store.Event](t)(st.ListEvents(c, p.ID, 0))
	if len(left) != 2 || left[0].At != 300 || left[1].At != 200 {
		t.Errorf("left %+v, want the events at 300 and 200", left)
	}
	if n := must[int64](t)(st.PruneEvents(c, 200)); n != 0 {
		t.Errorf("second PruneEvents = %d, want 0", n)
	}
}

// Foreign keys cascade: checked with raw deletes, as the store has no
// DeleteWorkspace or DeleteProduct yet.
func testCascadeDeletes(t *testing.T, st *store.Store) {
	c := ctx(t)
	a, b := workspace(t, st, "a"), workspace(t, st, "b")
	u := &store.User{Email: "ann@example.com"}
	if err := st.CreateUser(c, u); err != nil {
		t.Fatal(err)
	}
	if err := st.AddMember(c, store.Membership{WorkspaceID: a.ID, UserID: u.ID, Role: store.RoleOwner}); err != nil {
		t.Fatal(err)
	}
	wa, p := watch(t, st, a.ID, productURL(1))
	wb, _ := watch(t, st, b.ID, productURL(1))
	if _, err := st.RecordObservation(c, p.ID, store.Observation{PriceMinor: ptr(1), Currency: "EUR"}, 1); err != nil {
		t.Fatal(err)
	}
	if err := st.AddEvent(c, &store.Event{ProductID: p.ID, Kind: "k"}); err != nil {
		t.Fatal(err)
	}
	d := st.DB()

	// Workspace → its watches and memberships; the shared product stays.
	if _, err := d.Write.ExecContext(c, `DELETE FROM workspaces WHERE id = $1`, a.ID); err != nil {
		t.Fatal(err)
	}
	_, err := st.GetWatch(c, a.ID, wa.ID)
	wantErr(t, err, store.ErrNotFound, "watch of a deleted workspace")
	if m := must[[]store.Membership](t)(st.ListMembers(c, a.ID)); len(m) != 0 {
		t.Errorf("memberships survived their workspace: %+v", m)
	}
	if _, err := st.GetUser(c, u.ID); err != nil {
		t.Errorf("user went with the workspace: %v", err)
	}
	if _, err := st.GetWatch(c, b.ID, wb.ID); err != nil {
		t.Fatalf("other workspace's watch: %v", err)
	}

	// Product → watches, history, events.
	if _, err := d.Write.ExecContext(c, `DELETE FROM products WHERE id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	_, err = st.GetWatch(c, b.ID, wb.ID)
	wantErr(t, err, store.ErrNotFound, "watch of a deleted product")
	if h := must[[]store.PricePoint](t)(st.ListPriceHistory(c, p.ID, store.FindHistory{})); len(h) != 0 {
		t.Errorf("history survived its product: %+v", h)
	}
	if e := must[[]store.Event](t)(st.ListEvents(c, p.ID, 0)); len(e) != 0 {
		t.Errorf("events survived their product: %+v", e)
	}

	// User → memberships.
	if err := st.AddMember(c, store.Membership{WorkspaceID: b.ID, UserID: u.ID, Role: store.RoleMember}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Write.ExecContext(c, `DELETE FROM users WHERE id = $1`, u.ID); err != nil {
		t.Fatal(err)
	}
	if m := must[[]store.Membership](t)(st.ListMembers(c, b.ID)); len(m) != 0 {
		t.Errorf("memberships survived their user: %+v", m)
	}
}
