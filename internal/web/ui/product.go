package ui

import "net/http"

func (h *Handler) productPages(mux *http.ServeMux) {
}
