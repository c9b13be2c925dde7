package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Attempts remembers the first attempt to send each phase's message, until
// its delivery is reported (see bus.Attempts).
type Attempts struct{ db *bun.DB }

// NewAttempts returns the store over db.
func NewAttempts(db *bun.DB) *Attempts { return &Attempts{db: db} }

// Attempt records at as key's first attempt unless one is recorded, and
// returns the first attempt's time; again says it was recorded before.
func (s *Attempts) Attempt(ctx context.Context, key string, at time.Time) (time.Time, bool, error) {
	var row struct {
		FirstAt  time.Time `bun:"first_at"`
		Inserted bool      `bun:"inserted"`
	}
	// xmax = 0 tells a fresh insert from the conflict's no-op update, in one statement.
	err := s.db.NewRaw(`INSERT INTO announce_attempts (key, first_at) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key
		RETURNING first_at, (xmax = 0) AS inserted`, key, at).Scan(ctx, &row)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("record a send attempt: %w", translate(err))
	}
	return row.FirstAt, !row.Inserted, nil
}

// Forget drops key's record.
func (s *Attempts) Forget(ctx context.Context, key string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM announce_attempts WHERE key = ?`, key); err != nil {
		return fmt.Errorf("forget a send attempt: %w", translate(err))
	}
	return nil
}
