-- +goose Up
-- Per-domain settings, the cross-process politeness slot and health stats.
-- next_allowed_at is taken with a conditional UPDATE … RETURNING, so workers
-- in several processes never exceed rate_per_min between them.
CREATE TABLE domains (
    domain          TEXT             PRIMARY KEY,
    rate_per_min    DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (rate_per_min >= 0), -- 0: the fetcher's default
    requires_js     BOOLEAN          NOT NULL DEFAULT FALSE,
    blocked         BOOLEAN          NOT NULL DEFAULT FALSE,
    proxy_pool      TEXT             NOT NULL DEFAULT '',
    next_allowed_at BIGINT           NOT NULL DEFAULT 0,
    checks          BIGINT           NOT NULL DEFAULT 0,
    successes       BIGINT           NOT NULL DEFAULT 0,
    failures        BIGINT           NOT NULL DEFAULT 0,
    last_error      TEXT             NOT NULL DEFAULT '',
    last_latency_ms BIGINT           NOT NULL DEFAULT 0,
    -- success_rate is an exponentially weighted share of successful checks;
    -- a domain below 0.7 after a few checks is flagged for the admin view.
    success_rate    DOUBLE PRECISION NOT NULL DEFAULT 1,
    flagged         BOOLEAN          NOT NULL DEFAULT FALSE,
    updated_at      BIGINT           NOT NULL DEFAULT 0
);

-- A watch may ask for checks no more often than this (0: no limit).
ALTER TABLE watches ADD COLUMN min_interval_ms BIGINT NOT NULL DEFAULT 0 CHECK (min_interval_ms >= 0);

-- last_outcome is the fetch outcome of the latest check (blocked and
-- disallowed_by_robots are not page failures, so they never set status).
-- extraction_misses counts checks in a row whose page showed no price.
-- pending_change holds a suspicious observation (JSON) awaiting its confirm
-- re-check; '' when none.
ALTER TABLE products ADD COLUMN last_outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN extraction_misses INTEGER NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN pending_change TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE products DROP COLUMN pending_change;
ALTER TABLE products DROP COLUMN extraction_misses;
ALTER TABLE products DROP COLUMN last_outcome;
ALTER TABLE watches DROP COLUMN min_interval_ms;
DROP TABLE domains;
