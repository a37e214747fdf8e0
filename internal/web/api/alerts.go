package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/alert"
	"github.com/shelfwatch/shelfwatch/internal/notify"
	"github.com/shelfwatch/shelfwatch/internal/price"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/problem"
)

// alertRoutes are the channel, rule and notification routes (see routes
// in authz.go). Channels hold secrets and decide where alerts go, so only
// workspace admins change them; members set rules on their watches.
func (h *Handler) alertRoutes() []route {
	return []route{
		{"POST /api/v1/channels", adminWrite, h.createChannel},
		{"GET /api/v1/channels", read, h.listChannels},
		{"GET /api/v1/channels/{id}", read, h.getChannel},
		{"PATCH /api/v1/channels/{id}", adminWrite, h.patchChannel},
		{"DELETE /api/v1/channels/{id}", adminWrite, h.deleteChannel},
		{"POST /api/v1/channels/{id}/test", write, h.testChannel},

		{"POST /api/v1/rules", write, h.createRule},
		{"GET /api/v1/rules", read, h.listRules},
		{"GET /api/v1/rules/{id}", read, h.getRule},
		{"PATCH /api/v1/rules/{id}", write, h.patchRule},
		{"DELETE /api/v1/rules/{id}", write, h.deleteRule},

		{"GET /api/v1/notifications", read, h.listNotifications},
		{"GET /api/v1/notifications/{id}", read, h.getNotification},
		{"POST /api/v1/notifications/{id}/retry", write, h.retryNotification},
	}
}

// ---- channels ----

type channelRequest struct {
	Kind          *string `json:"kind"`
	Name          *string `json:"name"`
	URL           *string `json:"url"`            // webhook, shoutrrr (secret)
	SigningSecret *string `json:"signing_secret"` // webhook (secret; generated when omitted)
	SMTPURL       *string `json:"smtp_url"`       // email (secret)
	From          *string `json:"from"`
	To            *string `json:"to"`
	TextTemplate  *string `json:"text_template"`
	QuietHours    *string `json:"quiet_hours"`
	TimeZone      *string `json:"time_zone"`
	DigestHour    *int    `json:"digest_hour"` // -1 clears it
	Enabled       *bool   `json:"enabled"`
}

type channelJSON struct {
	ID           int64    `json:"id"`
	Kind         string   `json:"kind"`
	Name         string   `json:"name"`
	Service      string   `json:"service,omitempty"`
	Host         string   `json:"host,omitempty"`
	From         string   `json:"from,omitempty"`
	To           []string `json:"to,omitempty"`
	TextTemplate string   `json:"text_template"`
	QuietHours   string   `json:"quiet_hours"`
	TimeZone     string   `json:"time_zone"`
	DigestHour   *int     `json:"digest_hour"`
	Enabled      bool     `json:"enabled"`
	CreatedAt    string   `json:"created_at"`
	UpdatedAt    string   `json:"updated_at"`
	// SigningSecret is shown once, in the answer that created or changed it.
	SigningSecret string `json:"signing_secret,omitempty"`
}

func toChannelJSON(c *store.Channel) channelJSON {
	var cfg notify.ChannelConfig
	_ = json.Unmarshal([]byte(c.Config), &cfg)
	return channelJSON{ID: c.ID, Kind: c.Kind, Name: c.Name, Service: cfg.Service, Host: cfg.Host, From: cfg.From, To: cfg.To,
		TextTemplate: c.TextTemplate, QuietHours: c.QuietHours, TimeZone: c.TimeZone, DigestHour: c.DigestHour, Enabled: c.Enabled,
		CreatedAt: rfc3339(c.CreatedAt), UpdatedAt: rfc3339(c.UpdatedAt)}
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return strings.TrimSpace(*p)
}

func (h *Handler) auditEntry(r *http.Request, action string, data map[string]any) *store.AuditEntry {
	id := identity(r)
	return &store.AuditEntry{WorkspaceID: id.WorkspaceID, ActorUserID: id.UserID, Action: action, IP: clientIP(r), Data: data}
}

