package api

import (
	"fmt"
	"net"
	"net/http"
	"strconv"

	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/problem"
	"github.com/shelfwatch/shelfwatch/internal/web/ratelimit"
)

// route is one row of the API's route table: the pattern, who may call it,
// and the handler. Every route states its access; there is no default.
type route struct {
	pattern string
	access  access
	fn      http.HandlerFunc
}

// access is what a route requires of the caller.
type access struct {
	// public routes need no identity (sign-in, sign-up); nothing else applies.
	public bool
	// min is the least role in the request's workspace; "" means any
	// signed-in user, whatever their role (their own workspaces, accepting
	// an invite).
	min auth.Role
	// write routes change something: they also need a read-write token.
	write bool
	// instanceAdmin routes are for instance administrators only (domain
	// settings, proxies, instance settings, the instance's audit log).
	instanceAdmin bool
	// sessionOnly routes act on the browser session or the user account
	// rather than a workspace, so a workspace-bound API token cannot call them.
	sessionOnly bool
}

var (
	// viewers read the workspace; members and up change it.
	read  = access{min: auth.RoleViewer}
	write = access{min: auth.RoleMember, write: true}
	// admins and owners manage members and invites.
	adminRead  = access{min: auth.RoleAdmin}
	adminWrite = access{min: auth.RoleAdmin, write: true}
	// anyone signed in, for their own account.
	signedIn      = access{}
	sessionAction = access{write: true, sessionOnly: true}
	// instance administrators, whatever their workspace role.
	instanceRead  = access{instanceAdmin: true}
	instanceWrite = access{instanceAdmin: true, write: true}
	// public (auth.go) is for signing up, in and resetting a password.
)

// routes is the API's route table. Routes (api.go) mounts each row behind
// authorize; the tenancy test calls every row.
func (h *Handler) routes() []route {
	return append([]route{
		{"POST /api/v1/watches", write, h.createWatch},
		{"GET /api/v1/watches", read, h.listWatches},
		{"GET /api/v1/watches/{id}", read, h.getWatch},
		{"PATCH /api/v1/watches/{id}", write, h.patchWatch},
		{"DELETE /api/v1/watches/{id}", write, h.deleteWatch},
		{"GET /api/v1/products/{id}", read, h.getProduct},
		{"GET /api/v1/products/{id}/history", read, h.productHistory},

		{"GET /api/v1/workspaces", signedIn, h.listWorkspaces},
		{"POST /api/v1/session/workspace", sessionAction, h.switchWorkspace},
		{"GET /api/v1/members", adminRead, h.listMembers},
		{"PATCH /api/v1/members/{user_id}", adminWrite, h.updateMember},
		// Anyone may leave; the store's rules decide who may remove whom.
		{"DELETE /api/v1/members/{user_id}", access{min: auth.RoleViewer, write: true}, h.removeMember},
		{"GET /api/v1/invites", adminRead, h.listInvites},
		{"POST /api/v1/invites", adminWrite, h.createInvite},
		{"DELETE /api/v1/invites/{id}", adminWrite, h.deleteInvite},
		{"POST /api/v1/invites/{token}/accept", sessionAction, h.acceptInvite},
		{"GET /api/v1/audit", adminRead, h.workspaceAudit},

		{"GET /api/v1/admin/domains", instanceRead, h.listDomains},
		{"PATCH /api/v1/admin/domains/{domain}", instanceWrite, h.updateDomain},
		{"GET /api/v1/admin/settings", instanceRead, h.getSettings},
		{"PATCH /api/v1/admin/settings", instanceWrite, h.updateSettings},
		{"GET /api/v1/admin/audit", instanceRead, h.instanceAudit},
		{"GET /api/v1/admin/users", instanceRead, h.adminUsers},
		{"GET /api/v1/admin/jobs", instanceRead, h.adminJobs},
		{"GET /api/v1/admin/proxies", instanceRead, h.adminProxies},
		// Changes nothing, but fetches a page on the admin's behalf.
		{"POST /api/v1/admin/domains/{domain}/test-selectors", instanceWrite, h.testSelectors},
	}, append(append(h.accountRoutes(), h.catalogRoutes()...), h.alertRoutes()...)...)
}

// authorize enforces a route's access before its handler runs. Refusals
// inside the caller's own workspace are 403; ids of other workspaces are
// the handlers' business and answer 404 (store methods take the workspace).
func (h *Handler) authorize(rt route) http.Handler {
	a := rt.access
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.public {
			rt.fn(w, r)
			return
		}
		id, ok := auth.FromContext(r.Context())
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="shelfwatch"`)
			problem.Status(w, http.StatusUnauthorized, "Sign in, or send an API token as Authorization: Bearer <token>.")
			return
		}
		if id.TokenID != 0 && h.TokenLimiter != nil {
			if ok, wait := h.TokenLimiter.Allow("token:" + strconv.FormatInt(id.TokenID, 10)); !ok {
				ratelimit.Refuse(w, wait)
				return
			}
		}
		switch {
		case a.sessionOnly && id.TokenID != 0:
			forbid(w, "This needs a signed-in session; API tokens are bound to one workspace and cannot do it.")
		case a.write && id.Scope != auth.ScopeReadWrite:
			forbid(w, "This API token has read scope; changes need a read-write token.")
		case a.instanceAdmin && !id.InstanceAdmin:
			forbid(w, "Only instance administrators may do this.")
		case a.min != "" && !id.Role.AtLeast(a.min):
			role := string(id.Role)
			if role == "" {
				role = "none"
			}
			forbid(w, fmt.Sprintf("Your role in this workspace (%s) does not allow this; it needs %s or above.", role, a.min))
		default:
			rt.fn(w, r)
		}
	})
}

func forbid(w http.ResponseWriter, detail string) {
	problem.Status(w, http.StatusForbidden, detail)
}

// identity is the caller of an authorized route (authorize has checked it
// is there).
func identity(r *http.Request) auth.Identity {
	id, _ := auth.FromContext(r.Context())
	return id
}

// actor describes the caller for the store's rules and the audit log.
func actor(r *http.Request) store.Actor {
	id := identity(r)
	return store.Actor{UserID: id.UserID, Role: store.Role(id.Role), IP: clientIP(r)}
}

// clientIP is the caller's address. The web middleware has already replaced
// RemoteAddr with the forwarded client address when the request came
// through a trusted proxy.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// secured mounts the route table, each row behind authorize.
func (h *Handler) secured() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range h.routes() {
		mux.Handle(rt.pattern, h.authorize(rt))
	}
	return problemFallback(mux)
}
