package api

import (
	"strings"
	"testing"
)

// TestNoMutationOnSafeMethods: every route that changes something takes a
// state-changing method (so CSRF protection covers it), and no GET route is
// marked as a write. http.CrossOriginProtection lets GET through unchecked.
func TestNoMutationOnSafeMethods(t *testing.T) {
	t.Parallel()
	h := &Handler{}
	for _, rt := range h.routes() {
		method, _, _ := strings.Cut(rt.pattern, " ")
		safe := method == "GET" || method == "HEAD" || method == "OPTIONS"
		if method == rt.pattern {
			t.Errorf("route %q has no method: it would answer GET too", rt.pattern)
		}
		if safe && rt.access.write {
			t.Errorf("route %q is a write on a safe method", rt.pattern)
		}
		if !safe && !rt.access.write && !rt.access.public {
			t.Errorf("route %q changes state but is not marked write (read-scope tokens could call it)", rt.pattern)
		}
	}
}