func (h *Handler) notifyUnavailable(w http.ResponseWriter) bool {
	if h.Notify == nil {
		problem.Status(w, http.StatusServiceUnavailable, "Notifications are not configured on this server.")
		return true
	}
	return false
}

// channelFieldError answers a validation error of a channel or rule.
func channelFieldError(w http.ResponseWriter, err error) bool {
	var fe *alert.FieldError
	if errors.As(err, &fe) {
		problem.Invalid(w, "Fix the fields listed in errors.", problem.FieldError{Field: fe.Field, Detail: fe.Detail})
		return true
	}
	return false
}

// createChannel: POST /api/v1/channels.
func (h *Handler) createChannel(w http.ResponseWriter, r *http.Request) {
	if h.notifyUnavailable(w) {
		return
	}
	var req channelRequest
	if !decode(w, r, &req) {
		return
	}
	name := str(req.Name)
	if name == "" || len(name) > maxNameLen {
		problem.Invalid(w, "Fix the fields listed in errors.", problem.FieldError{Field: "name", Detail: fmt.Sprintf("is required, at most %d characters", maxNameLen)})
		return
	}
	in := notify.ChannelInput{Kind: str(req.Kind), URL: str(req.URL), SigningSecret: str(req.SigningSecret), SMTPURL: str(req.SMTPURL),
		From: str(req.From), To: str(req.To), QuietHours: str(req.QuietHours), TimeZone: str(req.TimeZone)}
	if req.TextTemplate != nil {
		in.TextTemplate = *req.TextTemplate
	}
	sec, cfg, err := h.Notify.CheckChannel(r.Context(), &in)
	if err != nil {
		if !channelFieldError(w, err) {
			h.internal(w, r, "check channel", err)
		}
		return
	}
	if req.DigestHour != nil && (*req.DigestHour < 0 || *req.DigestHour > 23) {
		problem.Invalid(w, "Fix the fields listed in errors.", problem.FieldError{Field: "digest_hour", Detail: "must be 0 to 23, or omitted to send at once"})
		return
	}
	cfgJSON, _ := json.Marshal(cfg)
	c := &store.Channel{WorkspaceID: h.workspace(r), Kind: in.Kind, Name: name, Config: string(cfgJSON), TextTemplate: in.TextTemplate,
		QuietHours: in.QuietHours, TimeZone: in.TimeZone, DigestHour: req.DigestHour, Enabled: req.Enabled == nil || *req.Enabled}
	if err := h.Store.CreateChannel(r.Context(), c, h.Notify.Seal(sec), h.auditEntry(r, "channel.create", map[string]any{"kind": c.Kind, "name": c.Name})); err != nil {
		h.internal(w, r, "create channel", err)
		return
	}
	out := toChannelJSON(c)
	if c.Kind == store.ChannelWebhook {
		out.SigningSecret = sec.SigningSecret
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/channels/%d", c.ID))
	writeJSON(w, http.StatusCreated, out)
}

// listChannels: GET /api/v1/channels.
func (h *Handler) listChannels(w http.ResponseWriter, r *http.Request) {
	cs, err := h.Store.ListChannels(r.Context(), h.workspace(r))
	if err != nil {
		h.internal(w, r, "list channels", err)
		return
	}
	out := make([]channelJSON, 0, len(cs))
	for i := range cs {
		out = append(out, toChannelJSON(&cs[i]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"channels": out})
}

func (h *Handler) channelFromPath(w http.ResponseWriter, r *http.Request) (*store.Channel, bool) {
	id, ok := pathID(w, r)
	if !ok {
		return nil, false
	}
	c, err := h.Store.GetChannel(r.Context(), h.workspace(r), id)
	if errors.Is(err, store.ErrNotFound) {
		problem.Status(w, http.StatusNotFound, "No such channel in this workspace.")
		return nil, false
	}
	if err != nil {
		h.internal(w, r, "get channel", err)
		return nil, false
	}
	return c, true
}

// getChannel: GET /api/v1/channels/{id}. Secrets are never shown.
func (h *Handler) getChannel(w http.ResponseWriter, r *http.Request) {
	if c, ok := h.channelFromPath(w, r); ok {
		writeJSON(w, http.StatusOK, toChannelJSON(c))
	}
}

// patchChannel: PATCH /api/v1/channels/{id}. Any secret field given
// replaces the channel's secret (all of them are checked again).
func (h *Handler) patchChannel(w http.ResponseWriter, r *http.Request) {
	if h.notifyUnavailable(w) {
		return
	}
	var req channelRequest
	if !decode(w, r, &req) {
		return
	}
	c, ok := h.channelFromPath(w, r)
	if !ok {
		return
	}
	if req.Kind != nil && str(req.Kind) != c.Kind {
		problem.Invalid(w, "Fix the fields listed in errors.", problem.FieldError{Field: "kind", Detail: "cannot change; create another channel"})
		return
	}
	var cfg notify.ChannelConfig
	_ = json.Unmarshal([]byte(c.Config), &cfg)
	if req.Name != nil {
		c.Name = str(req.Name)
		if c.Name == "" || len(c.Name) > maxNameLen {
			problem.Invalid(w, "Fix the fields listed in errors.", problem.FieldError{Field: "name", Detail: fmt.Sprintf("is required, at most %d characters", maxNameLen)})
			return
		}
	}
	if req.TextTemplate != nil {
		c.TextTemplate = *req.TextTemplate
	}
	if req.QuietHours != nil {
		c.QuietHours = str(req.QuietHours)
	}
	if req.TimeZone != nil {
		c.TimeZone = str(req.TimeZone)
	}
	if req.Enabled != nil {
		c.Enabled = *req.Enabled
	}
	if req.DigestHour != nil {
		switch h := *req.DigestHour; {
		case h == -1:
			c.DigestHour = nil
		case h >= 0 && h <= 23:
			c.DigestHour = &h
		default:
			problem.Invalid(w, "Fix the fields listed in errors.", problem.FieldError{Field: "digest_hour", Detail: "must be 0 to 23, or -1 to send at once"})
			return
		}
	}
	secretGiven := req.URL != nil || req.SigningSecret != nil || req.SMTPURL != nil
	if (req.From != nil || req.To != nil) && !secretGiven && c.Kind == store.ChannelEmail {
		problem.Invalid(w, "Fix the fields listed in errors.", problem.FieldError{Field: "smtp_url", Detail: "send smtp_url again when changing from or to"})
		return
	}
	in := notify.ChannelInput{Kind: c.Kind, URL: str(req.URL), SigningSecret: str(req.SigningSecret), SMTPURL: str(req.SMTPURL),
		From: str(req.From), To: str(req.To), TextTemplate: c.TextTemplate, QuietHours: c.QuietHours, TimeZone: c.TimeZone}
	if in.From == "" {
		in.From = cfg.From
	}
	if in.To == "" {
		in.To = strings.Join(cfg.To, ", ")
	}
	var seal store.Seal
	var newSecret string
	if secretGiven {
		sec, newCfg, err := h.Notify.CheckChannel(r.Context(), &in)
		if err != nil {
			if !channelFieldError(w, err) {
				h.internal(w, r, "check channel", err)
			}
			return
		}
		b, _ := json.Marshal(newCfg)
		c.Config, seal, newSecret = string(b), h.Notify.Seal(sec), sec.SigningSecret
	} else if _, _, err := h.checkChannelSettings(r, c); err != nil {
		if !channelFieldError(w, err) {
			h.internal(w, r, "check channel", err)
		}
		return
	}
	if err := h.Store.UpdateChannel(r.Context(), c, seal, h.auditEntry(r, "channel.update", map[string]any{"secret_changed": secretGiven})); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			problem.Status(w, http.StatusNotFound, "No such channel in this workspace.")
			return
		}
		h.internal(w, r, "update channel", err)
		return
	}
	out := toChannelJSON(c)
	if c.Kind == store.ChannelWebhook && secretGiven {
		out.SigningSecret = newSecret
	}
	writeJSON(w, http.StatusOK, out)
}

