-- +goose Up
-- Accounts: sessions, API tokens, password resets, sign-in lockout, the
-- audit log and instance settings. Secrets (session ids, API tokens, reset
-- tokens) are stored only as SHA-256 hashes.

-- The workspace a user lands in after sign-in (their personal one; the first
-- admin's is the pre-accounts "default" workspace).
ALTER TABLE users ADD COLUMN personal_workspace_id BIGINT REFERENCES workspaces (id) ON DELETE SET NULL;

-- Server-side sessions (the scs store). user_id is copied out of the session
-- data on every commit, so a user's sessions can be listed and revoked.
-- A revoked session is kept (revoked = TRUE) until it expires, so a request
-- already in flight cannot bring it back by committing it again.
CREATE TABLE sessions (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash   TEXT    NOT NULL UNIQUE,
    user_id      BIGINT  REFERENCES users (id) ON DELETE CASCADE,
    data         BYTEA   NOT NULL,
    expires_at   BIGINT  NOT NULL,
    created_at   BIGINT  NOT NULL,
    last_seen_at BIGINT  NOT NULL,
    revoked      BOOLEAN NOT NULL DEFAULT FALSE,
    ip           TEXT    NOT NULL DEFAULT '',
    user_agent   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT   NOT NULL DEFAULT '',
    prefix       TEXT   NOT NULL,
    token_hash   TEXT   NOT NULL UNIQUE,
    scope        TEXT   NOT NULL CHECK (scope IN ('read', 'read-write')),
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    expires_at   BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_user_id ON api_tokens (user_id, id);

CREATE TABLE password_resets (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT   NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX password_resets_user_id ON password_resets (user_id);

-- Failed sign-ins per key ("email:<address>" or "ip:<address or /64>"), so
-- the growing delay holds across processes.
CREATE TABLE login_attempts (
    key             TEXT   PRIMARY KEY,
    failures        BIGINT NOT NULL DEFAULT 0,
    last_failure_at BIGINT NOT NULL DEFAULT 0,
    locked_until    BIGINT NOT NULL DEFAULT 0
);

-- The audit log outlives what it mentions: no foreign keys.
CREATE TABLE audit_log (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            BIGINT NOT NULL,
    workspace_id  BIGINT,
    actor_user_id BIGINT,
    action        TEXT   NOT NULL,
    target        TEXT   NOT NULL DEFAULT '',
    ip            TEXT   NOT NULL DEFAULT '',
    data          TEXT   NOT NULL DEFAULT '{}' -- JSON
);
CREATE INDEX audit_log_workspace_id_id ON audit_log (workspace_id, id);

CREATE TABLE instance_settings (
    key        TEXT   PRIMARY KEY,
    value      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE instance_settings;
DROP TABLE audit_log;
DROP TABLE login_attempts;
DROP TABLE password_resets;
DROP TABLE api_tokens;
DROP TABLE sessions;
ALTER TABLE users DROP COLUMN personal_workspace_id;
