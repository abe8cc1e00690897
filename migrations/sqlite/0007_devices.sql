-- +goose Up
-- Devices of a customer account (SPEC §5) and the assignment of softphones
-- to users. Times are Unix milliseconds (UTC), like 0001.

CREATE TABLE devices (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    -- name_norm is the lower-cased name: the sort key of device lists.
    name_norm   TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('deskphone', 'softphone')),
    extension   TEXT    NOT NULL DEFAULT '',
    -- mac_address is normalised (aa:bb:cc:dd:ee:ff); deskphones have one, softphones none.
    mac_address TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CHECK ((kind = 'deskphone') = (mac_address IS NOT NULL))
);
-- Keyset pagination of an account's devices by name.
CREATE INDEX devices_account_name ON devices (account_id, name_norm, id);
-- A MAC address is unique within an account.
CREATE UNIQUE INDEX devices_account_mac ON devices (account_id, mac_address) WHERE mac_address IS NOT NULL;

-- device_id is the key: a softphone belongs to at most one user.
-- account_id is copied so that every query is scoped by the account.
CREATE TABLE softphone_assignments (
    device_id  INTEGER PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);
CREATE INDEX softphone_assignments_user ON softphone_assignments (user_id);
CREATE INDEX softphone_assignments_account ON softphone_assignments (account_id, user_id);

-- +goose Down
DROP TABLE softphone_assignments;
DROP TABLE devices;
