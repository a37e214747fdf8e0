-- +goose Up
-- The fetcher's circuit breaker state for the domain as of its latest check
-- ('closed', 'open' or 'half-open'), kept with the domain's health stats.
ALTER TABLE domains ADD COLUMN breaker_state TEXT NOT NULL DEFAULT 'closed'
    CHECK (breaker_state IN ('closed', 'open', 'half-open'));

-- +goose Down
ALTER TABLE domains DROP COLUMN breaker_state;
