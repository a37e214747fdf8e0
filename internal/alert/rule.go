// Package alert decides when a watch's alert rules fire. It is pure: the
// caller (the check pipeline, inside the transaction that records an event)
// hands it the rule, the rule's saved state and what just happened, and
// stores the state it gets back.
//
// Rules come in two shapes. Edge rules (any drop, drop against the previous
// price, new low, back in stock, out of stock, new catalog product) describe
// a change, so every qualifying change fires once. Level rules (price at or
// below a target, at or above, drop against the N-day median, watch failing)
// describe a condition that stays true; they fire when it becomes true and
// re-arm only when it has been false for a confirmation count of
// evaluations, or at once when the price leaves a band around the threshold,
// so a price hovering at the target does not alert on every wobble.
package alert

import (
	"errors"
	"fmt"
	"strings"
)

// Kind names what a rule watches for.
type Kind string

const (
	PriceAtOrBelow Kind = "price_at_or_below" // TargetMinor
	PriceAtOrAbove Kind = "price_at_or_above" // TargetMinor
	AnyDrop        Kind = "any_drop"
	DropPercent    Kind = "drop_percent" // Percent, Basis, Days (median)
	DropAmount     Kind = "drop_amount"  // AmountMinor, Basis, Days (median)
	LowestInDays   Kind = "lowest_in_days"
	AllTimeLow     Kind = "all_time_low"
	BackInStock    Kind = "back_in_stock"
	OutOfStock     Kind = "out_of_stock"
	NewProduct     Kind = "new_product" // Include, Exclude (catalog watches)
	WatchFailing   Kind = "watch_failing"
)

// Kinds lists every kind, in the order a rule editor shows them.
var Kinds = []Kind{PriceAtOrBelow, PriceAtOrAbove, AnyDrop, DropPercent, DropAmount, LowestInDays,
	AllTimeLow, BackInStock, OutOfStock, NewProduct, WatchFailing}

// Basis is what a drop is measured against.
type Basis string

const (
	AgainstPrevious Basis = "previous" // the price before this change
	AgainstMedian   Basis = "median"   // the time-weighted median of the last Days days
)

// Defaults.
const (
	DefaultBandPercent   = 2.0 // re-arm at once beyond 2 % of the threshold
	DefaultConfirmations = 2   // or after two false evaluations in a row
	DefaultFailures      = 3   // watch failing after three failed checks in a row
	DefaultMedianDays    = 30
	MaxDays              = 3650
)

// Rule is one alert rule's settings. The zero values of the optional
// fields mean the defaults above.
type Rule struct {
	Kind Kind `json:"kind,omitempty"`

	TargetMinor int64    `json:"target_minor,omitempty"` // price thresholds, in Currency's minor units
	Currency    string   `json:"currency,omitempty"`     // ISO 4217 of TargetMinor / AmountMinor; "" = any
	Percent     float64  `json:"percent,omitempty"`      // DropPercent: 0 < Percent < 100
	AmountMinor int64    `json:"amount_minor,omitempty"` // DropAmount
	Basis       Basis    `json:"basis,omitempty"`        // DropPercent/DropAmount: "" = previous
	Days        int      `json:"days,omitempty"`         // LowestInDays, and the median window (0 → 30)
	Failures    int      `json:"failures,omitempty"`     // WatchFailing: consecutive failed checks (0 → 3)
	Include     []string `json:"include,omitempty"`
	Exclude     []string `json:"exclude,omitempty"`

	BandPercent   float64 `json:"band_percent,omitempty"`  // level rules: re-arm band, 0 → 2 %
	Confirmations int     `json:"confirmations,omitempty"` // level rules: false evaluations to re-arm, 0 → 2

	// InStockOnly keeps price rules quiet while the product is out of stock
	// (a price nobody can pay is no deal).
	InStockOnly bool `json:"in_stock_only,omitempty"`
}

// FieldError is a validation error naming the field a form or API shows it on.
type FieldError struct {
	Field  string
	Detail string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Detail }

// ErrInvalid wraps every validation failure.
var ErrInvalid = errors.New("alert: invalid rule")

// Validate checks r and returns a *FieldError (wrapping ErrInvalid) for the
// first problem.
func (r Rule) Validate() error {
	bad := func(field, format string, a ...any) error {
		return fmt.Errorf("%w: %w", ErrInvalid, &FieldError{Field: field, Detail: fmt.Sprintf(format, a...)})
	}
	known := false
	for _, k := range Kinds {
		known = known || k == r.Kind
	}
	if !known {
		return bad("kind", "unknown rule kind %q", r.Kind)
	}
	if r.Currency != "" && (len(r.Currency) != 3 || strings.ToUpper(r.Currency) != r.Currency) {
		return bad("currency", "must be a three-letter ISO 4217 code such as EUR")
	}
	switch r.Kind {
	case PriceAtOrBelow, PriceAtOrAbove:
		if r.TargetMinor <= 0 {
			return bad("target", "must be a price above zero")
		}
	case DropPercent:
		if !(r.Percent > 0 && r.Percent < 100) {
			return bad("percent", "must be between 0 and 100 (exclusive)")
		}
	case DropAmount:
		if r.AmountMinor <= 0 {
			return bad("amount", "must be an amount above zero")
		}
	case LowestInDays:
		if r.Days < 1 {
			return bad("days", "must be at least 1")
		}
	case WatchFailing:
		if r.Failures < 0 || r.Failures > 1000 {
			return bad("failures", "must be between 1 and 1000")
		}
	case NewProduct:
		for _, w := range append(append([]string(nil), r.Include...), r.Exclude...) {
			if strings.TrimSpace(w) == "" || len(w) > 200 {
				return bad("keywords", "keywords must be non-empty and at most 200 characters")
			}
		}
	}
	if r.Kind == DropPercent || r.Kind == DropAmount {
		switch r.Basis {
		case "", AgainstPrevious, AgainstMedian:
		default:
			return bad("basis", "must be %q or %q", AgainstPrevious, AgainstMedian)
		}
	}
	if r.Days < 0 || r.Days > MaxDays {
		return bad("days", "must be between 1 and %d", MaxDays)
	}
	if r.BandPercent < 0 || r.BandPercent >= 100 {
		return bad("band_percent", "must be between 0 and 100")
	}
	if r.Confirmations < 0 || r.Confirmations > 100 {
		return bad("confirmations", "must be between 1 and 100")
	}
	return nil
}

// Level reports whether r is a level rule (armed/fired with re-arm), as
// opposed to an edge rule that fires on every qualifying change.
func (r Rule) Level() bool {
	switch r.Kind {
	case PriceAtOrBelow, PriceAtOrAbove, WatchFailing:
		return true
	case DropPercent, DropAmount:
		return r.Basis == AgainstMedian
	}
	return false
}

// MedianDays is the window of the median a rule compares against (0 when it
// needs none).
func (r Rule) MedianDays() int {
	if (r.Kind == DropPercent || r.Kind == DropAmount) && r.Basis == AgainstMedian {
		return orDefault(r.Days, DefaultMedianDays)
	}
	return 0
}

// LowDays is the window of the low a rule compares against: -1 for all time,
// 0 when it needs none.
func (r Rule) LowDays() int {
	switch r.Kind {
	case LowestInDays:
		return r.Days
	case AllTimeLow:
		return -1
	}
	return 0
}

func orDefault[T int | float64](v, d T) T {
	if v == 0 {
		return d
	}
	return v
}
