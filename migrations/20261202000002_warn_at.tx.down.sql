DROP INDEX games_warn_due;
ALTER TABLE games DROP COLUMN warn_at;
