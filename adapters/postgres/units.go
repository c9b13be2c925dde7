package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/uptrace/bun"

	"github.com/vkchgk/chgkbot/chgk"
)

// Units runs the bus's units of work: one transaction that holds a chat's
// lock, records the update in the inbox, hands the caller the chat's
// stores bound to that transaction and a publisher that writes to the
// outbox in it. Everything a unit does commits together or not at all.
type Units struct {
	db   *bun.DB
	wake *Wakeups
}

// NewUnits returns the store over db.
func NewUnits(db *bun.DB) *Units { return &Units{db: db} }

// Waking returns the store with its units waking, once committed, the
// subscribers of what they published (see Wakeups).
func (s *Units) Waking(w *Wakeups) *Units { return &Units{db: s.db, wake: w} }

// InChat runs f in one transaction that holds the chat's lock and has
// recorded eventID in the inbox. tx are the chgk stores bound to that
// transaction and to this chat, out publishes to the bus within it; both
// are valid only while f runs. A repeated eventID returns false without
// calling f: an update is applied once however often it is delivered.
func (s *Units) InChat(ctx context.Context, peer chgk.PeerID, eventID string,
	f func(ctx context.Context, tx chgk.Stores, out message.Publisher) error) (fresh bool, err error) {
	published := &touched{}
	err = inChatTx(ctx, s.db, peer, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO inbox (event_id) VALUES (?) ON CONFLICT DO NOTHING`, eventID)
		if err != nil {
			return fmt.Errorf("inbox: %w", translate(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // seen before
		}
		fresh = true
		return runUnit(ctx, tx, peer, published, f)
	})
	if err != nil {
		return false, err
	}
	published.committed(s.wake)
	return fresh, nil
}

// runUnit hands f the chat's stores and the outbox of tx.
func runUnit(ctx context.Context, tx bun.Tx, peer chgk.PeerID, published *touched,
	f func(ctx context.Context, tx chgk.Stores, out message.Publisher) error) error {
	out, err := txPublisher(tx.Tx, published)
	if err != nil {
		return err
	}
	c := &chatTx{tx: tx, peer: peer}
	return f(ctx, chgk.Stores{Games: c, Questions: c, Chats: c, Appeals: &appealsTx{tx: tx, peer: peer}}, out)
}

// ExpireNext takes one chat whose game is due at now (its discussion's
// warning, chgk.Game.Due, or its deadline) — the earliest
// deadline first, skipping chats another transaction holds (a command being
// applied, another replica's sweeper) — and runs f for it in a unit of work
// holding that chat's lock, like InChat. due is the phase and round whose
// deadline passed. It returns false when no chat is due.
func (s *Units) ExpireNext(ctx context.Context, now time.Time,
	f func(ctx context.Context, tx chgk.Stores, out message.Publisher, peer chgk.PeerID, due chgk.Expire, deadline time.Time) error) (bool, error) {
	found, published := false, &touched{}
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var row struct {
			PeerID   int64     `bun:"peer_id"`
			Phase    string    `bun:"phase"`
			Rounds   int       `bun:"rounds"`
			Deadline time.Time `bun:"deadline"`
		}
		err := tx.NewRaw(`
			SELECT c.peer_id, g.phase, least(g.warn_at, g.deadline) AS deadline,
			       (SELECT count(*) FROM rounds r WHERE r.game_id = g.id) AS rounds
			FROM games g JOIN chats c ON c.peer_id = g.peer_id
			WHERE g.deadline <= ? OR g.warn_at <= ?
			ORDER BY least(g.warn_at, g.deadline)
			LIMIT 1
			FOR UPDATE OF c SKIP LOCKED`, now, now).Scan(ctx, &row)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("find due games: %w", translate(err))
		}
		found = true
		peer := chgk.PeerID(row.PeerID)
		due := chgk.Expire{Phase: chgk.Phase(row.Phase), Round: row.Rounds}
		return runUnit(ctx, tx, peer, published, func(ctx context.Context, stores chgk.Stores, out message.Publisher) error {
			return f(ctx, stores, out, peer, due, row.Deadline)
		})
	})
	if err == nil {
		published.committed(s.wake)
	}
	return found, translate(err)
}

// NextDeadline is the earliest deadline of any game; false when none waits.
func (s *Units) NextDeadline(ctx context.Context) (time.Time, bool, error) {
	var t sql.NullTime
	if err := s.db.NewRaw(`SELECT min(least(warn_at, deadline)) FROM games WHERE deadline IS NOT NULL`).Scan(ctx, &t); err != nil {
		return time.Time{}, false, fmt.Errorf("next deadline: %w", translate(err))
	}
	return t.Time, t.Valid, nil
}

// chatTx is the chgk stores of one chat inside a unit's transaction, which
// already holds the chat's lock. It exists only while the unit runs; a use
// after the commit fails with the transaction's error.
type chatTx struct {
	tx   bun.Tx
	peer chgk.PeerID
}

var (
	_ chgk.GameStore      = (*chatTx)(nil)
	_ chgk.QuestionSource = (*chatTx)(nil)
	_ chgk.ChatStore      = (*chatTx)(nil)
)

// errOtherChat: a unit's stores serve only the chat whose lock it holds.
var errOtherChat = errors.New("a unit of work's stores serve only its own chat")

func (c *chatTx) own(peer chgk.PeerID) error {
	if peer != c.peer {
		return fmt.Errorf("chat %d in the unit of chat %d: %w", peer, c.peer, errOtherChat)
	}
	return nil
}

// Update implements chgk.GameStore within the unit's transaction.
func (c *chatTx) Update(ctx context.Context, peer chgk.PeerID, fn chgk.UpdateFunc) error {
	if err := c.own(peer); err != nil {
		return err
	}
	return updateGame(ctx, c.tx, peer, fn)
}

// LastEnded implements chgk.GameStore within the unit's transaction.
func (c *chatTx) LastEnded(ctx context.Context, peer chgk.PeerID) (*chgk.Game, error) {
	return lastEnded(ctx, c.tx, peer)
}

// Draw implements chgk.QuestionSource within the unit's transaction.
func (c *chatTx) Draw(ctx context.Context, peer chgk.PeerID, n int) ([]chgk.Question, error) {
	return drawQuestions(ctx, c.tx, peer, n)
}

// DrawAny implements chgk.QuestionSource within the unit's transaction.
func (c *chatTx) DrawAny(ctx context.Context, n int, except []int64) ([]chgk.Question, error) {
	return drawAny(ctx, c.tx, n, except)
}

// Settings implements chgk.ChatStore within the unit's transaction.
func (c *chatTx) Settings(ctx context.Context, peer chgk.PeerID) (chgk.Settings, error) {
	return chatSettings(ctx, c.tx, peer)
}

// SaveSettings implements chgk.ChatStore within the unit's transaction.
func (c *chatTx) SaveSettings(ctx context.Context, peer chgk.PeerID, s chgk.Settings) error {
	if err := c.own(peer); err != nil {
		return err
	}
	return saveChatSettings(ctx, c.tx, peer, s)
}
