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

// consume reads and acks n messages of topic as group, with the bus's real
// subscriber, waits until the group's position shows the acks (the
// subscriber commits them after Ack returns), and stops reading.
func consume(t *testing.T, bus *postgres.Bus, r *postgres.Retention, topic, group string, n int) {
	t.Helper()
	sub, err := bus.Subscriber(postgres.SubscriberConfig{ConsumerGroup: group, Batch: 1, Poll: 10 * time.Millisecond,
		AckDeadline: time.Minute}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	msgs, err := sub.Subscribe(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	before, err := r.Backlog(ctx, map[string][]string{topic: {group}})
	if err != nil {
		t.Fatal(err)
	}
	for range n {
		select {
		case m := <-msgs:
			m.Ack()
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: no message for %s", topic, group)
		}
	}
	want := before[[2]string{topic, group}] - int64(n)
	for end := time.Now().Add(10 * time.Second); ; {
		now, err := r.Backlog(ctx, map[string][]string{topic: {group}})
		if err != nil {
			t.Fatal(err)
		}
		if now[[2]string{topic, group}] <= want {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("%s: the acks of %s never showed in its position", topic, group)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	_ = sub.Close()
}

// TestRetention: bus messages go only when every consumer group of their
// topic has passed them — a lagging group keeps its messages, a group that
// never read keeps them all; old poison messages go after being counted;
// one replica runs at a time.
func TestRetention(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	ctx := context.Background()
	db := pgtest.New(t)
	bus := postgres.NewBus(db)
	pub, err := bus.Publisher(nil)
	is.NoErr(err)
	const topic = "chgk_updates_0"
	for range 10 {
		is.NoErr(pub.Publish(topic, message.NewMessage(watermill.NewUUID(), []byte(`{}`))))
	}
	for range 3 {
		is.NoErr(pub.Publish("chgk_poison", message.NewMessage(watermill.NewUUID(), []byte(`{}`))))
	}
	r := postgres.NewRetention(db)
	consume(t, bus, r, topic, "worker", 10)
	consume(t, bus, r, topic, "forwarder", 4) // a group that lags

	later := time.Now().Add(time.Hour) // every message is old enough
	backlog, err := r.Backlog(ctx, map[string][]string{topic: {"worker", "forwarder", "announcer"}})
	is.NoErr(err)
	is.Equal(backlog[[2]string{topic, "worker"}], int64(0))     // the worker read all
	is.Equal(backlog[[2]string{topic, "forwarder"}], int64(6))  // the forwarder lags by six
	is.Equal(backlog[[2]string{topic, "announcer"}], int64(10)) // a group that never read has all ahead

	d, ran, err := r.Run(ctx, postgres.RetentionConfig{Groups: map[string][]string{topic: {"worker", "announcer"}}}, later, nil)
	is.NoErr(err)
	is.True(ran)
	is.Equal(d["watermill_"+topic], int64(0)) // a group that never read keeps every message

	var told int64
	cfg := postgres.RetentionConfig{Groups: map[string][]string{topic: {"worker", "forwarder"}}, PoisonTopic: "chgk_poison",
		Bus: time.Minute, Poison: time.Minute, Batch: 2}
	d, ran, err = r.Run(ctx, cfg, time.Now(), nil)
	is.NoErr(err)
	is.True(ran)
	is.Equal(d["watermill_"+topic], int64(0)) // nothing is old enough yet
	d, _, err = r.Run(ctx, cfg, later, func(n int64) { told = n })
	is.NoErr(err)
	is.Equal(d["watermill_"+topic], int64(4))      // only what the lagging group passed too, in batches of two
	is.Equal(d["watermill_chgk_poison"], int64(3)) // the old poison…
	is.Equal(told, int64(3))                       // …counted for the log before it went
	left, err := r.Count(ctx, topic)
	is.NoErr(err)
	is.Equal(left, int64(6)) // the lagging group's messages are all still there
	backlog, err = r.Backlog(ctx, map[string][]string{topic: {"forwarder"}})
	is.NoErr(err)
	is.Equal(backlog[[2]string{topic, "forwarder"}], int64(6)) // and still ahead of it
	consume(t, bus, r, topic, "forwarder", 6)                  // which reads them after the deletion

	conn, err := db.Conn(ctx) // another replica holds the run
	is.NoErr(err)
	defer conn.Close()
	_, err = conn.ExecContext(ctx, `SELECT pg_advisory_lock(?)`, int64(0x63686b6772657400))
	is.NoErr(err)
	_, ran, err = r.Run(ctx, cfg, later, nil)
	is.NoErr(err)
	is.True(!ran) // so this one does not run
	sizes, err := r.Sizes(ctx)
	is.NoErr(err)
	is.True(sizes["watermill_"+topic] > 0 && sizes["games"] > 0) // sizes of the tables, for the gauge
}

// TestRetentionPurgesOldTokens: tokens that expired a day ago, or were
// revoked, go; live ones stay.
func TestRetentionPurgesOldTokens(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	ctx := context.Background()
	db := pgtest.New(t)
	acc := postgres.NewAccounts(db)
	_, err := acc.EnsureAdmin(ctx, "ops@example.org", func() (string, error) { return "hash", nil })
	is.NoErr(err)
	id, _, err := acc.AdminByEmail(ctx, "ops@example.org")
	is.NoErr(err)
	now := time.Now()
	is.NoErr(acc.SaveToken(ctx, []byte("old"), id, now.Add(-48*time.Hour)))
	is.NoErr(acc.SaveToken(ctx, []byte("revoked"), id, now.Add(time.Hour)))
	is.NoErr(acc.RevokeToken(ctx, []byte("revoked")))
	is.NoErr(acc.SaveToken(ctx, []byte("live"), id, now.Add(time.Hour)))
	d, ran, err := postgres.NewRetention(db).Run(ctx, postgres.RetentionConfig{}, now, nil)
	is.NoErr(err)
	is.True(ran)
	is.Equal(d["admin_tokens"], int64(2)) // the expired and the revoked one
	_, err = acc.TokenAdmin(ctx, []byte("live"), now)
	is.NoErr(err) // the live one stays
}
