package api

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/problem"
)

// public routes need no identity: signing up, in, and resetting a password.
var public = access{public: true}

// accountRoutes are the accounts core's rows of the route table.
func (h *Handler) accountRoutes() []route {
	return []route{
		{"POST /api/v1/auth/signup", public, h.signUp},
		{"POST /api/v1/auth/signin", public, h.signIn},
		{"POST /api/v1/auth/password-reset", public, h.requestPasswordReset},
		{"POST /api/v1/auth/password-reset/confirm", public, h.confirmPasswordReset},
		{"POST /api/v1/auth/signout", sessionAction, h.signOut},
		{"GET /api/v1/auth/me", signedIn, h.me},
		{"POST /api/v1/auth/password", sessionAction, h.changePassword},
		{"GET /api/v1/auth/sessions", access{sessionOnly: true}, h.listSessions},
		{"DELETE /api/v1/auth/sessions/{id}", sessionAction, h.revokeSession},
		// A token cannot mint tokens: one leaked token must not outlive its
		// own revocation through children.
		{"POST /api/v1/tokens", sessionAction, h.createToken},
		{"GET /api/v1/tokens", signedIn, h.listTokens},
		{"DELETE /api/v1/tokens/{id}", access{write: true}, h.revokeToken},
	}
}

type userJSON struct {
	ID            int64  `json:"id"`
	Email         string `json:"email"`
	Name          string `json:"name"`
	InstanceAdmin bool   `json:"instance_admin"`
}

type signedInJSON struct {
	User        userJSON `json:"user"`
	WorkspaceID int64    `json:"workspace_id"`
}

func toUserJSON(u *store.User) userJSON {
	return userJSON{ID: u.ID, Email: u.Email, Name: u.Name, InstanceAdmin: u.IsAdmin}
}

// authError answers the errors the accounts service returns; anything else
// is an internal error.
func (h *Handler) authError(w http.ResponseWriter, r *http.Request, err error) {
	var in *auth.InputError
	var locked *auth.LockedError
	switch {
	case errors.As(err, &in):
		problem.Invalid(w, in.Detail, problem.FieldError{Field: in.Field, Detail: in.Detail})
	case errors.As(err, &locked):
		secs := int(math.Ceil(locked.RetryAfter.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		problem.Status(w, http.StatusTooManyRequests, "Too many failed sign-ins. Wait a moment, then try again.")
	case errors.Is(err, auth.ErrInvalidCredentials):
		problem.Status(w, http.StatusUnauthorized, "The email or the password is wrong.")
	case errors.Is(err, auth.ErrEmailTaken):
		problem.Write(w, problem.Problem{Type: problem.TypeConflict, Status: http.StatusConflict, Detail: "An account with this email exists: sign in, or reset its password."})
	case errors.Is(err, auth.ErrSignupClosed):
		problem.Status(w, http.StatusForbidden, "Sign-up is closed on this instance; ask its administrator for an account.")
	case errors.Is(err, auth.ErrInviteRequired):
		problem.Status(w, http.StatusForbidden, "Sign-up on this instance needs an invite; ask a workspace owner for a link.")
	case errors.Is(err, auth.ErrInviteUnusable):
		problem.Invalid(w, "The invite is unknown, used or expired.", problem.FieldError{Field: "invite", Detail: "unknown, used or expired"})
	case errors.Is(err, auth.ErrInvalidResetToken):
		problem.Invalid(w, "The reset link is invalid, used or expired; ask for a new one.", problem.FieldError{Field: "token", Detail: "invalid, used or expired"})
	case errors.Is(err, auth.ErrSessionRequired):
		problem.Status(w, http.StatusForbidden, "This needs a signed-in session, not an API token.")
	case errors.Is(err, auth.ErrScopeTooWide):
		problem.Status(w, http.StatusForbidden, "A read-scope token cannot create a read-write token.")
	default:
		h.internal(w, r, "accounts", err)
	}
}

func (h *Handler) signUp(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Name     string `json:"name"`
		Invite   string `json:"invite"`
	}
	if !decode(w, r, &in) {
		return
	}
	ip := h.Auth.ClientIP(r)
	acct, err := h.Auth.CreateUser(r.Context(), auth.NewUser{Email: in.Email, Password: in.Password, Name: in.Name, Invite: in.Invite, IP: ip})
	if err != nil {
		h.authError(w, r, err)
		return
	}
	// An invited user lands in the workspace they were invited to.
	ws := acct.PersonalWorkspaceID
	if acct.JoinedWorkspaceID != 0 {
		ws = acct.JoinedWorkspaceID
	}
	if _, err := h.Auth.StartSession(r.Context(), r, acct.User.ID, ws); err != nil {
		h.internal(w, r, "start session", err)
		return
	}
	writeJSON(w, http.StatusCreated, signedInJSON{User: toUserJSON(&acct.User), WorkspaceID: ws})
}

func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if !decode(w, r, &in) {
		return
	}
	ip := h.Auth.ClientIP(r)
	u, err := h.Auth.SignIn(r.Context(), in.Email, in.Password, ip)
	if err != nil {
		h.authError(w, r, err)
		return
	}
	ws, err := h.Auth.StartSession(r.Context(), r, u.ID, 0)
	if err != nil {
		h.internal(w, r, "start session", err)
		return
	}
	if err := h.Auth.AuditSignIn(r.Context(), u, ws, ip); err != nil {
		h.internal(w, r, "audit sign-in", err)
		return
	}
	writeJSON(w, http.StatusOK, signedInJSON{User: toUserJSON(u), WorkspaceID: ws})
}

