package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/vkchgk/chgkbot/chgk"
	"github.com/vkchgk/chgkbot/ports/vk"
)

// Chats runs a chat's command in one transaction with its inbox entry and
// its outbox (the Postgres store implements it).
type Chats interface {
	// Process runs f in a transaction holding the chat's lock, unless
	// eventID was processed before: then it returns false and does not
	// call f. f's publisher writes within the transaction, and the game
	// store joins it when called with f's ctx.
	Process(ctx context.Context, peer chgk.PeerID, eventID string, f func(ctx context.Context, pub message.Publisher) error) (bool, error)
}

// Host applies commands to games (*chgk.Host).
type Host interface {
	Handle(ctx context.Context, peer chgk.PeerID, cmd chgk.Command) ([]chgk.Event, error)
}

// Names resolves a VK user to a player with a name. It never fails: a name
// it cannot learn is a placeholder.
type Names interface {
	Player(ctx context.Context, id chgk.UserID) chgk.Player
}

// Worker applies updates to games: the game handler of the bus.
type Worker struct {
	Chats Chats
	Host  Host
	Names Names
	Log   *slog.Logger
	// Direct publishes outside any transaction: replies that need no game.
	Direct message.Publisher
	// Woken is told that deadlines may have changed (the sweeper's wake-up).
	Woken func()
}

// Handle processes one message of an updates topic. A repeated update is
// acknowledged with no effect. Errors are the machinery's (the database):
// the router retries them, then moves the message to the poison topic.
func (w *Worker) Handle(msg *message.Message) error {
	var in inbound
	if err := json.Unmarshal(msg.Payload, &in); err != nil {
		w.Log.Error("dropping an unreadable update", "err", err, "uuid", msg.UUID)
		return nil
	}
	ctx := msg.Context()
	var err error
	switch {
	case in.Kind == "update" && in.Update != nil:
		err = w.update(ctx, *in.Update)
	case in.Kind == "delivered" && in.Delivered != nil:
		d := in.Delivered
		// Usually silent; a report that comes in long after the phase
		// would have ended (the bot was down) tells the chat the game goes on.
		var fresh bool
		_, fresh, err = w.apply(ctx, d.Peer, msg.Metadata.Get(eventIDKey), chgk.Delivered{Phase: d.Phase, Round: d.Round, At: d.At})
		w.Log.Debug("delivery reported", "peer_id", int64(d.Peer), "phase", d.Phase, "round", d.Round, "fresh", fresh, "err", err)
	default:
		w.Log.Error("dropping an update of unknown kind", "kind", in.Kind, "uuid", msg.UUID)
		return nil
	}
	if w.Woken != nil {
		w.Woken()
	}
	return err
}

func (w *Worker) update(ctx context.Context, u vk.Update) error {
	log := w.Log.With("peer_id", int64(u.Peer), "event_id", u.EventID)
	if u.Kind == vk.KindPrivate {
		// No game and no chat row: VK's random_id (from the event id)
		// keeps a redelivered update from answering twice.
		return publishOut(w.Direct, u.Peer, []outbound{{Kind: "private", Peer: u.Peer, User: u.From, Text: u.EventID}}) // Text: the key of the reply
	}
	var by chgk.Player
	if u.Kind != vk.KindInvite {
		by = w.Names.Player(ctx, u.From)
	}
	cmd := u.Command(by)
	fresh, err := w.Chats.Process(ctx, u.Peer, u.EventID, func(ctx context.Context, pub message.Publisher) error {
		var outs []outbound
		var evs []chgk.Event
		if cmd != nil {
			var err error
			if evs, err = w.Host.Handle(ctx, u.Peer, cmd); err != nil {
				return err
			}
		}
		answer := "" // the snackbar of a button press
		for _, e := range evs {
			if rej, ok := e.(chgk.Rejected); ok && u.Callback != "" && rej.Status == nil {
				answer = string(rej.Reason) // shown to the presser only, not the chat
				continue
			}
			o, err := encodeEvent(u.Peer, e)
			if err != nil {
				return err
			}
			outs = append(outs, o)
		}
		switch {
		case u.Kind == vk.KindInvite:
			outs = append(outs, outbound{Kind: "greet", Peer: u.Peer})
		case u.Action.Name == vk.ActPage:
			o, stale, err := w.page(ctx, u)
			if err != nil {
				return err
			}
			if stale {
				answer = string(chgk.ErrWrongPhase)
			} else {
				outs = append(outs, o)
			}
		}
		if u.Callback != "" {
			outs = append(outs, outbound{Kind: "answer", Peer: u.Peer, Callback: u.Callback, User: u.From, Text: answer})
		}
		return publishOut(pub, u.Peer, outs)
	})
	if err != nil {
		return fmt.Errorf("update %s of chat %d: %w", u.EventID, u.Peer, err)
	}
	if !fresh {
		log.Info("duplicate update ignored")
	}
	return nil
}

// Command applies cmd to peer's game through the same transactional path
// as a chat member's update (eventID keeps a repeat from applying twice),
// and announces what happens: the admin API stops games this way.
func (w *Worker) Command(ctx context.Context, peer chgk.PeerID, eventID string, cmd chgk.Command) ([]chgk.Event, error) {
	evs, _, err := w.apply(ctx, peer, eventID, cmd)
	if w.Woken != nil {
		w.Woken()
	}
	return evs, err
}

// apply applies cmd to peer's game and publishes every event it yields, in
// one transaction keyed by eventID; fresh is false for a repeat.
func (w *Worker) apply(ctx context.Context, peer chgk.PeerID, eventID string, cmd chgk.Command) (evs []chgk.Event, fresh bool, err error) {
	fresh, err = w.Chats.Process(ctx, peer, eventID, func(ctx context.Context, pub message.Publisher) error {
		var err error
		if evs, err = w.Host.Handle(ctx, peer, cmd); err != nil {
			return err
		}
		outs := make([]outbound, 0, len(evs))
		for _, e := range evs {
			o, err := encodeEvent(peer, e)
			if err != nil {
				return err
			}
			outs = append(outs, o)
		}
		return publishOut(pub, peer, outs)
	})
	return evs, fresh, err
}

// page turns the captain's answerer keyboard to another page, if the
// pressed keyboard is still the current choice.
func (w *Worker) page(ctx context.Context, u vk.Update) (outbound, bool, error) {
	evs, err := w.Host.Handle(ctx, u.Peer, chgk.Info{})
	if err != nil {
		return outbound{}, false, err
	}
	for _, e := range evs {
		if s, ok := e.(chgk.StatusShown); ok && s.Status != nil && s.Status.Phase == chgk.PhaseChoice && s.Status.Round == u.Action.Round {
			return outbound{Kind: "page", Peer: u.Peer, CMID: u.CMID, Round: u.Action.Round, Page: u.Action.Page, Players: s.Status.Players}, false, nil
		}
	}
	return outbound{}, true, nil
}
