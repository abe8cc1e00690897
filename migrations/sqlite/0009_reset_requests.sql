-- +goose Up
-- "Forgot password" requests, counted per client IP for throttling
-- (tenantdesk.ThrottleMaxResetPerIP), like signin_failures in 0001. Every
-- request counts, whatever the email, so the limit reveals nothing about
-- accounts. Times are Unix milliseconds (UTC), like 0001; the janitor
-- deletes rows older than the throttle window.
CREATE TABLE password_reset_requests (
    id INTEGER PRIMARY KEY,
    ip TEXT    NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX password_reset_requests_ip ON password_reset_requests (ip, at);

-- +goose Down
DROP TABLE password_reset_requests;
