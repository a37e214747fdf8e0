package ui

import (
	"net/http"

	"github.com/shelfwatch/shelfwatch/internal/auth"
)

func (h *Handler) accountPages(mux *http.ServeMux) {
	mux.HandleFunc("GET /signin", h.signInPage)
	mux.HandleFunc("GET /signup", h.signUpPage)
	mux.HandleFunc("GET /reset-password", h.resetPage)
	mux.HandleFunc("GET /invite/{token}", h.invitePage)
}

type accountForm struct {
	Next   string
	Token  string // reset or invite token
	Email  string
	Signed bool // already signed in (invite page)
}

func (h *Handler) signInPage(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if _, ok := auth.FromContext(r.Context()); ok {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	h.render(w, r, http.StatusOK, "signin.html", page{Title: "Sign in", Data: accountForm{Next: next}})
}

func (h *Handler) signUpPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := auth.FromContext(r.Context()); ok {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	h.render(w, r, http.StatusOK, "signup.html", page{Title: "Create your account", Data: accountForm{Token: r.URL.Query().Get("invite")}})
}

// resetPage asks for an email, or (with the emailed ?token=) a new password.
func (h *Handler) resetPage(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "reset.html", page{Title: "Reset your password", Data: accountForm{Token: r.URL.Query().Get("token")}})
}

// invitePage accepts an invitation when signed in, else offers to sign up
// with it or to sign in and come back.
func (h *Handler) invitePage(w http.ResponseWriter, r *http.Request) {
	_, signed := auth.FromContext(r.Context())
	h.render(w, r, http.StatusOK, "invite.html", page{Title: "Invitation",
		Data: accountForm{Token: r.PathValue("token"), Signed: signed, Next: r.URL.Path}})
}