func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) {
	if err := h.Auth.SignOut(r.Context()); err != nil {
		h.internal(w, r, "sign out", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) {
	id := identity(r)
	u, err := h.Store.GetUser(r.Context(), id.UserID)
	if err != nil {
		h.internal(w, r, "get user", err)
		return
	}
	out := struct {
		User        userJSON `json:"user"`
		WorkspaceID int64    `json:"workspace_id"`
		Role        string   `json:"role"`
		Scope       string   `json:"scope"`
		TokenID     *int64   `json:"token_id,omitempty"`
	}{User: toUserJSON(u), WorkspaceID: id.WorkspaceID, Role: string(id.Role), Scope: string(id.Scope)}
	if id.TokenID != 0 {
		out.TokenID = &id.TokenID
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		CurrentPassword string `json:"current_password"`
		NewPassword     string `json:"new_password"`
	}
	if !decode(w, r, &in) {
		return
	}
	if err := h.Auth.ChangePassword(r.Context(), identity(r), in.CurrentPassword, in.NewPassword, h.Auth.ClientIP(r)); err != nil {
		h.authError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) requestPasswordReset(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string `json:"email"`
	}
	if !decode(w, r, &in) {
		return
	}
	// The same answer, at once, whether or not the account exists.
	h.Auth.RequestReset(r.Context(), in.Email, h.Auth.ClientIP(r))
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "If an account has this email, a reset link is on its way. It works for one hour."})
}

func (h *Handler) confirmPasswordReset(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if !decode(w, r, &in) {
		return
	}
	if err := h.Auth.ConfirmReset(r.Context(), in.Token, in.Password, h.Auth.ClientIP(r)); err != nil {
		h.authError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type sessionJSON struct {
	ID         int64  `json:"id"`
	CreatedAt  string `json:"created_at"`
	LastSeenAt string `json:"last_seen_at"`
	ExpiresAt  string `json:"expires_at"`
	IP         string `json:"ip"`
	UserAgent  string `json:"user_agent"`
	Current    bool   `json:"current"`
}

func (h *Handler) listSessions(w http.ResponseWriter, r *http.Request) {
	list, err := h.Auth.ListSessions(r.Context(), identity(r))
	if err != nil {
		h.internal(w, r, "list sessions", err)
		return
	}
	items := make([]sessionJSON, 0, len(list))
	for _, s := range list {
		items = append(items, sessionJSON{ID: s.ID, CreatedAt: rfc3339(s.CreatedAt), LastSeenAt: rfc3339(s.LastSeenAt),
			ExpiresAt: rfc3339(s.ExpiresAt), IP: s.IP, UserAgent: s.UserAgent, Current: s.Current})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (h *Handler) revokeSession(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	err := h.Auth.RevokeSession(r.Context(), identity(r), id, h.Auth.ClientIP(r))
	if errors.Is(err, store.ErrNotFound) {
		problem.Status(w, http.StatusNotFound, "You have no live session with this id.")
		return
	}
	if err != nil {
		h.internal(w, r, "revoke session", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// parseOptionalTime parses an optional RFC 3339 time into Unix ms.
func parseOptionalTime(s string) (*int64, bool) {
	if s == "" {
		return nil, true
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, false
	}
	ms := t.UnixMilli()
	return &ms, true
}
