package bus

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

// LegacyShards is how many shards the bus had before it grew to Shards
// (issue 12). A chat's shard was peer % LegacyShards and is peer % Shards
// now: chats moved from shard k % LegacyShards to k.
const LegacyShards = 4

// Drains tells whether a consumer group has read what a topic held (the
// Postgres bus implements it).
type Drains interface {
	// HighWater is the offset of the topic's newest message.
	HighWater(ctx context.Context, topic string) (int64, error)
	// Passed reports whether group has consumed every message of topic
	// up to offset upTo.
	Passed(ctx context.Context, topic, group string, upTo int64) (bool, error)
}

// afterLegacy holds back the consumption of a shard that took over chats
// from a legacy shard until the group has read what that legacy shard held
// when the process started: messages a version before issue 12 queued for
// a chat are handled before the ones this version queues for it on its new
// shard, so no chat sees its updates or replies out of order across the
// upgrade. Shards that kept their chats start at once.
func afterLegacy(sub message.Subscriber, drains Drains, group string, log *slog.Logger) message.Subscriber {
	return gated{Subscriber: sub, drains: drains, group: group, log: log}
}

type gated struct {
	message.Subscriber
	drains Drains
	group  string
	log    *slog.Logger
}

func (g gated) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	legacy, ok := legacyOf(topic)
	if !ok {
		return g.Subscriber.Subscribe(ctx, topic)
	}
	out := make(chan *message.Message)
	go func() {
		defer close(out)
		if !g.wait(ctx, legacy) {
			return
		}
		in, err := g.Subscriber.Subscribe(ctx, topic)
		if err != nil {
			if ctx.Err() == nil {
				g.log.Error("could not subscribe", "topic", topic, "err", err)
			}
			return
		}
		for m := range in {
			select {
			case out <- m:
			case <-ctx.Done():
				m.Nack()
				return
			}
		}
	}()
	return out, nil
}

// wait waits until the group has passed what legacy held at the start; it
// reports false when ctx ended first.
func (g gated) wait(ctx context.Context, legacy string) bool {
	var upTo int64
	known := false
	for {
		var err error
		if !known {
			if upTo, err = g.drains.HighWater(ctx, legacy); err == nil {
				known = true
			}
		}
		if known {
			var passed bool
			if passed, err = g.drains.Passed(ctx, legacy, g.group, upTo); err == nil && passed {
				return true
			}
		}
		if err != nil && ctx.Err() == nil {
			g.log.Warn("cannot tell whether a legacy shard is drained; asking again", "topic", legacy, "err", err)
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// legacyOf is the legacy shard's topic whose chats topic took over, if any.
func legacyOf(topic string) (string, bool) {
	for _, prefix := range []string{updatesPrefix, eventsPrefix} {
		if shard, ok := strings.CutPrefix(topic, prefix); ok {
			k, err := strconv.Atoi(shard)
			if err != nil || k < LegacyShards {
				return "", false
			}
			return prefix + strconv.Itoa(k%LegacyShards), true
		}
	}
	return "", false
}
