package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/andybalholm/cascadia"

	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/problem"
)

type domainJSON struct {
	Domain     string          `json:"domain"`
	Products   int64           `json:"products"`
	RatePerMin float64         `json:"rate_per_min"` // 0: the default rate
	RequiresJS bool            `json:"requires_js"`
	Blocked    bool            `json:"blocked"`
	ProxyPool  string          `json:"proxy_pool"`
	Selectors  json.RawMessage `json:"selectors"`
	Health     domainHealth    `json:"health"`
	UpdatedAt  *string         `json:"updated_at"`
}

type domainHealth struct {
	Checks        int64   `json:"checks"`
	Successes     int64   `json:"successes"`
	Failures      int64   `json:"failures"`
	SuccessRate   float64 `json:"success_rate"` // recent checks weigh most
	LastLatencyMS int64   `json:"last_latency_ms"`
	LastError     string  `json:"last_error"`
	Flagged       bool    `json:"flagged"`       // success rate below 0.7 after a few checks
	BreakerState  string  `json:"breaker_state"` // closed, open or half-open at the latest check
}

func toDomainJSON(d *store.DomainSettings, products int64) domainJSON {
	out := domainJSON{Domain: d.Domain.Domain, Products: products, RatePerMin: d.RatePerMin, RequiresJS: d.RequiresJS,
		Blocked: d.Blocked, ProxyPool: d.ProxyPool, Selectors: json.RawMessage(d.Selectors),
		Health: domainHealth{Checks: d.Checks, Successes: d.Successes, Failures: d.Failures, SuccessRate: d.SuccessRate,
			LastLatencyMS: d.LastLatencyMS, LastError: d.LastError, Flagged: d.Flagged, BreakerState: d.BreakerState}}
	if d.UpdatedAt != 0 {
		out.UpdatedAt = optTime(&d.UpdatedAt)
	}
	return out
}

