package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/problem"
)

type inviteJSON struct {
	ID        int64   `json:"id"`
	Role      string  `json:"role"`
	CreatedBy *int64  `json:"created_by"`
	CreatedAt string  `json:"created_at"`
	ExpiresAt string  `json:"expires_at"`
	Token     *string `json:"token,omitempty"` // only in the answer to POST
	URL       *string `json:"url,omitempty"`   // only in the answer to POST
}

func toInviteJSON(i *store.Invite) inviteJSON {
	out := inviteJSON{ID: i.ID, Role: string(i.Role), CreatedAt: rfc3339(i.CreatedAt), ExpiresAt: rfc3339(i.ExpiresAt)}
	if i.CreatedBy != 0 {
		out.CreatedBy = &i.CreatedBy
	}
	return out
}

const maxInviteDays = 30

// createInvite: POST /api/v1/invites {"role": "member", "expires_in_days": 7}
// answers the one-time token and link, shown this once only.
func (h *Handler) createInvite(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Role          *string `json:"role"`
		ExpiresInDays *int    `json:"expires_in_days"`
	}
	if !decode(w, r, &req) {
		return
	}
	var errs []problem.FieldError
	if req.Role == nil || !validRole(*req.Role) {
		errs = append(errs, problem.FieldError{Field: "role", Detail: "must be owner, admin, member or viewer"})
	}
	ttl := store.InviteTTL
	if req.ExpiresInDays != nil {
		if *req.ExpiresInDays < 1 || *req.ExpiresInDays > maxInviteDays {
			errs = append(errs, problem.FieldError{Field: "expires_in_days", Detail: fmt.Sprintf("must be from 1 to %d", maxInviteDays)})
		}
		ttl = time.Duration(*req.ExpiresInDays) * 24 * time.Hour
	}
	if len(errs) > 0 {
		problem.Invalid(w, "Fix the fields listed in errors.", errs...)
		return
	}
	role := store.Role(*req.Role)
	a := actor(r)
	// An invite hands out its role: only owners invite owners and admins.
	if !store.MayManage(a, 0, role, role) {
		forbid(w, "Admins invite members and viewers; only owners invite owners and admins.")
		return
	}
	// The store's clock dates the invite: it is the one that checks expiry.
	inv := &store.Invite{WorkspaceID: h.workspace(r), Role: role, CreatedBy: a.UserID, TTL: ttl}
	token, err := h.Store.CreateInvite(r.Context(), a, inv)
	if err != nil {
		h.internal(w, r, "create invite", err)
		return
	}
	out := toInviteJSON(inv)
	link := h.baseURL(r) + "/invite/" + token
	out.Token, out.URL = &token, &link
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, out)
}

// baseURL starts links the server hands out.
func (h *Handler) baseURL(r *http.Request) string {
	if h.BaseURL != "" {
		return strings.TrimRight(h.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// listInvites: GET /api/v1/invites — pending invites (tokens are not kept).
func (h *Handler) listInvites(w http.ResponseWriter, r *http.Request) {
	invs, err := h.Store.ListInvites(r.Context(), h.workspace(r))
	if err != nil {
		h.internal(w, r, "list invites", err)
		return
	}
	out := struct {
		Items []inviteJSON `json:"items"`
	}{Items: make([]inviteJSON, 0, len(invs))}
	for i := range invs {
		out.Items = append(out.Items, toInviteJSON(&invs[i]))
	}
	writeJSON(w, http.StatusOK, out)
}

// deleteInvite: DELETE /api/v1/invites/{id} revokes a pending invite.
func (h *Handler) deleteInvite(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	err := h.Store.DeleteInvite(r.Context(), actor(r), h.workspace(r), id)
	if errors.Is(err, store.ErrNotFound) {
		problem.Status(w, http.StatusNotFound, "No such pending invite.")
		return
	}
	if err != nil {
		h.internal(w, r, "delete invite", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// acceptInvite: POST /api/v1/invites/{token}/accept joins the signed-in
// user to the invite's workspace.
func (h *Handler) acceptInvite(w http.ResponseWriter, r *http.Request) {
	m, err := h.Store.AcceptInvite(r.Context(), nil, r.PathValue("token"), identity(r).UserID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		problem.Status(w, http.StatusNotFound, "This invite link is unknown, already used or expired.")
		return
	case errors.Is(err, store.ErrConflict):
		problem.Write(w, problem.Problem{Type: problem.TypeConflict, Status: http.StatusConflict, Title: "Already a member",
			Detail: "You are already a member of this workspace."})
		return
	case err != nil:
		// Not h.internal: the path holds the token, which stays out of logs.
		h.Logger.ErrorContext(r.Context(), "accept invite", "err", err)
		problem.Internal(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"workspace_id": m.WorkspaceID, "role": string(m.Role)})
}
