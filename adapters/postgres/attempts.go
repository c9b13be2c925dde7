package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Attempts remembers the latest attempt to send each phase's message,
// until its delivery is reported (see bus.Attempts). The column keeps its
// first name, first_at: it now holds the latest attempt.
type Attempts struct{ db *bun.DB }

// NewAttempts returns the store over db.
func NewAttempts(db *bun.DB) *Attempts { return &Attempts{db: db} }

// Attempt records at as key's latest attempt and returns the one recorded
// before it; again says there was one.
func (s *Attempts) Attempt(ctx context.Context, key string, at time.Time) (time.Time, bool, error) {
	// The old value, read under the row's lock, and the new one written.
	var prev []time.Time
	err := s.db.NewRaw(`UPDATE announce_attempts a SET first_at = ?
		FROM (SELECT key, first_at AS prev FROM announce_attempts WHERE key = ? FOR UPDATE) p
		WHERE a.key = p.key RETURNING p.prev`, at, key).Scan(ctx, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, fmt.Errorf("record a send attempt: %w", translate(err))
	}
	if len(prev) == 1 {
		return prev[0], true, nil
	}
	// The first attempt of this message. (One delivery of a message runs
	// at a time: its topic is read in order.)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO announce_attempts (key, first_at) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET first_at = EXCLUDED.first_at`, key, at); err != nil {
		return time.Time{}, false, fmt.Errorf("record a send attempt: %w", translate(err))
	}
	return time.Time{}, false, nil
}

// Forget drops key's record.
func (s *Attempts) Forget(ctx context.Context, key string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM announce_attempts WHERE key = ?`, key); err != nil {
		return fmt.Errorf("forget a send attempt: %w", translate(err))
	}
	return nil
}
