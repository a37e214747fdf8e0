package api

// RoutePatterns lists the route table's patterns, so metrics can label API
// requests by route (the pattern the inner mux matches is set on a request
// the outer handlers never see, once the authentication middleware has
// cloned it).
func (h *Handler) RoutePatterns() []string {
	rts := h.routes()
	out := make([]string, 0, len(rts))
	for _, rt := range rts {
		out = append(out, rt.pattern)
	}
	return out
}
