-- +goose Up
-- Times are Unix milliseconds (UTC). Every table of an account's data carries
-- account_id so that every query can be scoped by it.

CREATE TABLE accounts (
    id                      INTEGER PRIMARY KEY,
    tenant_id               TEXT    NOT NULL UNIQUE,
    kind                    TEXT    NOT NULL CHECK (kind IN ('partner', 'customer')),
    parent_id               INTEGER REFERENCES accounts (id),
    name                    TEXT    NOT NULL,
    reference               TEXT    NOT NULL DEFAULT '',
    description             TEXT    NOT NULL DEFAULT '',
    service_packages        TEXT    NOT NULL DEFAULT '',
    support_package         TEXT    NOT NULL DEFAULT '',
    personal_manager_name   TEXT    NOT NULL DEFAULT '',
    personal_manager_email  TEXT    NOT NULL DEFAULT '',
    personal_manager_phone  TEXT    NOT NULL DEFAULT '',
    technical_manager_name  TEXT    NOT NULL DEFAULT '',
    technical_manager_email TEXT    NOT NULL DEFAULT '',
    technical_manager_phone TEXT    NOT NULL DEFAULT '',
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL,
    CHECK (parent_id IS NULL OR kind = 'customer')
);
CREATE INDEX accounts_parent ON accounts (parent_id, name COLLATE NOCASE) WHERE parent_id IS NOT NULL;

CREATE TABLE users (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    display_name TEXT    NOT NULL,
    -- name_norm is the lower-cased display name: the sort and search key of user lists.
    name_norm    TEXT    NOT NULL,
    email        TEXT    NOT NULL,
    -- email_norm is the lower-cased, trimmed email: unique across ALL accounts (SPEC §1).
    email_norm   TEXT    NOT NULL UNIQUE,
    status       TEXT    NOT NULL DEFAULT 'invited' CHECK (status IN ('invited', 'active', 'disabled')),
    is_owner     INTEGER NOT NULL DEFAULT 0 CHECK (is_owner IN (0, 1)),
    phone        TEXT    NOT NULL DEFAULT '',
    job_title    TEXT    NOT NULL DEFAULT '',
    language     TEXT    NOT NULL DEFAULT '',
    time_zone    TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
-- At most one Owner per account.
CREATE UNIQUE INDEX users_one_owner ON users (account_id) WHERE is_owner = 1;
-- Keyset pagination and name-prefix search of an account's users; email-prefix search.
CREATE INDEX users_account_name ON users (account_id, name_norm, id);
CREATE INDEX users_account_email ON users (account_id, email_norm);

-- account_id is copied from users so that the rules' account-wide counts
-- (user admins, supervisors, licences) are index scans of one account.
CREATE TABLE user_roles (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role       TEXT    NOT NULL,
    PRIMARY KEY (user_id, role)
) WITHOUT ROWID;
CREATE INDEX user_roles_account_role ON user_roles (account_id, role, user_id);

-- Credentials: the portal password (kind 'password') and, later, the FTP
-- password; only argon2id hashes are stored.
CREATE TABLE credentials (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('password', 'ftp')),
    hash       TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, kind)
) WITHOUT ROWID;

-- Server-side sessions. id_hash is the SHA-256 of the session ID held in the
-- cookie, so a copy of the database cannot be used to hijack a session.
CREATE TABLE sessions (
    id_hash      BLOB    PRIMARY KEY,
    user_id      INTEGER REFERENCES users (id) ON DELETE CASCADE,
    data         BLOB    NOT NULL,
    ip           TEXT    NOT NULL DEFAULT '',
    user_agent   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Failed sign-in attempts, counted per email and per client IP for throttling.
CREATE TABLE signin_failures (
    id         INTEGER PRIMARY KEY,
    email_norm TEXT    NOT NULL,
    ip         TEXT    NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX signin_failures_email ON signin_failures (email_norm, at);
CREATE INDEX signin_failures_ip ON signin_failures (ip, at);

-- The audit log (R10). account_id is NULL only for events that belong to no
-- account, such as a failed sign-in with an unknown email. Actor and
-- impersonator names are copied so the log survives user deletion.
CREATE TABLE audit_log (
    id                   INTEGER PRIMARY KEY,
    account_id           INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    actor_user_id        INTEGER,
    actor_name           TEXT    NOT NULL DEFAULT '',
    impersonator_user_id INTEGER,
    impersonator_name    TEXT    NOT NULL DEFAULT '',
    action               TEXT    NOT NULL,
    target_type          TEXT    NOT NULL DEFAULT '',
    target_id            TEXT    NOT NULL DEFAULT '',
    before_json          TEXT    NOT NULL DEFAULT '',
    after_json           TEXT    NOT NULL DEFAULT '',
    licensed             INTEGER NOT NULL DEFAULT 0,
    ip                   TEXT    NOT NULL DEFAULT '',
    created_at           INTEGER NOT NULL
);
CREATE INDEX audit_account ON audit_log (account_id, id);
CREATE INDEX audit_account_action ON audit_log (account_id, action, id);
CREATE INDEX audit_account_actor ON audit_log (account_id, actor_user_id, id);

-- Generated secrets (session keys) persisted when not configured.
CREATE TABLE secrets (
    name       TEXT    PRIMARY KEY,
    value      BLOB    NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- +goose Down
DROP TABLE secrets;
DROP TABLE audit_log;
DROP TABLE signin_failures;
DROP TABLE sessions;
DROP TABLE credentials;
DROP TABLE user_roles;
DROP TABLE users;
DROP TABLE accounts;
