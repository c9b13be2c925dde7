package postgres

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/uptrace/bun"
)

// Bus makes the publishers and subscribers of the Postgres-backed message
// bus (watermill-sql), over the same pool as the state.
type Bus struct{ db *bun.DB }

// NewBus returns the store over db.
func NewBus(db *bun.DB) *Bus { return &Bus{db: db} }

// The watermill-sql v4 schema the bus's tables were created with (see
// migrations/*_bus.tx.up.sql). Schema initialisation is off: the tables come
// from migrations, and a publisher bound to a transaction must not create
// tables.
func schema(batch int) wsql.DefaultPostgreSQLSchema {
	return wsql.DefaultPostgreSQLSchema{SubscribeBatchSize: batch}
}

// Publisher returns a publisher that writes messages outside any
// transaction (e.g. the announcer's delivery reports, the poison topic).
func (s *Bus) Publisher(log *slog.Logger) (message.Publisher, error) {
	p, err := wsql.NewPublisher(wsql.BeginnerFromStdSQL(s.db.DB), wsql.PublisherConfig{SchemaAdapter: schema(1)}, logger(log))
	return translating{p}, err
}

// translating classifies its publisher's errors like every other database
// error here, so a publish that fails because the database is down is
// temporary to the bus, not a reason to poison the message.
type translating struct{ message.Publisher }

func (t translating) Publish(topic string, msgs ...*message.Message) error {
	return translate(t.Publisher.Publish(topic, msgs...))
}

// SubscriberConfig tunes a bus subscriber.
type SubscriberConfig struct {
	ConsumerGroup string        // e.g. "worker": each group reads every message once
	Batch         int           // messages read per query; 1 keeps the read transaction short
	Poll          time.Duration // wait after an empty read
	AckDeadline   time.Duration // a message not acked by then is delivered again
}

// Subscriber returns a subscriber of the bus's topics. A read holds a
// transaction open until its messages are acked, and Postgres hides newer
// messages from every reader while it is open (watermill-sql orders by
// transaction id), so keep Batch small and handlers quick.
func (s *Bus) Subscriber(cfg SubscriberConfig, log *slog.Logger) (message.Subscriber, error) {
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
		switch {
		case errors.Is(err, context.Canceled):
		case IsTemporary(err): // the database is away: it is retried, /readyz says so
			log.Info("bus read failed for now, retrying", watermill.LogFields{"err": err.Error()})
		default:
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
	p, err := wsql.NewPublisher(wsql.TxFromStdSQL(tx), wsql.PublisherConfig{SchemaAdapter: schema(1)}, nil)
	return translating{p}, err
}
