package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/shelfwatch/shelfwatch/internal/fetch"
	"github.com/shelfwatch/shelfwatch/internal/jobs"
	"github.com/shelfwatch/shelfwatch/internal/secret"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// Queue is the River queue deliveries run on, apart from checks' confirm
// jobs and catalog scans, so a slow scan never delays an alert.
const Queue = "notify"

// riverMaxAttempts bounds River's own retries of a delivery job that
// failed for a reason of ours (the database was unreachable). Failed sends
// are not counted here: the notification row counts them (MaxAttempts) and
// the job snoozes until the next attempt.
const riverMaxAttempts = 10

// DeliverArgs is the delivery job of one notification.
type DeliverArgs struct {
	NotificationID int64 `json:"notification_id"`
}

// Kind implements river.JobArgs.
func (DeliverArgs) Kind() string { return "deliver_notification" }

// ChannelSecret is what a channel's sealed secret holds, by kind.
type ChannelSecret struct {
	URL           string `json:"url,omitempty"`            // webhook and shoutrrr URL
	SigningSecret string `json:"signing_secret,omitempty"` // webhook
	SMTPURL       string `json:"smtp_url,omitempty"`       // email
}

// ChannelConfig is a channel's non-secret settings.
type ChannelConfig struct {
	Service string   `json:"service,omitempty"` // shoutrrr: its scheme
	Host    string   `json:"host,omitempty"`    // webhook/shoutrrr/email: the receiver's host, for display
	From    string   `json:"from,omitempty"`    // email
	To      []string `json:"to,omitempty"`      // email
}

// AAD is the associated data binding a channel's sealed secret to its row.
func AAD(channelID int64) string { return "channel:" + strconv.FormatInt(channelID, 10) }

// Deliverer sends notifications: the River worker for DeliverArgs, and
// the test-send of a channel.
type Deliverer struct {
	Store     *store.Store
	Keys      *secret.Keyring
	Outbound  fetch.Options // SSRF guard settings (private networks, allowed CIDRs)
	UserAgent string
	Logger    *slog.Logger
	Jobs      *jobs.Runner  // for the sweeper's enqueues
	Timeout   time.Duration // per attempt; 0 → 30 s
	// Sent, when set, is called after a notification is recorded as sent
	// (live updates, the bench's latency).
	Sent func(n *store.Notification)
	// Failed, when set, is called after a failed attempt is recorded:
	// dead, or failed and to be retried (live updates).
	Failed func(n *store.Notification, dead bool)
	// Backoff and MaxAttempts override the retry schedule (tests); nil and
	// 0 mean Backoff with jitter and MaxAttempts.
	Backoff     func(attempt int, retryAfter time.Duration) time.Duration
	MaxAttempts int
	// Metrics, when set, counts attempts and measures latency.
	Metrics *Metrics
	// SweepEvery is how often overdue notifications are enqueued again
	// (0 → 1 minute); SweepGrace how overdue they must be (0 → 1 minute).
	SweepEvery, SweepGrace time.Duration

	clientOnce sync.Once
	client     *http.Client
}

// Register adds the delivery worker and the sweeper (jobs.Options.Register).
func (d *Deliverer) Register(w *river.Workers) []*river.PeriodicJob {
	river.AddWorker(w, &deliverWorker{d: d})
	river.AddWorker(w, &sweepWorker{d: d})
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(d.sweepEvery()),
		func() (river.JobArgs, *river.InsertOpts) { return SweepArgs{}, &river.InsertOpts{Queue: Queue} },
		&river.PeriodicJobOpts{RunOnStart: true})}
}

// QueueConfig is the delivery queue's River settings: polled often, so an
// alert leaves within a fraction of a second even where the database
// cannot notify (SQLite).
func QueueConfig() river.QueueConfig {
	return river.QueueConfig{MaxWorkers: 8, FetchPollInterval: 100 * time.Millisecond, FetchCooldown: 20 * time.Millisecond}
}

func (d *Deliverer) sweepEvery() time.Duration {
	if d.SweepEvery > 0 {
		return d.SweepEvery
	}
	return time.Minute
}

func (d *Deliverer) backoff(attempt int, retryAfter time.Duration) time.Duration {
	if d.Backoff != nil {
		return d.Backoff(attempt, retryAfter)
	}
	return Backoff(attempt, retryAfter, Jitter())
}

func (d *Deliverer) maxAttempts() int {
	if d.MaxAttempts > 0 {
		return d.MaxAttempts
	}
	return MaxAttempts
}

// SweepArgs is the periodic job that re-enqueues overdue notifications.
type SweepArgs struct{}

// Kind implements river.JobArgs.
func (SweepArgs) Kind() string { return "sweep_notifications" }

type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	d *Deliverer
}

