-- +goose Up
-- price_history becomes range-partitioned by month on observed_at (Unix ms,
-- UTC months), so retention can drop a month at a time and a chart's range
-- scan touches one or a few partitions. Partitions cover the existing data
-- of the last five years (older rows, and anything no partition covers, land
-- in the DEFAULT partition) up to three months ahead; a River job keeps
-- creating them ahead (store.EnsurePartitions).
CREATE TABLE price_history_partitioned (
    product_id   BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    observed_at  BIGINT NOT NULL,
    price_minor  BIGINT,
    currency     TEXT   NOT NULL DEFAULT '' CHECK (length(currency) IN (0, 3)),
    availability TEXT   NOT NULL
) PARTITION BY RANGE (observed_at);
CREATE TABLE price_history_default PARTITION OF price_history_partitioned DEFAULT;

-- +goose StatementBegin
DO $$
DECLARE
    now_month   timestamp := date_trunc('month', now() AT TIME ZONE 'UTC');
    first_month timestamp;
    m           timestamp;
BEGIN
    SELECT date_trunc('month', to_timestamp(min(observed_at) / 1000.0) AT TIME ZONE 'UTC')
      INTO first_month FROM price_history
     WHERE observed_at >= extract(epoch FROM (now_month - interval '5 years') AT TIME ZONE 'UTC') * 1000;
    m := least(coalesce(first_month, now_month), now_month);
    WHILE m <= now_month + interval '3 months' LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF price_history_partitioned FOR VALUES FROM (%s) TO (%s)',
            'price_history_p' || to_char(m, 'YYYYMM'),
            (extract(epoch FROM m AT TIME ZONE 'UTC') * 1000)::bigint,
            (extract(epoch FROM (m + interval '1 month') AT TIME ZONE 'UTC') * 1000)::bigint);
        m := m + interval '1 month';
    END LOOP;
END
$$;
-- +goose StatementEnd

INSERT INTO price_history_partitioned (product_id, observed_at, price_minor, currency, availability)
SELECT product_id, observed_at, price_minor, currency, availability FROM price_history;
DROP TABLE price_history;
ALTER TABLE price_history_partitioned RENAME TO price_history;
CREATE INDEX price_history_product_observed ON price_history (product_id, observed_at);

-- Daily OHLC per product, written by the rollup job (store.RollupHistory)
-- for the days that had a history row; a day without one carries the
-- previous day's close (and its availability) forward, so readers fill the
-- gaps instead of the table storing a row per product per day. Rollups are
-- kept forever; raw rows can be pruned once their day is rolled up.
CREATE TABLE price_daily (
    product_id         BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    day                BIGINT NOT NULL, -- Unix ms of the UTC midnight that starts it
    currency           TEXT   NOT NULL DEFAULT '', -- of the close; high/low are in it
    open_minor         BIGINT, -- NULL: no price in force
    high_minor         BIGINT,
    low_minor          BIGINT,
    close_minor        BIGINT,
    close_availability TEXT   NOT NULL, -- carried into the days after
    in_stock_share     DOUBLE PRECISION NOT NULL, -- time-weighted, of the known part of the day
    changes            INTEGER NOT NULL, -- history rows in the day
    PRIMARY KEY (product_id, day)
);

-- The rollup job's watermark: every history row observed before it has
-- been rolled up (one row).
CREATE TABLE history_rollup_state (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    watermark BIGINT NOT NULL
);
INSERT INTO history_rollup_state (id, watermark) VALUES (1, 0);

-- +goose Down
DROP TABLE history_rollup_state;
DROP TABLE price_daily;
CREATE TABLE price_history_plain (
    product_id   BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    observed_at  BIGINT NOT NULL,
    price_minor  BIGINT,
    currency     TEXT   NOT NULL DEFAULT '' CHECK (length(currency) IN (0, 3)),
    availability TEXT   NOT NULL
);
INSERT INTO price_history_plain (product_id, observed_at, price_minor, currency, availability)
SELECT product_id, observed_at, price_minor, currency, availability FROM price_history;
DROP TABLE price_history;
ALTER TABLE price_history_plain RENAME TO price_history;
CREATE INDEX price_history_product_observed ON price_history (product_id, observed_at);
