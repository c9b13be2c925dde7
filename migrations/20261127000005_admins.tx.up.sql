-- Admin accounts of the HTTP API and their bearer tokens. Passwords are
-- bcrypt hashes; tokens are stored as SHA-256 hashes, never as issued.
CREATE TABLE admins (
    id            bigserial PRIMARY KEY,
    email         text        NOT NULL CHECK (email <> ''),
    password_hash text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX admins_email ON admins (lower(email));

CREATE TABLE admin_tokens (
    token_hash bytea PRIMARY KEY,
    admin_id   bigint      NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX admin_tokens_expiry ON admin_tokens (expires_at);
