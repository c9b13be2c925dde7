package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/uptrace/bun"
)

// Bus makes the publishers and subscribers of the Postgres-backed message
// bus (watermill-sql), over the same pool as the state.
type Bus struct {
	db, readers *bun.DB
	wake        *Wakeups
}

// NewBus returns the store over db.
func NewBus(db *bun.DB) *Bus { return &Bus{db: db, readers: db} }

// Waking returns the bus with its publishers waking the subscribers of
// what they publish (see Wakeups).
func (s *Bus) Waking(w *Wakeups) *Bus { c := *s; c.wake = w; return &c }

// ReadingFrom returns the bus with its subscribers reading through a pool
// of their own. A subscriber holds its read transaction, and so a
// connection, while its message is handled, and the handler needs a second
// one for its work: with one pool for both, as many busy subscribers as
// the pool has connections would each wait for a second that none gives
// back. Give readers one connection per subscriber, and one more.
func (s *Bus) ReadingFrom(readers *bun.DB) *Bus { c := *s; c.readers = readers; return &c }

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
	return translating{Publisher: p, wake: s.wake}, err
}

// translating classifies its publisher's errors like every other database
// error here, so a publish that fails because the database is down is
// temporary to the bus, not a reason to poison the message. Outside a
// transaction a publish has committed when it returns: it wakes the
// topic's subscribers then. Within one, it notes the topic in touched, for
// whoever commits.
type translating struct {
	message.Publisher
	wake    *Wakeups
	touched *touched
}

func (t translating) Publish(topic string, msgs ...*message.Message) error {
	err := translate(t.Publisher.Publish(topic, msgs...))
	if err == nil {
		if t.touched != nil {
			t.touched.add(topic)
		} else {
			t.wake.Notify(topic)
		}
	}
	return err
}

// touched are the topics a transaction published to.
type touched struct {
	mu     sync.Mutex
	topics []string
}

func (t *touched) add(topic string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !slices.Contains(t.topics, topic) {
		t.topics = append(t.topics, topic)
	}
}

// committed wakes the subscribers of the topics, once the transaction that
// published to them committed.
func (t *touched) committed(w *Wakeups) {
	t.mu.Lock()
	defer t.mu.Unlock()
	w.Notify(t.topics...)
}

// SubscriberConfig tunes a bus subscriber.
type SubscriberConfig struct {
	ConsumerGroup string        // e.g. "worker": each group reads every message once
	Batch         int           // messages read per query; 1 keeps the read transaction short
	Poll          time.Duration // wait after an empty read
	AckDeadline   time.Duration // a message not acked by then is delivered again
	// Wake, if set, lets the subscriber stop polling: after an empty read
	// it waits for Topic's next wake-up, or a while (Poll, doubled after
	// each empty read up to Idle, the safety net). The subscriber must then
	// subscribe to Topic alone.
	//
	// For hot after a wake-up it polls every Poll until it reads a message:
	// a wake-up can come before its message is readable — watermill-sql
	// shows a message only once every transaction older than it has ended,
	// in any database of the server — so a read right after it may find
	// nothing yet.
	Wake  *Wakeups
	Topic string
	Idle  time.Duration
}

// hot is how long after a wake-up a subscriber that found nothing keeps
// polling every Poll: longer than transactions that hide a message last
// (a handler's, a unit of work's). After a read that found messages it
// polls for warm: a message committed during that read may be hidden from
// it, and its wake-up was spent on the read.
const hot, warm = 2 * time.Second, 50 * time.Millisecond