// listDomains: GET /api/v1/admin/domains — every domain with its settings
// and health, flagged ones first.
func (h *Handler) listDomains(w http.ResponseWriter, r *http.Request) {
	ds, err := h.Store.ListDomainSettings(r.Context())
	if err != nil {
		h.internal(w, r, "list domains", err)
		return
	}
	counts, err := h.Store.ProductsPerDomain(r.Context())
	if err != nil {
		h.internal(w, r, "list domains", err)
		return
	}
	out := struct {
		Items []domainJSON `json:"items"`
	}{Items: make([]domainJSON, 0, len(ds))}
	for i := range ds {
		if ds[i].Flagged {
			out.Items = append(out.Items, toDomainJSON(&ds[i], counts[ds[i].Domain.Domain]))
		}
	}
	for i := range ds {
		if !ds[i].Flagged {
			out.Items = append(out.Items, toDomainJSON(&ds[i], counts[ds[i].Domain.Domain]))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

var hostnameRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$`)

// selectorsJSON is the shape of a domain's CSS selectors.
type selectorsJSON struct {
	Price        string `json:"price,omitempty"`
	Title        string `json:"title,omitempty"`
	Availability string `json:"availability,omitempty"`
	Image        string `json:"image,omitempty"`
}

const maxSelectorLen = 500

// updateDomain: PATCH /api/v1/admin/domains/{domain} with any of
// rate_per_min (0 = default, up to 6000), requires_js, blocked, proxy_pool
// (a configured pool's name, "" for the default) and selectors
// ({"price": "css", "title": …, "availability": …, "image": …}).
func (h *Handler) updateDomain(w http.ResponseWriter, r *http.Request) {
	domain := strings.ToLower(r.PathValue("domain"))
	if len(domain) > 253 || !hostnameRe.MatchString(domain) {
		problem.Invalid(w, "", problem.FieldError{Field: "domain", Detail: "must be a host name such as shop.example.com"})
		return
	}
	var req struct {
		RatePerMin *float64        `json:"rate_per_min"`
		RequiresJS *bool           `json:"requires_js"`
		Blocked    *bool           `json:"blocked"`
		ProxyPool  *string         `json:"proxy_pool"`
		Selectors  json.RawMessage `json:"selectors"`
	}
	if !decode(w, r, &req) {
		return
	}
	var errs []problem.FieldError
	if req.RatePerMin != nil && (*req.RatePerMin < 0 || *req.RatePerMin > 6000) {
		errs = append(errs, problem.FieldError{Field: "rate_per_min", Detail: "must be from 0 (the default rate) to 6000"})
	}
	if req.ProxyPool != nil && *req.ProxyPool != "" && !slices.Contains(h.ProxyPools, *req.ProxyPool) {
		detail := "no proxy pools are configured (--fetch-proxies); use \"\" for direct"
		if len(h.ProxyPools) > 0 {
			detail = fmt.Sprintf("must be \"\" (the default) or a configured pool: %s", strings.Join(h.ProxyPools, ", "))
		}
		errs = append(errs, problem.FieldError{Field: "proxy_pool", Detail: detail})
	}
	p := store.DomainPatch{RatePerMin: req.RatePerMin, RequiresJS: req.RequiresJS, Blocked: req.Blocked, ProxyPool: req.ProxyPool}
	if len(req.Selectors) > 0 {
		sel, fieldErrs := parseSelectors(req.Selectors)
		errs = append(errs, fieldErrs...)
		p.Selectors = &sel
	}
	if len(errs) > 0 {
		problem.Invalid(w, "Fix the fields listed in errors.", errs...)
		return
	}
	d, err := h.Store.UpdateDomainSettings(r.Context(), actor(r), domain, p)
	if err != nil {
		h.internal(w, r, "update domain", err)
		return
	}
	counts, err := h.Store.ProductsPerDomain(r.Context())
	if err != nil {
		h.internal(w, r, "update domain", err)
		return
	}
	writeJSON(w, http.StatusOK, toDomainJSON(d, counts[domain]))
}

// parseSelectors checks each selector compiles, so a typo is refused here
// rather than silently matching nothing at the next check. It returns the
// normalised JSON to store.
func parseSelectors(raw json.RawMessage) (string, []problem.FieldError) {
	if string(raw) == "null" {
		return "{}", nil
	}
	var s selectorsJSON
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return "", []problem.FieldError{{Field: "selectors",
			Detail: `must be an object with any of "price", "title", "availability", "image" (CSS selectors)`}}
	}
	var errs []problem.FieldError
	for _, f := range []struct {
		name string
		v    *string
	}{{"price", &s.Price}, {"title", &s.Title}, {"availability", &s.Availability}, {"image", &s.Image}} {
		*f.v = strings.TrimSpace(*f.v)
		if *f.v == "" {
			continue
		}
		if len(*f.v) > maxSelectorLen {
			errs = append(errs, problem.FieldError{Field: "selectors." + f.name, Detail: "is too long"})
			continue
		}
		if _, err := cascadia.Compile(*f.v); err != nil {
			errs = append(errs, problem.FieldError{Field: "selectors." + f.name, Detail: "is not a valid CSS selector"})
		}
	}
	b, _ := json.Marshal(s)
	return string(b), errs
}

type settingsJSON struct {
	SignupMode string `json:"signup_mode"`
}

// getSettings: GET /api/v1/admin/settings.
func (h *Handler) getSettings(w http.ResponseWriter, r *http.Request) {
	mode, err := h.Store.SignupMode(r.Context())
	if err != nil {
		h.internal(w, r, "get settings", err)
		return
	}
	writeJSON(w, http.StatusOK, settingsJSON{SignupMode: mode})
}

// updateSettings: PATCH /api/v1/admin/settings {"signup_mode": "open" |
// "invite-only" | "closed"}.
func (h *Handler) updateSettings(w http.ResponseWriter, r *http.Request) {
	var req struct {
		SignupMode *string `json:"signup_mode"`
	}
	if !decode(w, r, &req) {
		return
	}
	set := map[string]string{}
	if req.SignupMode != nil {
		if !store.ValidSignupMode(*req.SignupMode) {
			problem.Invalid(w, "", problem.FieldError{Field: "signup_mode", Detail: "must be open, invite-only or closed"})
			return
		}
		set[store.SettingSignupMode] = *req.SignupMode
	}
	if err := h.Store.UpdateInstanceSettings(r.Context(), actor(r), set); err != nil {
		h.internal(w, r, "update settings", err)
		return
	}
	h.getSettings(w, r)
}
