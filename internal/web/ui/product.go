package ui

import (
	"html/template"
	"net/http"
)

func (h *Handler) productPages(mux *http.ServeMux) {
}

// productFuncs are template helpers of these pages.
func (h *Handler) productFuncs() template.FuncMap { return nil }
