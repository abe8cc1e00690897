-- +goose Up
-- Security settings an account's Owner sets on the Security tab. No row
-- means the defaults: 2FA optional, API tokens without a maximum lifetime.
CREATE TABLE account_security (
    account_id              INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    require_2fa             INTEGER NOT NULL DEFAULT 0 CHECK (require_2fa IN (0, 1)),
    -- Maximum lifetime of new API tokens in days; 0 = no maximum.
    token_max_lifetime_days INTEGER NOT NULL DEFAULT 0 CHECK (token_max_lifetime_days >= 0),
    updated_at              INTEGER NOT NULL
);

-- +goose Down
DROP TABLE account_security;
