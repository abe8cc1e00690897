-- +goose Up
-- users.roles mirrors the user's rows in user_roles as one sorted,
-- comma-separated text, kept by triggers on every insert and delete, so the
-- hot reads (the Users tab, the API, every signed-in request) read a user's
-- roles with the user instead of aggregating user_roles per row.
-- user_roles stays the source of truth and what the rules' counts use.
ALTER TABLE users ADD COLUMN roles TEXT NOT NULL DEFAULT '';

UPDATE users SET roles = COALESCE((SELECT group_concat(role, ',') FROM
    (SELECT role FROM user_roles r WHERE r.user_id = users.id ORDER BY role)), '');

-- +goose StatementBegin
CREATE TRIGGER user_roles_after_insert AFTER INSERT ON user_roles BEGIN
    UPDATE users SET roles = COALESCE((SELECT group_concat(role, ',') FROM
        (SELECT role FROM user_roles r WHERE r.user_id = NEW.user_id ORDER BY role)), '')
    WHERE id = NEW.user_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER user_roles_after_delete AFTER DELETE ON user_roles BEGIN
    UPDATE users SET roles = COALESCE((SELECT group_concat(role, ',') FROM
        (SELECT role FROM user_roles r WHERE r.user_id = OLD.user_id ORDER BY role)), '')
    WHERE id = OLD.user_id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER user_roles_after_delete;
DROP TRIGGER user_roles_after_insert;
ALTER TABLE users DROP COLUMN roles;
