package ui

import (
	"html/template"
	"net/http"
)

func (h *Handler) alertPages(mux *http.ServeMux) {
}

// alertFuncs are template helpers of these pages.
func (h *Handler) alertFuncs() template.FuncMap { return nil }
