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

// TestWakeupsReachAnotherProcess: what one process's Wakeups notifies after
// a commit reaches another's subscribers of that topic through
// LISTEN/NOTIFY, and only theirs.
func TestWakeupsReachAnotherProcess(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	log := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	listener, publisher := postgres.NewWakeups(db, log), postgres.NewWakeups(db, log)
	mine, other := listener.Register("chgk_events_3"), listener.Register("chgk_events_4")
	go func() { _ = listener.Run(ctx) }()
	go func() { _ = publisher.Run(ctx) }()
	// Once listening, the listener wakes everyone (what came meanwhile).
	for _, ch := range []chan struct{}{mine, other} {
		select {
		case <-ch:
		case <-time.After(30 * time.Second):
			t.Fatal("the listener never listened")
		}
	}
	publisher.Notify("chgk_events_3")
	select {
	case <-mine:
	case <-time.After(30 * time.Second):
		t.Fatal("the other process's notification never arrived")
	}
	select {
	case <-other:
		t.Fatal("a subscriber of another topic was woken")
	default:
	}
}
