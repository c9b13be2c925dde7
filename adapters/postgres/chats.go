package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/vkchgk/chgkbot/chgk"
)

// Chats keeps the chats the bot plays in: chgk.ChatStore (each chat's own
// settings), and the admin API's list of chats.
type Chats struct{ db *bun.DB }

// NewChats returns the store over db.
func NewChats(db *bun.DB) *Chats { return &Chats{db: db} }

var _ chgk.ChatStore = (*Chats)(nil)

// Settings implements chgk.ChatStore: the chat's own settings, or
// chgk.ErrNotFound while it has none.
func (s *Chats) Settings(ctx context.Context, peer chgk.PeerID) (chgk.Settings, error) {
	return chatSettings(ctx, s.db, peer)
}

func chatSettings(ctx context.Context, db bun.IDB, peer chgk.PeerID) (chgk.Settings, error) {
	var row chatRow
	err := db.NewSelect().Model(&row).Where("peer_id = ?", int64(peer)).Scan(ctx)
	if err != nil {
		return chgk.Settings{}, fmt.Errorf("settings of chat %d: %w", peer, translate(err))
	}
	if row.Settings == nil {
		return chgk.Settings{}, fmt.Errorf("settings of chat %d: %w", peer, chgk.ErrNotFound)
	}
	return row.Settings.settings(), nil
}

// SaveSettings implements chgk.ChatStore.
func (s *Chats) SaveSettings(ctx context.Context, peer chgk.PeerID, set chgk.Settings) error {
	return saveChatSettings(ctx, s.db, peer, set)
}

func saveChatSettings(ctx context.Context, db bun.IDB, peer chgk.PeerID, set chgk.Settings) error {
	j := toSettingsJSON(set)
	row := chatRow{PeerID: int64(peer), Settings: &j, UpdatedAt: time.Now()}
	_, err := db.NewInsert().Model(&row).
		On("CONFLICT (peer_id) DO UPDATE").Set("settings = EXCLUDED.settings, updated_at = EXCLUDED.updated_at").Exec(ctx)
	if err != nil {
		return fmt.Errorf("save settings of chat %d: %w", peer, translate(err))
	}
	return nil
}

const chatColumns = `c.peer_id, c.settings, c.created_at,
	(SELECT count(*) FROM games g WHERE g.peer_id = c.peer_id) AS games,
	EXISTS (SELECT 1 FROM games g WHERE g.peer_id = c.peer_id AND g.ended_at IS NULL) AS running,
	(SELECT max(g.started_at) FROM games g WHERE g.peer_id = c.peer_id) AS last_played`

type chatListRow struct {
	PeerID     int64         `bun:"peer_id"`
	Settings   *settingsJSON `bun:"settings,type:jsonb"`
	CreatedAt  time.Time     `bun:"created_at"`
	Games      int           `bun:"games"`
	Running    bool          `bun:"running"`
	LastPlayed sql.NullTime  `bun:"last_played"`
}

func (r chatListRow) record() chgk.ChatRecord {
	c := chgk.ChatRecord{Peer: chgk.PeerID(r.PeerID), Games: r.Games, Running: r.Running, LastPlayed: r.LastPlayed.Time, CreatedAt: r.CreatedAt}
	if r.Settings != nil {
		s := r.Settings.settings()
		c.Settings = &s
	}
	return c
}

// List lists chats, most recently played first.
func (s *Chats) List(ctx context.Context, offset, limit int) ([]chgk.ChatRecord, int, error) {
	var total int
	if err := s.db.NewRaw(`SELECT count(*) FROM chats`).Scan(ctx, &total); err != nil {
		return nil, 0, fmt.Errorf("count chats: %w", translate(err))
	}
	var rows []chatListRow
	err := s.db.NewRaw(`SELECT `+chatColumns+` FROM chats c ORDER BY last_played DESC NULLS LAST, c.peer_id LIMIT ? OFFSET ?`,
		max(limit, 1), offset).Scan(ctx, &rows)
	if err != nil {
		return nil, 0, fmt.Errorf("list chats: %w", translate(err))
	}
	out := make([]chgk.ChatRecord, len(rows))
	for i, r := range rows {
		out[i] = r.record()
	}
	return out, total, nil
}

// Get reads one chat, or chgk.ErrNotFound.
func (s *Chats) Get(ctx context.Context, peer chgk.PeerID) (chgk.ChatRecord, error) {
	var r chatListRow
	err := s.db.NewRaw(`SELECT `+chatColumns+` FROM chats c WHERE c.peer_id = ?`, int64(peer)).Scan(ctx, &r)
	if err != nil {
		return chgk.ChatRecord{}, fmt.Errorf("chat %d: %w", peer, translate(err))
	}
	return r.record(), nil
}

// UpdateSettings applies f to the chat's settings (defaults while it has
// none) in one transaction holding the chat's row lock — the lock every
// command of the chat holds too — and saves the result. An unknown chat is
// chgk.ErrNotFound; f's error comes back as it is.
func (s *Chats) UpdateSettings(ctx context.Context, peer chgk.PeerID, defaults chgk.Settings,
	f func(chgk.Settings) (chgk.Settings, error)) (chgk.Settings, error) {
	var out chgk.Settings
	var inner error
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var row chatRow
		if err := tx.NewSelect().Model(&row).Where("peer_id = ?", int64(peer)).For("UPDATE").Scan(ctx); err != nil {
			return fmt.Errorf("chat %d: %w", peer, translate(err))
		}
		cur := defaults
		if row.Settings != nil {
			cur = row.Settings.settings()
		}
		if out, inner = f(cur); inner != nil {
			return inner
		}
		return saveChatSettings(ctx, tx, peer, out)
	})
	if inner != nil {
		return chgk.Settings{}, inner
	}
	if err != nil {
		return chgk.Settings{}, err
	}
	return out, nil
}
