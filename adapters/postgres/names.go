package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Names caches VK users' names, so a restart or a VK outage still names
// the players.
type Names struct{ db *bun.DB }

// NewNames returns the store over db.
func NewNames(db *bun.DB) *Names { return &Names{db: db} }

// CachedNames returns the stored names of ids updated within maxAge.
func (s *Names) CachedNames(ctx context.Context, maxAge time.Duration, ids ...int64) (map[int64][2]string, error) {
	var rows []struct {
		ID    int64  `bun:"vk_id"`
		First string `bun:"first_name"`
		Last  string `bun:"last_name"`
	}
	err := s.db.NewRaw(`SELECT vk_id, first_name, last_name FROM players WHERE vk_id IN (?) AND updated_at > ?`,
		bun.In(ids), time.Now().Add(-maxAge)).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("cached names: %w", translate(err))
	}
	out := make(map[int64][2]string, len(rows))
	for _, r := range rows {
		out[r.ID] = [2]string{r.First, r.Last}
	}
	return out, nil
}

// SaveName stores a user's name.
func (s *Names) SaveName(ctx context.Context, id int64, first, last string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO players (vk_id, first_name, last_name, updated_at) VALUES (?, ?, ?, now())
		ON CONFLICT (vk_id) DO UPDATE SET first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name, updated_at = now()`, id, first, last)
	if err != nil {
		return fmt.Errorf("save name: %w", translate(err))
	}
	return nil
}
