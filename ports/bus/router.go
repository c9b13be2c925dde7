package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
)

// RouterConfig says which handlers a process runs. A nil Worker or
// Announcing leaves that role to another process.
type RouterConfig struct {
	Worker     *Worker
	Announcing *Announcing
	// Subscriber returns the subscriber a consumer group reads topic
	// with: one per topic, so each can be woken by its topic's news.
	Subscriber func(group, topic string) (message.Subscriber, error)
	// Drains, if set, holds back the worker's and the announcer's shards
	// that took over chats from a legacy shard until it is drained (see
	// LegacyShards). Set it when they read the Postgres bus; with RabbitMQ
	// the forwarders' Drains does it.
	Drains Drains
	// Poison takes the messages that can never succeed, so they never
	// block a chat: permanent errors at once, others after the retries.
	Poison message.Publisher
	Log    *slog.Logger
	// CloseTimeout bounds how long Close waits for handlers in flight.
	CloseTimeout time.Duration
	// Observe, if set, is told how long each message took its handler.
	Observe func(handler string, d time.Duration, err error)
	// Forward, when the bus's consumers read from a broker (RabbitMQ),
	// moves every message from the Postgres outbox to the broker.
	Forward *Forwarding
}

// Forwarding moves messages of the updates and events topics from the
// transactional outbox (From, a Postgres subscriber) to a broker (To),
// keeping their UUIDs, so the announcer's random_ids stay stable.
type Forwarding struct {
	From   func(topic string) (message.Subscriber, error)
	To     message.Publisher
	Drains Drains // as RouterConfig.Drains, for the forwarders
}

// Consumer groups of the Postgres topics are persistent identifiers (their
// positions are rows of the offsets tables): never rename them.
const (
	WorkerGroup    = "worker"
	AnnouncerGroup = "announcer"
	ForwarderGroup = "forwarder" // with RabbitMQ: the worker's forwarders read the outbox
)

// ConsumerGroups are the groups that read each topic of the Postgres bus;
// with RabbitMQ the forwarders alone read it. Retention keeps every message
// until each of its topic's groups has passed it.
func ConsumerGroups(rabbitmq bool) map[string][]string {
	out := map[string][]string{}
	for shard := range Shards {
		k := strconv.Itoa(shard)
		if rabbitmq {
			out[updatesPrefix+k], out[eventsPrefix+k] = []string{ForwarderGroup}, []string{ForwarderGroup}
		} else {
			out[updatesPrefix+k], out[eventsPrefix+k] = []string{WorkerGroup}, []string{AnnouncerGroup}
		}
	}
	return out
}

// Handler names are persistent identifiers: never rename them.
const (
	workerHandler    = "worker_"
	announcerHandler = "announcer_"
	forwardUpdates   = "forward_updates_"
	forwardEvents    = "forward_events_"
)

// forward hands a message on unchanged: same UUID, payload and metadata.
func forward(msg *message.Message) ([]*message.Message, error) {
	return []*message.Message{msg.Copy()}, nil
}

