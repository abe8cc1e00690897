-- +goose Up
-- Access requests and impersonation (SPEC §4, seed 002). A partner.admin
-- saves one request (access_request_batches: name, message, who asked);
-- each customer named in it receives its own request (access_requests),
-- naming only the partner users associated with that customer
-- (access_request_users), and answers it there (the answer columns). Times
-- are Unix milliseconds (UTC), like 0001. Keys of access_requests are
-- assigned like users' (internal/sqlite ids.go): never reused.

CREATE TABLE access_request_batches (
    id                INTEGER PRIMARY KEY,
    partner_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name              TEXT    NOT NULL,
    message           TEXT    NOT NULL DEFAULT '',
    requested_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    requested_by_name TEXT    NOT NULL DEFAULT '',
    created_at        INTEGER NOT NULL
);

CREATE TABLE access_requests (
    id               INTEGER PRIMARY KEY,
    batch_id         INTEGER NOT NULL REFERENCES access_request_batches (id) ON DELETE CASCADE,
    partner_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- modes: the modes the staff may use, comma-separated in a fixed order.
    modes            TEXT    NOT NULL,
    -- state as stored; "expired" is a granted row whose expires_at has passed.
    state            TEXT    NOT NULL CHECK (state IN ('pending', 'granted', 'denied', 'revoked', 'withdrawn')),
    expires_at       INTEGER,
    answer_message   TEXT    NOT NULL DEFAULT '',
    answered_by_name TEXT    NOT NULL DEFAULT '',
    answered_at      INTEGER,
    reminded_at      INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX access_requests_partner ON access_requests (partner_id, id);
CREATE INDEX access_requests_account ON access_requests (account_id, id);
-- The reminder job's scan: live grants by expiry.
CREATE INDEX access_requests_expiry ON access_requests (expires_at) WHERE state = 'granted' AND reminded_at IS NULL;

-- request_id first: a request's users; user_id index: a user's requests
-- (My zone, the grant check of every impersonated request).
CREATE TABLE access_request_users (
    request_id INTEGER NOT NULL REFERENCES access_requests (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (request_id, user_id)
) WITHOUT ROWID;
CREATE INDEX access_request_users_user ON access_request_users (user_id, request_id);

-- first_grant_at: when the customer first granted a request. From then on
-- its partner's legacy access (partner.admin as user admin) has ended.
ALTER TABLE accounts ADD COLUMN first_grant_at INTEGER;

-- Audit entries of impersonated actions name both identities: the partner
-- user (actor_*), their account when it is not the log's own
-- (actor_account_name), the mode, and, in the partner's copy, the customer
-- the action was taken in (on_account_name).
ALTER TABLE audit_log ADD COLUMN actor_account_name TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN impersonation_mode TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN on_account_name TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE audit_log DROP COLUMN on_account_name;
ALTER TABLE audit_log DROP COLUMN impersonation_mode;
ALTER TABLE audit_log DROP COLUMN actor_account_name;
ALTER TABLE accounts DROP COLUMN first_grant_at;
DROP TABLE access_request_users;
DROP TABLE access_requests;
DROP TABLE access_request_batches;
