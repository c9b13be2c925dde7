package bus

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/vkchgk/chgkbot/chgk/vkwire"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/vkchgk/chgkbot/chgk"
	"github.com/vkchgk/chgkbot/ports/vk"
)

// Names resolves a VK user to a player with a name. It never fails: a name
// it cannot learn is a placeholder.
type Names interface {
	Player(ctx context.Context, id chgk.UserID) chgk.Player
}

// Worker applies updates to games: the game handler of the bus.
type Worker struct {
	Games *Games
	Names Names
	Log   *slog.Logger
	// Replies publishes outside any unit of work: the replies to private
	// messages, which touch no game.
	Replies message.Publisher
}

// Handle processes one message of an updates topic. A repeated update is
// acknowledged with no effect. Errors are the machinery's (the database):
// the router retries them, then moves the message to the poison topic (or,
// for a temporary error, hands it back to be delivered again).
func (w *Worker) Handle(msg *message.Message) error {
	kind, err := kindOf(msg.Payload)
	if err != nil {
		w.Log.Error("dropping an unreadable update", "err", err, "uuid", msg.UUID)
		return nil
	}
	ctx := msg.Context()
	switch kind {
	case kindUpdate:
		m, err := decode[updateMsg](msg.Payload)
		if err != nil {
			w.Log.Error("dropping an unreadable update", "err", err, "uuid", msg.UUID)
			return nil
		}
		return w.update(ctx, m.Update)
	case kindDelivered:
		m, err := decode[deliveredMsg](msg.Payload)
		if err != nil {
			w.Log.Error("dropping an unreadable delivery report", "err", err, "uuid", msg.UUID)
			return nil
		}
		d := m.Delivered
		// Usually silent; a report that comes in long after the phase
		// would have ended (the bot was down) tells the chat the game goes on.
		_, fresh, err := w.Games.Apply(ctx, d.Peer, msg.Metadata.Get(eventIDKey), chgk.Delivered{Phase: d.Phase, Round: d.Round, At: d.At}, nil)
		w.Log.Debug("delivery reported", "peer_id", int64(d.Peer), "phase", d.Phase, "round", d.Round, "fresh", fresh, "err", err)
		return err
	}
	w.Log.Error("dropping an update of unknown kind", "kind", kind, "uuid", msg.UUID)
	return nil
}

func (w *Worker) update(ctx context.Context, u vk.Update) error {
	if u.Kind == vk.KindPrivate {
		// No game and no chat row: VK's random_id (from the event id)
		// keeps a redelivered update from answering twice.
		return publish(w.Replies, u.Peer, []wireMsg{privateMsg{Peer: u.Peer, User: u.From, Key: u.EventID}})
	}
	var by chgk.Player
	if u.Kind != vk.KindInvite {
		by = w.Names.Player(ctx, u.From)
	}
	_, fresh, err := w.Games.Apply(ctx, u.Peer, u.EventID, u.Command(by), func(ctx context.Context, host *chgk.Host, evs []chgk.Event) ([]wireMsg, error) {
		return w.tell(ctx, host, u, evs)
	})
	if err != nil {
		return fmt.Errorf("update %s: %w", u.EventID, err)
	}
	if !fresh {
		w.Log.Info("duplicate update ignored", "peer_id", int64(u.Peer), "event_id", u.EventID)
	}
	return nil
}

// tell is what the chat and the presser of a button are told of an update:
// the events, except a refusal of a press, which is the presser's snackbar;
// a greeting for an invite; a page of the answerer buttons.
func (w *Worker) tell(ctx context.Context, host *chgk.Host, u vk.Update, evs []chgk.Event) ([]wireMsg, error) {
	var msgs []wireMsg
	reason := "" // the snackbar of a button press
	for _, e := range evs {
		if rej, ok := e.(chgk.Rejected); ok && u.Callback != "" && rej.Status == nil {
			reason = string(rej.Reason) // shown to the presser only, not the chat
			continue
		}
		m, err := eventOf(u.Peer, e)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	switch {
	case u.Kind == vk.KindInvite:
		msgs = append(msgs, greetMsg{Peer: u.Peer})
	case u.Action.Name == vkwire.ActPage:
		m, ok, err := page(ctx, host, u)
		if err != nil {
			return nil, err
		}
		if ok {
			msgs = append(msgs, m)
		} else {
			reason = string(chgk.ErrWrongPhase)
		}
	}
	if u.Callback != "" {
		msgs = append(msgs, answerMsg{Peer: u.Peer, Callback: u.Callback, User: u.From, Reason: reason})
	}
	return msgs, nil
}

// page turns the captain's answerer keyboard to another page, if the
// pressed keyboard is still the current choice.
func page(ctx context.Context, host *chgk.Host, u vk.Update) (pageMsg, bool, error) {
	evs, err := host.Handle(ctx, u.Peer, chgk.Info{})
	if err != nil {
		return pageMsg{}, false, err
	}
	for _, e := range evs {
		if s, ok := e.(chgk.StatusShown); ok && s.Status != nil && s.Status.Phase == chgk.PhaseChoice && s.Status.Round == u.Action.Round {
			return pageMsg{Peer: u.Peer, CMID: u.CMID, Round: u.Action.Round, Page: u.Action.Page, Players: s.Status.Players}, true, nil
		}
	}
	return pageMsg{}, false, nil
}
