-- +goose Up
-- Nothing to change on PostgreSQL: 0015 regroups SQLite's FTS5 search index
-- by account (migrations/sqlite/0015_user_search_by_account.sql); pg_trgm's
-- GIN indexes of 0014 answer the same searches here. This file keeps the
-- version numbers of both stores aligned (goose records an empty
-- migration's version like any other).

-- +goose Down
