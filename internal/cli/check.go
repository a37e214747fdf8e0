package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"

	"github.com/shelfwatch/shelfwatch/internal/config"
	"github.com/shelfwatch/shelfwatch/internal/extract"
	"github.com/shelfwatch/shelfwatch/internal/fetch"
	"github.com/shelfwatch/shelfwatch/internal/price"
)

// checkMaxBytes bounds a page read with --html, like the fetcher's body cap.
const checkMaxBytes = 10 << 20

// runCheck: `shelfwatch check [--html FILE] [--json] [--render] URL` reads or
// fetches one product page and prints what the extractor sees, with its
// evidence. Fetching goes through the polite, SSRF-guarded fetcher.
func runCheck(ctx context.Context, e env, args []string) int {
	var htmlFile string
	var asJSON, render bool
	cmd := config.Command{Name: "check", Groups: []config.Group{config.GroupLog, config.GroupFetch}, Args: "URL",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&htmlFile, "html", "", "read the page from `FILE` instead of fetching URL")
			fs.BoolVar(&asJSON, "json", false, "print one JSON object")
			fs.BoolVar(&render, "render", false, "render the page in headless Chromium (for stores that write prices with JavaScript)")
		}}
	c, pos, code, ok := loadConfig(cmd, e, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintf(e.stderr, "shelfwatch check: want exactly one URL, got %d (usage: shelfwatch check [--html FILE] [--json] URL)\n", len(pos))
		return exitUsage
	}
	u, err := parsePageURL(pos[0])
	if err != nil {
		fmt.Fprintf(e.stderr, "shelfwatch check: %v\n", err)
		return exitUsage
	}
	var body []byte
	var fetched *fetch.Result
	pageURL := u.String()
	if htmlFile != "" {
		body, err = readCapped(htmlFile)
		if err != nil {
			fmt.Fprintf(e.stderr, "shelfwatch check: %v\n", err)
			return exitFailure
		}
	} else {
		fetched, err = fetchForCheck(ctx, c, newLogger(c, e.stderr), pageURL, render)
		if err != nil {
			fmt.Fprintf(e.stderr, "shelfwatch check: %s\n", oneLine(err))
			return exitFailure
		}
		if !asJSON {
			fmt.Fprintf(e.stdout, "Fetch         %s\n", fetched.Summary())
		}
		if fetched.Outcome != fetch.OutcomeOK {
			if asJSON {
				printCheckJSON(e.stdout, e.stderr, extract.Observation{}, fetched)
			}
			fmt.Fprintf(e.stderr, "shelfwatch check: %s\n", fetchFailure(fetched))
			return exitFailure
		}
		body, pageURL = []byte(fetched.Body), fetched.FinalURL
	}
	obs := extract.Extract(body, pageURL, extract.Options{})
	if asJSON {
		return printCheckJSON(e.stdout, e.stderr, obs, fetched)
	}
	printCheckText(e.stdout, pageURL, obs)
	return exitOK
}

// fetchForCheck fetches one page with a client built from the configuration.
func fetchForCheck(ctx context.Context, c config.Config, log *slog.Logger, pageURL string, render bool) (*fetch.Result, error) {
	client, err := fetch.New(fetchOptions(c, log))
	if err != nil {
		return nil, err
	}
	defer client.Close()
	return client.Fetch(ctx, fetch.Request{URL: pageURL, Domain: fetch.Domain{RequiresJS: render}})
}

// fetchFailure says in words why a fetch gave no page to extract from.
func fetchFailure(r *fetch.Result) string {
	switch r.Outcome {
	case fetch.OutcomeDisallowed:
		return "the store's robots.txt does not allow fetching this page; nothing was extracted"
	case fetch.OutcomeBlocked:
		return "the store answered with a bot wall (" + r.BlockReason + "); shelfwatch does not work around those"
	case fetch.OutcomeSSRF:
		return "the address is private, loopback or link-local; pass --allow-private-networks for a local test store"
	}
	msg := "no page to extract from: " + string(r.Outcome)
	if r.Status != 0 {
		msg += fmt.Sprintf(" (HTTP %d)", r.Status)
	}
	if r.Err != nil {
		msg += ": " + oneLine(r.Err)
	}
	return msg
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
	Fetch        *checkFetch       `json:"fetch,omitempty"`
}

// checkFetch is the fetch outcome, when check fetched the page itself.
type checkFetch struct {
	Outcome    string `json:"outcome"`
	Status     int    `json:"status"`
	FinalURL   string `json:"final_url"`
	Bytes      int64  `json:"bytes"`
	DurationMS int64  `json:"duration_ms"`
	Robots     string `json:"robots"`
	Proxy      string `json:"proxy,omitempty"`
	Rendered   bool   `json:"rendered"`
	Attempts   int    `json:"attempts"`
	Blocked    string `json:"blocked,omitempty"`
}

func printCheckJSON(w, errw io.Writer, o extract.Observation, r *fetch.Result) int {
	out := checkJSON{
		Title: o.Title, Currency: o.Currency, Availability: string(o.Availability), Image: o.Image,
		Brand: o.Brand, SKU: o.SKU, GTIN: o.GTIN, MPN: o.MPN, Canonical: o.Canonical, Source: o.Source,
		Confidence: float64(int(o.Confidence*100+0.5)) / 100, Variants: o.Variants, Evidence: []checkEvidence{},
	}
	if o.Price != "" {
		p := o.Price
		out.Price = &p
	}
	if r != nil {
		out.Fetch = &checkFetch{Outcome: string(r.Outcome), Status: r.Status, FinalURL: r.FinalURL, Bytes: r.Bytes,
			DurationMS: r.Duration.Milliseconds(), Robots: string(r.RobotsVerdict), Proxy: r.ProxyUsed,
			Rendered: r.Rendered, Attempts: r.Attempts, Blocked: r.BlockReason}
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
	} else if minor, ok := (price.Price{Amount: o.Price, Currency: o.Currency}).Minor(); ok {
		p = price.Format(minor, o.Currency) // 12.5 → 12.50, as shoppers read it
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