// Work enqueues a delivery for every notification that should have been
// attempted a while ago and is not being attempted: its job was lost with
// a process that died after committing it, or River gave up on it. The
// lease in the notifications row keeps this from ever sending twice at
// once.
func (w *sweepWorker) Work(ctx context.Context, job *river.Job[SweepArgs]) error {
	grace := w.d.SweepGrace
	if grace <= 0 {
		grace = time.Minute
	}
	ids, err := w.d.Store.OverdueNotifications(ctx, time.Now().Add(-grace).UnixMilli(), 500)
	if err != nil {
		return err
	}
	for _, id := range ids {
		// At most one sweep job per notification per sweep period; an extra
		// job beside a queued one is harmless (the lease and the status
		// make it a no-op).
		if _, err := w.d.Jobs.Insert(ctx, DeliverArgs{NotificationID: id}, &river.InsertOpts{Queue: Queue, MaxAttempts: riverMaxAttempts,
			UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: max(w.d.sweepEvery(), time.Second)}}); err != nil {
			return err
		}
	}
	if len(ids) > 0 {
		w.d.logger().InfoContext(ctx, "notify: re-enqueued overdue notifications", "count", len(ids))
	}
	return nil
}

func (d *Deliverer) timeout() time.Duration {
	if d.Timeout > 0 {
		return d.Timeout
	}
	return 30 * time.Second
}

// httpClient is built once, on first use, and shared by every delivery
// (they run concurrently on River's workers).
func (d *Deliverer) httpClient() *http.Client {
	d.clientOnce.Do(func() { d.client = fetch.NewOutboundClient(d.Outbound, d.timeout()) })
	return d.client
}

// SenderFor opens ch's secret and builds its sender.
func (d *Deliverer) SenderFor(ch *store.Channel) (Sender, error) {
	plain, err := d.Keys.Open(ch.SecretCiphertext, AAD(ch.ID))
	if err != nil {
		return nil, fmt.Errorf("channel %d: secret: %w", ch.ID, err)
	}
	var sec ChannelSecret
	if err := json.Unmarshal([]byte(plain), &sec); err != nil {
		return nil, fmt.Errorf("channel %d: secret: %w", ch.ID, err)
	}
	var cfg ChannelConfig
	if err := json.Unmarshal([]byte(ch.Config), &cfg); err != nil {
		return nil, fmt.Errorf("channel %d: config: %w", ch.ID, err)
	}
	var s Sender
	switch ch.Kind {
	case store.ChannelWebhook:
		s = &Webhook{URL: sec.URL, Secret: sec.SigningSecret, Client: d.httpClient(), UserAgent: d.UserAgent}
	case store.ChannelShoutrrr:
		s = &Shoutrrr{URL: sec.URL, Client: d.httpClient()}
	case store.ChannelEmail:
		smtpCfg, err := ParseSMTPURL(sec.SMTPURL)
		if err != nil {
			return nil, fmt.Errorf("channel %d: %w", ch.ID, err)
		}
		s = &Email{SMTP: smtpCfg, From: cfg.From, To: cfg.To, Dial: fetch.NewGuardedDialer(d.Outbound).DialContext, Timeout: d.timeout()}
	default:
		return nil, fmt.Errorf("channel %d: unknown kind %q", ch.ID, ch.Kind)
	}
	if ch.TextTemplate != "" {
		t, err := ParseTextTemplate(ch.TextTemplate)
		if err != nil {
			return nil, err
		}
		s = &templated{Sender: s, render: func(m Message) (string, error) { return RenderWith(t, m) }}
	}
	return s, nil
}

// templated renders a channel's custom text template into the message's
// Text, which every sender uses instead of the default text.
type templated struct {
	Sender
	render func(Message) (string, error)
}

func (t *templated) Send(ctx context.Context, m Message) error {
	if m.Kind == "digest" {
		return t.Sender.Send(ctx, m) // its text lists the alerts already
	}
	text, err := t.render(m)
	if err != nil {
		return &Error{Err: err, Permanent: true}
	}
	m.Text = text
	return t.Sender.Send(ctx, m)
}

// TestSend sends the sample message through ch at once, outside any queue.
func (d *Deliverer) TestSend(ctx context.Context, ch *store.Channel) error {
	s, err := d.SenderFor(ch)
	if err != nil {
		return err
	}
	m := SampleMessage()
	m.At = time.Now()
	m.ID = "test:" + strconv.FormatInt(ch.ID, 10) + ":" + strconv.FormatInt(m.At.UnixMilli(), 10)
	ctx, cancel := context.WithTimeout(ctx, d.timeout())
	defer cancel()
	return s.Send(ctx, m)
}

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	d *Deliverer
}