// Subscriber returns a subscriber of the bus's topics. A read holds a
// transaction open until its messages are acked, and Postgres hides newer
// messages from every reader while it is open (watermill-sql orders by
// transaction id), so keep Batch small and handlers quick.
func (s *Bus) Subscriber(cfg SubscriberConfig, log *slog.Logger) (message.Subscriber, error) {
	deadline := cfg.AckDeadline
	closing := make(chan struct{})
	b := &pollBackoff{poll: cfg.Poll, idle: max(cfg.Idle, cfg.Poll), retry: time.Second, closing: closing, next: cfg.Poll}
	if cfg.Wake != nil {
		b.wake = cfg.Wake.register(cfg.Topic)
	}
	sub, err := wsql.NewSubscriber(wsql.BeginnerFromStdSQL(s.readers.DB), wsql.SubscriberConfig{
		ConsumerGroup:  cfg.ConsumerGroup,
		AckDeadline:    &deadline,
		PollInterval:   cfg.Poll,
		ResendInterval: 50 * time.Millisecond,
		BackoffManager: b,
		SchemaAdapter:  schema(max(cfg.Batch, 1)),
		OffsetsAdapter: wsql.DefaultPostgreSQLOffsetsAdapter{},
	}, logger(log))
	if err != nil {
		return nil, err
	}
	return &wakingSubscriber{Subscriber: sub, closing: closing}, nil
}

// wakingSubscriber ends its idle wait when it is closed.
type wakingSubscriber struct {
	*wsql.Subscriber
	closing chan struct{}
	once    sync.Once
}

// Subscribe classifies the subscription's errors like every other database
// error here: one that fails because the database is away is temporary.
func (w *wakingSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	msgs, err := w.Subscriber.Subscribe(ctx, topic)
	return msgs, translate(err)
}

func (w *wakingSubscriber) Close() error {
	w.once.Do(func() { close(w.closing) })
	return w.Subscriber.Close()
}

// pollBackoff reads again at once after a message and waits Poll after an
// empty read, so a busy topic drains fast and an idle one costs little.
// With a wake channel, the waits after empty reads grow from Poll to Idle
// and a wake-up ends them: an idle topic costs a query a second. One
// topic's consume loop calls it, never two at once.
type pollBackoff struct {
	poll, idle, retry time.Duration
	wake              <-chan struct{}
	closing           <-chan struct{}
	next              time.Duration // the wait after the next empty read
	hotUntil          time.Time     // poll every Poll until then
}

func (b *pollBackoff) HandleError(log watermill.LoggerAdapter, noMsg bool, err error) time.Duration {
	if err == nil && !noMsg {
		b.next, b.hotUntil = b.poll, time.Now().Add(warm)
	}
	if err == nil && noMsg && b.wake != nil {
		// Waiting here, rather than returning the wait, lets the wake-up
		// cut it short: the subscriber reads again the moment we return.
		wait := b.next
		if time.Now().Before(b.hotUntil) {
			wait = b.poll // a message may be there, not readable yet
		} else {
			b.next = min(2*b.next, b.idle)
		}
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-b.wake:
			b.next, b.hotUntil = b.poll, time.Now().Add(hot)
		case <-t.C:
		case <-b.closing:
		}
		return 0
	}
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
		return b.poll
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

// txPublisher publishes within tx: the outbox half of a command. The
// topics it published to are noted in t.
func txPublisher(tx *sql.Tx, t *touched) (message.Publisher, error) {
	p, err := wsql.NewPublisher(wsql.TxFromStdSQL(tx), wsql.PublisherConfig{SchemaAdapter: schema(1)}, nil)
	return translating{Publisher: p, touched: t}, err
}

// HighWater is the offset of topic's newest message; 0 when it has none.
func (s *Bus) HighWater(ctx context.Context, topic string) (int64, error) {
	var n int64
	err := s.db.NewRaw(`SELECT coalesce(max("offset"), 0) FROM `+pgIdent("watermill_"+topic)).Scan(ctx, &n)
	if err != nil {
		return 0, fmt.Errorf("high water of %s: %w", topic, translate(err))
	}
	return n, nil
}

// Passed reports whether group has consumed every message of topic up to
// offset upTo.
func (s *Bus) Passed(ctx context.Context, topic, group string, upTo int64) (bool, error) {
	var left bool
	err := s.db.NewRaw(`SELECT EXISTS (SELECT 1 `+notPassed(topic)+` AND m."offset" <= ?)`, group, upTo).Scan(ctx, &left)
	if err != nil {
		return false, fmt.Errorf("has %s passed %s up to %d: %w", group, topic, upTo, translate(err))
	}
	return !left, nil
}
