package bus

import (
	"context"
	"errors"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/vkchgk/chgkbot/chgk"
)

// UnitFunc is the body of a unit of work: tx are the chat's chgk stores
// bound to the unit's transaction, out publishes to the bus within it. Both
// are valid only while the function runs.
type UnitFunc = func(ctx context.Context, tx chgk.Stores, out message.Publisher) error

// Units runs units of work (the Postgres adapter's Units implements it).
type Units interface {
	// InChat runs f in one transaction that holds the chat's lock and has
	// recorded eventID in the inbox, and commits what f did — state and
	// outbox — together, or nothing if f fails. A repeated eventID
	// returns false without calling f.
	InChat(ctx context.Context, peer chgk.PeerID, eventID string, f UnitFunc) (fresh bool, err error)
}

// Games is the one path by which anything changes a game — a member's
// update, a delivery report, an admin's stop: the command is decided by the
// host with the unit's stores and what it yields is published to the unit's
// outbox, all in one transaction.
type Games struct {
	Units Units
	Host  *chgk.Host
	// Woken, if set, is told after every unit: a deadline may have moved
	// (the sweeper's wake-up).
	Woken func()
}

// ThenFunc decides, inside the unit, what to publish for the events a
// command yielded; host is the unit's host. Without one, every event is
// published as it is.
type ThenFunc func(ctx context.Context, host *chgk.Host, evs []chgk.Event) ([]wireMsg, error)

// Apply applies cmd (none when nil) to peer's game in one unit of work
// keyed by eventID and publishes what then says, or every event. fresh is
// false for a repeat, which changes nothing.
func (g *Games) Apply(ctx context.Context, peer chgk.PeerID, eventID string, cmd chgk.Command, then ThenFunc) (evs []chgk.Event, fresh bool, err error) {
	fresh, err = g.Units.InChat(ctx, peer, eventID, func(ctx context.Context, tx chgk.Stores, out message.Publisher) error {
		host := g.Host.With(tx)
		if cmd != nil {
			var err error
			if evs, err = host.Handle(ctx, peer, cmd); err != nil {
				return err
			}
		}
		var msgs []wireMsg
		var err error
		if then != nil {
			msgs, err = then(ctx, host, evs)
		} else {
			msgs, err = eventMsgs(peer, evs)
		}
		if err != nil {
			return err
		}
		return publish(out, peer, msgs)
	})
	if g.Woken != nil {
		g.Woken()
	}
	if err != nil {
		return nil, false, fmt.Errorf("chat %d, %s: %w", peer, eventID, err)
	}
	return evs, fresh, nil
}

// Command applies cmd to peer's game as Apply does and returns its events:
// how the admin API stops a game, through the same transactional path as a
// member's /stop (eventID keeps a repeat from applying twice).
func (g *Games) Command(ctx context.Context, peer chgk.PeerID, eventID string, cmd chgk.Command) ([]chgk.Event, error) {
	evs, _, err := g.Apply(ctx, peer, eventID, cmd, nil)
	return evs, err
}

// Strict applies cmd as Command does, but a refusal is not told to the
// chat: the unit is abandoned and the rule comes back as the error (a
// chgk.RuleError), for a caller that answers elsewhere — the admin API
// answers 409, and six admins stopping one game at once post its results
// once and nothing else.
func (g *Games) Strict(ctx context.Context, peer chgk.PeerID, eventID string, cmd chgk.Command) ([]chgk.Event, error) {
	evs, _, err := g.Apply(ctx, peer, eventID, cmd, func(_ context.Context, _ *chgk.Host, evs []chgk.Event) ([]wireMsg, error) {
		for _, e := range evs {
			if r, ok := e.(chgk.Rejected); ok {
				return nil, r.Reason
			}
		}
		return eventMsgs(peer, evs)
	})
	var rule chgk.RuleError
	if errors.As(err, &rule) {
		return nil, rule
	}
	return evs, err
}
