package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/extract"
)

const (
	checkTimeout  = 20 * time.Second
	checkMaxBytes = 10 << 20
)

// runCheck: `shelfwatch check [--html FILE] [--json] URL` reads or fetches one
// product page and prints what the extractor sees, with its evidence.
func runCheck(ctx context.Context, e env, args []string) int {
	const usageLine = "usage: shelfwatch check [--html FILE] [--json] URL"
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	// The flag package's own messages span several lines; bad usage gets
	// one line of ours instead.
	fs.SetOutput(io.Discard)
	htmlFile := fs.String("html", "", "read the page from `FILE` instead of fetching URL")
	asJSON := fs.Bool("json", false, "print one JSON object")
	// Flags may come before or after the URL.
	var pos []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintln(e.stderr, usageLine)
				fs.SetOutput(e.stderr)
				fs.PrintDefaults()
				return exitOK
			}
			fmt.Fprintf(e.stderr, "shelfwatch check: %v (%s)\n", err, usageLine)
			return exitUsage
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(pos) != 1 {
		fmt.Fprintf(e.stderr, "shelfwatch check: want exactly one URL, got %d (%s)\n", len(pos), usageLine)
		return exitUsage
	}
	u, err := parsePageURL(pos[0])
	if err != nil {
		fmt.Fprintf(e.stderr, "shelfwatch check: %v\n", err)
		return exitUsage
	}
	var body []byte
	if *htmlFile != "" {
		body, err = readCapped(*htmlFile)
	} else {
		body, err = fetchPage(ctx, u.String())
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "shelfwatch check: %v\n", err)
		return exitFailure
	}
	obs := extract.Extract(body, u.String(), extract.Options{})
	if *asJSON {
		return printCheckJSON(e.stdout, e.stderr, obs)
	}
	printCheckText(e.stdout, u.String(), obs)
	return exitOK
}

// parsePageURL accepts absolute http(s) URLs with a host.
func parsePageURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("malformed URL %q", s)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("URL %q must start with http:// or https://", s)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("URL %q has no host", s)
	}
	return u, nil
}

func readCapped(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, checkMaxBytes))
}

// fetchPage is a plain GET with an honest User-Agent, a timeout and a body
// cap. The polite, SSRF-guarded fetcher replaces it once internal/fetch exists.
func fetchPage(ctx context.Context, u string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "shelfwatch/"+Version+" (+https://github.com/shelfwatch/shelfwatch)")
	req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("fetch %s: HTTP %s", u, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, checkMaxBytes))
}

type checkEvidence struct {
	Strategy string `json:"strategy"`
	Field    string `json:"field"`
	Value    string `json:"value"`
	Where    string `json:"where,omitempty"`
}

type checkJSON struct {
	Title        string            `json:"title"`
	Price        *string           `json:"price"`
	Currency     string            `json:"currency"`
	Availability string            `json:"availability"`
	Image        string            `json:"image"`
	Brand        string            `json:"brand"`
	SKU          string            `json:"sku"`
	GTIN         string            `json:"gtin"`
	MPN          string            `json:"mpn"`
	Canonical    string            `json:"canonical,omitempty"`
	Source       string            `json:"source"`
	Confidence   float64           `json:"confidence"`
	Variants     []extract.Variant `json:"variants,omitempty"`
	Evidence     []checkEvidence   `json:"evidence"`
}

func printCheckJSON(w, errw io.Writer, o extract.Observation) int {
	out := checkJSON{
		Title: o.Title, Currency: o.Currency, Availability: string(o.Availability), Image: o.Image,
		Brand: o.Brand, SKU: o.SKU, GTIN: o.GTIN, MPN: o.MPN, Canonical: o.Canonical, Source: o.Source,
		Confidence: float64(int(o.Confidence*100+0.5)) / 100, Variants: o.Variants, Evidence: []checkEvidence{},
	}
	if o.Price != "" {
		p := o.Price
		out.Price = &p
	}
	for _, ev := range o.Evidence {
		out.Evidence = append(out.Evidence, checkEvidence(ev))
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(errw, "shelfwatch check: %v\n", err)
		return exitFailure
	}
	return exitOK
}

func printCheckText(w io.Writer, u string, o extract.Observation) {
	p := o.Price
	if p == "" {
		p = "(none shown)"
	}
	fmt.Fprintf(w, "URL           %s\n", u)
	fmt.Fprintf(w, "Title         %s\n", o.Title)
	fmt.Fprintf(w, "Price         %s %s\n", p, o.Currency)
	fmt.Fprintf(w, "Availability  %s\n", o.Availability)
	fmt.Fprintf(w, "Source        %s (confidence %.2f)\n", o.Source, o.Confidence)
	for _, kv := range [][2]string{{"Image", o.Image}, {"Brand", o.Brand}, {"SKU", o.SKU}, {"GTIN", o.GTIN}, {"MPN", o.MPN}, {"Canonical", o.Canonical}} {
		if kv[1] != "" {
			fmt.Fprintf(w, "%-13s %s\n", kv[0], kv[1])
		}
	}
	if len(o.Variants) > 0 {
		fmt.Fprintf(w, "Variants      %d\n", len(o.Variants))
	}
	fmt.Fprintln(w, "Evidence:")
	for _, ev := range o.Evidence {
		fmt.Fprintf(w, "  %-12s %-12s %-24s %s\n", ev.Strategy, ev.Field, ev.Value, ev.Where)
	}
}
