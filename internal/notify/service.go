package notify

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/riverqueue/river"

	"github.com/shelfwatch/shelfwatch/internal/alert"
	"github.com/shelfwatch/shelfwatch/internal/fetch"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// Service is what the API needs of notifications: checking and sealing
// channel settings, test sends and manual retries.
type Service struct {
	Store     *store.Store
	Deliverer *Deliverer
}

// ChannelInput is a channel's settings as a person gives them.
type ChannelInput struct {
	Kind          string
	URL           string // webhook, shoutrrr
	SigningSecret string // webhook; "" → generated
	SMTPURL       string // email
	From          string
	To            string // comma-separated addresses
	TextTemplate  string
	QuietHours    string
	TimeZone      string
}

// FieldError reports a problem with one input field (never quoting a
// secret).
type FieldError = alert.FieldError

// CheckChannel validates in and returns the secret to seal and the config
// to store. The receiver's host must pass the SSRF guard now, so a webhook
// to 127.0.0.1 is refused when it is saved, not only when it fires.
func (s *Service) CheckChannel(ctx context.Context, in *ChannelInput) (ChannelSecret, ChannelConfig, error) {
	var sec ChannelSecret
	var cfg ChannelConfig
	bad := func(field, detail string) error { return &FieldError{Field: field, Detail: detail} }
	checkHost := func(field, host string) error {
		if err := fetch.CheckOutboundHost(ctx, s.Deliverer.Outbound, host); err != nil {
			if errors.Is(err, fetch.ErrForbiddenAddress) {
				return bad(field, "points at a private, loopback or link-local address, which this server is not allowed to reach (--allow-private-networks)")
			}
			return bad(field, "its host cannot be resolved")
		}
		return nil
	}
	switch in.Kind {
	case store.ChannelWebhook:
		u, err := url.Parse(in.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return sec, cfg, bad("url", "must be an http(s) URL")
		}
		if err := checkHost("url", u.Hostname()); err != nil {
			return sec, cfg, err
		}
		if in.SigningSecret == "" {
			b := make([]byte, 24)
			_, _ = rand.Read(b)
			in.SigningSecret = "whsec_" + base64.RawURLEncoding.EncodeToString(b)
		} else if len(in.SigningSecret) < 16 || len(in.SigningSecret) > 256 {
			return sec, cfg, bad("signing_secret", "must be 16 to 256 characters (or omitted: one is generated)")
		}
		sec = ChannelSecret{URL: in.URL, SigningSecret: in.SigningSecret}
		cfg.Host = u.Host
	case store.ChannelShoutrrr:
		name, err := ValidateShoutrrrURL(in.URL)
		if err != nil {
			return sec, cfg, bad("url", strings.TrimPrefix(err.Error(), "notify: "))
		}
		sec, cfg.Service = ChannelSecret{URL: in.URL}, name
		if u, err := url.Parse(in.URL); err == nil && strings.Contains(u.Hostname(), ".") {
			// Self-hosted services (ntfy, gotify, matrix…) name their
			// server as the host: check it now.
			if err := checkHost("url", u.Hostname()); err != nil {
				return sec, cfg, err
			}
			cfg.Host = u.Hostname()
		}
	case store.ChannelEmail:
		c, err := ParseSMTPURL(in.SMTPURL)
		if err != nil {
			return sec, cfg, bad("smtp_url", strings.TrimPrefix(err.Error(), "smtp_url: "))
		}
		if err := checkHost("smtp_url", c.Host); err != nil {
			return sec, cfg, err
		}
		from, err := ParseAddresses(in.From)
		if err != nil || len(from) != 1 {
			return sec, cfg, bad("from", "must be one email address")
		}
		to, err := ParseAddresses(in.To)
		if err != nil || len(to) > 50 {
			return sec, cfg, bad("to", "must be 1 to 50 email addresses, separated by commas")
		}
		sec = ChannelSecret{SMTPURL: in.SMTPURL}
		cfg.From, cfg.To, cfg.Host = from[0], to, c.Host
	default:
		return sec, cfg, bad("kind", "must be webhook, email or shoutrrr")
	}
	if _, err := ParseTextTemplate(in.TextTemplate); err != nil {
		return sec, cfg, bad("text_template", strings.TrimPrefix(err.Error(), "notify: template: "))
	}
	if in.TimeZone == "" {
		in.TimeZone = "UTC"
	}
	if _, err := alert.ParseQuiet(in.QuietHours, in.TimeZone); err != nil {
		var fe *alert.FieldError
		if errors.As(err, &fe) {
			return sec, cfg, fe
		}
		return sec, cfg, err
	}
	if in.QuietHours == "" {
		if _, err := alert.ParseQuiet("00:00-00:01", in.TimeZone); err != nil {
			return sec, cfg, bad("time_zone", "must be an IANA time zone such as Europe/Berlin")
		}
	}
	return sec, cfg, nil
}

// Seal returns the store.Seal for sec.
func (s *Service) Seal(sec ChannelSecret) store.Seal {
	return func(id int64) (string, error) {
		b, err := json.Marshal(sec)
		if err != nil {
			return "", err
		}
		return s.Deliverer.Keys.Seal(string(b), AAD(id))
	}
}

// TestSend sends the sample message through ch now.
func (s *Service) TestSend(ctx context.Context, ch *store.Channel) error {
	return s.Deliverer.TestSend(ctx, ch)
}

// Retry puts a dead or failed notification back in the queue, with its
// delivery job in the same transaction.
func (s *Service) Retry(ctx context.Context, workspaceID, id int64) (*store.Notification, error) {
	if s.Deliverer.Jobs == nil {
		return nil, errors.New("notify: no job runner")
	}
	return s.Store.RetryNotification(ctx, workspaceID, id, func(tx *sql.Tx, n *store.Notification) error {
		_, err := s.Deliverer.Jobs.InsertTx(ctx, tx, DeliverArgs{NotificationID: n.ID},
			&river.InsertOpts{Queue: Queue, MaxAttempts: riverMaxAttempts})
		if err != nil {
			return fmt.Errorf("enqueue retry: %w", err)
		}
		return nil
	})
}
