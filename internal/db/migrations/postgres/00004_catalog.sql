-- +goose Up
-- A catalog watch: a workspace's watch on a store's catalog (its sitemaps or
-- product feed) for new products whose title or URL matches its keywords.
CREATE TABLE catalog_watches (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id         BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    url                  TEXT    NOT NULL, -- canonical store root or sitemap URL
    name                 TEXT    NOT NULL DEFAULT '',
    include_keywords     TEXT    NOT NULL DEFAULT '[]', -- JSON array: any of (empty: everything)
    exclude_keywords     TEXT    NOT NULL DEFAULT '[]', -- JSON array: none of
    interval_ms          BIGINT  NOT NULL CHECK (interval_ms > 0),
    paused               BOOLEAN NOT NULL DEFAULT FALSE,
    announce_existing    BOOLEAN NOT NULL DEFAULT FALSE,
    auto_watch           BOOLEAN NOT NULL DEFAULT FALSE,
    scans                BIGINT  NOT NULL DEFAULT 0, -- successful scans; the first is the baseline
    next_scan_at         BIGINT  NOT NULL,
    last_scan_at         BIGINT,
    last_error           TEXT    NOT NULL DEFAULT '',
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_scan_items      BIGINT  NOT NULL DEFAULT 0, -- items the last scan found
    last_scan_new        BIGINT  NOT NULL DEFAULT 0, -- of those, never seen before
    last_scan_announced  BIGINT  NOT NULL DEFAULT 0, -- of those, announced
    items_seen           BIGINT  NOT NULL DEFAULT 0,
    created_at           BIGINT  NOT NULL,
    updated_at           BIGINT  NOT NULL,
    UNIQUE (workspace_id, url)
);
CREATE INDEX catalog_watches_workspace_id_id ON catalog_watches (workspace_id, id);
CREATE INDEX catalog_watches_next_scan_at ON catalog_watches (next_scan_at);

-- The seen set and the feed: every product a catalog watch has found, once.
-- The UNIQUE key is what makes a re-scan after a crash never announce twice.
CREATE TABLE catalog_items (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    catalog_watch_id BIGINT  NOT NULL REFERENCES catalog_watches (id) ON DELETE CASCADE,
    canonical_url    TEXT    NOT NULL,
    url              TEXT    NOT NULL,
    title            TEXT    NOT NULL DEFAULT '',
    price_minor      BIGINT,
    currency         TEXT    NOT NULL DEFAULT '' CHECK (length(currency) IN (0, 3)),
    lastmod          BIGINT, -- the sitemap's <lastmod>, when given
    matched          BOOLEAN NOT NULL DEFAULT FALSE,
    announced        BOOLEAN NOT NULL DEFAULT FALSE,
    event_id         BIGINT, -- the new_product event (events are pruned; no foreign key)
    first_seen_at    BIGINT  NOT NULL,
    UNIQUE (catalog_watch_id, canonical_url)
);
CREATE INDEX catalog_items_catalog_watch_id_id ON catalog_items (catalog_watch_id, id);

-- Events are about a product or about a catalog watch (new_product).
ALTER TABLE events ALTER COLUMN product_id DROP NOT NULL;
ALTER TABLE events ADD COLUMN catalog_watch_id BIGINT REFERENCES catalog_watches (id) ON DELETE CASCADE;
ALTER TABLE events ADD CONSTRAINT events_subject CHECK (product_id IS NOT NULL OR catalog_watch_id IS NOT NULL);
CREATE INDEX events_catalog_watch_id_at ON events (catalog_watch_id, at);

-- +goose Down
DELETE FROM events WHERE product_id IS NULL;
DROP INDEX events_catalog_watch_id_at;
ALTER TABLE events DROP CONSTRAINT events_subject;
ALTER TABLE events DROP COLUMN catalog_watch_id;
ALTER TABLE events ALTER COLUMN product_id SET NOT NULL;
DROP TABLE catalog_items;
DROP TABLE catalog_watches;
