package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/vkchgk/chgkbot/chgk"
)

// Announcer tells chats what happened (the VK adapter implements it). key
// identifies one announcement: a repeat of the same key must not show the
// chat anything twice (VK's random_id does that).
type Announcer interface {
	// Announce sends the messages of e to peer and returns once VK has
	// confirmed them.
	Announce(ctx context.Context, key string, peer chgk.PeerID, e chgk.Event) error
	// Answer answers a button press: a snackbar for a refusal (reason is a
	// chgk.RuleError's text), or just stopping the spinner ("").
	Answer(ctx context.Context, callback string, user chgk.UserID, peer chgk.PeerID, reason string) error
	// Page shows another page of the answerer buttons on message cmid.
	Page(ctx context.Context, peer chgk.PeerID, cmid int64, round, page int, players []chgk.Player) error
	// Greet welcomes a chat that added the bot.
	Greet(ctx context.Context, key string, peer chgk.PeerID) error
	// ReplyPrivate tells a member who wrote to the bot directly that it
	// plays in chats.
	ReplyPrivate(ctx context.Context, key string, peer chgk.PeerID) error
}

// Permanent marks errors that will fail the same way however often they are
// retried (VK's "no access to this chat", a bad keyboard): the router moves
// their messages to the poison topic at once.
type Permanent interface{ Permanent() bool }

// IsPermanent reports whether err is permanent.
func IsPermanent(err error) bool {
	var p Permanent
	return errors.As(err, &p) && p.Permanent()
}

// Temporary marks errors that say "not now" rather than "never" (VK is
// down or overloaded, the network failed): after its bounded retries such a
// message is not poisoned but handed back to the bus, which delivers it
// again, for as long as it takes. Its topic waits meanwhile — as every chat
// waits for VK in an outage — and the chat misses nothing.
type Temporary interface{ Temporary() bool }

// IsTemporary reports whether err is temporary; a handler that ran out of
// time is too.
func IsTemporary(err error) bool {
	var t Temporary
	return errors.As(err, &t) && t.Temporary() || errors.Is(err, context.DeadlineExceeded)
}

// Announcing is the announcer's handler of the events topics.
type Announcing struct {
	Announcer Announcer
	// Reports publishes the delivery reports back to the worker (outside
	// any transaction).
	Reports message.Publisher
	Clock   chgk.Clock
	Log     *slog.Logger
}

// Handle tells a chat one thing. After a message that starts a phase's
// clock is confirmed, it reports the delivery to the game through the
// updates topic, so the clock runs from then (SPEC §2).
func (a *Announcing) Handle(msg *message.Message) error {
	kind, err := kindOf(msg.Payload)
	if err != nil {
		a.Log.Error("dropping an unreadable announcement", "err", err, "uuid", msg.UUID)
		return nil
	}
	ctx, key := msg.Context(), msg.UUID
	switch kind {
	case kindEvent:
		return announce(a, msg, func(m eventMsg) error {
			e, err := m.event()
			if err != nil {
				a.Log.Error("dropping an unreadable event", "err", err, "peer_id", int64(m.Peer))
				return nil
			}
			if err := a.Announcer.Announce(ctx, key, m.Peer, e); err != nil {
				return fmt.Errorf("announce %s to chat %d: %w", m.Type, m.Peer, err)
			}
			if t, ok := chgk.TimerOf(e); ok {
				return a.report(m.Peer, key, t)
			}
			return nil
		})
	case kindAnswer:
		return announce(a, msg, func(m answerMsg) error {
			err := a.Announcer.Answer(ctx, m.Callback, m.User, m.Peer, m.Reason)
			if err != nil && IsPermanent(err) {
				// A press older than a minute cannot be answered any more.
				a.Log.Warn("a button press could not be answered", "err", err, "peer_id", int64(m.Peer))
				return nil
			}
			return err
		})
	case kindPage:
		return announce(a, msg, func(m pageMsg) error {
			return a.Announcer.Page(ctx, m.Peer, m.CMID, m.Round, m.Page, m.Players)
		})
	case kindGreet:
		return announce(a, msg, func(m greetMsg) error { return a.Announcer.Greet(ctx, key, m.Peer) })
	case kindPrivate:
		// Published outside a transaction once per delivery of the update:
		// the key is the update's, so a repeat is the same message to VK.
		return announce(a, msg, func(m privateMsg) error { return a.Announcer.ReplyPrivate(ctx, "private:"+m.Key, m.Peer) })
	}
	a.Log.Error("dropping an announcement of unknown kind", "kind", kind, "uuid", msg.UUID)
	return nil
}

// announce decodes msg as a T and hands it to f; a message that does not
// decode can never be announced and is dropped with a log line.
func announce[T wireMsg](a *Announcing, msg *message.Message, f func(T) error) error {
	m, err := decode[T](msg.Payload)
	if err != nil {
		a.Log.Error("dropping an unreadable announcement", "err", err, "uuid", msg.UUID)
		return nil
	}
	return f(m)
}

func (a *Announcing) report(peer chgk.PeerID, key string, t chgk.Timer) error {
	at := a.Clock.Now()
	m, err := newMessage(peer, "delivered:"+key, deliveredMsg{Delivered: delivery{Peer: peer, Phase: t.Phase, Round: t.Round, At: at}})
	if err != nil {
		return err
	}
	if err := a.Reports.Publish(UpdatesTopic(peer), m); err != nil {
		return fmt.Errorf("report delivery to chat %d: %w", peer, err)
	}
	return nil
}

// Batches stores long-poll batches (the Postgres adapter's LongPoll
// implements it).
type Batches interface {
	// SaveUpdates runs publish in a transaction that also saves the
	// community's ts: both commit together or neither does.
	SaveUpdates(ctx context.Context, groupID int64, ts string, publish func(ctx context.Context, pub message.Publisher) error) error
}

// Sink is the intake's sink: it publishes each long-poll batch to the
// updates topics and saves the ts in one transaction.
type Sink struct {
	GroupID int64
	Store   Batches
}
