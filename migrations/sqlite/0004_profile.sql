-- +goose Up
-- My profile. Every session gets a random public handle: the Active sessions
-- tab names sessions by it in URLs ("sign out this session"), since the
-- session ID is a secret and the table keeps only its SHA-256. Sessions
-- started before this migration get one here.
ALTER TABLE sessions ADD COLUMN handle TEXT;
UPDATE sessions SET handle = lower(hex(randomblob(16))) WHERE handle IS NULL;
CREATE UNIQUE INDEX sessions_handle ON sessions (handle) WHERE handle IS NOT NULL;

-- +goose Down
DROP INDEX sessions_handle;
ALTER TABLE sessions DROP COLUMN handle;
