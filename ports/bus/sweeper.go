package bus

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/vkchgk/chgkbot/chgk"
)

// DueFunc is the body of the unit of work of a chat whose game's deadline
// passed: due names the phase and round, deadline when it was; tx and out
// are the unit's, as in UnitFunc.
type DueFunc = func(ctx context.Context, tx chgk.Stores, out message.Publisher, peer chgk.PeerID, due chgk.Expire, deadline time.Time) error

// Deadlines finds due games (the Postgres store implements it).
type Deadlines interface {
	// ExpireNext runs f for one chat whose game is due at now, in a unit
	// of work holding the chat's lock, skipping chats others hold; false
	// when none is due.
	ExpireNext(ctx context.Context, now time.Time, f DueFunc) (bool, error)
	// NextDeadline is the earliest deadline of any game.
	NextDeadline(ctx context.Context) (time.Time, bool, error)
}

// Sweeper fires due deadlines: it applies chgk.Expire through the same
// transactional path as a member's command. Deadlines live in the games'
// rows, never in memory, so a restart loses none and fires overdue ones at
// once. Several sweepers (replicas) share the work safely: each takes a
// chat another holds never.
type Sweeper struct {
	Deadlines Deadlines
	Host      *chgk.Host
	Clock     chgk.Clock
	Log       *slog.Logger
	// Cap is the longest sleep without looking (a deadline set by another
	// replica is seen within it); 1 s when zero.
	Cap time.Duration
	// Lateness, if set, is told how late each fired deadline was.
	Lateness func(time.Duration)

	wake chan struct{}
}

// Wake makes a sleeping sweeper look again at once: a nearer deadline may
// have been set. It never blocks.
func (s *Sweeper) Wake() {
	select {
	case s.waker() <- struct{}{}:
	default:
	}
}

func (s *Sweeper) waker() chan struct{} {
	if s.wake == nil {
		panic("bus: Sweeper used before Init")
	}
	return s.wake
}

// Init prepares the sweeper; call it before Run and Wake.
func (s *Sweeper) Init() *Sweeper {
	s.wake = make(chan struct{}, 1)
	return s
}

// Run fires deadlines until ctx ends.
func (s *Sweeper) Run(ctx context.Context) error {
	limit := s.Cap
	if limit <= 0 {
		limit = time.Second
	}
	for ctx.Err() == nil {
		for {
			found, err := s.Deadlines.ExpireNext(ctx, s.Clock.Now(), s.expire)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				s.logFailure("firing a deadline failed", err)
				break
			}
			if !found {
				break
			}
		}
		sleep := limit
		next, ok, err := s.Deadlines.NextDeadline(ctx)
		if err != nil && ctx.Err() == nil {
			s.logFailure("reading the next deadline failed", err)
		}
		if ok {
			sleep = min(max(next.Sub(s.Clock.Now()), 0), limit)
		}
		s.Log.Debug("sweeper sleeps", "for", sleep, "next", next)
		t := time.NewTimer(sleep)
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-s.waker():
		}
		t.Stop()
	}
	return nil
}

// logFailure logs a failed sweep: a warning while the database is away (the
// sweep is tried again within Cap), an error for anything else.
func (s *Sweeper) logFailure(what string, err error) {
	if IsTemporary(err) {
		s.Log.Warn(what+" for now; trying again", "err", err)
		return
	}
	s.Log.Error(what, "err", err)
}

func (s *Sweeper) expire(ctx context.Context, tx chgk.Stores, out message.Publisher, peer chgk.PeerID, due chgk.Expire, deadline time.Time) error {
	evs, err := s.Host.With(tx).Handle(ctx, peer, due)
	if err != nil {
		return fmt.Errorf("expire %s of chat %d: %w", due.Phase, peer, err)
	}
	late := s.Clock.Now().Sub(deadline)
	s.Log.Debug("deadline fired", "peer_id", int64(peer), "phase", due.Phase, "round", due.Round, "late", late, "events", len(evs))
	if s.Lateness != nil && len(evs) > 0 {
		s.Lateness(late)
	}
	msgs, err := eventMsgs(peer, evs)
	if err != nil {
		return err
	}
	return publish(out, peer, msgs)
}
