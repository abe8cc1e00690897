-- +goose Up
-- Outgoing mail and the single-use links it carries. Times are Unix
-- milliseconds (UTC), like 0001.

-- The outbox: every email is written here, fully rendered, in the same
-- transaction as the change it reports; the delivery worker (internal/mail)
-- sends it, retrying with backoff, and records the outcome.
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    to_addr         TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body_text       TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    -- attempts counts delivery attempts; next_attempt_at is when the worker
    -- may try (again). sent_at is set on delivery, failed_at when it gave up.
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    sent_at         INTEGER,
    failed_at       INTEGER,
    last_error      TEXT    NOT NULL DEFAULT ''
);
-- The worker's question "what is due?" reads only pending messages.
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
-- Keeps ON DELETE SET NULL of an account from scanning the whole outbox.
CREATE INDEX mail_outbox_account ON mail_outbox (account_id) WHERE account_id IS NOT NULL;

-- Single-use links (activation, password reset; email change is reserved).
-- token_hash is the SHA-256 of the random token that travels only in the
-- email, so a copy of the database cannot be used to follow a link.
CREATE TABLE user_tokens (
    token_hash BLOB    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('activation', 'reset', 'email_change')),
    -- data holds what a kind needs besides the user, e.g. the new address of an email change.
    data       TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) WITHOUT ROWID;
CREATE INDEX user_tokens_user ON user_tokens (user_id, kind);

-- +goose Down
DROP TABLE user_tokens;
DROP TABLE mail_outbox;
