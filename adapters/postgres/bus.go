package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/uptrace/bun"

	"github.com/vkchgk/chgkbot/chgk"
)

// The watermill-sql v4 schema the bus's tables were created with (see
// migrations/*_bus.tx.up.sql). Schema initialisation is off: the tables come
// from migrations, and a publisher bound to a transaction must not create
// tables.
func schema(batch int) wsql.DefaultPostgreSQLSchema {
	return wsql.DefaultPostgreSQLSchema{SubscribeBatchSize: batch}
}

// NewPublisher returns a publisher that writes messages outside any
// transaction (e.g. the announcer's delivery reports, the poison topic).
func (s *Store) NewPublisher(log *slog.Logger) (message.Publisher, error) {
	return wsql.NewPublisher(wsql.BeginnerFromStdSQL(s.db.DB), wsql.PublisherConfig{SchemaAdapter: schema(1)}, logger(log))
}

// SubscriberConfig tunes a bus subscriber.
type SubscriberConfig struct {
	ConsumerGroup string        // e.g. "worker": each group reads every message once
	Batch         int           // messages read per query; 1 keeps the read transaction short
	Poll          time.Duration // wait after an empty read
	AckDeadline   time.Duration // a message not acked by then is delivered again
}

// NewSubscriber returns a subscriber of the bus's topics. A read holds a
// transaction open until its messages are acked, and Postgres hides newer
// messages from every reader while it is open (watermill-sql orders by
// transaction id), so keep Batch small and handlers quick.
func (s *Store) NewSubscriber(cfg SubscriberConfig, log *slog.Logger) (message.Subscriber, error) {
	deadline := cfg.AckDeadline
	return wsql.NewSubscriber(wsql.BeginnerFromStdSQL(s.db.DB), wsql.SubscriberConfig{
		ConsumerGroup:  cfg.ConsumerGroup,
		AckDeadline:    &deadline,
		PollInterval:   cfg.Poll,
		ResendInterval: 50 * time.Millisecond,
		BackoffManager: pollBackoff{idle: cfg.Poll, retry: time.Second},
		SchemaAdapter:  schema(max(cfg.Batch, 1)),
		OffsetsAdapter: wsql.DefaultPostgreSQLOffsetsAdapter{},
	}, logger(log))
}

// pollBackoff reads again at once after a message and waits idle after an
// empty read, so a busy topic drains fast and an idle one costs little.
type pollBackoff struct{ idle, retry time.Duration }

func (b pollBackoff) HandleError(log watermill.LoggerAdapter, noMsg bool, err error) time.Duration {
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			log.Error("bus read failed", err, nil)
		}
		return b.retry
	}
	if noMsg {
		return b.idle
	}
	return 0
}

func logger(l *slog.Logger) watermill.LoggerAdapter {
	if l == nil {
		return watermill.NopLogger{}
	}
	// Watermill's info lines (subscribing, closing) are noise at our info level.
	return watermill.NewSlogLoggerWithLevelMapping(l.With("component", "watermill"), map[slog.Level]slog.Level{
		slog.LevelInfo: slog.LevelDebug,
	})
}

// txPublisher publishes within tx: the outbox half of a command.
func txPublisher(tx *sql.Tx) (message.Publisher, error) {
	return wsql.NewPublisher(wsql.TxFromStdSQL(tx), wsql.PublisherConfig{SchemaAdapter: schema(1)}, nil)
}

