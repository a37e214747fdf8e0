-- +goose Up
-- Where alerts go. Secrets (webhook URL and signing secret, SMTP URL,
-- shoutrrr URL) are sealed with AES-256-GCM (internal/secret) bound to the
-- row; config holds only what may be shown.
CREATE TABLE channels (
    id                INTEGER PRIMARY KEY,
    workspace_id      INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind              TEXT    NOT NULL CHECK (kind IN ('webhook', 'email', 'shoutrrr')),
    name              TEXT    NOT NULL,
    config            TEXT    NOT NULL DEFAULT '{}', -- JSON, no secrets
    secret_ciphertext TEXT    NOT NULL DEFAULT '',
    text_template     TEXT    NOT NULL DEFAULT '', -- '' = the default
    quiet_hours       TEXT    NOT NULL DEFAULT '', -- "22:00-07:00" or ''
    time_zone         TEXT    NOT NULL DEFAULT 'UTC',
    digest_hour       INTEGER CHECK (digest_hour BETWEEN 0 AND 23), -- NULL: send at once
    enabled           INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
) STRICT;
CREATE INDEX channels_workspace_id_id ON channels (workspace_id, id);

-- Alert rules: on one watch, on one catalog watch, or (both NULL) a
-- workspace default that applies to every watch of the workspace.
CREATE TABLE alert_rules (
    id               INTEGER PRIMARY KEY,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    watch_id         INTEGER REFERENCES watches (id) ON DELETE CASCADE,
    catalog_watch_id INTEGER REFERENCES catalog_watches (id) ON DELETE CASCADE,
    kind             TEXT    NOT NULL,
    params           TEXT    NOT NULL DEFAULT '{}', -- JSON
    muted            INTEGER NOT NULL DEFAULT 0 CHECK (muted IN (0, 1)),
    snoozed_until    INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    CHECK (watch_id IS NULL OR catalog_watch_id IS NULL)
) STRICT;
CREATE INDEX alert_rules_workspace_id_id ON alert_rules (workspace_id, id);
CREATE INDEX alert_rules_watch_id ON alert_rules (watch_id);
CREATE INDEX alert_rules_catalog_watch_id ON alert_rules (catalog_watch_id);

CREATE TABLE alert_rule_channels (
    rule_id    INTEGER NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    PRIMARY KEY (rule_id, channel_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX alert_rule_channels_channel_id ON alert_rule_channels (channel_id);

-- A rule's edge-trigger state per watch (a workspace default rule has one
-- per watch).
CREATE TABLE alert_states (
    rule_id       INTEGER NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
    watch_id      INTEGER NOT NULL REFERENCES watches (id) ON DELETE CASCADE,
    fired         INTEGER NOT NULL DEFAULT 0 CHECK (fired IN (0, 1)),
    false_streak  INTEGER NOT NULL DEFAULT 0,
    last_fired_at INTEGER NOT NULL DEFAULT 0,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (rule_id, watch_id)
) STRICT, WITHOUT ROWID;

-- One delivery of one alert through one channel. The idempotency key
-- (rule, event, channel) is what makes it exactly one.
CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    idempotency_key TEXT    NOT NULL UNIQUE,
    rule_id         INTEGER REFERENCES alert_rules (id) ON DELETE SET NULL,
    event_id        INTEGER, -- events are pruned; no foreign key
    watch_id        INTEGER REFERENCES watches (id) ON DELETE SET NULL,
    channel_id      INTEGER REFERENCES channels (id) ON DELETE SET NULL,
    kind            TEXT    NOT NULL,
    message         TEXT    NOT NULL, -- JSON of notify.Message at the event
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    next_attempt_at INTEGER,
    lease_until     INTEGER, -- an attempt in progress until then (crash-safe: expires)
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    sent_at         INTEGER
) STRICT;
CREATE INDEX notifications_workspace_id_id ON notifications (workspace_id, id);
CREATE INDEX notifications_status_next ON notifications (status, next_attempt_at);

-- +goose Down
DROP TABLE notifications;
DROP TABLE alert_states;
DROP TABLE alert_rule_channels;
DROP TABLE alert_rules;
DROP TABLE channels;
