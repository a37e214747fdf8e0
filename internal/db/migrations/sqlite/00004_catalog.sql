-- +goose Up
-- A catalog watch: a workspace's watch on a store's catalog (its sitemaps or
-- product feed) for new products whose title or URL matches its keywords.
CREATE TABLE catalog_watches (
    id                   INTEGER PRIMARY KEY,
    workspace_id         INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    url                  TEXT    NOT NULL, -- canonical store root or sitemap URL
    name                 TEXT    NOT NULL DEFAULT '',
    include_keywords     TEXT    NOT NULL DEFAULT '[]', -- JSON array: any of (empty: everything)
    exclude_keywords     TEXT    NOT NULL DEFAULT '[]', -- JSON array: none of
    interval_ms          INTEGER NOT NULL CHECK (interval_ms > 0),
    paused               INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    announce_existing    INTEGER NOT NULL DEFAULT 0 CHECK (announce_existing IN (0, 1)),
    auto_watch           INTEGER NOT NULL DEFAULT 0 CHECK (auto_watch IN (0, 1)),
    scans                INTEGER NOT NULL DEFAULT 0, -- successful scans; the first is the baseline
    next_scan_at         INTEGER NOT NULL,
    last_scan_at         INTEGER,
    last_error           TEXT    NOT NULL DEFAULT '',
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_scan_items      INTEGER NOT NULL DEFAULT 0, -- items the last scan found
    last_scan_new        INTEGER NOT NULL DEFAULT 0, -- of those, never seen before
    last_scan_announced  INTEGER NOT NULL DEFAULT 0, -- of those, announced
    items_seen           INTEGER NOT NULL DEFAULT 0,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    UNIQUE (workspace_id, url)
) STRICT;
CREATE INDEX catalog_watches_workspace_id_id ON catalog_watches (workspace_id, id);
CREATE INDEX catalog_watches_next_scan_at ON catalog_watches (next_scan_at);

-- The seen set and the feed: every product a catalog watch has found, once.
-- The UNIQUE key is what makes a re-scan after a crash never announce twice.
CREATE TABLE catalog_items (
    id               INTEGER PRIMARY KEY,
    catalog_watch_id INTEGER NOT NULL REFERENCES catalog_watches (id) ON DELETE CASCADE,
    canonical_url    TEXT    NOT NULL,
    url              TEXT    NOT NULL,
    title            TEXT    NOT NULL DEFAULT '',
    price_minor      INTEGER,
    currency         TEXT    NOT NULL DEFAULT '' CHECK (length(currency) IN (0, 3)),
    lastmod          INTEGER, -- the sitemap's <lastmod>, when given
    matched          INTEGER NOT NULL DEFAULT 0 CHECK (matched IN (0, 1)),
    announced        INTEGER NOT NULL DEFAULT 0 CHECK (announced IN (0, 1)),
    event_id         INTEGER, -- the new_product event (events are pruned; no foreign key)
    first_seen_at    INTEGER NOT NULL,
    UNIQUE (catalog_watch_id, canonical_url)
) STRICT;
CREATE INDEX catalog_items_catalog_watch_id_id ON catalog_items (catalog_watch_id, id);

-- Events are about a product or about a catalog watch (new_product), so
-- product_id becomes nullable; SQLite needs the table rebuilt for that.
CREATE TABLE events_new (
    id               INTEGER PRIMARY KEY,
    product_id       INTEGER REFERENCES products (id) ON DELETE CASCADE,
    catalog_watch_id INTEGER REFERENCES catalog_watches (id) ON DELETE CASCADE,
    kind             TEXT    NOT NULL,
    data             TEXT    NOT NULL DEFAULT '{}', -- JSON
    at               INTEGER NOT NULL,
    CHECK (product_id IS NOT NULL OR catalog_watch_id IS NOT NULL)
) STRICT;
INSERT INTO events_new (id, product_id, kind, data, at) SELECT id, product_id, kind, data, at FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_at ON events (at);
CREATE INDEX events_product_id_at ON events (product_id, at);
CREATE INDEX events_catalog_watch_id_at ON events (catalog_watch_id, at);

-- +goose Down
DELETE FROM events WHERE product_id IS NULL;
CREATE TABLE events_old (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    data       TEXT    NOT NULL DEFAULT '{}', -- JSON
    at         INTEGER NOT NULL
) STRICT;
INSERT INTO events_old (id, product_id, kind, data, at) SELECT id, product_id, kind, data, at FROM events;
DROP TABLE events;
ALTER TABLE events_old RENAME TO events;
CREATE INDEX events_at ON events (at);
CREATE INDEX events_product_id_at ON events (product_id, at);
DROP TABLE catalog_items;
DROP TABLE catalog_watches;
