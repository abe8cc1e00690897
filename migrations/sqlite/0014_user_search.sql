-- +goose Up
-- Search by any part (issue 13): people type whatever part of a name or an
-- email they remember. users_search, an FTS5 index with the trigram
-- tokenizer, answers "contains" queries of 3 or more characters on the
-- Users tab and GET /api/v1/customers/{tenantId}/users?q= (shorter ones stay
-- prefix searches on the ordinary indexes); the lists still come in name
-- order from users itself.
--
-- It holds each user's lower-cased name and email (name_norm, email_norm,
-- folded in Go for every script) and the account as "[<id>]", so that a
-- search is scoped to one account inside the index: the store queries
-- `account : "[<id>]" AND {name email} : "<text>"` (the brackets keep one
-- account's ID from matching inside another's). Its rowid is users.id.
-- Contentless (the text is in users), kept by the triggers below.
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

-- Only a change of what is searched rewrites the entry (users.roles, kept by
-- triggers of its own, and status change far more often).
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

-- +goose Down
DROP TRIGGER users_search_after_update;
DROP TRIGGER users_search_after_delete;
DROP TRIGGER users_search_after_insert;
DROP TABLE users_search;
