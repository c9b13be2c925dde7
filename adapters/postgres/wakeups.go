package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
)

// notifyChannel is the channel the bus tables' trigger notifies with the
// topic of each insert (migrations/20261201000003_bus_shards).
const notifyChannel = "chgk_bus"

// Wakeups tells the bus's idle subscribers of a new message on their topic
// the moment it commits, through PostgreSQL's LISTEN/NOTIFY, so a message
// waits milliseconds instead of a poll interval. Notifications are a
// wake-up, not the delivery: a subscriber reads the table as before, and
// still polls now and then (SubscriberConfig.Poll) in case one is lost —
// while the listening connection is down, for one.
type Wakeups struct {
	db  *bun.DB
	log *slog.Logger

	mu      sync.Mutex
	waiters map[string][]chan struct{}
}

// NewWakeups returns the wake-ups over db; Run listens.
func NewWakeups(db *bun.DB, log *slog.Logger) *Wakeups {
	return &Wakeups{db: db, log: log, waiters: map[string][]chan struct{}{}}
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

// Run listens until ctx ends. A lost connection is opened again after a
// pause; every subscriber is woken then, as notifications sent meanwhile
// were missed.
func (w *Wakeups) Run(ctx context.Context) error {
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
