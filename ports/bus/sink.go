package bus

import (
	"context"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/vkchgk/chgkbot/ports/vk"
)

// Deliver implements vk.Sink. Updates are published topic by topic, one
// statement per topic, in the order they came.
func (s *Sink) Deliver(ctx context.Context, updates []vk.Update, next string) error {
	return s.Store.SaveUpdates(ctx, s.GroupID, next, func(ctx context.Context, pub message.Publisher) error {
		byTopic := map[string][]*message.Message{}
		var topics []string
		for _, u := range updates {
			m, err := newMessage(u.Peer, u.EventID, updateMsg{Update: u})
			if err != nil {
				return err
			}
			t := UpdatesTopic(u.Peer)
			if _, seen := byTopic[t]; !seen {
				topics = append(topics, t)
			}
			byTopic[t] = append(byTopic[t], m)
		}
		for _, t := range topics {
			if err := pub.Publish(t, byTopic[t]...); err != nil {
				return fmt.Errorf("bus: publish %d updates to %s: %w", len(byTopic[t]), t, err)
			}
		}
		return nil
	})
}
