-- +goose Up
-- An audit entry is a record: it names its target as it was when the entry
-- was written (target_name), as it already names its actor (actor_name), so
-- a deleted or renamed user, device or token is still named correctly.
-- who_norm is the lower-cased actor and impersonator names, what the audit
-- log's "Who" filter searches (any part of a name), so entries of deleted
-- actors are still found.
ALTER TABLE audit_log ADD COLUMN target_name TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN who_norm TEXT NOT NULL DEFAULT '';

-- Entries written before: the names of targets that still exist (the rest
-- keep their IDs), and the names folded by SQLite's lower() (ASCII only;
-- new entries fold every script in Go).
UPDATE audit_log SET target_name = COALESCE((SELECT u.display_name FROM users u
    WHERE u.id = CAST(audit_log.target_id AS INTEGER) AND u.account_id = audit_log.account_id), '')
    WHERE target_type = 'user';
UPDATE audit_log SET target_name = COALESCE((SELECT d.name FROM devices d
    WHERE d.id = CAST(audit_log.target_id AS INTEGER) AND d.account_id = audit_log.account_id), '')
    WHERE target_type = 'device';
UPDATE audit_log SET target_name = COALESCE((SELECT a.name FROM accounts a WHERE a.tenant_id = audit_log.target_id), '')
    WHERE target_type = 'account';
UPDATE audit_log SET who_norm = lower(actor_name) || char(10) || lower(impersonator_name);

-- +goose Down
ALTER TABLE audit_log DROP COLUMN who_norm;
ALTER TABLE audit_log DROP COLUMN target_name;
