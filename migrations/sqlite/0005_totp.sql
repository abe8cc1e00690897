-- +goose Up
-- Two-factor authentication (TOTP). One row per user who has it, or who is
-- setting it up: enabled_at is NULL while the secret waits for its first
-- code (a pending set-up, replaced by the next one and useless after
-- created_at + 30 minutes).
CREATE TABLE user_totp (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The base32 secret sealed with AES-256-GCM (internal/auth.SecretBox),
    -- bound to the user: a database copy alone does not reveal it when the
    -- key is configured outside the database (--secret-key).
    secret_enc BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    enabled_at INTEGER,
    -- The last time step (Unix time / 30 s) whose code was accepted: only a
    -- later step is accepted next, so a code works once (compare-and-set).
    last_step  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX user_totp_account ON user_totp (account_id) WHERE enabled_at IS NOT NULL;

-- Single-use recovery codes: SHA-256 of 80-bit random codes. A used code
-- keeps its row (used_at set) until the codes are regenerated.
CREATE TABLE recovery_codes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE UNIQUE INDEX recovery_codes_user_hash ON recovery_codes (user_id, code_hash);

-- Failed second-factor attempts (wrong code or recovery code at sign-in,
-- wrong password or code when changing 2FA), counted per user for
-- throttling, separately from password sign-in failures.
CREATE TABLE second_factor_failures (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at      INTEGER NOT NULL
);
CREATE INDEX second_factor_failures_user ON second_factor_failures (user_id, at);

-- +goose Down
DROP TABLE second_factor_failures;
DROP TABLE recovery_codes;
DROP TABLE user_totp;
