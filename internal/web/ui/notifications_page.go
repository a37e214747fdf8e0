package ui

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/shelfwatch/shelfwatch/internal/alert"
	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// notifQuery is the notifications page's filters, from the URL. Unknown
// values are dropped rather than refused: it is a page, not the API.
type notifQuery struct {
	Status, Kind, Product string
	ChannelID             int64
}

var notificationStatuses = []string{store.NotificationPending, store.NotificationFailed, store.NotificationSent, store.NotificationDead}

func parseNotifQuery(r *http.Request) notifQuery {
	q := r.URL.Query()
	n := notifQuery{Status: q.Get("status"), Kind: q.Get("kind"), Product: strings.TrimSpace(q.Get("product"))}
	if !slices.Contains(notificationStatuses, n.Status) {
		n.Status = ""
	}
	if !slices.Contains(alert.Kinds, alert.Kind(n.Kind)) && n.Kind != "test" {
		n.Kind = ""
	}
	if len(n.Product) > 200 {
		n.Product = n.Product[:200]
	}
	if c, err := strconv.ParseInt(q.Get("channel"), 10, 64); err == nil && c > 0 {
		n.ChannelID = c
	}
	return n
}

// query is the filters as URL parameters (empty ones left out).
func (q notifQuery) url(base string) string {
	ch := ""
	if q.ChannelID != 0 {
		ch = strconv.FormatInt(q.ChannelID, 10)
	}
	return withQuery(base, "status", q.Status, "kind", q.Kind, "product", q.Product, "channel", ch)
}

type notificationsData struct {
	Query    notifQuery
	Statuses []string
	Kinds    []alert.Kind
	Channels []channelRef
	List     notificationList
}

func (h *Handler) notificationsData(w http.ResponseWriter, r *http.Request, id auth.Identity) (*notificationsData, bool) {
	q := parseNotifQuery(r)
	d := &notificationsData{Query: q, Statuses: notificationStatuses, Kinds: alert.Kinds,
		List: notificationList{Base: q.url("/notifications"), Refresh: q.url("/notifications/list"), ID: "notification-list",
			CanWrite: id.CanWrite(), Channel: true, Filtered: q != notifQuery{}}}
	f := store.FindNotificationRows{Status: q.Status, Kind: q.Kind, ChannelID: q.ChannelID, Product: q.Product}
	if err := h.listNotifications(r, id.WorkspaceID, f, &d.List); err != nil {
		h.serverError(w, r, "list notifications", err)
		return nil, false
	}
	return d, true
}

func (h *Handler) notificationsPage(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	d, ok := h.notificationsData(w, r, id)
	if !ok {
		return
	}
	cs, err := h.Store.ListChannels(r.Context(), id.WorkspaceID)
	if err != nil {
		h.serverError(w, r, "list channels", err)
		return
	}
	for _, c := range cs {
		d.Channels = append(d.Channels, channelRef{ID: c.ID, Name: c.Name, Label: channelLabel(c.Kind, channelService(&c))})
	}
	h.render(w, r, http.StatusOK, "notifications.html", page{Title: "Notifications", Nav: "notifications", Live: true, Data: d})
}

// notificationsList renders the list again: live updates, retries, and
// the filters' htmx swaps.
func (h *Handler) notificationsList(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	if d, ok := h.notificationsData(w, r, id); ok {
		h.fragment(w, r, "notifications.html", "alerts-notification-list", d.List)
	}
}
