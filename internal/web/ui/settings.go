package ui

import (
	"html/template"
	"net/http"
)

func (h *Handler) settingsPages(mux *http.ServeMux) {
}

// settingsFuncs are template helpers of these pages.
func (h *Handler) settingsFuncs() template.FuncMap { return nil }