// Timeout leaves room for the send's own timeout.
func (w *deliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration {
	return w.d.timeout() + 15*time.Second
}

// Work makes one attempt. Success and permanent failure complete the job;
// a temporary failure snoozes it until the next attempt of the schedule
// (Backoff, at least a receiver's Retry-After); after MaxAttempts attempts
// the notification is dead. A notification already sent completes the job
// without sending: a duplicate job (or a retry after a crash that came
// after the send was recorded) sends nothing.
func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	d := w.d
	n, ch, err := d.Store.NotificationForDelivery(ctx, job.Args.NotificationID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted with its workspace
	}
	if err != nil {
		return err
	}
	if n.Status == store.NotificationSent || n.Status == store.NotificationDead {
		return nil
	}
	if n.NextAttemptAt != nil {
		if early := time.Until(time.UnixMilli(*n.NextAttemptAt)); early > 250*time.Millisecond {
			// A duplicate job ahead of the schedule (a sweep, a manual
			// retry racing a snooze): wait for the attempt's time.
			return river.JobSnooze(early)
		}
	}
	leased, err := d.Store.LeaseNotification(ctx, n.ID, time.Now().Add(d.timeout()+time.Minute).UnixMilli())
	if err != nil {
		return err
	}
	if !leased {
		return nil // another attempt holds it, or it was sent meanwhile
	}
	// Read it again under the lease: another attempt may have ended
	// between the first read and the lease (its count and schedule are
	// what this attempt goes by).
	if n, ch, err = d.Store.NotificationForDelivery(ctx, n.ID); err != nil {
		return err
	}
	if n.NextAttemptAt != nil {
		if early := time.Until(time.UnixMilli(*n.NextAttemptAt)); early > 250*time.Millisecond {
			if err := d.Store.ReleaseNotificationLease(ctx, n.ID); err != nil {
				return err
			}
			return river.JobSnooze(early)
		}
	}
	// A digest channel sends everything due in one message: the other
	// due notifications of the channel join this attempt under their own
	// leases, and share its outcome.
	batch := []*store.Notification{n}
	if ch != nil && ch.DigestHour != nil && ch.Enabled {
		others, err := d.Store.DueForChannel(ctx, ch.ID, time.Now().Add(time.Second).UnixMilli(), maxDigest)
		if err != nil {
			return err
		}
		for i := range others {
			o := &others[i]
			if o.ID == n.ID {
				continue
			}
			ok, err := d.Store.LeaseNotification(ctx, o.ID, time.Now().Add(d.timeout()+time.Minute).UnixMilli())
			if err != nil {
				return err
			}
			if ok {
				batch = append(batch, o)
			}
		}
	}
	fail := func(cause error, permanent bool) error {
		var wait time.Duration
		dead := permanent
		for _, b := range batch {
			attempts := b.Attempts + 1
			bdead := permanent || attempts >= d.maxAttempts()
			if b.ID == n.ID {
				wait, dead = d.backoff(attempts, RetryAfter(cause)), bdead
			}
			if _, err := d.Store.MarkNotificationFailed(ctx, b.ID, cause.Error(), time.Now().Add(wait).UnixMilli(), bdead); err != nil {
				return err
			}
			if d.Failed != nil {
				d.Failed(b, bdead)
			}
		}
		d.logger().WarnContext(ctx, "notify: delivery failed", "notification", n.ID, "channel", n.ChannelID,
			"attempt", n.Attempts+1, "batch", len(batch), "dead", dead, "err", cause.Error())
		kind := "unknown"
		if ch != nil {
			kind = ch.Kind
		}
		if dead {
			d.Metrics.attempt(kind, "dead")
		} else {
			d.Metrics.attempt(kind, "retry")
		}
		if dead {
			return nil
		}
		return river.JobSnooze(wait)
	}
	if ch == nil {
		return fail(errors.New("the channel was deleted"), true)
	}
	if !ch.Enabled {
		return fail(errors.New("the channel is disabled"), true)
	}
	s, err := d.SenderFor(ch)
	if err != nil {
		return fail(err, true)
	}
	msgs := make([]Message, 0, len(batch))
	for _, b := range batch {
		var m Message
		if err := json.Unmarshal([]byte(b.Message), &m); err != nil {
			return fail(fmt.Errorf("stored message of notification %d: %w", b.ID, err), true)
		}
		m.ID = b.IdempotencyKey
		msgs = append(msgs, m)
	}
	m := msgs[0]
	if len(msgs) > 1 {
		m = Digest(msgs)
	}
	sendCtx, cancel := context.WithTimeout(ctx, d.timeout())
	err = s.Send(sendCtx, m)
	cancel()
	if err != nil {
		return fail(err, Permanent(err))
	}
	d.Metrics.attempt(ch.Kind, "sent")
	for _, b := range batch {
		ok, err := d.Store.MarkNotificationSent(ctx, b.ID)
		if err != nil {
			return err
		}
		if ok {
			d.Metrics.delivered(b.CreatedAt)
		}
		if ok && d.Sent != nil {
			d.Sent(b)
		}
	}
	return nil
}

// maxDigest bounds one digest message.
const maxDigest = 100

// Digest folds several messages into one: a subject that counts them and
// a text that lists each (in the order given), so every sender can carry
// it. Its ID is the first message's, prefixed, so a retried digest keeps
// the id receivers dedupe on.
func Digest(ms []Message) Message {
	var b strings.Builder
	for i, m := range ms {
		if i > 0 {
			b.WriteString("\n\n")
		}
		t, err := RenderText(m)
		if err != nil {
			t = m.Subject
		}
		b.WriteString(t)
	}
	return Message{ID: "digest:" + ms[0].ID, Kind: "digest", At: ms[len(ms)-1].At,
		Subject: fmt.Sprintf("shelfwatch: %d alerts", len(ms)), Text: b.String(), Product: ms[0].Product}
}

func (d *Deliverer) logger() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.New(slog.DiscardHandler)
}
