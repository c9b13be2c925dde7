package postgres_test

import (
	"context"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/postgres"
	"github.com/vkchgk/chgkbot/adapters/postgres/pgtest"
)

// TestANewMessageWakesItsSubscriber: an idle subscriber that would read
// again in an hour hears of a new message through LISTEN/NOTIFY and reads
// it — without the wake-up the test would wait an hour.
func TestANewMessageWakesItsSubscriber(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	db := pgtest.New(t)
	bus := postgres.NewBus(db)
	log := slog.New(slog.DiscardHandler)
	wakeups := postgres.NewWakeups(db, log)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = wakeups.Run(ctx) }()
	const topic = "chgk_events_7"
	sub, err := bus.Subscriber(postgres.SubscriberConfig{ConsumerGroup: "announcer", Batch: 1, Poll: 10 * time.Millisecond,
		Idle: time.Hour, AckDeadline: time.Minute, Wake: wakeups, Topic: topic}, log)
	is.NoErr(err)
	defer sub.Close()
	msgs, err := sub.Subscribe(ctx, topic)
	is.NoErr(err)
	pub, err := bus.Publisher(nil)
	is.NoErr(err)
	for i := range 2 {
		time.Sleep(500 * time.Millisecond) // past the few quick reads after a message: the subscriber waits for wake-ups
		id := watermill.NewUUID()
		is.NoErr(pub.Publish(topic, message.NewMessage(id, []byte(`{}`))))
		select {
		case m := <-msgs:
			is.Equal(m.UUID, id) // the message, read at once
			m.Ack()
		case <-time.After(30 * time.Second):
			t.Fatalf("message %d was never read: no wake-up", i)
		}
	}
}

// TestBusyReadersLeaveTheHandlersConnections: more subscribers are busy at
// once than the state's pool has connections, each handler needing one for
// its work while its subscriber holds a read transaction. With the readers
// on a pool of their own every message is handled; on one shared pool the
// read transactions would hold every connection and no handler could run.
func TestBusyReadersLeaveTheHandlersConnections(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	url := pgtest.NewURL(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	state, err := postgres.OpenPool(ctx, url, 2)
	is.NoErr(err)
	defer state.Close()
	readers, err := postgres.OpenPool(ctx, url, 5)
	is.NoErr(err)
	defer readers.Close()
	bus := postgres.NewBus(state).ReadingFrom(readers)
	log := slog.New(slog.DiscardHandler)
	pub, err := bus.Publisher(nil)
	is.NoErr(err)
	const topics = 4
	done := make(chan error, topics)
	for i := range topics {
		topic := "chgk_updates_" + strconv.Itoa(i)
		sub, err := bus.Subscriber(postgres.SubscriberConfig{ConsumerGroup: "worker", Batch: 1, Poll: 10 * time.Millisecond,
			AckDeadline: time.Minute}, log)
		is.NoErr(err)
		defer sub.Close()
		msgs, err := sub.Subscribe(ctx, topic)
		is.NoErr(err)
		is.NoErr(pub.Publish(topic, message.NewMessage(watermill.NewUUID(), []byte(`{}`))))
		go func() {
			m := <-msgs
			// The handler's work, on the state's pool, while the read
			// transaction is open; all four overlap.
			_, err := state.ExecContext(ctx, "SELECT pg_sleep(0.2)")
			m.Ack()
			done <- err
		}()
	}
	for range topics {
		select {
		case err := <-done:
			is.NoErr(err) // every handler got a connection
		case <-time.After(30 * time.Second):
			t.Fatal("handlers starved of connections")
		}
	}
}
