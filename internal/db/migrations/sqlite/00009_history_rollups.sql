-- +goose Up
-- Daily OHLC per product, written by the rollup job (store.RollupHistory)
-- for the days that had a history row; a day without one carries the
-- previous day's close (and its availability) forward, so readers fill the
-- gaps instead of the table storing a row per product per day. Rollups are
-- kept forever; raw rows can be pruned once their day is rolled up.
-- (PostgreSQL also partitions price_history by month; SQLite does not.)
CREATE TABLE price_daily (
    product_id         INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    day                INTEGER NOT NULL, -- Unix ms of the UTC midnight that starts it
    currency           TEXT    NOT NULL DEFAULT '', -- of the close; high/low are in it
    open_minor         INTEGER, -- NULL: no price in force
    high_minor         INTEGER,
    low_minor          INTEGER,
    close_minor        INTEGER,
    close_availability TEXT    NOT NULL, -- carried into the days after
    in_stock_share     REAL    NOT NULL, -- time-weighted, of the known part of the day
    changes            INTEGER NOT NULL, -- history rows in the day
    PRIMARY KEY (product_id, day)
) STRICT, WITHOUT ROWID;

-- The rollup job's watermark: every history row observed before it has
-- been rolled up (one row).
CREATE TABLE history_rollup_state (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    watermark INTEGER NOT NULL
) STRICT;
INSERT INTO history_rollup_state (id, watermark) VALUES (1, 0);

-- +goose Down
DROP TABLE history_rollup_state;
DROP TABLE price_daily;
