-- +goose Up
-- Public IDs (SPEC §1 "IDs", internal/tenantdesk ids.go): the audit log
-- names users, devices and API tokens by their public ID ("us", "dv", "tk"
-- and 13 base32 characters of the key) instead of the decimal key, so one
-- spelling of an ID reaches pages, CSV exports and the API. This rewrites the
-- rows written before: the same key, encoded as tenantdesk.FormatUserID
-- does (big-endian, 5 bits a character, alphabet a–z 2–7). Keys in the
-- before/after JSON of those old rows are left as they were written.
UPDATE audit_log SET target_id = 'us' ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 60) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 55) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 50) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 45) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 40) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 35) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 30) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 25) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 20) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 15) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 10) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 5) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 0) & 31) + 1, 1)
    WHERE target_type = 'user' AND target_id <> '' AND target_id NOT GLOB '*[^0-9]*' AND length(target_id) <= 19;
UPDATE audit_log SET target_id = 'dv' ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 60) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 55) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 50) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 45) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 40) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 35) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 30) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 25) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 20) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 15) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 10) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 5) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 0) & 31) + 1, 1)
    WHERE target_type = 'device' AND target_id <> '' AND target_id NOT GLOB '*[^0-9]*' AND length(target_id) <= 19;
UPDATE audit_log SET target_id = 'tk' ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 60) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 55) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 50) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 45) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 40) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 35) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 30) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 25) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 20) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 15) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 10) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 5) & 31) + 1, 1) ||
        substr('abcdefghijklmnopqrstuvwxyz234567', ((CAST(target_id AS INTEGER) >> 0) & 31) + 1, 1)
    WHERE target_type = 'token' AND target_id <> '' AND target_id NOT GLOB '*[^0-9]*' AND length(target_id) <= 19;

-- +goose Down
-- Nothing to undo: the old code shows a public target ID as it is.
