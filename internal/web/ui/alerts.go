package ui

import (
	"cmp"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/alert"
	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/price"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// The alerts, channels, notifications and catalog pages. Rules are for
// members; channels (they hold secrets and decide where alerts go) for
// workspace admins; viewers read.
func (h *Handler) alertPages(mux *http.ServeMux) {
	mux.HandleFunc("GET /alerts", h.signedIn(h.alertsPage))
	mux.HandleFunc("GET /channels", h.signedIn(h.channelsPage))
	mux.HandleFunc("GET /channels/{id}", h.signedIn(h.channelPage))
	mux.HandleFunc("GET /channels/{id}/history", h.signedIn(h.channelHistory))
	mux.HandleFunc("GET /notifications", h.signedIn(h.notificationsPage))
	mux.HandleFunc("GET /notifications/list", h.signedIn(h.notificationsList))
	mux.HandleFunc("GET /catalogs", h.signedIn(h.catalogsPage))
	mux.HandleFunc("GET /catalogs/list", h.signedIn(h.catalogsList))
	mux.HandleFunc("GET /catalogs/{id}", h.signedIn(h.catalogPage))
	mux.HandleFunc("GET /catalogs/{id}/feed", h.signedIn(h.catalogFeed))
}

// alertFuncs are template helpers of these pages.
func (h *Handler) alertFuncs() template.FuncMap {
	return template.FuncMap{
		"alertKindLabel":    kindLabel,
		"alertChannelLabel": channelLabel,
		"alertDigestHours":  func() []int { return hours },
		"alertStatusLabel":  deliveryLabel,
		"alertSubject":      messageSubject,
		"alertDict":         dict,
		"alertDigestHour": func(h *int) int {
			if h == nil {
				return -1
			}
			return *h
		},
		"alertRuleList": func(title, hint string, rows []ruleView, d alertsData) ruleList {
			return ruleList{Title: title, Hint: hint, Rows: rows, D: d}
		},
	}
}

// dict makes a map of key, value pairs, to pass several values to a
// template.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("ui: dict needs key, value pairs")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, errors.New("ui: dict keys are strings")
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// ruleList is one section of the rules page.
type ruleList struct {
	Title, Hint string
	Rows        []ruleView
	D           alertsData
}

func deliveryLabel(status string) string {
	switch status {
	case store.NotificationPending:
		return "Pending"
	case store.NotificationFailed:
		return "Retrying"
	case store.NotificationSent:
		return "Sent"
	case store.NotificationDead:
		return "Dead"
	}
	return status
}

// messageSubject is the one-line subject of a stored notify.Message.
func messageSubject(message string) string {
	var m struct{ Subject string }
	_ = json.Unmarshal([]byte(message), &m)
	return m.Subject
}

var hours = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}

// canAdmin: workspace admins (and owners) with a read-write session.
func canAdmin(id auth.Identity) bool { return id.CanWrite() && id.Role.AtLeast(auth.RoleAdmin) }

// channelRef is a channel as a rule shows it.
type channelRef struct {
	ID    int64
	Name  string
	Label string // "Webhook", "Discord", "Email"
}

// ruleView is one rule with what the page says about it.
type ruleView struct {
	*store.AlertRule
	Key         string // for element ids: the rule id, or "new"
	Words       string
	WatchTitle  string
	CatalogName string
	Channels    []channelRef
	Activity    store.RuleActivity
	Level       bool
	Snoozed     bool
	Target      string // the form's values
	Amount      string
	Include     string
	Exclude     string
}

// ruleForm is what the rule fields template gets.
type ruleForm struct {
	R        ruleView
	Channels []channelRef
	Kinds    []alert.Kind
	ChanJSON string
}

type alertsData struct {
	Defaults, PerWatch, PerCatalog []ruleView
	Channels                       []channelRef
	CanWrite                       bool
	New                            ruleForm
	Forms                          map[int64]ruleForm
	SnoozeDay, SnoozeWeek          string
}

