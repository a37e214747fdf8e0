// Package problem writes RFC 9457 problem documents. Handlers describe what
// went wrong for the user; internal error texts never reach the client.
package problem

import (
	"encoding/json"
	"net/http"
)

// FieldError names one invalid input field.
type FieldError struct {
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

// Problem is an application/problem+json document.
type Problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Errors []FieldError `json:"errors,omitempty"`
}

// Problem type URIs (relative references, documented in the README).
const (
	TypeValidation = "/problems/validation-error"
	TypeConflict   = "/problems/conflict"
	TypeDefault    = "about:blank"
)

// Write sends p with its status.
func Write(w http.ResponseWriter, p Problem) {
	if p.Type == "" {
		p.Type = TypeDefault
	}
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// Status sends a plain problem for status with an optional detail.
func Status(w http.ResponseWriter, status int, detail string) {
	Write(w, Problem{Status: status, Detail: detail})
}

// Invalid sends 400 with field errors.
func Invalid(w http.ResponseWriter, detail string, errs ...FieldError) {
	Write(w, Problem{Type: TypeValidation, Title: "Your request is not valid", Status: http.StatusBadRequest, Detail: detail, Errors: errs})
}

// Internal sends 500 without any internal detail; log the cause before.
func Internal(w http.ResponseWriter) {
	Status(w, http.StatusInternalServerError, "Something went wrong on our side; it has been logged.")
}
