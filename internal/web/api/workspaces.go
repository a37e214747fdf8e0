package api

import (
	"errors"
	"net/http"

	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/problem"
)

type workspaceJSON struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Slug      string `json:"slug"`
	Role      string `json:"role"`
	Current   bool   `json:"current"`
	CreatedAt string `json:"created_at"`
}

// listWorkspaces: GET /api/v1/workspaces — the caller's workspaces with
// their role in each; current marks the one this request acts in.
func (h *Handler) listWorkspaces(w http.ResponseWriter, r *http.Request) {
	id := identity(r)
	ws, err := h.Store.ListUserWorkspaces(r.Context(), id.UserID)
	if err != nil {
		h.internal(w, r, "list workspaces", err)
		return
	}
	out := struct {
		Items []workspaceJSON `json:"items"`
	}{Items: make([]workspaceJSON, 0, len(ws))}
	for _, x := range ws {
		out.Items = append(out.Items, workspaceJSON{ID: x.ID, Name: x.Name, Slug: x.Slug, Role: string(x.Role),
			Current: x.ID == id.WorkspaceID, CreatedAt: rfc3339(x.CreatedAt)})
	}
	writeJSON(w, http.StatusOK, out)
}

// switchWorkspace: POST /api/v1/session/workspace {"workspace_id": N} makes
// N the session's current workspace, if the caller is a member of it.
func (h *Handler) switchWorkspace(w http.ResponseWriter, r *http.Request) {
	var req struct {
		WorkspaceID *int64 `json:"workspace_id"`
	}
	if !decode(w, r, &req) {
		return
	}
	if req.WorkspaceID == nil {
		problem.Invalid(w, "", problem.FieldError{Field: "workspace_id", Detail: "is required"})
		return
	}
	m, err := h.Store.GetMembership(r.Context(), *req.WorkspaceID, identity(r).UserID)
	if errors.Is(err, store.ErrNotFound) {
		problem.Status(w, http.StatusNotFound, "No such workspace.")
		return
	}
	if err != nil {
		h.internal(w, r, "switch workspace", err)
		return
	}
	if h.SwitchWorkspace == nil {
		h.internal(w, r, "switch workspace", errors.New("no session store wired"))
		return
	}
	if err := h.SwitchWorkspace(r, m.WorkspaceID); err != nil {
		h.internal(w, r, "switch workspace", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"workspace_id": m.WorkspaceID, "role": string(m.Role)})
}
