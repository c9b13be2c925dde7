// Package rabbitmq is the RabbitMQ option of the bus (SPEC §6): the bus's
// topics as durable RabbitMQ queues, through watermill-amqp. Postgres stays
// the outbox — the worker's transaction writes its messages there and a
// forwarder moves them on — so choosing RabbitMQ keeps every promise of
// the default bus while the consumers read from the broker.
package rabbitmq

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill-amqp/v3/pkg/amqp"
	amqp091 "github.com/rabbitmq/amqp091-go"
)

// Bus is a publisher and a subscriber of durable queues named prefix+topic.
type Bus struct {
	*amqp.Publisher
	Sub *amqp.Subscriber
}

// Open connects to the broker at url and declares a durable queue for each
// topic, so no message is published to a queue that does not exist yet (the
// default exchange drops those). Each queue has a single active consumer:
// replicas stand by, and a chat's messages stay in order.
func Open(url, prefix string, topics []string, log *slog.Logger) (*Bus, error) {
	cfg := amqp.NewDurableQueueConfig(url)
	cfg.Queue.GenerateName = func(topic string) string { return prefix + topic }
	cfg.Queue.Arguments = amqp091.Table{"x-single-active-consumer": true}
	cfg.Publish.GenerateRoutingKey = func(topic string) string { return prefix + topic }
	cfg.Publish.ConfirmDelivery = true // a publish returns once the broker has the message
	cfg.Publish.ChannelPoolSize = 4
	if err := declare(url, prefix, topics, cfg.Queue.Arguments); err != nil {
		return nil, err
	}
	wl := watermill.NewSlogLoggerWithLevelMapping(log.With("component", "rabbitmq"), map[slog.Level]slog.Level{
		slog.LevelInfo: slog.LevelDebug,
	})
	pub, err := amqp.NewPublisher(cfg, wl)
	if err != nil {
		return nil, fmt.Errorf("rabbitmq publisher: %w", err)
	}
	sub, err := amqp.NewSubscriber(cfg, wl)
	if err != nil {
		_ = pub.Close()
		return nil, fmt.Errorf("rabbitmq subscriber: %w", err)
	}
	return &Bus{Publisher: pub, Sub: sub}, nil
}

// Close closes the publisher and the subscriber.
func (b *Bus) Close() error {
	return errors.Join(b.Publisher.Close(), b.Sub.Close())
}

func declare(url, prefix string, topics []string, args amqp091.Table) error {
	conn, err := amqp091.Dial(url)
	if err != nil {
		return fmt.Errorf("connect to RabbitMQ: %w", err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return fmt.Errorf("RabbitMQ channel: %w", err)
	}
	defer ch.Close()
	for _, t := range topics {
		if _, err := ch.QueueDeclare(prefix+t, true, false, false, false, args); err != nil {
			return fmt.Errorf("declare queue %s: %w", prefix+t, err)
		}
	}
	return nil
}

// Delete removes the queues of the topics (for tests that made their own).
func Delete(url, prefix string, topics []string) error {
	conn, err := amqp091.Dial(url)
	if err != nil {
		return err
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return err
	}
	defer ch.Close()
	for _, t := range topics {
		if _, err := ch.QueueDelete(prefix+t, false, false, false); err != nil {
			return err
		}
	}
	return nil
}
