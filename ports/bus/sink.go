package bus

import (
	"context"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/vkchgk/chgkbot/ports/vk"
)

// Deliver implements vk.Sink.
func (s *Sink) Deliver(ctx context.Context, updates []vk.Update, next string) error {
	return s.Store.SaveUpdates(ctx, s.GroupID, next, func(ctx context.Context, pub message.Publisher) error {
		for _, u := range updates {
			m, err := newMessage(u.Peer, u.EventID, inbound{Kind: "update", Update: &u})
			if err != nil {
				return err
			}
			if err := pub.Publish(UpdatesTopic(u.Peer), m); err != nil {
				return fmt.Errorf("bus: publish update %s: %w", u.EventID, err)
			}
		}
		return nil
	})
}
