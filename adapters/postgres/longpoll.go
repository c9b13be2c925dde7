package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/uptrace/bun"
)

// LongPoll keeps the Bots Long Poll position (ts) of each community, saved
// with the batch of updates it brought.
type LongPoll struct {
	db   *bun.DB
	wake *Wakeups
}

// NewLongPoll returns the store over db.
func NewLongPoll(db *bun.DB) *LongPoll { return &LongPoll{db: db} }

// Waking returns the store with each saved batch waking the subscribers of
// its topics (see Wakeups).
func (s *LongPoll) Waking(w *Wakeups) *LongPoll { return &LongPoll{db: s.db, wake: w} }

// SaveUpdates stores a long-poll batch: publish writes the updates to the
// bus and the community's ts is saved, in one transaction, so the ts never
// moves past updates that were not stored.
func (s *LongPoll) SaveUpdates(ctx context.Context, groupID int64, ts string, publish func(ctx context.Context, pub message.Publisher) error) error {
	published := &touched{}
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		pub, err := txPublisher(tx.Tx, published)
		if err != nil {
			return err
		}
		if err := publish(ctx, pub); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO longpoll_state (group_id, ts, updated_at) VALUES (?, ?, now())
			ON CONFLICT (group_id) DO UPDATE SET ts = EXCLUDED.ts, updated_at = EXCLUDED.updated_at`, groupID, ts)
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("save long-poll batch: %w", err)
	}
	published.committed(s.wake)
	return nil
}

// TS is the ts saved with the community's last batch; "" when none.
func (s *LongPoll) TS(ctx context.Context, groupID int64) (string, error) {
	var ts string
	err := s.db.NewRaw(`SELECT ts FROM longpoll_state WHERE group_id = ?`, groupID).Scan(ctx, &ts)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("long-poll ts: %w", translate(err))
	}
	return ts, nil
}
