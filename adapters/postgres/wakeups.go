package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
)

// notifyChannel is the channel of the bus's wake-ups; the payload is a
// topic.
const notifyChannel = "chgk_bus"

// Wakeups tells the bus's idle subscribers of a new message on their topic
// once it has committed, so a message waits milliseconds instead of a poll
// interval: at once in the process that published it, and through
// PostgreSQL's LISTEN/NOTIFY in the others. Notifications are a wake-up,
// not the delivery: a subscriber reads the table as before, and still
// polls now and then (SubscriberConfig.Idle) in case one is lost — while
// the listening connection is down, for one.
//
// The NOTIFY goes out after the publishing transaction, not inside it (a
// trigger would do that): a transaction that notifies holds a lock of the
// whole database through its commit, fsync included, and every bus write
// would commit one after another.
type Wakeups struct {
	db  *bun.DB
	log *slog.Logger

	mu      sync.Mutex
	waiters map[string][]chan struct{}
	outbox  map[string]bool // topics to NOTIFY, for the other processes
	send    chan struct{}   // a token when outbox has topics
}

// NewWakeups returns the wake-ups over db; Run listens and notifies.
func NewWakeups(db *bun.DB, log *slog.Logger) *Wakeups {
	return &Wakeups{db: db, log: log, waiters: map[string][]chan struct{}{}, outbox: map[string]bool{},
		send: make(chan struct{}, 1)}
}

// Notify wakes the subscribers of topics, whose new messages have
// committed: this process's at once, the others' through NOTIFY. A nil
// Wakeups does nothing.
func (w *Wakeups) Notify(topics ...string) {
	if w == nil || len(topics) == 0 {
		return
	}
	for _, t := range topics {
		w.wake(t)
	}
	w.mu.Lock()
	for _, t := range topics {
		w.outbox[t] = true
	}
	w.mu.Unlock()
	select {
	case w.send <- struct{}{}:
	default:
	}
}

// notifier sends the outbox's topics with NOTIFY, many in one statement
// when they pile up, until ctx ends.
func (w *Wakeups) notifier(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.send:
		}
		w.mu.Lock()
		topics := make([]any, 0, len(w.outbox))
		for t := range w.outbox {
			topics = append(topics, t)
		}
		clear(w.outbox)
		w.mu.Unlock()
		if len(topics) == 0 {
			continue
		}
		calls := strings.TrimSuffix(strings.Repeat("pg_notify('"+notifyChannel+"', ?), ", len(topics)), ", ")
		if _, err := w.db.ExecContext(ctx, "SELECT "+calls, topics...); err != nil && ctx.Err() == nil {
			// The other processes read again within a second anyway.
			w.log.Warn("could not send bus wake-ups", "err", err)
		}
	}
}

// register returns a channel that gets a token whenever topic has a new
// message; one token stands for any number of them.
func (w *Wakeups) register(topic string) chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch := make(chan struct{}, 1)
	w.waiters[topic] = append(w.waiters[topic], ch)
	return ch
}

// wake gives topic's waiters a token; "" wakes every topic's.
func (w *Wakeups) wake(topic string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for t, chans := range w.waiters {
		if topic != "" && t != topic {
			continue
		}
		for _, ch := range chans {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
}

// Run notifies, and listens if any subscriber was registered before it
// started (Bus.Subscriber registers them), until ctx ends. A lost
// connection is opened again after a pause; every subscriber is woken
// then, as notifications sent meanwhile were missed.
func (w *Wakeups) Run(ctx context.Context) error {
	go w.notifier(ctx)
	w.mu.Lock()
	listening := len(w.waiters) > 0
	w.mu.Unlock()
	if !listening {
		// Nobody here reads the bus (a poller, the admin API): it only
		// tells the others, and needs no connection listening.
		<-ctx.Done()
		return nil
	}
	for {
		err := w.listen(ctx)
		if ctx.Err() != nil {
			return nil
		}
		w.log.Warn("bus wake-ups lost their connection; subscribers poll meanwhile", "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
}

func (w *Wakeups) listen(ctx context.Context) error {
	conn, err := w.db.DB.Conn(ctx)
	if err != nil {
		return translate(err)
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return errors.New("wake-ups need the pgx driver")
		}
		pg := c.Conn()
		if _, err := pg.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
			return fmt.Errorf("listen: %w", translate(err))
		}
		// The connection is taken out of the pool's hands: it must not go
		// back to it still listening.
		defer func() { _ = pg.Close(context.Background()) }()
		w.wake("") // whatever came while nobody listened
		for {
			n, err := pg.WaitForNotification(ctx)
			if err != nil {
				return translate(err)
			}
			w.wake(n.Payload)
		}
	})
}
