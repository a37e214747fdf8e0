package ui

import (
	"strconv"
	"strings"

	"github.com/shelfwatch/shelfwatch/internal/alert"
)

// kindLabels names rule kinds for people, in the order a rule editor
// offers them (alert.Kinds).
var kindLabels = map[alert.Kind]string{
	alert.PriceAtOrBelow: "Price at or below",
	alert.PriceAtOrAbove: "Price at or above",
	alert.AnyDrop:        "Any price drop",
	alert.DropPercent:    "Drop by a percentage",
	alert.DropAmount:     "Drop by an amount",
	alert.LowestInDays:   "Lowest in N days",
	alert.AllTimeLow:     "All-time low",
	alert.BackInStock:    "Back in stock",
	alert.OutOfStock:     "Out of stock",
	alert.NewProduct:     "New catalog product",
	alert.WatchFailing:   "Checks failing",
}

func kindLabel(k string) string {
	if l, ok := kindLabels[alert.Kind(k)]; ok {
		return l
	}
	if k == "test" {
		return "Test message"
	}
	return strings.ReplaceAll(k, "_", " ")
}

// ruleWords says what a rule fires on, in a sentence fragment:
// "Price drops 10 % or more", "Price at or below the watch's target".
func ruleWords(r alert.Rule) string {
	amount := func(minor int64) string { return formatMoney(minor, r.Currency) }
	median := ""
	if r.Basis == alert.AgainstMedian {
		median = " below the " + strconv.Itoa(r.MedianDays()) + "-day median"
	}
	var s string
	switch r.Kind {
	case alert.PriceAtOrBelow, alert.PriceAtOrAbove:
		dir := "below"
		if r.Kind == alert.PriceAtOrAbove {
			dir = "above"
		}
		if r.TargetMinor == 0 {
			s = "Price at or " + dir + " the watch's target"
		} else {
			s = "Price at or " + dir + " " + amount(r.TargetMinor)
		}
	case alert.AnyDrop:
		s = "Price drops by any amount"
	case alert.DropPercent:
		s = "Price drops " + strconv.FormatFloat(r.Percent, 'f', -1, 64) + " % or more" + median
	case alert.DropAmount:
		s = "Price drops by " + amount(r.AmountMinor) + " or more" + median
	case alert.LowestInDays:
		days := "days"
		if r.Days == 1 {
			days = "day"
		}
		s = "Lowest price in " + strconv.Itoa(r.Days) + " " + days
	case alert.AllTimeLow:
		s = "Lowest price ever seen"
	case alert.BackInStock:
		s = "Back in stock"
	case alert.OutOfStock:
		s = "Goes out of stock"
	case alert.NewProduct:
		s = "A new product appears in the catalog"
		if len(r.Include) > 0 {
			s += " matching " + quoteList(r.Include, "or")
		}
		if len(r.Exclude) > 0 {
			s += ", except " + quoteList(r.Exclude, "or")
		}
	case alert.WatchFailing:
		n := r.Failures
		if n == 0 {
			n = alert.DefaultFailures
		}
		s = "Checks fail " + strconv.Itoa(n) + " times in a row"
	default:
		s = kindLabel(string(r.Kind))
	}
	if r.InStockOnly {
		s += ", only while in stock"
	}
	return s
}

// quoteList is “a”, “b” or “c”.
func quoteList(words []string, conj string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = "“" + w + "”"
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " " + conj + " " + q[len(q)-1]
}
