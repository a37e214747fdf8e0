package ui

import "net/http"

func (h *Handler) settingsPages(mux *http.ServeMux) {
}
