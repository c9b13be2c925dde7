-- A login attempt is counted before its password is checked, so parallel
-- guesses cannot get around the limit: each row is one key of one attempt;
-- a successful attempt deletes its rows, a failed one keeps them.
ALTER TABLE login_failures ADD COLUMN attempt text;
CREATE INDEX login_failures_attempt ON login_failures (attempt);
