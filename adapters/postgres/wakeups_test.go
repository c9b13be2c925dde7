package postgres_test

import (
	"context"
	"log/slog"
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
