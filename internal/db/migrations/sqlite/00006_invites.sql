-- +goose Up
-- Invitations to a workspace. Only a SHA-256 of the token is stored, so a
-- database leak does not hand out working invite links. An invite is used
-- once: accepted_at is set in the transaction that adds the membership.
CREATE TABLE invites (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    token_hash   TEXT    NOT NULL UNIQUE,
    role         TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    accepted_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    accepted_at  INTEGER
) STRICT;
CREATE INDEX invites_workspace_id_id ON invites (workspace_id, id);

-- An instance admin's CSS selectors for a domain's pages, as JSON
-- {"price": "…", "title": "…", "availability": "…", "image": "…"}.
ALTER TABLE domains ADD COLUMN selectors TEXT NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE domains DROP COLUMN selectors;
DROP TABLE invites;
