package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/vkchgk/chgkbot/chgk"
)

// Settings implements chgk.ChatStore: the chat's own settings, or
// chgk.ErrNotFound while it has none.
func (s *Store) Settings(ctx context.Context, peer chgk.PeerID) (chgk.Settings, error) {
	var row chatRow
	err := idb(ctx, s.db).NewSelect().Model(&row).Where("peer_id = ?", int64(peer)).Scan(ctx)
	if err != nil {
		return chgk.Settings{}, fmt.Errorf("settings of chat %d: %w", peer, translate(err))
	}
	if row.Settings == nil {
		return chgk.Settings{}, fmt.Errorf("settings of chat %d: %w", peer, chgk.ErrNotFound)
	}
	return row.Settings.settings(), nil
}

// SaveSettings implements chgk.ChatStore.
func (s *Store) SaveSettings(ctx context.Context, peer chgk.PeerID, set chgk.Settings) error {
	j := toSettingsJSON(set)
	row := chatRow{PeerID: int64(peer), Settings: &j, UpdatedAt: time.Now()}
	_, err := idb(ctx, s.db).NewInsert().Model(&row).
		On("CONFLICT (peer_id) DO UPDATE").Set("settings = EXCLUDED.settings, updated_at = EXCLUDED.updated_at").Exec(ctx)
	if err != nil {
		return fmt.Errorf("save settings of chat %d: %w", peer, translate(err))
	}
	return nil
}
