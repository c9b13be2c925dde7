package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/vkchgk/chgkbot/chgk"
)

// Announcer tells chats what happened (the VK adapter implements it). key
// identifies one announcement: a repeat of the same key must not show the
// chat anything twice (VK's random_id does that).
type Announcer interface {
	// Prepare does what must come before e's messages (taking the last
	// phase's buttons away), so the send itself is the next call to VK.
	Prepare(ctx context.Context, key string, peer chgk.PeerID, e chgk.Event) error
	// Announce sends the messages of e to peer and returns once VK has
	// confirmed them, with the conversation_message_id of the first.
	// sending, if not nil, runs right before each request of the first
	// message leaves for VK (after any wait for the rate limit); its error
	// cancels the announcement.
	Announce(ctx context.Context, key string, peer chgk.PeerID, e chgk.Event, sending func() error) (cmid int64, err error)
	// SentAt asks VK when the bot's message cmid arrived in peer (VK's
	// clock, whole seconds).
	SentAt(ctx context.Context, peer chgk.PeerID, cmid int64) (time.Time, error)
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

// Attempts remembers, durably, that the message opening a phase is being
// sent, so that its delivery can be reported at the right time even when
// the process died after VK took the message but before the report was
// written (the Postgres adapter's Attempts implements it).
type Attempts interface {
	// Attempt records that a request of announcement key leaves for VK
	// at at, and returns the time of the attempt recorded before it, if
	// any (again = true).
	Attempt(ctx context.Context, key string, at time.Time) (previous time.Time, again bool, err error)
	// Forget drops key's record once its delivery has been reported.
	Forget(ctx context.Context, key string) error
}

// Announcing is the announcer's handler of the events topics.
type Announcing struct {
	Announcer Announcer
	Attempts  Attempts
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
			if err := a.Announcer.Prepare(ctx, key, m.Peer, e); err != nil {
				return wrapAnnounce(err, m)
			}
			t, timed := chgk.TimerOf(e)
			if !timed {
				_, err := a.Announcer.Announce(ctx, key, m.Peer, e, nil)
				return wrapAnnounce(err, m)
			}
			// Each request of the message is recorded the moment it leaves,
			// so a resend after a crash knows when the message may have
			// reached VK before.
			var before, sentFrom time.Time // the last attempt of an earlier delivery; this one's first
			again, noted := false, false
			cmid, err := a.Announcer.Announce(ctx, key, m.Peer, e, func() error {
				now := a.Clock.Now()
				prev, was, err := a.Attempts.Attempt(ctx, key, now)
				if err != nil {
					return fmt.Errorf("record the sending of %s to chat %d: %w", m.Type, m.Peer, err)
				}
				if !noted {
					before, again, sentFrom, noted = prev, was, now, true
				}
				return nil
			})
			if err != nil {
				return wrapAnnounce(err, m)
			}
			at := a.Clock.Now()
			if again {
				at = a.arrived(ctx, m.Peer, cmid, before, sentFrom, at)
			}
			if err := a.report(m.Peer, key, t, at); err != nil {
				return err
			}
			if err := a.Attempts.Forget(ctx, key); err != nil {
				a.Log.Warn("could not forget a reported send", "peer_id", int64(m.Peer), "err", err) // a stale row, no harm
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

// wrapAnnounce names the event and chat of a failed announcement.
func wrapAnnounce(err error, m eventMsg) error {
	if err != nil {
		return fmt.Errorf("announce %s to chat %d: %w", m.Type, m.Peer, err)
	}
	return nil
}

// arrived is when the message of a redelivered announcement reached VK.
// The process may have died after VK took it (this resend was then dropped
// by its random_id), and then the confirmation, now, is too late: the phase
// would start over. VK says when the message arrived, in whole seconds. If
// that second may be this delivery's own (from sentFrom on), VK may have
// taken the message only now: now, more time and never less. Else VK took
// it before, during the last earlier attempt, which left at before: the
// later of before and VK's second, which is the arrival less at most the
// time that one request took. If VK cannot say: now.
func (a *Announcing) arrived(ctx context.Context, peer chgk.PeerID, cmid int64, before, sentFrom, now time.Time) time.Time {
	vkAt, err := a.Announcer.SentAt(ctx, peer, cmid)
	if err != nil || cmid == 0 {
		a.Log.Warn("cannot tell when a resent message first arrived; its phase starts now", "peer_id", int64(peer), "err", err)
		return now
	}
	if !vkAt.Add(time.Second).Before(sentFrom) {
		return now // VK's second reaches into this delivery: it may be this send that arrived
	}
	at := vkAt
	if before.After(at) {
		at = before
	}
	if at.After(now) {
		at = now
	}
	a.Log.Info("a resent phase message had arrived before; its clock runs from then", "peer_id", int64(peer),
		"arrived", at, "ago", now.Sub(at))
	return at
}

func (a *Announcing) report(peer chgk.PeerID, key string, t chgk.Timer, at time.Time) error {
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
