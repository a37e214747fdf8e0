package store_test

import (
	"database/sql"
	"errors"

	"testing"

	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// The accounts contract (sessions, tokens, resets, lockout, audit, settings)
// runs on every engine like TestContract; it has its own list so the two
// lists can grow without touching each other.
func TestAccountsContract(t *testing.T) {
	t.Parallel()
	tests := []contractTest{
		{"Audit", testAudit},
		{"Settings", testSettings},
	}
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			dbtest.SkipUnlessAvailable(t, eng)
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					tc.fn(t, store.New(dbtest.Open(t, eng)))
				})
			}
		})
	}
}

func testAudit(t *testing.T, st *store.Store) {
	c := ctx(t)
	ws := workspace(t, st, "a")
	other := workspace(t, st, "b")
	if err := st.Audit(c, store.AuditEntry{WorkspaceID: ws.ID, ActorUserID: 7, Action: store.AuditTokenCreate, Target: "token:1", IP: "127.0.0.1", Data: map[string]any{"scope": "read"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Audit(c, store.AuditEntry{Action: store.AuditSignInFailed, Target: "x@example.com"}); err != nil {
		t.Fatal(err)
	}
	// In a transaction that rolls back, the entry goes with it.
	_ = st.DB().Tx(c, func(tx *sql.Tx) error {
		if err := store.Audit(c, tx, store.AuditEntry{WorkspaceID: other.ID, Action: "x.y"}); err != nil {
			t.Fatal(err)
		}
		return errRollback
	})
	wantErr(t, st.Audit(c, store.AuditEntry{}), store.ErrInvalid, "empty action")

	all := must[[]store.AuditEntry](t)(st.ListAudit(c, store.FindAudit{}))
	if len(all) != 2 || all[0].Action != store.AuditSignInFailed || all[0].WorkspaceID != 0 || all[0].ActorUserID != 0 {
		t.Fatalf("ListAudit = %+v", all)
	}
	e := all[1]
	if e.WorkspaceID != ws.ID || e.ActorUserID != 7 || e.Target != "token:1" || e.IP != "127.0.0.1" || e.Data["scope"] != "read" || e.At == 0 {
		t.Errorf("entry = %+v", e)
	}
	mine := must[[]store.AuditEntry](t)(st.ListAudit(c, store.FindAudit{WorkspaceID: ws.ID}))
	if len(mine) != 1 || mine[0].ID != e.ID {
		t.Errorf("workspace list = %+v", mine)
	}
	page := must[[]store.AuditEntry](t)(st.ListAudit(c, store.FindAudit{AfterID: all[0].ID, Limit: 1}))
	if len(page) != 1 || page[0].ID != e.ID {
		t.Errorf("second page = %+v", page)
	}
	if none := must[[]store.AuditEntry](t)(st.ListAudit(c, store.FindAudit{WorkspaceID: other.ID})); none == nil || len(none) != 0 {
		t.Errorf("rolled-back entry visible: %#v", none)
	}
}

func testSettings(t *testing.T, st *store.Store) {
	c := ctx(t)
	if m := must[string](t)(st.SignupMode(c)); m != store.DefaultSignupMode {
		t.Errorf("default sign-up mode = %q", m)
	}
	_, err := st.GetSetting(c, "nope")
	wantErr(t, err, store.ErrNotFound, "unset setting")
	for _, m := range []string{store.SignupOpen, store.SignupClosed} {
		if err := st.SetSetting(c, nil, store.SettingSignupMode, m); err != nil {
			t.Fatal(err)
		}
		if got := must[string](t)(st.SignupMode(c)); got != m {
			t.Errorf("sign-up mode = %q, want %q", got, m)
		}
	}
	wantErr(t, st.SetSetting(c, nil, store.SettingSignupMode, "sometimes"), store.ErrInvalid, "bad mode")
	if got := must[string](t)(st.SignupMode(c)); got != store.SignupClosed {
		t.Errorf("bad mode overwrote: %q", got)
	}
}

var errRollback = errors.New("roll back")
