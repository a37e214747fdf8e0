package ui

import "net/http"

func (h *Handler) alertPages(mux *http.ServeMux) {
}
