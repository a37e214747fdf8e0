package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

func newTestService(t *testing.T) (*Service, *store.Store) {
	t.Helper()
	st := store.New(dbtest.Open(t, "sqlite"))
	return New(Options{Store: st, Hasher: NewHasher(testParams, 2)}), st
}

func TestCreateUserRules(t *testing.T) {
	s, st := newTestService(t)
	ctx := context.Background()
	var in *InputError
	if _, err := s.CreateUser(ctx, NewUser{Email: "nope", Password: "long enough pw"}); !errors.As(err, &in) || in.Field != "email" {
		t.Errorf("bad email: %v", err)
	}
	if _, err := s.CreateUser(ctx, NewUser{Email: "a@example.com", Password: "short"}); !errors.As(err, &in) || in.Field != "password" {
		t.Errorf("short password: %v", err)
	}
	first, err := s.CreateUser(ctx, NewUser{Email: "A@example.com", Password: "long enough pw"})
	if err != nil || !first.User.IsAdmin {
		t.Fatalf("first user: %+v %v", first, err)
	}
	// The default mode is invite-only: no stranger gets in without one.
	if _, err := s.CreateUser(ctx, NewUser{Email: "b@example.com", Password: "long enough pw"}); !errors.Is(err, ErrInviteRequired) {
		t.Errorf("second sign-up = %v, want ErrInviteRequired", err)
	}
	if _, err := s.CreateUser(ctx, NewUser{Email: "b@example.com", Password: "long enough pw", Invite: "bogus"}); !errors.Is(err, ErrInviteUnusable) {
		t.Errorf("bogus invite = %v, want ErrInviteUnusable", err)
	}
	if err := st.SetSetting(ctx, nil, store.SettingSignupMode, store.SignupClosed); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, NewUser{Email: "b@example.com", Password: "long enough pw"}); !errors.Is(err, ErrSignupClosed) {
		t.Errorf("closed sign-up = %v", err)
	}
	// The operator (CLI) is not bound by the mode.
	if _, err := s.CreateUser(ctx, NewUser{Email: "b@example.com", Password: "long enough pw", ByOperator: true}); err != nil {
		t.Errorf("CLI user: %v", err)
	}
	if _, err := s.CreateUser(ctx, NewUser{Email: "B@example.com", Password: "long enough pw", ByOperator: true}); !errors.Is(err, ErrEmailTaken) {
		t.Errorf("taken email = %v", err)
	}
	if n, _ := st.CountUsers(ctx); n != 2 {
		t.Errorf("%d users, want 2", n)
	}
}

func TestSignInLockout(t *testing.T) {
	s, st := newTestService(t)
	ctx := context.Background()
	if _, err := s.CreateUser(ctx, NewUser{Email: "a@example.com", Password: "long enough pw"}); err != nil {
		t.Fatal(err)
	}
	if u, err := s.SignIn(ctx, " A@example.com", "long enough pw", "192.0.2.1"); err != nil || u.Email != "a@example.com" {
		t.Fatalf("sign-in: %v", err)
	}
	for _, email := range []string{"a@example.com", "ghost@example.com"} {
		for i := 1; i <= 5; i++ {
			// A new address each time, so only the account key counts.
			ip := "198.51.100." + string(rune('0'+i))
			if _, err := s.SignIn(ctx, email, "wrong password", ip); !errors.Is(err, ErrInvalidCredentials) {
				t.Fatalf("%s failure %d: %v", email, i, err)
			}
		}
		var locked *LockedError
		_, err := s.SignIn(ctx, email, "long enough pw", "203.0.113.9")
		if !errors.As(err, &locked) || locked.RetryAfter <= 0 || locked.RetryAfter > time.Second {
			t.Errorf("%s after 5 failures: %v, want locked for about 1 s", email, err)
		}
	}
	audit, _ := st.ListAudit(ctx, store.FindAudit{Limit: 100})
	counts := map[string]int{}
	for _, e := range audit {
		counts[e.Action]++
	}
	if counts[store.AuditSignInFailed] != 10 || counts[store.AuditLockout] != 2 {
		t.Errorf("audit counts = %v, want 10 failed sign-ins and 2 lockouts", counts)
	}
}

func TestSignInLockoutPerIP(t *testing.T) {
	s, _ := newTestService(t)
	ctx := context.Background()
	for i := range 5 {
		email := "user" + string(rune('a'+i)) + "@example.com"
		if _, err := s.SignIn(ctx, email, "wrong password", "2001:db8::"+string(rune('1'+i))); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatal(err)
		}
	}
	var locked *LockedError
	if _, err := s.SignIn(ctx, "fresh@example.com", "whatever pw", "2001:db8::ff"); !errors.As(err, &locked) {
		t.Errorf("sixth try from the same /64 = %v, want locked", err)
	}
}

// A password hashed with old parameters is rehashed with the current ones
// at the next good sign-in.
func TestSignInRehashes(t *testing.T) {
	st := store.New(dbtest.Open(t, "sqlite"))
	ctx := context.Background()
	old := New(Options{Store: st, Hasher: NewHasher(testParams, 1)})
	if _, err := old.CreateUser(ctx, NewUser{Email: "a@example.com", Password: "long enough pw"}); err != nil {
		t.Fatal(err)
	}
	stronger := Params{Memory: 2048, Time: 2, Threads: 1}
	s := New(Options{Store: st, Hasher: NewHasher(stronger, 1)})
	u, err := s.SignIn(ctx, "a@example.com", "long enough pw", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := st.GetUser(ctx, u.ID)
	if !strings.HasPrefix(got.PasswordHash, "$argon2id$v=19$m=2048,t=2,p=1$") {
		t.Fatalf("hash after sign-in = %s", got.PasswordHash)
	}
	if _, err := s.SignIn(ctx, "a@example.com", "long enough pw", "192.0.2.1"); err != nil {
		t.Errorf("sign-in with the rehashed password: %v", err)
	}
}

// Cleanup removes expired sessions and stale failure records, and is what
// the periodic River job runs.
func TestCleanup(t *testing.T) {
	s, st := newTestService(t)
	ctx := context.Background()
	past, future := time.Now().Add(-time.Minute).UnixMilli(), time.Now().Add(time.Hour).UnixMilli()
	for h, exp := range map[string]int64{"old": past, "live": future} {
		if err := st.CommitSession(ctx, store.SessionRecord{TokenHash: h, Data: []byte("x"), ExpiresAt: exp}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Cleanup(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := st.DB().Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d sessions after cleanup (%v), want the live one", n, err)
	}
	if _, ok, _ := st.FindSession(ctx, "live"); !ok {
		t.Error("cleanup removed a live session")
	}
	w := river.NewWorkers()
	if jobs := s.RegisterJobs(w); len(jobs) != 1 {
		t.Errorf("RegisterJobs gave %d periodic jobs", len(jobs))
	}
}
