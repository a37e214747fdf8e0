-- +goose Up
-- STRICT tables: SQLite checks column types, so a float can never slip into
-- a money column. Times are Unix milliseconds; ids alias the rowid.
CREATE TABLE workspaces (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    slug       TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL DEFAULT '',
    password_hash TEXT    NOT NULL DEFAULT '',
    is_admin      INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE memberships (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
) STRICT;
CREATE INDEX memberships_user_id ON memberships (user_id);

CREATE TABLE products (
    id                   INTEGER PRIMARY KEY,
    url                  TEXT    NOT NULL,
    canonical_url        TEXT    NOT NULL UNIQUE,
    domain               TEXT    NOT NULL,
    title                TEXT    NOT NULL DEFAULT '',
    image_url            TEXT    NOT NULL DEFAULT '',
    brand                TEXT    NOT NULL DEFAULT '',
    sku                  TEXT    NOT NULL DEFAULT '',
    gtin                 TEXT    NOT NULL DEFAULT '',
    currency             TEXT    NOT NULL DEFAULT '' CHECK (length(currency) IN (0, 3)),
    price_minor          INTEGER,
    availability         TEXT    NOT NULL DEFAULT 'unknown',
    status               TEXT    NOT NULL DEFAULT 'active'
                                 CHECK (status IN ('active', 'paused', 'failing', 'needs_review')),
    last_checked_at      INTEGER,
    next_check_at        INTEGER NOT NULL,
    lease_owner          TEXT    NOT NULL DEFAULT '',
    lease_until          INTEGER,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    etag                 TEXT    NOT NULL DEFAULT '',
    last_modified        TEXT    NOT NULL DEFAULT '',
    body_hash            TEXT    NOT NULL DEFAULT '',
    priority             INTEGER NOT NULL DEFAULT 0,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
) STRICT;
-- The frontier claims the earliest due products.
CREATE INDEX products_next_check_at ON products (next_check_at);
CREATE INDEX products_domain ON products (domain);

CREATE TABLE price_history (
    product_id   INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    observed_at  INTEGER NOT NULL,
    price_minor  INTEGER,
    currency     TEXT    NOT NULL DEFAULT '' CHECK (length(currency) IN (0, 3)),
    availability TEXT    NOT NULL
) STRICT;
CREATE INDEX price_history_product_observed ON price_history (product_id, observed_at);

CREATE TABLE watches (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    product_id   INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    target_minor INTEGER,
    tags         TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
    notes        TEXT    NOT NULL DEFAULT '',
    paused       INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, product_id)
) STRICT;
CREATE INDEX watches_workspace_id_id ON watches (workspace_id, id);
CREATE INDEX watches_product_id ON watches (product_id);

CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    data       TEXT    NOT NULL DEFAULT '{}', -- JSON
    at         INTEGER NOT NULL
) STRICT;
CREATE INDEX events_at ON events (at);
CREATE INDEX events_product_id_at ON events (product_id, at);

-- +goose Down
DROP TABLE events;
DROP TABLE watches;
DROP TABLE price_history;
DROP TABLE products;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE workspaces;
