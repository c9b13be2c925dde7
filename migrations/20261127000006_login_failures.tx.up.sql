-- Failed admin logins, per account ("account:<email>") and per address
-- ("addr:<ip>"), kept in the database so that every replica of the admin
-- role counts the same failures and a restart forgives none. Rows older
-- than the counting window are deleted as new failures come in.
CREATE TABLE login_failures (
    key       text        NOT NULL,
    failed_at timestamptz NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, failed_at);
CREATE INDEX login_failures_age ON login_failures (failed_at);
