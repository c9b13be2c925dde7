package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"
)

// Keyboards remembers each chat's live keyboard message — the captain's
// choice, which the announcer edits in place into who answers (the key it
// stores says which announcement the message belongs to now).
type Keyboards struct{ db *bun.DB }

// NewKeyboards returns the store over db.
func NewKeyboards(db *bun.DB) *Keyboards { return &Keyboards{db: db} }

// LiveKeyboard returns the chat's live keyboard message: its cmid, text and
// the key of the announcement that sent it; ok is false when none is live.
func (s *Keyboards) LiveKeyboard(ctx context.Context, peer int64) (cmid int64, text, key string, ok bool, err error) {
	var row struct {
		CMID int64  `bun:"cmid"`
		Text string `bun:"text"`
		Key  string `bun:"key"`
	}
	err = s.db.NewRaw(`SELECT cmid, text, key FROM bot_keyboards WHERE peer_id = ?`, peer).Scan(ctx, &row)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", "", false, nil
	}
	if err != nil {
		return 0, "", "", false, fmt.Errorf("live keyboard: %w", translate(err))
	}
	return row.CMID, row.Text, row.Key, true, nil
}

// SetLiveKeyboard records the chat's live keyboard message; cmid 0 clears it.
func (s *Keyboards) SetLiveKeyboard(ctx context.Context, peer, cmid int64, text, key string) error {
	var err error
	if cmid == 0 {
		_, err = s.db.ExecContext(ctx, `DELETE FROM bot_keyboards WHERE peer_id = ?`, peer)
	} else {
		_, err = s.db.ExecContext(ctx, `INSERT INTO bot_keyboards (peer_id, cmid, text, key) VALUES (?, ?, ?, ?)
			ON CONFLICT (peer_id) DO UPDATE SET cmid = EXCLUDED.cmid, text = EXCLUDED.text, key = EXCLUDED.key,
			updated_at = now()`, peer, cmid, text, key)
	}
	if err != nil {
		return fmt.Errorf("set live keyboard: %w", translate(err))
	}
	return nil
}
