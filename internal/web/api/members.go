package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/problem"
)

type memberJSON struct {
	UserID   int64  `json:"user_id"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	JoinedAt string `json:"joined_at"`
}

// listMembers: GET /api/v1/members — the workspace's members.
func (h *Handler) listMembers(w http.ResponseWriter, r *http.Request) {
	ms, err := h.Store.ListWorkspaceMembers(r.Context(), h.workspace(r))
	if err != nil {
		h.internal(w, r, "list members", err)
		return
	}
	out := struct {
		Items []memberJSON `json:"items"`
	}{Items: make([]memberJSON, 0, len(ms))}
	for _, m := range ms {
		out.Items = append(out.Items, memberJSON{UserID: m.UserID, Email: m.Email, Name: m.Name, Role: string(m.Role),
			JoinedAt: rfc3339(m.CreatedAt)})
	}
	writeJSON(w, http.StatusOK, out)
}

// updateMember: PATCH /api/v1/members/{user_id} {"role": "admin"}.
func (h *Handler) updateMember(w http.ResponseWriter, r *http.Request) {
	userID, ok := pathUserID(w, r)
	if !ok {
		return
	}
	var req struct {
		Role *string `json:"role"`
	}
	if !decode(w, r, &req) {
		return
	}
	if req.Role == nil || !validRole(*req.Role) {
		problem.Invalid(w, "", problem.FieldError{Field: "role", Detail: "must be owner, admin, member or viewer"})
		return
	}
	err := h.Store.UpdateMemberRole(r.Context(), actor(r), h.workspace(r), userID, store.Role(*req.Role))
	if h.memberError(w, r, "update member", err) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"user_id": userID, "role": *req.Role})
}

// removeMember: DELETE /api/v1/members/{user_id}; a member may remove
// themselves (leave).
func (h *Handler) removeMember(w http.ResponseWriter, r *http.Request) {
	userID, ok := pathUserID(w, r)
	if !ok {
		return
	}
	err := h.Store.RemoveMember(r.Context(), actor(r), h.workspace(r), userID)
	if h.memberError(w, r, "remove member", err) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// memberError answers a membership change's refusal; false when err is nil.
func (h *Handler) memberError(w http.ResponseWriter, r *http.Request, what string, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, store.ErrNotFound):
		problem.Status(w, http.StatusNotFound, "No such member.")
	case errors.Is(err, store.ErrForbidden):
		forbid(w, "Your role does not allow this change: admins manage members and viewers; only owners manage owners and admins.")
	case errors.Is(err, store.ErrLastOwner):
		problem.Write(w, problem.Problem{Type: problem.TypeConflict, Status: http.StatusConflict, Title: "Last owner",
			Detail: "A workspace keeps at least one owner: make someone else an owner first."})
	default:
		h.internal(w, r, what, err)
	}
	return true
}

func pathUserID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("user_id"), 10, 64)
	if err != nil || id <= 0 {
		problem.Status(w, http.StatusNotFound, "No such member.")
		return 0, false
	}
	return id, true
}

func validRole(s string) bool {
	switch store.Role(s) {
	case store.RoleOwner, store.RoleAdmin, store.RoleMember, store.RoleViewer:
		return true
	}
	return false
}
