package bus

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/matryer/is"
)

// drains is a legacy shard that is drained when the test says so.
type drains struct {
	mu      sync.Mutex
	passed  bool
	asked   map[string]int64 // topic → the offset asked about
	highest int64
}

func (d *drains) HighWater(_ context.Context, topic string) (int64, error) { return d.highest, nil }

func (d *drains) Passed(_ context.Context, topic, group string, upTo int64) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.asked[topic+"/"+group] = upTo
	return d.passed, nil
}

func (d *drains) drain() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.passed = true
}

func TestMovedShardsWaitForTheirLegacyShard(t *testing.T) {
	is := is.New(t)
	ps := gochannel.NewGoChannel(gochannel.Config{Persistent: true}, watermill.NopLogger{})
	d := &drains{asked: map[string]int64{}, highest: 42}
	sub := afterLegacy(ps, d, WorkerGroup, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	kept, err := sub.Subscribe(ctx, "chgk_updates_1") // kept its chats: no wait
	is.NoErr(err)
	moved, err := sub.Subscribe(ctx, "chgk_updates_5") // took over chats of shard 1
	is.NoErr(err)
	is.NoErr(ps.Publish("chgk_updates_1", message.NewMessage("a", nil)))
	is.NoErr(ps.Publish("chgk_updates_5", message.NewMessage("b", nil)))
	select {
	case m := <-kept:
		m.Ack()
	case <-time.After(5 * time.Second):
		t.Fatal("a shard that kept its chats waited")
	}
	select {
	case m := <-moved:
		t.Fatalf("message %s came before the legacy shard was drained", m.UUID)
	case <-time.After(200 * time.Millisecond): // a check that nothing comes: the shard must stay shut meanwhile
	}
	d.drain()
	select {
	case m := <-moved:
		is.Equal(m.UUID, "b") // once drained, the moved shard goes on
		m.Ack()
	case <-time.After(5 * time.Second):
		t.Fatal("the moved shard never opened")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	is.Equal(d.asked["chgk_updates_1/worker"], int64(42)) // it waited for what shard 1 held at the start, read by its own group
}
