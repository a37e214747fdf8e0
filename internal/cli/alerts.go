package cli

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"

	"github.com/shelfwatch/shelfwatch/internal/config"
	"github.com/shelfwatch/shelfwatch/internal/jobs"
	"github.com/shelfwatch/shelfwatch/internal/notify"
	"github.com/shelfwatch/shelfwatch/internal/secret"
	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/sse"
)

// secretKeys is the keyring sealing channel secrets: --secret-key, or in
// embedded mode a key generated into the data directory on first run
// (config refuses PostgreSQL without --secret-key).
func secretKeys(c config.Config, log *slog.Logger) (*secret.Keyring, error) {
	if c.SecretKey != "" {
		return secret.ParseKeys(c.SecretKey)
	}
	kr, created, err := secret.LoadOrCreateKeyFile(c.DataDir)
	if err != nil {
		return nil, fmt.Errorf("channel secret key: %w", err)
	}
	if created {
		log.Info("generated the key that seals channel secrets; back it up with the database",
			"file", filepath.Join(c.DataDir, secret.KeyFile))
	}
	return kr, nil
}

// alerting is the notification side of serve: the delivery worker, and the
// dispatcher that turns events into notifications inside the transaction
// that wrote them.
type alerting struct {
	deliverer *notify.Deliverer
	service   *notify.Service
}

func newAlerting(c config.Config, st *store.Store, log *slog.Logger, reg prometheus.Registerer, jobOpts *jobs.Options) (*alerting, error) {
	keys, err := secretKeys(c, log)
	if err != nil {
		return nil, err
	}
	metrics, err := notify.NewMetrics(reg)
	if err != nil {
		return nil, err
	}
	fo := fetchOptions(c, log)
	dl := &notify.Deliverer{Store: st, Keys: keys, Outbound: fo, UserAgent: fo.UserAgent(), Logger: log, Metrics: metrics}
	jobOpts.Register = chainRegister(jobOpts.Register, dl.Register)
	if jobOpts.Queues == nil {
		jobOpts.Queues = map[string]river.QueueConfig{}
	}
	jobOpts.Queues[notify.Queue] = notify.QueueConfig()
	return &alerting{deliverer: dl, service: &notify.Service{Store: st, Deliverer: dl}}, nil
}

// start connects the job runner: deliveries and retries enqueue on it, and
// every write of events now runs the dispatcher in its transaction. live
// announces changes to open pages: in the transaction on PostgreSQL, after
// the commit on SQLite, and a delivery's outcome once it is recorded.
func (a *alerting) start(st *store.Store, runner *jobs.Runner, baseURL string, live *sse.Publisher) {
	a.deliverer.Jobs = runner
	a.deliverer.Sent, a.deliverer.Failed = live.NotificationSent, live.NotificationFailed
	d := &notify.Dispatcher{Store: st, Jobs: runner, BaseURL: baseURL}
	announce := live.EventHook()
	st.SetEventHook(func(ctx context.Context, tx *sql.Tx, evs []store.Event) error {
		if _, err := d.OnEvents(ctx, tx, evs); err != nil {
			return err
		}
		if announce == nil {
			return nil
		}
		// pg_notify with a payload within its limit fails only with the
		// connection, when the transaction cannot commit anyway.
		return announce(ctx, tx, evs)
	})
	st.SetCommitHook(live.CommitHook())
}
