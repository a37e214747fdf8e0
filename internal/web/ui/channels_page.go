package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/notify"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// service is a chat or push service shelfwatch sends to through a
// shoutrrr URL, with the URL's shape as a hint.
type service struct {
	Scheme, Label, Example, Hint string
}

var services = []service{
	{"discord", "Discord", "discord://token@webhook-id", "From the channel's Integrations → Webhooks: the URL …/webhooks/<webhook-id>/<token>."},
	{"slack", "Slack", "slack://hook:T000-B000-XXXX@webhook", "An incoming webhook: its path's three parts, joined by dashes; or slack://xoxb:<bot-token>@<channel>."},
	{"telegram", "Telegram", "telegram://bot-token@telegram?chats=@channel,12345", "A bot's token from @BotFather and the chats (ids or @names) it may post to."},
	{"ntfy", "ntfy", "ntfy://ntfy.sh/my-topic", "The server and topic; ntfy://user:password@host/topic for a protected one."},
	{"gotify", "Gotify", "gotify://gotify.example.com/app-token", "Your server and an application token."},
	{"pushover", "Pushover", "pushover://shoutrrr:api-token@user-key/", "Your application's API token and your user key."},
	{"matrix", "Matrix", "matrix://user:password@matrix.example.org/?rooms=!roomid", "A bot account on your homeserver and the rooms to post in."},
	{"teams", "Microsoft Teams", "teams://group@tenant/alt-id/group-owner?host=example.webhook.office.com", "The parts of an incoming webhook's URL."},
	{"mattermost", "Mattermost", "mattermost://mattermost.example.com/hook-token", "Your server and an incoming webhook's token."},
	{"other", "Another service", "service://…", "Any other shoutrrr service URL (see shoutrrr's service list)."},
}

// channelLabel names a channel's kind for people: "Webhook", "Email",
// "Discord".
func channelLabel(kind, svc string) string {
	switch kind {
	case store.ChannelWebhook:
		return "Webhook"
	case store.ChannelEmail:
		return "Email"
	}
	for _, s := range services {
		if s.Scheme == svc {
			return s.Label
		}
	}
	if svc != "" {
		return strings.ToUpper(svc[:1]) + svc[1:]
	}
	return "Chat"
}

func channelConfig(c *store.Channel) notify.ChannelConfig {
	var cfg notify.ChannelConfig
	_ = json.Unmarshal([]byte(c.Config), &cfg)
	return cfg
}

func channelService(c *store.Channel) string { return channelConfig(c).Service }

// channelView is a channel with what the list and the forms show.
type channelView struct {
	store.Channel
	Label    string
	Service  string
	Host     string
	From     string
	To       string
	Activity store.ChannelActivity
	Digest   string // "" when sent at once
}

func viewChannel(c store.Channel) channelView {
	cfg := channelConfig(&c)
	v := channelView{Channel: c, Label: channelLabel(c.Kind, cfg.Service), Service: cfg.Service, Host: cfg.Host,
		From: cfg.From, To: strings.Join(cfg.To, ", ")}
	if c.DigestHour != nil {
		v.Digest = fmt.Sprintf("%02d:00", *c.DigestHour)
	}
	return v
}

type channelsData struct {
	Channels []channelView
	Services []service
	CanWrite bool // send tests
	CanAdmin bool // add, change, delete
}

func (h *Handler) channelsPage(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	cs, err := h.Store.ListChannels(r.Context(), id.WorkspaceID)
	if err != nil {
		h.serverError(w, r, "list channels", err)
		return
	}
	acts, err := h.Store.ChannelActivities(r.Context(), id.WorkspaceID)
	if err != nil {
		h.serverError(w, r, "channel activity", err)
		return
	}
	d := channelsData{Services: services, CanWrite: id.CanWrite(), CanAdmin: canAdmin(id)}
	for _, c := range cs {
		v := viewChannel(c)
		v.Activity = acts[c.ID]
		d.Channels = append(d.Channels, v)
	}
	h.render(w, r, http.StatusOK, "channels.html", page{Title: "Channels", Nav: "channels", Data: d})
}

// notificationList is one page of notifications as the shared list
// template shows them.
type notificationList struct {
	Rows     []store.NotificationRow
	Next     string // the cursor of the next (older) page; "" on the last
	Base     string // the list's URL without the cursor
	Refresh  string // the fragment URL that renders this list again
	ID       string // the list element's id
	CanWrite bool
	Channel  bool // show the channel column
	Filtered bool // filters are set (the empty state says so)
	Paged    bool // an older page (the pager offers the newest)
}

const notificationPageSize = 50

// listNotifications loads one page and fills the list's paging.
func (h *Handler) listNotifications(r *http.Request, ws int64, f store.FindNotificationRows, l *notificationList) error {
	f.Limit = notificationPageSize + 1
	if c, err := strconv.ParseInt(r.URL.Query().Get("cursor"), 10, 64); err == nil && c > 0 {
		f.AfterID, l.Paged = c, true
	}
	rows, err := h.Store.ListNotificationRows(r.Context(), ws, f)
	if err != nil {
		return err
	}
	if len(rows) > notificationPageSize {
		rows = rows[:notificationPageSize]
		l.Next = withQuery(l.Base, "cursor", strconv.FormatInt(rows[len(rows)-1].ID, 10))
	}
	l.Rows = rows
	l.Refresh = withQuery(l.Refresh, "cursor", r.URL.Query().Get("cursor"))
	return nil
}

type channelData struct {
	Channel channelView
	List    notificationList
}

func (h *Handler) channelData(w http.ResponseWriter, r *http.Request, id auth.Identity) (*channelData, bool) {
	cid, ok := pathInt64(r)
	if !ok {
		h.notFound(w, r)
		return nil, false
	}
	c, err := h.Store.GetChannel(r.Context(), id.WorkspaceID, cid)
	if errors.Is(err, store.ErrNotFound) {
		h.notFound(w, r)
		return nil, false
	}
	if err != nil {
		h.serverError(w, r, "get channel", err)
		return nil, false
	}
	base := "/channels/" + strconv.FormatInt(cid, 10)
	d := &channelData{Channel: viewChannel(*c), List: notificationList{Base: base, Refresh: base + "/history",
		ID: "channel-history", CanWrite: id.CanWrite()}}
	if err := h.listNotifications(r, id.WorkspaceID, store.FindNotificationRows{ChannelID: cid}, &d.List); err != nil {
		h.serverError(w, r, "channel history", err)
		return nil, false
	}
	return d, true
}

// channelPage is a channel's delivery history.
func (h *Handler) channelPage(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	if d, ok := h.channelData(w, r, id); ok {
		h.render(w, r, http.StatusOK, "channel.html", page{Title: d.Channel.Name, Nav: "channels", Live: true, Data: d})
	}
}

// channelHistory renders the history again (live updates, retries).
func (h *Handler) channelHistory(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	if d, ok := h.channelData(w, r, id); ok {
		h.fragment(w, r, "channel.html", "alerts-notification-list", d.List)
	}
}