func (h *Handler) alertsPage(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	rules, err := h.Store.ListRules(ctx, id.WorkspaceID, store.FindRules{})
	if err != nil {
		h.serverError(w, r, "list rules", err)
		return
	}
	chans, err := h.Store.ListChannels(ctx, id.WorkspaceID)
	if err != nil {
		h.serverError(w, r, "list channels", err)
		return
	}
	acts, err := h.Store.RuleActivities(ctx, id.WorkspaceID)
	if err != nil {
		h.serverError(w, r, "rule activity", err)
		return
	}
	watches, err := h.Store.DashboardRows(ctx, id.WorkspaceID)
	if err != nil {
		h.serverError(w, r, "list watches", err)
		return
	}
	cats, err := h.Store.ListCatalogWatches(ctx, id.WorkspaceID, store.FindCatalogWatches{Limit: 500})
	if err != nil {
		h.serverError(w, r, "list catalog watches", err)
		return
	}
	titles := map[int64]string{}
	for _, wr := range watches {
		titles[wr.WatchID] = cmp.Or(wr.Title, wr.URL)
	}
	catNames := map[int64]string{}
	for _, c := range cats {
		catNames[c.ID] = cmp.Or(c.Name, c.URL)
	}
	refs := make([]channelRef, len(chans))
	byID := map[int64]channelRef{}
	for i, c := range chans {
		refs[i] = channelRef{ID: c.ID, Name: c.Name, Label: channelLabel(c.Kind, channelService(&c))}
		byID[c.ID] = refs[i]
	}
	now := h.now()
	d := alertsData{Channels: refs, CanWrite: id.CanWrite(), Forms: map[int64]ruleForm{},
		SnoozeDay: snoozeBody(now.Add(24 * time.Hour)), SnoozeWeek: snoozeBody(now.Add(7 * 24 * time.Hour))}
	d.New = newRuleForm(ruleView{AlertRule: &store.AlertRule{Rule: alert.Rule{Kind: alert.PriceAtOrBelow}}, Key: "new"}, refs)
	for _, ru := range rules {
		v := viewRule(ru, now)
		v.Activity = acts[ru.ID]
		for _, cid := range ru.ChannelIDs {
			v.Channels = append(v.Channels, byID[cid])
		}
		switch {
		case ru.WatchID != nil:
			v.WatchTitle = titles[*ru.WatchID]
			d.PerWatch = append(d.PerWatch, v)
		case ru.CatalogWatchID != nil:
			v.CatalogName = catNames[*ru.CatalogWatchID]
			d.PerCatalog = append(d.PerCatalog, v)
		default:
			d.Defaults = append(d.Defaults, v)
		}
		d.Forms[ru.ID] = newRuleForm(v, refs)
	}
	h.render(w, r, http.StatusOK, "alerts.html", page{Title: "Alerts", Nav: "alerts", Data: d})
}

func snoozeBody(until time.Time) string {
	b, _ := json.Marshal(map[string]string{"snoozed_until": until.UTC().Format(time.RFC3339)})
	return string(b)
}

func viewRule(ru *store.AlertRule, now time.Time) ruleView {
	v := ruleView{AlertRule: ru, Key: strconv.FormatInt(ru.ID, 10), Words: ruleWords(ru.Rule), Level: ru.Rule.Level(),
		Snoozed: ru.SnoozedUntil > now.UnixMilli()}
	if ru.Rule.TargetMinor != 0 {
		v.Target = price.Format(ru.Rule.TargetMinor, ru.Rule.Currency)
	}
	if ru.Rule.AmountMinor != 0 {
		v.Amount = price.Format(ru.Rule.AmountMinor, ru.Rule.Currency)
	}
	v.Include = joinComma(ru.Rule.Include)
	v.Exclude = joinComma(ru.Rule.Exclude)
	return v
}

func newRuleForm(v ruleView, refs []channelRef) ruleForm {
	ids := v.ChannelIDs
	if ids == nil {
		ids = []int64{}
	}
	b, _ := json.Marshal(ids)
	return ruleForm{R: v, Channels: refs, Kinds: alert.Kinds, ChanJSON: string(b)}
}

func joinComma(s []string) string { return strings.Join(s, ", ") }

// pathInt64 is the {id} of the path; false for anything but a positive id.
func pathInt64(r *http.Request) (int64, bool) {
	n, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return n, err == nil && n > 0
}

// HasChannel reports whether the rule sends to channel id (the form's
// checkboxes).
func (v ruleView) HasChannel(id int64) bool { return slices.Contains(v.ChannelIDs, id) }