// checkChannelSettings checks the non-secret settings of a channel whose
// secret stays as it is.
func (h *Handler) checkChannelSettings(r *http.Request, c *store.Channel) (notify.ChannelSecret, notify.ChannelConfig, error) {
	if _, err := notify.ParseTextTemplate(c.TextTemplate); err != nil {
		return notify.ChannelSecret{}, notify.ChannelConfig{}, &alert.FieldError{Field: "text_template", Detail: strings.TrimPrefix(err.Error(), "notify: template: ")}
	}
	if c.TimeZone == "" {
		c.TimeZone = "UTC"
	}
	span := c.QuietHours
	if span == "" {
		span = "00:00-00:01" // checks the zone alone
	}
	_, err := alert.ParseQuiet(span, c.TimeZone)
	return notify.ChannelSecret{}, notify.ChannelConfig{}, err
}

// deleteChannel: DELETE /api/v1/channels/{id}.
func (h *Handler) deleteChannel(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	err := h.Store.DeleteChannel(r.Context(), h.workspace(r), id, h.auditEntry(r, "channel.delete", nil))
	if errors.Is(err, store.ErrNotFound) {
		problem.Status(w, http.StatusNotFound, "No such channel in this workspace.")
		return
	}
	if err != nil {
		h.internal(w, r, "delete channel", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// testChannel: POST /api/v1/channels/{id}/test sends a sample message now.
// A failed send answers 502 with the receiver's error (never a secret).
func (h *Handler) testChannel(w http.ResponseWriter, r *http.Request) {
	if h.notifyUnavailable(w) {
		return
	}
	c, ok := h.channelFromPath(w, r)
	if !ok {
		return
	}
	if err := h.Notify.TestSend(r.Context(), c); err != nil {
		problem.Write(w, problem.Problem{Status: http.StatusBadGateway, Title: "Test send failed", Detail: err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sent": true})
}

// ---- rules ----

type ruleRequest struct {
	WatchID       *int64          `json:"watch_id"`
	CatalogID     *int64          `json:"catalog_id"`
	Kind          *string         `json:"kind"`
	Target        json.RawMessage `json:"target"` // "19.99" or 19.99; omitted: the watch's target
	Currency      *string         `json:"currency"`
	Percent       *float64        `json:"percent"`
	Amount        json.RawMessage `json:"amount"`
	Basis         *string         `json:"basis"`
	Days          *int            `json:"days"`
	Failures      *int            `json:"failures"`
	Include       *[]string       `json:"include"`
	Exclude       *[]string       `json:"exclude"`
	BandPercent   *float64        `json:"band_percent"`
	Confirmations *int            `json:"confirmations"`
	InStockOnly   *bool           `json:"in_stock_only"`
	ChannelIDs    *[]int64        `json:"channel_ids"`
	Muted         *bool           `json:"muted"`
	SnoozedUntil  *string         `json:"snoozed_until"` // RFC 3339; "" clears
}

type ruleJSON struct {
	ID            int64    `json:"id"`
	WatchID       *int64   `json:"watch_id"`
	CatalogID     *int64   `json:"catalog_id"`
	Kind          string   `json:"kind"`
	Target        *string  `json:"target"`
	Currency      string   `json:"currency,omitempty"`
	Percent       float64  `json:"percent,omitempty"`
	Amount        *string  `json:"amount,omitempty"`
	Basis         string   `json:"basis,omitempty"`
	Days          int      `json:"days,omitempty"`
	Failures      int      `json:"failures,omitempty"`
	Include       []string `json:"include,omitempty"`
	Exclude       []string `json:"exclude,omitempty"`
	BandPercent   float64  `json:"band_percent,omitempty"`
	Confirmations int      `json:"confirmations,omitempty"`
	InStockOnly   bool     `json:"in_stock_only"`
	ChannelIDs    []int64  `json:"channel_ids"`
	Muted         bool     `json:"muted"`
	SnoozedUntil  *string  `json:"snoozed_until"`
	CreatedAt     string   `json:"created_at"`
	UpdatedAt     string   `json:"updated_at"`
}

func toRuleJSON(r *store.AlertRule) ruleJSON {
	ru := r.Rule
	out := ruleJSON{ID: r.ID, WatchID: r.WatchID, CatalogID: r.CatalogWatchID, Kind: string(ru.Kind), Currency: ru.Currency,
		Percent: ru.Percent, Basis: string(ru.Basis), Days: ru.Days, Failures: ru.Failures, Include: ru.Include, Exclude: ru.Exclude,
		BandPercent: ru.BandPercent, Confirmations: ru.Confirmations, InStockOnly: ru.InStockOnly, ChannelIDs: r.ChannelIDs,
		Muted: r.Muted, CreatedAt: rfc3339(r.CreatedAt), UpdatedAt: rfc3339(r.UpdatedAt)}
	if ru.TargetMinor != 0 {
		s := price.Format(ru.TargetMinor, ru.Currency)
		out.Target = &s
	}
	if ru.AmountMinor != 0 {
		s := price.Format(ru.AmountMinor, ru.Currency)
		out.Amount = &s
	}
	if r.SnoozedUntil != 0 {
		s := rfc3339(r.SnoozedUntil)
		out.SnoozedUntil = &s
	}
	if out.ChannelIDs == nil {
		out.ChannelIDs = []int64{}
	}
	return out
}

// applyRule copies the request's fields onto r; the kind first, so money
// fields know their currency.
func applyRule(r *store.AlertRule, req *ruleRequest) []problem.FieldError {
	var errs []problem.FieldError
	bad := func(f, d string) { errs = append(errs, problem.FieldError{Field: f, Detail: d}) }
	ru := &r.Rule
	if req.Kind != nil {
		ru.Kind = alert.Kind(str(req.Kind))
	}
	if req.Currency != nil {
		ru.Currency = strings.ToUpper(str(req.Currency))
	}
	money := func(raw json.RawMessage, field string, dst *int64) {
		if len(raw) == 0 || string(raw) == "null" {
			return
		}
		// Without a currency the rule compares in the product's, two
		// decimals assumed (as a watch's target does).
		m, ok := parseTarget(raw, ru.Currency)
		if !ok || m < 0 {
			bad(field, `must be a non-negative decimal amount such as "19.99"`)
			return
		}
		*dst = m
	}
	money(req.Target, "target", &ru.TargetMinor)
	money(req.Amount, "amount", &ru.AmountMinor)
	if req.Percent != nil {
		ru.Percent = *req.Percent
	}
	if req.Basis != nil {
		ru.Basis = alert.Basis(str(req.Basis))
	}
	if req.Days != nil {
		ru.Days = *req.Days
	}
	if req.Failures != nil {
		ru.Failures = *req.Failures
	}
	if req.Include != nil {
		ru.Include = *req.Include
	}
	if req.Exclude != nil {
		ru.Exclude = *req.Exclude
	}
	if req.BandPercent != nil {
		ru.BandPercent = *req.BandPercent
	}
	if req.Confirmations != nil {
		ru.Confirmations = *req.Confirmations
	}
	if req.InStockOnly != nil {
		ru.InStockOnly = *req.InStockOnly
	}
	if req.ChannelIDs != nil {
		if len(*req.ChannelIDs) > 20 {
			bad("channel_ids", "at most 20 channels")
		}
		r.ChannelIDs = *req.ChannelIDs
	}
	if req.Muted != nil {
		r.Muted = *req.Muted
	}
	if req.SnoozedUntil != nil {
		if s := str(req.SnoozedUntil); s == "" {
			r.SnoozedUntil = 0
		} else if t, err := time.Parse(time.RFC3339, s); err != nil {
			bad("snoozed_until", "must be an RFC 3339 time such as 2026-12-01T08:00:00Z, or empty")
		} else {
			r.SnoozedUntil = t.UnixMilli()
		}
	}
	return errs
}

func (h *Handler) ruleError(w http.ResponseWriter, r *http.Request, what string, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		problem.Invalid(w, "Fix the fields listed in errors.", problem.FieldError{Field: "watch_id, catalog_id or channel_ids",
			Detail: "names a watch, catalog watch or channel this workspace does not have"})
	case channelFieldError(w, err):
	case store.IsInvalid(err):
		problem.Invalid(w, strings.TrimPrefix(err.Error(), "store: "))
	default:
		h.internal(w, r, what, err)
	}
}

// createRule: POST /api/v1/rules. Without watch_id or catalog_id the rule
// is a workspace default: it applies to every watch (new_product: every
// catalog watch) of the workspace.
func (h *Handler) createRule(w http.ResponseWriter, r *http.Request) {
	var req ruleRequest
	if !decode(w, r, &req) {
		return
	}
	rule := &store.AlertRule{WorkspaceID: h.workspace(r), WatchID: req.WatchID, CatalogWatchID: req.CatalogID}
	if req.Kind == nil {
		problem.Invalid(w, "Fix the fields listed in errors.", problem.FieldError{Field: "kind", Detail: "is required"})
		return
	}
	if errs := applyRule(rule, &req); len(errs) > 0 {
		problem.Invalid(w, "Fix the fields listed in errors.", errs...)
		return
	}
	if err := h.Store.CreateRule(r.Context(), rule); err != nil {
		h.ruleError(w, r, "create rule", err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/rules/%d", rule.ID))
	writeJSON(w, http.StatusCreated, toRuleJSON(rule))
}

// listRules: GET /api/v1/rules[?watch_id=N|catalog_id=N|defaults=true].
func (h *Handler) listRules(w http.ResponseWriter, r *http.Request) {
	var f store.FindRules
	q := r.URL.Query()
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"watch_id", &f.WatchID}, {"catalog_id", &f.CatalogWatchID}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				problem.Invalid(w, "", problem.FieldError{Field: p.name, Detail: "must be an id"})
				return
			}
			*p.dst = n
		}
	}
	f.DefaultsOnly = q.Get("defaults") == "true"
	rules, err := h.Store.ListRules(r.Context(), h.workspace(r), f)
	if err != nil {
		h.internal(w, r, "list rules", err)
		return
	}
	out := make([]ruleJSON, 0, len(rules))
	for _, ru := range rules {
		out = append(out, toRuleJSON(ru))
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": out})
}

func (h *Handler) ruleFromPath(w http.ResponseWriter, r *http.Request) (*store.AlertRule, bool) {
	id, ok := pathID(w, r)
	if !ok {
		return nil, false
	}
	rule, err := h.Store.GetRule(r.Context(), h.workspace(r), id)
	if errors.Is(err, store.ErrNotFound) {
		problem.Status(w, http.StatusNotFound, "No such rule in this workspace.")
		return nil, false
	}
	if err != nil {
		h.internal(w, r, "get rule", err)
		return nil, false
	}
	return rule, true
}

// getRule: GET /api/v1/rules/{id}.
func (h *Handler) getRule(w http.ResponseWriter, r *http.Request) {
	if rule, ok := h.ruleFromPath(w, r); ok {
		writeJSON(w, http.StatusOK, toRuleJSON(rule))
	}
}

// patchRule: PATCH /api/v1/rules/{id}. Where a rule applies cannot
// change; a changed condition starts armed again.
func (h *Handler) patchRule(w http.ResponseWriter, r *http.Request) {
	var req ruleRequest
	if !decode(w, r, &req) {
		return
	}
	rule, ok := h.ruleFromPath(w, r)
	if !ok {
		return
	}
	if req.WatchID != nil || req.CatalogID != nil {
		problem.Invalid(w, "Fix the fields listed in errors.", problem.FieldError{Field: "watch_id", Detail: "cannot change; create another rule"})
		return
	}
	if errs := applyRule(rule, &req); len(errs) > 0 {
		problem.Invalid(w, "Fix the fields listed in errors.", errs...)
		return
	}
	if err := h.Store.UpdateRule(r.Context(), rule); err != nil {
		h.ruleError(w, r, "update rule", err)
		return
	}
	writeJSON(w, http.StatusOK, toRuleJSON(rule))
}

// deleteRule: DELETE /api/v1/rules/{id}.
func (h *Handler) deleteRule(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	err := h.Store.DeleteRule(r.Context(), h.workspace(r), id)
	if errors.Is(err, store.ErrNotFound) {
		problem.Status(w, http.StatusNotFound, "No such rule in this workspace.")
		return
	}
	if err != nil {
		h.internal(w, r, "delete rule", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ---- notifications ----

type notificationJSON struct {
	ID            int64           `json:"id"`
	Key           string          `json:"idempotency_key"`
	RuleID        *int64          `json:"rule_id"`
	EventID       *int64          `json:"event_id"`
	WatchID       *int64          `json:"watch_id"`
	ChannelID     *int64          `json:"channel_id"`
	Kind          string          `json:"kind"`
	Status        string          `json:"status"`
	Attempts      int             `json:"attempts"`
	LastError     string          `json:"last_error"`
	NextAttemptAt *string         `json:"next_attempt_at"`
	CreatedAt     string          `json:"created_at"`
	SentAt        *string         `json:"sent_at"`
	Message       json.RawMessage `json:"message"`
}

func toNotificationJSON(n *store.Notification) notificationJSON {
	out := notificationJSON{ID: n.ID, Key: n.IdempotencyKey, RuleID: n.RuleID, EventID: n.EventID, WatchID: n.WatchID,
		ChannelID: n.ChannelID, Kind: n.Kind, Status: n.Status, Attempts: n.Attempts, LastError: n.LastError,
		CreatedAt: rfc3339(n.CreatedAt), Message: json.RawMessage(n.Message)}
	if n.NextAttemptAt != nil && n.Status != store.NotificationSent && n.Status != store.NotificationDead {
		s := rfc3339(*n.NextAttemptAt)
		out.NextAttemptAt = &s
	}
	if n.SentAt != nil {
		s := rfc3339(*n.SentAt)
		out.SentAt = &s
	}
	if !json.Valid(out.Message) {
		out.Message = json.RawMessage("null")
	}
	return out
}

// listNotifications: GET /api/v1/notifications[?status=S&channel_id=N&limit=N&cursor=C], newest first.
func (h *Handler) listNotifications(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.FindNotifications{Status: q.Get("status")}
	switch f.Status {
	case "", store.NotificationPending, store.NotificationFailed, store.NotificationSent, store.NotificationDead:
	default:
		problem.Invalid(w, "", problem.FieldError{Field: "status", Detail: "must be pending, failed, sent or dead"})
		return
	}
	limit, ok := intParam(w, r, "limit", 50, 1, 500)
	if !ok {
		return
	}
	f.Limit = limit + 1
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"channel_id", &f.ChannelID}, {"cursor", &f.AfterID}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				problem.Invalid(w, "", problem.FieldError{Field: p.name, Detail: "is invalid"})
				return
			}
			*p.dst = n
		}
	}
	ns, err := h.Store.ListNotifications(r.Context(), h.workspace(r), f)
	if err != nil {
		h.internal(w, r, "list notifications", err)
		return
	}
	var next *string
	if len(ns) > limit {
		ns = ns[:limit]
		s := strconv.FormatInt(ns[len(ns)-1].ID, 10)
		next = &s
	}
	out := make([]notificationJSON, 0, len(ns))
	for i := range ns {
		out = append(out, toNotificationJSON(&ns[i]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"notifications": out, "next_cursor": next})
}

// getNotification: GET /api/v1/notifications/{id}.
func (h *Handler) getNotification(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	n, err := h.Store.GetNotification(r.Context(), h.workspace(r), id)
	if errors.Is(err, store.ErrNotFound) {
		problem.Status(w, http.StatusNotFound, "No such notification in this workspace.")
		return
	}
	if err != nil {
		h.internal(w, r, "get notification", err)
		return
	}
	writeJSON(w, http.StatusOK, toNotificationJSON(n))
}

// retryNotification: POST /api/v1/notifications/{id}/retry puts a dead or
// failed notification back in the queue with a fresh count of attempts.
func (h *Handler) retryNotification(w http.ResponseWriter, r *http.Request) {
	if h.notifyUnavailable(w) {
		return
	}
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	n, err := h.Notify.Retry(r.Context(), h.workspace(r), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		problem.Status(w, http.StatusNotFound, "No such notification in this workspace.")
	case errors.Is(err, store.ErrConflict):
		problem.Write(w, problem.Problem{Type: problem.TypeConflict, Status: http.StatusConflict, Title: "Already sent",
			Detail: "This notification was delivered; there is nothing to retry."})
	case err != nil:
		h.internal(w, r, "retry notification", err)
	default:
		writeJSON(w, http.StatusAccepted, toNotificationJSON(n))
	}
}
