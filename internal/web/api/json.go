package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/shelfwatch/shelfwatch/internal/web/problem"
)

// maxBody bounds JSON request bodies; an API call never needs more.
const maxBody = 64 << 10

// decode reads exactly one JSON object into dst, rejecting unknown fields,
// trailing data and over-long bodies. On failure it has written a 400
// problem and returns false.
func decode(w http.ResponseWriter, r *http.Request, dst any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		// curl -d sends form-urlencoded by default; accept it as JSON text.
		problem.Invalid(w, "Send a JSON body with Content-Type: application/json.")
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		problem.Invalid(w, decodeDetail(err))
		return false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		problem.Invalid(w, "The body must hold a single JSON object and nothing after it.")
		return false
	}
	return true
}

func decodeDetail(err error) string {
	var maxErr *http.MaxBytesError
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &maxErr):
		return fmt.Sprintf("The body is larger than %d bytes.", maxBody)
	case errors.Is(err, io.EOF):
		return "The body is empty: send a JSON object."
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return "The body is not valid JSON."
	case errors.As(err, &typeErr):
		if typeErr.Field != "" {
			return fmt.Sprintf("Field %q must be a %s.", typeErr.Field, jsonKind(typeErr.Type.Kind().String()))
		}
		return "The body must be a JSON object."
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Sprintf("Unknown field %s.", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return "The body is not valid JSON."
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "slice":
		return "list"
	case "bool":
		return "boolean"
	case "struct", "map", "ptr":
		return "object"
	}
	return "number"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
