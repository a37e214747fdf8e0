package ui

import (
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

func (h *Handler) settingsPages(mux *http.ServeMux) {
	mux.HandleFunc("GET /settings", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/settings/account", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /settings/account", h.signedIn(h.settingsAccount))
	mux.HandleFunc("GET /settings/sessions", h.signedIn(h.settingsSessions))
	mux.HandleFunc("GET /settings/tokens", h.signedIn(h.settingsTokens))
	mux.HandleFunc("GET /settings/members", h.signedIn(h.settingsMembers))
}

// settingsFuncs are template helpers of these pages.
func (h *Handler) settingsFuncs() template.FuncMap {
	return template.FuncMap{"device": deviceLabel}
}

// settingsData is what every settings page shows around its section.
type settingsData struct {
	Tab  string // account, sessions, tokens, members
	User *store.User

	Sessions []auth.SessionInfo

	Tokens      []store.APIToken
	Expiries    [][2]string // RFC 3339 time, label
	WorkspaceOf map[int64]string

	Workspace   string
	Role        auth.Role
	Manage      bool // admin or owner: manage members and invites
	IsOwner     bool
	Members     []store.Member
	Invites     []store.Invite
	InviteRoles []string
	Roles       []string // the roles a manager may give
}

func (h *Handler) settingsBase(r *http.Request, id auth.Identity, tab string) (settingsData, error) {
	u, err := h.Store.GetUser(r.Context(), id.UserID)
	if err != nil {
		return settingsData{}, err
	}
	return settingsData{Tab: tab, User: u, Role: id.Role}, nil
}

func (h *Handler) settingsAccount(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	d, err := h.settingsBase(r, id, "account")
	if err != nil {
		h.serverError(w, r, "settings account", err)
		return
	}
	h.render(w, r, http.StatusOK, "settings_account.html", page{Title: "Account", Nav: "settings", Data: d})
}

func (h *Handler) settingsSessions(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	d, err := h.settingsBase(r, id, "sessions")
	if err == nil {
		d.Sessions, err = h.Auth.ListSessions(r.Context(), id)
	}
	if err != nil {
		h.serverError(w, r, "settings sessions", err)
		return
	}
	h.render(w, r, http.StatusOK, "settings_sessions.html", page{Title: "Sessions", Nav: "settings", Data: d})
}

func (h *Handler) settingsTokens(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	d, err := h.settingsBase(r, id, "tokens")
	if err == nil {
		d.Tokens, err = h.Auth.ListTokens(r.Context(), id)
	}
	if err != nil {
		h.serverError(w, r, "settings tokens", err)
		return
	}
	ws, err := h.Store.ListUserWorkspaces(r.Context(), id.UserID)
	if err != nil {
		h.serverError(w, r, "settings tokens", err)
		return
	}
	d.WorkspaceOf = map[int64]string{}
	for _, w := range ws {
		d.WorkspaceOf[w.ID] = w.Name
		if w.ID == id.WorkspaceID {
			d.Workspace = w.Name
		}
	}
	d.Expiries = tokenExpiries(h.now())
	h.render(w, r, http.StatusOK, "settings_tokens.html", page{Title: "API tokens", Nav: "settings", Data: d})
}

// tokenExpiries are the expiry choices of a new token, as the RFC 3339
// times the API takes ("" is never).
func tokenExpiries(now time.Time) [][2]string {
	out := [][2]string{}
	for _, e := range []struct {
		days  int
		label string
	}{{30, "30 days"}, {90, "90 days"}, {365, "1 year"}} {
		out = append(out, [2]string{now.UTC().Add(time.Duration(e.days) * 24 * time.Hour).Truncate(time.Minute).Format(time.RFC3339), e.label})
	}
	return out
}

func (h *Handler) settingsMembers(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	d, err := h.settingsBase(r, id, "members")
	if err != nil {
		h.serverError(w, r, "settings members", err)
		return
	}
	wsp, err := h.Store.GetWorkspace(r.Context(), id.WorkspaceID)
	if err != nil {
		h.serverError(w, r, "settings members", err)
		return
	}
	d.Workspace = wsp.Name
	// The API lets admins and owners see and manage members; the page
	// shows the same to the same people.
	d.Manage = id.Role.AtLeast(auth.RoleAdmin) && id.Scope == auth.ScopeReadWrite
	d.IsOwner = id.Role == auth.RoleOwner
	if d.Manage {
		if d.Members, err = h.Store.ListWorkspaceMembers(r.Context(), id.WorkspaceID); err == nil {
			d.Invites, err = h.Store.ListInvites(r.Context(), id.WorkspaceID)
		}
		if err != nil {
			h.serverError(w, r, "settings members", err)
			return
		}
		d.Roles = []string{"member", "viewer"}
		if d.IsOwner {
			d.Roles = []string{"owner", "admin", "member", "viewer"}
		}
	}
	h.render(w, r, http.StatusOK, "settings_members.html", page{Title: "Members", Nav: "settings", Data: d})
}

// deviceLabel makes a User-Agent readable: "Firefox on Linux".
func deviceLabel(ua string) string {
	if ua == "" {
		return "Unknown device"
	}
	browser := ""
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"HeadlessChrome/", "Headless Chrome"},
		{"Chrome/", "Chrome"}, {"Chromium/", "Chromium"}, {"Safari/", "Safari"}, {"curl/", "curl"},
	} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	system := ""
	for _, s := range []struct{ token, name string }{
		{"Android", "Android"}, {"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Windows", "Windows"},
		{"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, s.token) {
			system = s.name
			break
		}
	}
	switch {
	case browser != "" && system != "":
		return browser + " on " + system
	case browser != "":
		return browser
	case system != "":
		return system
	}
	if len(ua) > 40 {
		return ua[:40] + "…"
	}
	return ua
}
