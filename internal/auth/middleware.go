package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/problem"
)

// Middleware loads the session (and saves it after the handler) and puts
// the request's Identity in its context: from an `Authorization: Bearer`
// API token when one is sent (a bad token answers 401 at once), else from
// the session cookie. Requests without either go on without an Identity;
// the routes decide whether that is allowed. Role is read from the
// memberships on every request, so a role change or removal applies at once.
func (s *Service) Middleware(next http.Handler) http.Handler {
	return s.sessions.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), sessionLoadedKey{}, true)
		r = r.WithContext(ctx)
		if h := r.Header.Get("Authorization"); h != "" {
			id, err := s.bearerIdentity(ctx, h)
			if errors.Is(err, ErrInvalidToken) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="shelfwatch", error="invalid_token"`)
				problem.Status(w, http.StatusUnauthorized, "The API token is not valid: it may be mistyped, expired or revoked.")
				return
			}
			if err != nil {
				s.log.ErrorContext(ctx, "resolve API token", "err", err)
				problem.Internal(w)
				return
			}
			next.ServeHTTP(w, r.WithContext(WithIdentity(ctx, id)))
			return
		}
		id, ok, err := s.sessionIdentity(ctx)
		if err != nil {
			s.log.ErrorContext(ctx, "resolve session", "err", err)
			problem.Internal(w)
			return
		}
		if ok {
			r = r.WithContext(WithIdentity(ctx, id))
		}
		next.ServeHTTP(w, r)
	}))
}

type sessionLoadedKey struct{}

// sessionLoaded reports whether Middleware loaded a session into ctx (scs
// panics when asked about a session it did not load).
func sessionLoaded(ctx context.Context) bool {
	ok, _ := ctx.Value(sessionLoadedKey{}).(bool)
	return ok
}

func (s *Service) bearerIdentity(ctx context.Context, header string) (Identity, error) {
	scheme, token, _ := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || !LooksLikeAPIToken(token) {
		return Identity{}, ErrInvalidToken
	}
	a, err := s.store.TokenAuthByHash(ctx, HashSecret(token))
	if errors.Is(err, store.ErrNotFound) {
		return Identity{}, ErrInvalidToken
	}
	if err != nil {
		return Identity{}, err
	}
	now := s.now().UnixMilli()
	t := a.Token
	// A token of a user who left the workspace stops working with them.
	if t.RevokedAt != nil || (t.ExpiresAt != nil && *t.ExpiresAt <= now) || a.Role == "" {
		return Identity{}, ErrInvalidToken
	}
	if t.LastUsedAt == nil || now-*t.LastUsedAt >= 60_000 {
		if err := s.store.TouchAPIToken(ctx, t.ID); err != nil {
			s.log.WarnContext(ctx, "token last use not recorded", "token_id", t.ID, "err", err)
		}
	}
	return Identity{UserID: t.UserID, Email: a.Email, InstanceAdmin: a.IsAdmin, WorkspaceID: t.WorkspaceID,
		Role: Role(a.Role), TokenID: t.ID, Scope: Scope(t.Scope)}, nil
}

// sessionIdentity resolves the signed-in user of the loaded session. When
// they no longer belong to the session's workspace, it falls back to their
// home workspace.
func (s *Service) sessionIdentity(ctx context.Context) (Identity, bool, error) {
	userID := s.sessions.GetInt64(ctx, keyUserID)
	if userID == 0 {
		return Identity{}, false, nil
	}
	ws := s.sessions.GetInt64(ctx, keyWorkspaceID)
	m, err := s.store.LookupMember(ctx, userID, ws)
	if errors.Is(err, store.ErrNotFound) { // the user is gone
		return Identity{}, false, s.sessions.Destroy(ctx)
	}
	if err != nil {
		return Identity{}, false, err
	}
	if m.Role == "" {
		home, err := s.store.HomeWorkspace(ctx, userID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			ws = 0 // a member of nothing: signed in, but no workspace to act in
		case err != nil:
			return Identity{}, false, err
		default:
			ws = home
			if m, err = s.store.LookupMember(ctx, userID, ws); err != nil {
				return Identity{}, false, err
			}
			s.sessions.Put(ctx, keyWorkspaceID, ws)
		}
	}
	return Identity{UserID: userID, Email: m.Email, InstanceAdmin: m.IsAdmin, WorkspaceID: ws,
		Role: Role(m.Role), Scope: ScopeReadWrite}, true, nil
}

// SessionInfo is one of a user's sessions, for listing.
type SessionInfo struct {
	store.Session
	Current bool
}

// ListSessions lists the identity's user's live sessions, marking the
// request's own.
func (s *Service) ListSessions(ctx context.Context, id Identity) ([]SessionInfo, error) {
	list, err := s.store.ListSessions(ctx, id.UserID)
	if err != nil {
		return nil, err
	}
	cur := s.currentSessionHash(ctx)
	out := make([]SessionInfo, 0, len(list))
	for _, x := range list {
		out = append(out, SessionInfo{Session: x, Current: id.TokenID == 0 && cur != "" && x.TokenHash == cur})
	}
	return out, nil
}

// RevokeSession ends one of the identity's user's sessions. ErrNotFound:
// not theirs or not live.
func (s *Service) RevokeSession(ctx context.Context, id Identity, sessionID int64, ip string) error {
	return s.store.RevokeSession(ctx, id.UserID, sessionID, store.AuditEntry{WorkspaceID: id.WorkspaceID, ActorUserID: id.UserID,
		Action: store.AuditSessionRevoke, Target: fmt.Sprintf("session:%d", sessionID), IP: ip})
}

// ListTokens lists the identity's user's unrevoked API tokens.
func (s *Service) ListTokens(ctx context.Context, id Identity) ([]store.APIToken, error) {
	return s.store.ListAPITokens(ctx, id.UserID)
}

// RevokeToken revokes one of the identity's user's tokens. ErrNotFound: not
// theirs or already revoked.
func (s *Service) RevokeToken(ctx context.Context, id Identity, tokenID int64, ip string) error {
	return s.store.RevokeAPIToken(ctx, id.UserID, tokenID, store.AuditEntry{ActorUserID: id.UserID, Action: store.AuditTokenRevoke, IP: ip})
}
