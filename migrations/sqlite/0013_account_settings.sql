-- +goose Up
-- Customer settings (issue 12, SPEC §2 "customer.settings"): the defaults
-- of new users (language, time zone), whether detected call-centre agents
-- get customer.user.acd (auto_assign_acd), and the essential-user variant
-- ('standard': customer.user.pbx; 'uk': customer.user.uc.essential).
-- disabled_at: the customer was disabled by its partner or the operator
-- (SPEC §1 "Customer status"): its users cannot sign in, its tokens get 403
-- account_disabled, nothing is deleted. NULL: enabled.
ALTER TABLE accounts ADD COLUMN default_language TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN default_time_zone TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN auto_assign_acd INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN essential_variant TEXT NOT NULL DEFAULT 'standard'
    CHECK (essential_variant IN ('standard', 'uk'));
ALTER TABLE accounts ADD COLUMN disabled_at INTEGER;

-- +goose Down
ALTER TABLE accounts DROP COLUMN disabled_at;
ALTER TABLE accounts DROP COLUMN essential_variant;
ALTER TABLE accounts DROP COLUMN auto_assign_acd;
ALTER TABLE accounts DROP COLUMN default_time_zone;
ALTER TABLE accounts DROP COLUMN default_language;
