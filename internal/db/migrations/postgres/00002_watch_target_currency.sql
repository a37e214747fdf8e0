-- +goose Up
-- The currency a watch's target is in; '' means the product's currency.
ALTER TABLE watches ADD COLUMN target_currency TEXT NOT NULL DEFAULT ''
    CHECK (length(target_currency) IN (0, 3));

-- +goose Down
ALTER TABLE watches DROP COLUMN target_currency;
