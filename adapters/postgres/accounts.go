package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
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

// BeginLogin counts a login attempt against every key of limits before
// its password is checked, atomically with the check of the keys' limits:
// under an advisory lock per key it counts the key's failures (and the
// attempts in flight) since since, refuses if any key has reached its
// limit (ok false, nothing recorded), and else records the attempt. It
// forgets failures from before forget. The attempt's id goes to EndLogin.
func (s *Accounts) BeginLogin(ctx context.Context, at, since, forget time.Time, limits map[string]int) (attempt string, ok bool, err error) {
	keys := make([]string, 0, len(limits))
	for k := range limits {
		keys = append(keys, k)
	}
	slices.Sort(keys) // one lock order for every attempt: no deadlock
	attempt = newAttemptID()
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(?, 7))`, "login:"+k); err != nil {
				return fmt.Errorf("lock login key: %w", translate(err))
			}
		}
		var counts []struct {
			Key string `bun:"key"`
			N   int    `bun:"n"`
		}
		if err := tx.NewRaw(`SELECT key, count(*) AS n FROM login_failures WHERE key IN (?) AND failed_at > ? GROUP BY key`,
			bun.In(keys), since).Scan(ctx, &counts); err != nil {
			return fmt.Errorf("count failed logins: %w", translate(err))
		}
		for _, c := range counts {
			if c.N >= limits[c.Key] {
				return nil // ok stays false
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE failed_at < ?`, forget); err != nil {
			return fmt.Errorf("forget failed logins: %w", translate(err))
		}
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (key, failed_at, attempt) VALUES (?, ?, ?)`, k, at, attempt); err != nil {
				return fmt.Errorf("record a login attempt: %w", translate(err))
			}
		}
		ok = true
		return nil
	})
	if err != nil {
		return "", false, err
	}
	return attempt, ok, nil
}

// EndLogin settles an attempt: a success forgets it; a failure stays
// counted.
func (s *Accounts) EndLogin(ctx context.Context, attempt string, success bool) error {
	if !success {
		return nil
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM login_failures WHERE attempt = ?`, attempt); err != nil {
		return fmt.Errorf("settle a login attempt: %w", translate(err))
	}
	return nil
}

func newAttemptID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
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
