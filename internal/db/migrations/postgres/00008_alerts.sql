-- +goose Up
-- Where alerts go. Secrets (webhook URL and signing secret, SMTP URL,
-- shoutrrr URL) are sealed with AES-256-GCM (internal/secret) bound to the
-- row; config holds only what may be shown.
CREATE TABLE channels (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id      BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind              TEXT    NOT NULL CHECK (kind IN ('webhook', 'email', 'shoutrrr')),
    name              TEXT    NOT NULL,
    config            TEXT    NOT NULL DEFAULT '{}', -- JSON, no secrets
    secret_ciphertext TEXT    NOT NULL DEFAULT '',
    text_template     TEXT    NOT NULL DEFAULT '', -- '' = the default
    quiet_hours       TEXT    NOT NULL DEFAULT '', -- "22:00-07:00" or ''
    time_zone         TEXT    NOT NULL DEFAULT 'UTC',
    digest_hour       INTEGER CHECK (digest_hour BETWEEN 0 AND 23), -- NULL: send at once
    enabled           BOOLEAN NOT NULL DEFAULT TRUE,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX channels_workspace_id_id ON channels (workspace_id, id);

-- Alert rules: on one watch, on one catalog watch, or (both NULL) a
-- workspace default that applies to every watch of the workspace.
CREATE TABLE alert_rules (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id     BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    watch_id         BIGINT REFERENCES watches (id) ON DELETE CASCADE,
    catalog_watch_id BIGINT REFERENCES catalog_watches (id) ON DELETE CASCADE,
    kind             TEXT    NOT NULL,
    params           TEXT    NOT NULL DEFAULT '{}', -- JSON
    muted            BOOLEAN NOT NULL DEFAULT FALSE,
    snoozed_until    BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    CHECK (watch_id IS NULL OR catalog_watch_id IS NULL)
);
CREATE INDEX alert_rules_workspace_id_id ON alert_rules (workspace_id, id);
CREATE INDEX alert_rules_watch_id ON alert_rules (watch_id);
CREATE INDEX alert_rules_catalog_watch_id ON alert_rules (catalog_watch_id);

CREATE TABLE alert_rule_channels (
    rule_id    BIGINT NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    PRIMARY KEY (rule_id, channel_id)
);
CREATE INDEX alert_rule_channels_channel_id ON alert_rule_channels (channel_id);

-- A rule's edge-trigger state per watch (a workspace default rule has one
-- per watch).
CREATE TABLE alert_states (
    rule_id       BIGINT NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
    watch_id      BIGINT NOT NULL REFERENCES watches (id) ON DELETE CASCADE,
    fired         BOOLEAN NOT NULL DEFAULT FALSE,
    false_streak  BIGINT NOT NULL DEFAULT 0,
    last_fired_at BIGINT NOT NULL DEFAULT 0,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (rule_id, watch_id)
);

-- One delivery of one alert through one channel. The idempotency key
-- (rule, event, channel) is what makes it exactly one.
CREATE TABLE notifications (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id    BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    idempotency_key TEXT    NOT NULL UNIQUE,
    rule_id         BIGINT REFERENCES alert_rules (id) ON DELETE SET NULL,
    event_id        BIGINT, -- events are pruned; no foreign key
    watch_id        BIGINT REFERENCES watches (id) ON DELETE SET NULL,
    channel_id      BIGINT REFERENCES channels (id) ON DELETE SET NULL,
    kind            TEXT    NOT NULL,
    message         TEXT    NOT NULL, -- JSON of notify.Message at the event
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'dead')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    next_attempt_at BIGINT,
    lease_until     BIGINT, -- an attempt in progress until then (crash-safe: expires)
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    sent_at         BIGINT
);
CREATE INDEX notifications_workspace_id_id ON notifications (workspace_id, id);
CREATE INDEX notifications_status_next ON notifications (status, next_attempt_at);

-- +goose Down
DROP TABLE notifications;
DROP TABLE alert_states;
DROP TABLE alert_rule_channels;
DROP TABLE alert_rules;
DROP TABLE channels;
