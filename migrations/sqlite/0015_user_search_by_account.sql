-- +goose Up
-- Search by any part, fast (issue 13: p99 under 20 ms at 32 concurrent
-- searches over 100,000 users). 0014 scoped a search to one account with a
-- phrase on an "account" column, `account : "[<id>]"`: FTS5 then read that
-- phrase's whole doclist, one entry per user of the account (10,000), on
-- every search, which was about three quarters of a search's time.
--
-- Now the index's rowid is users.search_id, a key that groups the users of
-- an account: (account_id << 40) + n, n = 1, 2, … within the account. A
-- search asks for `rowid BETWEEN account_id << 40 AND …` and FTS5 reads only
-- that account's stretch of each trigram's doclist (5× faster over 100,000
-- users). The index keeps only rowids (detail = none: no columns, no
-- positions; 4.7 instead of 20 MB): the store asks for every trigram of the
-- text (`"abc" AND "bcd" AND …`) and keeps exactly the users whose name_norm
-- or email_norm holds the text, as before (instr), so the index only has to
-- find a superset. Less to write per user also makes each creation cheaper:
-- no per-user sizes (columnsize = 0) and no contentless_delete (whose
-- tombstones need them); the triggers delete an entry with FTS5's 'delete'
-- command and the values it was indexed with (OLD.name_norm, OLD.email_norm).
--
-- search_id is assigned by the trigger below on every insert (the store's
-- INSERT does not name it), the next after the account's highest; an
-- account holds at most 2^40 and account IDs stay below 2^23.
ALTER TABLE users ADD COLUMN search_id INTEGER;

UPDATE users SET search_id = k.search_id
    FROM (SELECT id, (account_id << 40) + row_number() OVER (PARTITION BY account_id ORDER BY id) AS search_id FROM users) AS k
    WHERE users.id = k.id;

-- Partial: a new row's NULL, set by the trigger right after, is never
-- written to the index (one page fewer per user created).
CREATE UNIQUE INDEX users_search_id ON users (search_id) WHERE search_id IS NOT NULL;

DROP TRIGGER users_search_after_update;
DROP TRIGGER users_search_after_delete;
DROP TRIGGER users_search_after_insert;
DROP TABLE users_search;

CREATE VIRTUAL TABLE users_search USING fts5(
    name, email,
    tokenize = 'trigram', content = '', detail = none, columnsize = 0
);

INSERT INTO users_search (rowid, name, email) SELECT search_id, name_norm, email_norm FROM users;

-- A new user gets the next search_id of its account; setting it indexes the
-- user (users_search_after_update).
-- +goose StatementBegin
CREATE TRIGGER users_search_after_insert AFTER INSERT ON users WHEN NEW.search_id IS NULL BEGIN
    UPDATE users SET search_id = (SELECT coalesce(max(search_id), NEW.account_id << 40) + 1 FROM users
        WHERE search_id > NEW.account_id << 40 AND search_id < (NEW.account_id + 1) << 40)
    WHERE id = NEW.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER users_search_after_delete AFTER DELETE ON users WHEN OLD.search_id IS NOT NULL BEGIN
    INSERT INTO users_search (users_search, rowid, name, email) VALUES ('delete', OLD.search_id, OLD.name_norm, OLD.email_norm);
END;
-- +goose StatementEnd

-- A user moved to another account (nothing does that today) takes a
-- search_id in that account's range.
-- +goose StatementBegin
CREATE TRIGGER users_search_after_account AFTER UPDATE OF account_id ON users
WHEN OLD.account_id IS NOT NEW.account_id
BEGIN
    UPDATE users SET search_id = (SELECT coalesce(max(search_id), NEW.account_id << 40) + 1 FROM users
        WHERE search_id > NEW.account_id << 40 AND search_id < (NEW.account_id + 1) << 40)
    WHERE id = NEW.id;
END;
-- +goose StatementEnd

-- Only a change of what is searched, or of search_id (a new user, a move),
-- rewrites the entry: users.roles, kept by triggers of its own, and status
-- change far more often. A new user's first update (search_id set by the
-- insert trigger) has no entry to delete.
-- +goose StatementBegin
CREATE TRIGGER users_search_after_update AFTER UPDATE OF name_norm, email_norm, search_id ON users
WHEN OLD.name_norm IS NOT NEW.name_norm OR OLD.email_norm IS NOT NEW.email_norm OR OLD.search_id IS NOT NEW.search_id
BEGIN
    INSERT INTO users_search (users_search, rowid, name, email)
        SELECT 'delete', OLD.search_id, OLD.name_norm, OLD.email_norm WHERE OLD.search_id IS NOT NULL;
    INSERT INTO users_search (rowid, name, email) SELECT NEW.search_id, NEW.name_norm, NEW.email_norm WHERE NEW.search_id IS NOT NULL;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER users_search_after_update;
DROP TRIGGER users_search_after_account;
DROP TRIGGER users_search_after_delete;
DROP TRIGGER users_search_after_insert;
DROP TABLE users_search;
DROP INDEX users_search_id;
ALTER TABLE users DROP COLUMN search_id;

CREATE VIRTUAL TABLE users_search USING fts5(
    name, email, account,
    tokenize = 'trigram', content = '', contentless_delete = 1
);
INSERT INTO users_search (rowid, name, email, account)
    SELECT id, name_norm, email_norm, '[' || account_id || ']' FROM users;
-- +goose StatementBegin
CREATE TRIGGER users_search_after_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_search (rowid, name, email, account)
        VALUES (NEW.id, NEW.name_norm, NEW.email_norm, '[' || NEW.account_id || ']');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER users_search_after_delete AFTER DELETE ON users BEGIN
    DELETE FROM users_search WHERE rowid = OLD.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER users_search_after_update AFTER UPDATE OF id, name_norm, email_norm, account_id ON users
WHEN OLD.id IS NOT NEW.id OR OLD.name_norm IS NOT NEW.name_norm OR OLD.email_norm IS NOT NEW.email_norm
    OR OLD.account_id IS NOT NEW.account_id
BEGIN
    DELETE FROM users_search WHERE rowid = OLD.id;
    INSERT INTO users_search (rowid, name, email, account)
        VALUES (NEW.id, NEW.name_norm, NEW.email_norm, '[' || NEW.account_id || ']');
END;
-- +goose StatementEnd
