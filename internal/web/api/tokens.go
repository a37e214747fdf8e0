package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/problem"
)

type tokenJSON struct {
	ID          int64   `json:"id"`
	Name        string  `json:"name"`
	Prefix      string  `json:"prefix"`
	Scope       string  `json:"scope"`
	WorkspaceID int64   `json:"workspace_id"`
	CreatedAt   string  `json:"created_at"`
	LastUsedAt  *string `json:"last_used_at"`
	ExpiresAt   *string `json:"expires_at"`
	// Token is the secret itself, in the creation response only.
	Token string `json:"token,omitempty"`
}

func toTokenJSON(t *store.APIToken) tokenJSON {
	return tokenJSON{ID: t.ID, Name: t.Name, Prefix: t.Prefix, Scope: t.Scope, WorkspaceID: t.WorkspaceID,
		CreatedAt: rfc3339(t.CreatedAt), LastUsedAt: optTime(t.LastUsedAt), ExpiresAt: optTime(t.ExpiresAt)}
}

func (h *Handler) createToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name      string `json:"name"`
		Scope     string `json:"scope"`
		ExpiresAt string `json:"expires_at"`
	}
	if !decode(w, r, &in) {
		return
	}
	if in.Scope == "" {
		in.Scope = string(auth.ScopeReadWrite)
	}
	exp, ok := parseOptionalTime(in.ExpiresAt)
	if !ok {
		problem.Invalid(w, "expires_at must be an RFC 3339 time such as 2030-01-02T15:04:05Z.",
			problem.FieldError{Field: "expires_at", Detail: "not an RFC 3339 time"})
		return
	}
	id := identity(r)
	token, t, err := h.Auth.CreateToken(r.Context(), id, in.Name, auth.Scope(in.Scope), exp, h.Auth.ClientIP(r))
	if errors.Is(err, store.ErrNotFound) {
		problem.Status(w, http.StatusForbidden, "You are not a member of the workspace this session acts in.")
		return
	}
	if err != nil {
		h.authError(w, r, err)
		return
	}
	out := toTokenJSON(t)
	out.Token = token
	w.Header().Set("Location", fmt.Sprintf("/api/v1/tokens/%d", t.ID))
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, out)
}

func (h *Handler) listTokens(w http.ResponseWriter, r *http.Request) {
	list, err := h.Auth.ListTokens(r.Context(), identity(r))
	if err != nil {
		h.internal(w, r, "list tokens", err)
		return
	}
	items := make([]tokenJSON, 0, len(list))
	for i := range list {
		items = append(items, toTokenJSON(&list[i]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request) {
	tid, ok := pathID(w, r)
	if !ok {
		return
	}
	err := h.Auth.RevokeToken(r.Context(), identity(r), tid, h.Auth.ClientIP(r))
	if errors.Is(err, store.ErrNotFound) {
		problem.Status(w, http.StatusNotFound, "You have no API token with this id.")
		return
	}
	if err != nil {
		h.internal(w, r, "revoke token", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
