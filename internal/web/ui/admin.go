package ui

import "net/http"

func (h *Handler) adminPages(mux *http.ServeMux) {
}
