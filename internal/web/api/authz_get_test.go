package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/db/dbtest"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/ratelimit"
)

// TestNoMutationOnSafeMethods: every route that changes something takes a
// state-changing method (so CSRF protection covers it), and no GET route is
// marked as a write. http.CrossOriginProtection lets GET through unchecked.
func TestNoMutationOnSafeMethods(t *testing.T) {
	t.Parallel()
	h := &Handler{}
	for _, rt := range h.routes() {
		method, _, _ := strings.Cut(rt.pattern, " ")
		safe := method == "GET" || method == "HEAD" || method == "OPTIONS"
		if method == rt.pattern {
			t.Errorf("route %q has no method: it would answer GET too", rt.pattern)
		}
		if safe && rt.access.write {
			t.Errorf("route %q is a write on a safe method", rt.pattern)
		}
		if !safe && !rt.access.write && !rt.access.public {
			t.Errorf("route %q changes state but is not marked write (read-scope tokens could call it)", rt.pattern)
		}
	}
}

// TestTokenRateLimit: each API token has its own bucket; sessions are
// limited per IP by the web middleware instead.
func TestTokenRateLimit(t *testing.T) {
	t.Parallel()
	st := store.New(dbtest.Open(t, db.SQLite))
	clock := time.Unix(1_700_000_000, 0)
	h := &Handler{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() int64 { return now },
		TokenLimiter: ratelimit.New(60, 2, 0, func() time.Time { return clock })}
	srv := h.secured()
	call := func(tokenID int64) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/api/v1/workspaces", nil)
		req = req.WithContext(auth.WithIdentity(req.Context(), auth.Identity{UserID: 1, TokenID: tokenID, Scope: auth.ScopeRead}))
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	for i := range 2 {
		if rec := call(7); rec.Code != 200 {
			t.Fatalf("request %d: %d %s", i+1, rec.Code, rec.Body)
		}
	}
	rec := call(7)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "1" {
		t.Fatalf("3rd request of token 7: %d %v", rec.Code, rec.Header())
	}
	if rec := call(8); rec.Code != 200 {
		t.Errorf("token 8 limited by token 7's use: %d", rec.Code)
	}
	for range 5 {
		if rec := call(0); rec.Code != 200 {
			t.Fatalf("a session request was limited per token: %d", rec.Code)
		}
	}
	clock = clock.Add(time.Second)
	if rec := call(7); rec.Code != 200 {
		t.Errorf("token 7 after a second: %d", rec.Code)
	}
}