// NewRouter builds the Watermill router of the configured handlers, one per
// shard, with middleware from the outside in: poison queue (for what can
// never succeed; a temporary failure goes back to the bus instead), bounded
// retry (well below the subscribers' ack deadline), panic recovery.
func NewRouter(cfg RouterConfig) (*message.Router, error) {
	wlog := watermill.NewSlogLoggerWithLevelMapping(cfg.Log.With("component", "router"), map[slog.Level]slog.Level{
		slog.LevelInfo: slog.LevelDebug,
	})
	r, err := message.NewRouter(message.RouterConfig{CloseTimeout: cfg.CloseTimeout}, wlog)
	if err != nil {
		return nil, err
	}
	poison, err := middleware.PoisonQueueWithFilter(cfg.Poison, PoisonTopic, func(err error) bool {
		// A stop is not the message's fault, nor is an outage: nacked,
		// the message is delivered again (after the restart, or after
		// the subscriber's resend interval).
		return !shuttingDown(err) && !IsTemporary(err)
	})
	if err != nil {
		return nil, fmt.Errorf("bus: poison queue: %w", err)
	}
	retry := middleware.Retry{
		MaxRetries:      4,
		InitialInterval: 100 * time.Millisecond,
		MaxInterval:     2 * time.Second,
		Multiplier:      2,
		ShouldRetry:     func(p middleware.RetryParams) bool { return !IsPermanent(p.Err) && !shuttingDown(p.Err) },
		Logger:          wlog,
	}
	r.AddMiddleware(poison, logFailure(cfg.Log, &failures{n: map[string]int{}}), retry.Middleware, middleware.Recoverer)
	if cfg.Observe != nil {
		r.AddMiddleware(func(h message.HandlerFunc) message.HandlerFunc {
			return func(msg *message.Message) ([]*message.Message, error) {
				began := time.Now()
				out, err := h(msg)
				cfg.Observe(message.HandlerNameFromCtx(msg.Context()), time.Since(began), err)
				return out, err
			}
		})
	}
	sub := func(group, topic string, from func(string) (message.Subscriber, error), drains Drains) (message.Subscriber, error) {
		s, err := from(topic)
		if err != nil {
			return nil, fmt.Errorf("bus: subscribe %s to %s: %w", group, topic, err)
		}
		s = resubscribing{Subscriber: s, log: cfg.Log}
		if drains != nil {
			s = afterLegacy(s, drains, group, cfg.Log)
		}
		return s, nil
	}
	of := func(group string) func(string) (message.Subscriber, error) {
		return func(topic string) (message.Subscriber, error) { return cfg.Subscriber(group, topic) }
	}
	for shard := range Shards {
		k := strconv.Itoa(shard)
		updates, events := updatesPrefix+k, eventsPrefix+k
		if cfg.Worker != nil {
			s, err := sub(WorkerGroup, updates, of(WorkerGroup), cfg.Drains)
			if err != nil {
				return nil, err
			}
			r.AddConsumerHandler(workerHandler+k, updates, s, cfg.Worker.Handle)
		}
		if cfg.Announcing != nil {
			s, err := sub(AnnouncerGroup, events, of(AnnouncerGroup), cfg.Drains)
			if err != nil {
				return nil, err
			}
			r.AddConsumerHandler(announcerHandler+k, events, s, cfg.Announcing.Handle)
		}
		if f := cfg.Forward; f != nil {
			for name, topic := range map[string]string{forwardUpdates + k: updates, forwardEvents + k: events} {
				s, err := sub(ForwarderGroup, topic, f.From, f.Drains)
				if err != nil {
					return nil, err
				}
				r.AddHandler(name, topic, s, topic, f.To, forward)
			}
		}
	}
	return r, nil
}

// shuttingDown reports whether err only says the process is stopping.
func shuttingDown(err error) bool {
	return errors.Is(err, context.Canceled)
}

// failures counts, per message, how often it failed for now: the count in
// the warning says how long an outage has been holding it.
type failures struct {
	mu sync.Mutex
	n  map[string]int
}

func (f *failures) add(uuid string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n[uuid]++
	return f.n[uuid]
}

func (f *failures) forget(uuid string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.n, uuid)
}

// logFailure logs a message that failed after its retries, with its chat's
// peer_id: an error just before the poison queue takes it, or, for a
// temporary failure (the database or VK is down), a warning with the count
// of failed deliveries before it goes back to the bus to be tried again.
func logFailure(log *slog.Logger, count *failures) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			out, err := h(msg)
			if err == nil || shuttingDown(err) {
				count.forget(msg.UUID)
				return out, err
			}
			args := []any{"handler", message.HandlerNameFromCtx(msg.Context()), "peer_id", msg.Metadata.Get(peerKey),
				"uuid", msg.UUID, "err", err}
			if IsTemporary(err) {
				log.Warn("message failed for now; it will be delivered again", append(args, "failures", count.add(msg.UUID))...)
				return out, err
			}
			count.forget(msg.UUID)
			log.Error("message failed; moved to the poison topic", args...)
			return out, err
		}
	}
}

// resubscribing tries a subscription again while it fails for now (the
// database is away as the process starts, or as a shard's drain ends): a
// role waits for its bus, it does not exit. Meanwhile the router is not
// running, and /readyz says so.
type resubscribing struct {
	message.Subscriber
	log *slog.Logger
}

func (r resubscribing) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	for {
		in, err := r.Subscriber.Subscribe(ctx, topic)
		if err == nil || !IsTemporary(err) || ctx.Err() != nil {
			return in, err
		}
		r.log.Warn("could not subscribe for now; trying again", "topic", topic, "err", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}
