-- +goose Up
-- REST API v1: personal API tokens, stored Idempotency-Key responses and
-- the connection details of customers created through the API. Times are
-- Unix milliseconds (UTC), like 0001.

-- Personal API tokens. secret_hash is the SHA-256 of the secret, which is
-- shown once; hint is its recognisable start ("tdk_Ab3x") for the list.
-- account_id is copied from users so that an account's tokens are one index
-- range (and go with the account).
CREATE TABLE api_tokens (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    account_id     INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name           TEXT    NOT NULL,
    secret_hash    BLOB    NOT NULL UNIQUE,
    hint           TEXT    NOT NULL,
    read_only      INTEGER NOT NULL DEFAULT 0 CHECK (read_only IN (0, 1)),
    created_at     INTEGER NOT NULL,
    -- 0 = never expires.
    expires_at     INTEGER NOT NULL DEFAULT 0,
    -- Written at most once a minute, not on every request.
    last_used_at   INTEGER NOT NULL DEFAULT 0,
    revoked_at     INTEGER NOT NULL DEFAULT 0,
    regenerated_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, id);
CREATE INDEX api_tokens_account ON api_tokens (account_id);

-- Responses to POSTs sent with an Idempotency-Key, per token, for 24 hours.
-- status 0 marks a key reserved by a request that has not finished: a
-- second request with that key is refused instead of run twice.
CREATE TABLE api_idempotency (
    token_id     INTEGER NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    key          TEXT    NOT NULL,
    request_hash BLOB    NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    headers      TEXT    NOT NULL DEFAULT '{}',
    body         BLOB    NOT NULL DEFAULT x'',
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (token_id, key)
) WITHOUT ROWID;
CREATE INDEX api_idempotency_expiry ON api_idempotency (expires_at);

-- Phone-platform connection details of a customer account, a JSON object
-- given by the partner (POST/PATCH /api/v1/customers). No row: "{}".
CREATE TABLE account_connections (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    connection TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE account_connections;
DROP TABLE api_idempotency;
DROP TABLE api_tokens;