// Process runs f in one transaction that holds the chat's lock and has
// recorded eventID in the inbox; f's publisher writes to the bus in that
// same transaction, and the chgk stores called with f's ctx join it too. A
// repeated eventID returns false without calling f: an update is applied
// once however often it is delivered.
func (s *Store) Process(ctx context.Context, peer chgk.PeerID, eventID string, f func(ctx context.Context, pub message.Publisher) error) (bool, error) {
	fresh := false
	err := s.InTx(ctx, peer, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO inbox (event_id) VALUES (?) ON CONFLICT DO NOTHING`, eventID)
		if err != nil {
			return fmt.Errorf("inbox: %w", translate(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // seen before
		}
		fresh = true
		pub, err := txPublisher(tx.Tx)
		if err != nil {
			return err
		}
		return f(ctx, pub)
	})
	if err != nil {
		return false, err
	}
	return fresh, nil
}

// ExpireNext takes one chat whose game is due at now — the earliest
// deadline first, skipping chats another transaction holds (a command being
// applied, another replica's sweeper) — and runs f for it in a transaction
// holding that chat's lock, like Process. It returns false when no chat is
// due.
func (s *Store) ExpireNext(ctx context.Context, now time.Time,
	f func(ctx context.Context, pub message.Publisher, peer chgk.PeerID, phase chgk.Phase, round int, deadline time.Time) error) (bool, error) {
	found := false
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var row struct {
			PeerID   int64     `bun:"peer_id"`
			Phase    string    `bun:"phase"`
			Rounds   int       `bun:"rounds"`
			Deadline time.Time `bun:"deadline"`
		}
		err := tx.NewRaw(`
			SELECT c.peer_id, g.phase, g.deadline,
			       (SELECT count(*) FROM rounds r WHERE r.game_id = g.id) AS rounds
			FROM games g JOIN chats c ON c.peer_id = g.peer_id
			WHERE g.deadline <= ?
			ORDER BY g.deadline
			LIMIT 1
			FOR UPDATE OF c SKIP LOCKED`, now).Scan(ctx, &row)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("find due games: %w", translate(err))
		}
		found = true
		pub, err := txPublisher(tx.Tx)
		if err != nil {
			return err
		}
		peer := chgk.PeerID(row.PeerID)
		ctx = context.WithValue(ctx, txKey{}, tx)
		ctx = context.WithValue(ctx, lockedKey{}, peer)
		return f(ctx, pub, peer, chgk.Phase(row.Phase), row.Rounds, row.Deadline)
	})
	return found, err
}

// NextDeadline is the earliest deadline of any game; false when none waits.
func (s *Store) NextDeadline(ctx context.Context) (time.Time, bool, error) {
	var t sql.NullTime
	if err := s.db.NewRaw(`SELECT min(deadline) FROM games WHERE deadline IS NOT NULL`).Scan(ctx, &t); err != nil {
		return time.Time{}, false, fmt.Errorf("next deadline: %w", translate(err))
	}
	return t.Time, t.Valid, nil
}

// SaveUpdates stores a long-poll batch: publish writes the updates to the
// bus and the community's ts is saved, in one transaction, so the ts never
// moves past updates that were not stored.
func (s *Store) SaveUpdates(ctx context.Context, groupID int64, ts string, publish func(ctx context.Context, pub message.Publisher) error) error {
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		pub, err := txPublisher(tx.Tx)
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
	return nil
}

// LongPollTS is the ts saved with the community's last batch; "" when none.
func (s *Store) LongPollTS(ctx context.Context, groupID int64) (string, error) {
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

// ForgetProcessed deletes inbox entries older than age: VK does not deliver
// an update again after so long, so they only take space.
func (s *Store) ForgetProcessed(ctx context.Context, age time.Duration) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM inbox WHERE processed_at < now() - ?::interval`, fmt.Sprintf("%d seconds", int(age.Seconds())))
	if err != nil {
		return 0, fmt.Errorf("forget processed: %w", translate(err))
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// LiveKeyboard returns the chat's live keyboard message: its cmid, text and
// the key of the announcement that sent it; ok is false when none is live.
func (s *Store) LiveKeyboard(ctx context.Context, peer int64) (cmid int64, text, key string, ok bool, err error) {
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
func (s *Store) SetLiveKeyboard(ctx context.Context, peer, cmid int64, text, key string) error {
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

// CachedNames returns the stored names of ids updated within maxAge.
func (s *Store) CachedNames(ctx context.Context, maxAge time.Duration, ids ...int64) (map[int64][2]string, error) {
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
func (s *Store) SaveName(ctx context.Context, id int64, first, last string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO players (vk_id, first_name, last_name, updated_at) VALUES (?, ?, ?, now())
		ON CONFLICT (vk_id) DO UPDATE SET first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name, updated_at = now()`, id, first, last)
	if err != nil {
		return fmt.Errorf("save name: %w", translate(err))
	}
	return nil
}

// LiveGames counts the games running now.
func (s *Store) LiveGames(ctx context.Context) (int, error) {
	n, err := s.db.NewSelect().Model((*gameRow)(nil)).Where("phase IN (?)", activePhases).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("live games: %w", translate(err))
	}
	return n, nil
}
