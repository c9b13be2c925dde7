DROP INDEX login_failures_attempt;
ALTER TABLE login_failures DROP COLUMN attempt;
