package ui

import (
	"html/template"
	"net/http"
)

func (h *Handler) adminPages(mux *http.ServeMux) {
}

// adminFuncs are template helpers of these pages.
func (h *Handler) adminFuncs() template.FuncMap { return nil }
