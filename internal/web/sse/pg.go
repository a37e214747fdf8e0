package sse

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// ChannelName is the NOTIFY channel of the shelfwatch living in schema
// ("" for the server default): deployments (and tests) sharing a database
// in different schemas do not hear each other.
func ChannelName(schema string) string {
	const base = "shelfwatch_live"
	if schema == "" {
		return base
	}
	name := base + "_" + schema
	if len(name) > 63 { // PostgreSQL truncates identifiers at 63 bytes
		sum := sha256.Sum256([]byte(schema))
		name = base + "_" + hex.EncodeToString(sum[:12])
	}
	return name
}

// maxPayload keeps a NOTIFY payload under PostgreSQL's 8000-byte limit.
const maxPayload = 7000

// wire is a Message in a NOTIFY payload: short keys, ids only.
type wire struct {
	K string `json:"k"`
	W int64  `json:"w,omitempty"`
	P int64  `json:"p,omitempty"`
	I int64  `json:"i,omitempty"`
	S string `json:"s,omitempty"`
}

// payloads encodes msgs as JSON arrays of at most maxPayload bytes each.
func payloads(msgs []Message) []string {
	var out []string
	buf := []byte{'['}
	for _, m := range msgs {
		b, _ := json.Marshal(wire{K: m.Kind, W: m.WorkspaceID, P: m.ProductID, I: m.ID, S: m.Status}) // plain values: cannot fail
		if len(buf) > 1 && len(buf)+len(b)+1 > maxPayload {
			out = append(out, string(append(buf, ']')))
			buf = []byte{'['}
		}
		if len(buf) > 1 {
			buf = append(buf, ',')
		}
		buf = append(buf, b...)
	}
	if len(buf) > 1 {
		out = append(out, string(append(buf, ']')))
	}
	return out
}

// decode reads a payload back into messages.
func decode(payload string) ([]Message, error) {
	var ws []wire
	if err := json.Unmarshal([]byte(payload), &ws); err != nil {
		return nil, fmt.Errorf("sse: payload: %w", err)
	}
	msgs := make([]Message, 0, len(ws))
	for _, w := range ws {
		msgs = append(msgs, Message{Kind: w.K, WorkspaceID: w.W, ProductID: w.P, ID: w.I, Status: w.S})
	}
	return msgs, nil
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// notify sends msgs on channel through q (a transaction: delivered when it
// commits).
func notify(ctx context.Context, q execer, channel string, msgs []Message) error {
	for _, p := range payloads(msgs) {
		if _, err := q.ExecContext(ctx, `SELECT pg_notify($1, $2)`, channel, p); err != nil {
			return fmt.Errorf("sse: pg_notify: %w", err)
		}
	}
	return nil
}

// Listener feeds a Hub with what every process announces on a channel.
type Listener struct {
	URL     string // the database URL (its own connection, outside the pool)
	Channel string
	Hub     *Hub
	Logger  *slog.Logger
	// MinBackoff and MaxBackoff bound the wait between reconnects
	// (0: 250 ms and 15 s).
	MinBackoff, MaxBackoff time.Duration
	// PingEvery is how long the connection may stay silent before it is
	// checked (0: 30 s), so a dead link is noticed without traffic.
	PingEvery time.Duration
	// OnListen, when set, is called each time LISTEN is in effect;
	// reconnected is false when the first attempt succeeded.
	OnListen func(reconnected bool)
}

// Run listens until ctx ends, reconnecting with backoff. Once listening
// after any failure (a lost connection, or a database that was down at
// start while pages were open) it publishes a resync: what was announced
// meanwhile is lost, so pages reload.
func (l *Listener) Run(ctx context.Context) error {
	minB, maxB := cmpOr(l.MinBackoff, 250*time.Millisecond), cmpOr(l.MaxBackoff, 15*time.Second)
	wait := minB
	failed := false
	for {
		err := l.session(ctx, func() {
			if failed {
				l.Hub.Publish(Message{Kind: KindResync})
			}
			if l.OnListen != nil {
				l.OnListen(failed)
			}
			wait = minB
		})
		failed = true
		if ctx.Err() != nil {
			return nil
		}
		l.logger().WarnContext(ctx, "live updates: LISTEN connection failed; retrying", "err", err, "in", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		wait = min(wait*2, maxB)
	}
}

// session connects, listens and publishes notifications until the
// connection fails or ctx ends.
func (l *Listener) session(ctx context.Context, listening func()) error {
	conn, err := pgx.Connect(ctx, l.URL)
	if err != nil {
		return err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{l.Channel}.Sanitize()); err != nil {
		return err
	}
	listening()
	every := cmpOr(l.PingEvery, 30*time.Second)
	for {
		waitCtx, cancel := context.WithTimeout(ctx, every)
		n, err := conn.WaitForNotification(waitCtx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded):
			// Quiet: make sure the connection is still there.
			pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := conn.Ping(pingCtx)
			cancel()
			if err != nil {
				return err
			}
			continue
		case err != nil:
			return err
		}
		msgs, err := decode(n.Payload)
		if err != nil {
			l.logger().WarnContext(ctx, "live updates: bad notification", "err", err)
			continue
		}
		for _, m := range msgs {
			l.Hub.Publish(m)
		}
	}
}

func (l *Listener) logger() *slog.Logger {
	if l.Logger != nil {
		return l.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
