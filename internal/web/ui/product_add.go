package ui

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/auth"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/ratelimit"
)

// PreviewError is a preview failure worded for the person adding the
// product (robots.txt, a bot wall, a bad address). Other errors are logged
// and shown as a generic failure.
type PreviewError struct{ Msg string }

func (e *PreviewError) Error() string { return e.Msg }

// Preview limits: a fetch costs the store a request, so each user gets a
// few a minute; a slow store gets previewTimeout.
const (
	previewPerMinute = 12
	previewBurst     = 4
	previewTimeout   = 25 * time.Second
)

const previewHint = "Paste a product page's address to see what shelfwatch finds on it."

type addData struct {
	HasPreview bool
	Initial    previewData
	Channels   []store.Channel // the enabled ones, which new rules send to
	ChannelIDs string          // their ids, a JSON array
}

// previewData is the preview fragment's data: an error, a hint, or what
// the extractor saw.
type previewData struct {
	Error string
	Hint  string
	P     *Preview
}

func (h *Handler) addPage(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	if !id.CanWrite() {
		h.forbidden(w, r, "Your role in this workspace can look at watches but not add them.")
		return
	}
	all, err := h.Store.ListChannels(r.Context(), id.WorkspaceID)
	if err != nil {
		h.serverError(w, r, "channels", err)
		return
	}
	d := addData{HasPreview: h.Preview != nil, Initial: previewData{Hint: previewHint}}
	ids := []int64{}
	for _, c := range all {
		if c.Enabled {
			d.Channels = append(d.Channels, c)
			ids = append(ids, c.ID)
		}
	}
	b, _ := json.Marshal(ids)
	d.ChannelIDs = string(b)
	h.render(w, r, http.StatusOK, "add.html", page{Title: "Add a product", Nav: "add", Data: d})
}

// preview answers POST /watches/preview (form-encoded url) with the
// preview fragment. It always answers 200 so htmx swaps errors in too.
func (h *Handler) preview(lim *ratelimit.Limiter) func(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	return func(w http.ResponseWriter, r *http.Request, id auth.Identity) {
		if !id.CanWrite() {
			h.forbidden(w, r, "Your role in this workspace cannot add products.")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		raw := strings.TrimSpace(r.PostFormValue("url"))
		var d previewData
		switch {
		case raw == "":
			d.Hint = previewHint
		case !looksLikeURL(raw):
			d.Error = "Enter the product page's full address, starting with http:// or https://."
		case h.Preview == nil:
			d.Hint = "Previews are not available on this server; save the watch and the first check fills it in."
		default:
			if ok, wait := lim.Allow("preview:" + strconv.FormatInt(id.UserID, 10)); !ok {
				d.Error = "Too many previews in a row. Try again in " + strconv.Itoa(int(wait.Seconds())+1) + " s."
				break
			}
			ctx, cancel := context.WithTimeout(r.Context(), previewTimeout)
			p, err := h.Preview(ctx, raw)
			cancel()
			var pe *PreviewError
			switch {
			case errors.As(err, &pe):
				d.Error = pe.Msg
			case err != nil:
				h.Logger.WarnContext(r.Context(), "preview", "err", err, "url", raw)
				d.Error = "The page could not be previewed. You can still save the watch; the checker will retry."
			default:
				d.P = p
			}
		}
		h.fragment(w, r, "add.html", "product-preview", d)
	}
}

// looksLikeURL accepts absolute http(s) addresses with a host.
func looksLikeURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Hostname() != ""
}
