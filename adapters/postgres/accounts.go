package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Accounts keeps administrators, their tokens and their failed logins.
type Accounts struct{ db *bun.DB }

// NewAccounts returns the store over db.
func NewAccounts(db *bun.DB) *Accounts { return &Accounts{db: db} }

// EnsureAdmin creates the first admin if there is none; created says
// whether it did.
func (s *Accounts) EnsureAdmin(ctx context.Context, email string, hash func() (string, error)) (created bool, err error) {
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, `LOCK TABLE admins IN EXCLUSIVE MODE`); err != nil {
			return translate(err)
		}
		n, err := tx.NewSelect().Table("admins").Count(ctx)
		if err != nil || n > 0 {
			return translate(err)
		}
		passwordHash, err := hash()
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO admins (email, password_hash) VALUES (?, ?)`, email, passwordHash)
		created = err == nil
		return translate(err)
	})
	return created, err
}

// AdminByEmail returns an admin's id and password hash, or chgk.ErrNotFound.
func (s *Accounts) AdminByEmail(ctx context.Context, email string) (int64, string, error) {
	var row struct {
		ID   int64  `bun:"id"`
		Hash string `bun:"password_hash"`
	}
	err := s.db.NewRaw(`SELECT id, password_hash FROM admins WHERE lower(email) = lower(?)`, email).Scan(ctx, &row)
	if err != nil {
		return 0, "", fmt.Errorf("admin: %w", translate(err))
	}
	return row.ID, row.Hash, nil
}

// FailedLogins returns the most failed logins since since of any of keys.
func (s *Accounts) FailedLogins(ctx context.Context, since time.Time, keys ...string) (int, error) {
	var n int
	err := s.db.NewRaw(`SELECT coalesce(max(c), 0) FROM (
			SELECT count(*) AS c FROM login_failures WHERE key IN (?) AND failed_at > ? GROUP BY key) per_key`,
		bun.In(keys), since).Scan(ctx, &n)
	if err != nil {
		return 0, fmt.Errorf("failed logins: %w", translate(err))
	}
	return n, nil
}

// RecordFailedLogin counts a failed login at at against each of keys, and
// forgets every failure from before forget.
func (s *Accounts) RecordFailedLogin(ctx context.Context, at, forget time.Time, keys ...string) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE failed_at < ?`, forget); err != nil {
			return fmt.Errorf("forget failed logins: %w", translate(err))
		}
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (key, failed_at) VALUES (?, ?)`, k, at); err != nil {
				return fmt.Errorf("record failed login: %w", translate(err))
			}
		}
		return nil
	})
}

// SaveToken stores a token's hash for an admin until expires.
func (s *Accounts) SaveToken(ctx context.Context, hash []byte, adminID int64, expires time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO admin_tokens (token_hash, admin_id, expires_at) VALUES (?, ?, ?)`, hash, adminID, expires)
	if err != nil {
		return fmt.Errorf("save token: %w", translate(err))
	}
	return nil
}

// TokenAdmin returns the admin a live token belongs to, or
// chgk.ErrNotFound for an unknown, expired or revoked one.
func (s *Accounts) TokenAdmin(ctx context.Context, hash []byte, now time.Time) (int64, error) {
	var id int64
	err := s.db.NewRaw(`SELECT admin_id FROM admin_tokens WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?`, hash, now).Scan(ctx, &id)
	if err != nil {
		return 0, fmt.Errorf("token: %w", translate(err))
	}
	return id, nil
}

// RevokeToken ends a token.
func (s *Accounts) RevokeToken(ctx context.Context, hash []byte) error {
	_, err := s.db.ExecContext(ctx, `UPDATE admin_tokens SET revoked_at = now() WHERE token_hash = ? AND revoked_at IS NULL`, hash)
	if err != nil {
		return fmt.Errorf("revoke token: %w", translate(err))
	}
	return nil
}
