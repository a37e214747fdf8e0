-- +goose Up
-- Accounts: sessions, API tokens, password resets, sign-in lockout, the
-- audit log and instance settings. Secrets (session ids, API tokens, reset
-- tokens) are stored only as SHA-256 hashes.

-- The workspace a user lands in after sign-in (their personal one; the first
-- admin's is the pre-accounts "default" workspace).
ALTER TABLE users ADD COLUMN personal_workspace_id INTEGER REFERENCES workspaces (id) ON DELETE SET NULL;

-- Server-side sessions (the scs store). user_id is copied out of the session
-- data on every commit, so a user's sessions can be listed and revoked.
-- A revoked session is kept (revoked = 1) until it expires, so a request
-- already in flight cannot bring it back by committing it again.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT    NOT NULL UNIQUE,
    user_id      INTEGER REFERENCES users (id) ON DELETE CASCADE,
    data         BLOB    NOT NULL,
    expires_at   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    revoked      INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
    ip           TEXT    NOT NULL DEFAULT '',
    user_agent   TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL DEFAULT '',
    prefix       TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    scope        TEXT    NOT NULL CHECK (scope IN ('read', 'read-write')),
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    expires_at   INTEGER,
    revoked_at   INTEGER
) STRICT;
CREATE INDEX api_tokens_user_id ON api_tokens (user_id, id);

CREATE TABLE password_resets (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) STRICT;
CREATE INDEX password_resets_user_id ON password_resets (user_id);

-- Failed sign-ins per key ("email:<address>" or "ip:<address or /64>"), so
-- the growing delay holds across processes.
CREATE TABLE login_attempts (
    key             TEXT    PRIMARY KEY,
    failures        INTEGER NOT NULL DEFAULT 0,
    last_failure_at INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER NOT NULL DEFAULT 0
) STRICT;

-- The audit log outlives what it mentions: no foreign keys.
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    workspace_id  INTEGER,
    actor_user_id INTEGER,
    action        TEXT    NOT NULL,
    target        TEXT    NOT NULL DEFAULT '',
    ip            TEXT    NOT NULL DEFAULT '',
    data          TEXT    NOT NULL DEFAULT '{}' -- JSON
) STRICT;
CREATE INDEX audit_log_workspace_id_id ON audit_log (workspace_id, id);

CREATE TABLE instance_settings (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE instance_settings;
DROP TABLE audit_log;
DROP TABLE login_attempts;
DROP TABLE password_resets;
DROP TABLE api_tokens;
DROP TABLE sessions;
ALTER TABLE users DROP COLUMN personal_workspace_id;
