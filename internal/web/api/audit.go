package api

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"

	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/problem"
)

type auditJSON struct {
	ID          int64          `json:"id"`
	At          string         `json:"at"`
	WorkspaceID *int64         `json:"workspace_id"`
	ActorUserID *int64         `json:"actor_user_id"`
	Action      string         `json:"action"`
	Target      string         `json:"target"`
	IP          string         `json:"ip"`
	Data        map[string]any `json:"data"`
}

func optID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// workspaceAudit: GET /api/v1/audit?limit=&cursor= — the workspace's audit
// log for its admins, newest first.
func (h *Handler) workspaceAudit(w http.ResponseWriter, r *http.Request) {
	h.auditList(w, r, h.workspace(r))
}

// instanceAudit: GET /api/v1/admin/audit?workspace_id=&limit=&cursor= — the
// whole instance's audit log (sign-ins, settings, every workspace).
func (h *Handler) instanceAudit(w http.ResponseWriter, r *http.Request) {
	var ws int64
	if v := r.URL.Query().Get("workspace_id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			problem.Invalid(w, "", problem.FieldError{Field: "workspace_id", Detail: "must be a workspace id"})
			return
		}
		ws = n
	}
	h.auditList(w, r, ws)
}

func (h *Handler) auditList(w http.ResponseWriter, r *http.Request, workspaceID int64) {
	limit, ok := intParam(w, r, "limit", 50, 1, 500)
	if !ok {
		return
	}
	var after int64
	if c := r.URL.Query().Get("cursor"); c != "" {
		id, err := decodeAuditCursor(c)
		if err != nil {
			problem.Invalid(w, "The cursor is not one this server gave out.", problem.FieldError{Field: "cursor", Detail: "is invalid"})
			return
		}
		after = id
	}
	es, err := h.Store.ListAudit(r.Context(), store.FindAudit{WorkspaceID: workspaceID, AfterID: after, Limit: limit + 1})
	if err != nil {
		h.internal(w, r, "list audit", err)
		return
	}
	out := struct {
		Items      []auditJSON `json:"items"`
		NextCursor *string     `json:"next_cursor"`
	}{Items: make([]auditJSON, 0, len(es))}
	if len(es) > limit {
		es = es[:limit]
		c := encodeAuditCursor(es[len(es)-1].ID)
		out.NextCursor = &c
	}
	for _, e := range es {
		data := e.Data
		if data == nil {
			data = map[string]any{}
		}
		out.Items = append(out.Items, auditJSON{ID: e.ID, At: rfc3339(e.At), WorkspaceID: optID(e.WorkspaceID),
			ActorUserID: optID(e.ActorUserID), Action: e.Action, Target: e.Target, IP: e.IP, Data: data})
	}
	writeJSON(w, http.StatusOK, out)
}

func encodeAuditCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("a" + strconv.FormatInt(id, 10)))
}

func decodeAuditCursor(c string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 2 || b[0] != 'a' {
		return 0, errors.New("bad cursor")
	}
	id, err := strconv.ParseInt(string(b[1:]), 10, 64)
	if err != nil || id <= 0 {
		return 0, errors.New("bad cursor")
	}
	return id, nil
}
