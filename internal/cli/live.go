package cli

import (
	"context"
	"log/slog"

	"github.com/shelfwatch/shelfwatch/internal/config"
	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/web/sse"
)

// live is serve's side of live updates: the publisher every role uses
// (alerts.start installs its hooks), and in a process serving pages the hub
// behind GET /events.
type live struct {
	pub  *sse.Publisher
	hub  *sse.Hub // nil in a worker-only process
	stop func()
}

// startLive builds the publisher and hub. SQLite is one process: the hub
// hears changes after they commit. On PostgreSQL every change is announced
// with pg_notify and a web process listens on its own connection, so pages
// hear what any worker recorded.
func startLive(ctx context.Context, c config.Config, d *db.DB, log *slog.Logger) *live {
	l := &live{pub: &sse.Publisher{Logger: log}, stop: func() {}}
	if c.Role != config.RoleWorker {
		l.hub = sse.NewHub()
		l.pub.Hub = l.hub
	}
	if d.Engine != db.Postgres {
		return l
	}
	l.pub.DB, l.pub.Channel = d.Write, sse.ChannelName(d.Schema)
	if l.hub == nil {
		return l
	}
	lctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	listener := &sse.Listener{URL: c.DatabaseURL, Channel: l.pub.Channel, Hub: l.hub, Logger: log}
	go func() {
		defer close(done)
		_ = listener.Run(lctx) // returns nil once lctx ends
	}()
	l.stop = func() { cancel(); <-done }
	return l
}
