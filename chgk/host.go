package chgk

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Clock tells the time. Tests pass a fixed or stepping clock.
type Clock interface{ Now() time.Time }

// Rand draws a uniform integer in [0, n). *math/rand/v2.Rand satisfies it.
type Rand interface{ IntN(n int) int }

// UpdateFunc decides what happens to a chat's game. It gets the chat's
// active game (nil when none runs) and returns the game to save (nil: save
// nothing) and the events to record. An error aborts the whole transaction.
type UpdateFunc func(ctx context.Context, active *Game) (save *Game, events []Event, err error)

// GameStore keeps games. It owns the transaction: implementations must run
// Update for one chat at a time (lock the chat's game row), save the game
// and record the events atomically, and give a new game its id. A store
// connected to an outbox writes the events in that same transaction.
type GameStore interface {
	// Update runs fn on the chat's active game and commits its result.
	// fn must not keep the ctx it is given: it is bound to the transaction.
	// A second active game in one chat fails with ErrConflict.
	Update(ctx context.Context, peer PeerID, fn UpdateFunc) error
	// LastEnded returns the chat's most recently ended game, or ErrNotFound.
	LastEnded(ctx context.Context, peer PeerID) (*Game, error)
}

// QuestionSource offers questions to play.
type QuestionSource interface {
	// Draw returns up to n distinct questions, first those the chat has not
	// played yet, in random order. When the chat has played them all, its
	// history starts over, so a game only gets fewer than n questions when
	// the whole pool is smaller than n. A store remembers a question as
	// played when a saved game's round shows it.
	Draw(ctx context.Context, peer PeerID, n int) ([]Question, error)
	// DrawAny returns up to n distinct questions from the whole bank,
	// whatever the chat has played, none of them one of except (ids), in
	// random order: a TV game's sector 13 (SPEC §8). It changes no
	// chat's history.
	DrawAny(ctx context.Context, n int, except []int64) ([]Question, error)
}

// ChatStore keeps each chat's own settings.
type ChatStore interface {
	// Settings returns the chat's settings, or ErrNotFound if it has none.
	Settings(ctx context.Context, peer PeerID) (Settings, error)
	// SaveSettings stores the chat's settings.
	SaveSettings(ctx context.Context, peer PeerID, s Settings) error
}

// Leaderboards reads a chat's record over its ended games.
type Leaderboards interface {
	// ChatLeaderboard returns peer's leaderboard with its best limit players.
	ChatLeaderboard(ctx context.Context, peer PeerID, limit int) (Leaderboard, error)
}

// TopPlayers is how many players /top shows.
const TopPlayers = 10

// Stores are the stores a Host decides with. A caller that owns a
// transaction (the bus's unit of work: an inbox entry, the game and the
// outbox committed together) passes stores bound to it, with Host.With, so
// every read and write of one Handle is visibly part of that transaction.
type Stores struct {
	Games     GameStore
	Questions QuestionSource
	Chats     ChatStore
	Appeals   AppealStore
}

// Host runs the games of many chats: it is the use-case layer between the
// ports (a chat, a bus, an admin API) and the stores. All fields but Grace
// are required. A Host is safe for concurrent use if its stores are.
type Host struct {
	Games     GameStore
	Questions QuestionSource
	Chats     ChatStore
	// Appeals keeps appeals (SPEC §9); without it FileAppeal and
	// DecideAppeal fail.
	Appeals AppealStore
	// Leaders reads the chats' leaderboards, for Top. It reads what ended
	// games left, so it needs no part in a unit of work's transaction.
	Leaders Leaderboards
	Clock   Clock
	Rand    Rand
	// Defaults are the settings of a chat that has none of its own.
	Defaults Settings
	// Grace is how long a phase waits, past its own length, for the report
	// that its message reached the chat (see Delivered). Zero: clocks
	// start when the phase does, for callers that never report delivery.
	Grace time.Duration
}

// With returns a copy of h that decides with s instead of h's own stores:
// how a unit of work makes Handle run inside its transaction. The copy is
// cheap; make one per unit.
func (h *Host) With(s Stores) *Host {
	c := *h
	c.Games, c.Questions, c.Chats, c.Appeals = s.Games, s.Questions, s.Chats, s.Appeals
	return &c
}

// Handle applies cmd to the chat's game in one store transaction and returns
// the events the chat must be told, which the store has recorded too.
//
// Refusals are events, not errors, because the chat is owed an answer: an
// invalid move comes back as a Rejected event. The exceptions are quiet:
// an Answer from anyone but the answerer (ordinary chat talk), and an
// Expire or Delivered that no longer fits (a stale timer), give no events.
// The error is for failures of the machinery (a store, a context).
func (h *Host) Handle(ctx context.Context, peer PeerID, cmd Command) ([]Event, error) {
	now := h.Clock.Now()
	var out []Event
	err := h.Games.Update(ctx, peer, func(ctx context.Context, g *Game) (*Game, []Event, error) {
		save, evs, err := h.decide(ctx, peer, g, cmd, now)
		if err != nil {
			if !IsRule(err) {
				return nil, nil, err
			}
			evs = h.refusal(peer, g, cmd, err, now)
			save = nil
		}
		out = evs
		return save, evs, nil
	})
	if err != nil {
		return nil, fmt.Errorf("handle %T in chat %d: %w", cmd, peer, err)
	}
	return out, nil
}

// decide is the rules of one command against the chat's active game g.
func (h *Host) decide(ctx context.Context, peer PeerID, g *Game, cmd Command, now time.Time) (*Game, []Event, error) {
	switch c := cmd.(type) {
	case Start:
		if g != nil {
			return nil, nil, ErrGameRunning
		}
		s, err := h.settings(ctx, peer)
		if err != nil {
			return nil, nil, err
		}
		qs, err := h.Questions.Draw(ctx, peer, s.Draws())
		if err != nil {
			return nil, nil, fmt.Errorf("draw questions: %w", err)
		}
		p := NewGame{Peer: peer, Starter: c.By, Settings: s, Questions: qs, Now: now, Grace: h.Grace}
		if s.TV() {
			ids := make([]int64, len(qs))
			for i, q := range qs {
				ids[i] = q.ID
			}
			bank, err := h.Questions.DrawAny(ctx, 1, ids)
			if err != nil {
				return nil, nil, fmt.Errorf("draw sector 13's question: %w", err)
			}
			if len(bank) > 0 {
				p.Thirteenth = &bank[0]
			}
		}
		return Open(p)
	case Info:
		if g != nil {
			break
		}
		last, err := h.Games.LastEnded(ctx, peer)
		switch {
		case errors.Is(err, ErrNotFound):
			return nil, []Event{StatusShown{Peer: peer}}, nil
		case err != nil:
			return nil, nil, fmt.Errorf("last game: %w", err)
		}
		r := last.Results()
		return nil, []Event{StatusShown{Peer: peer, Last: &r}}, nil
	case Top:
		if h.Leaders == nil {
			return nil, nil, errors.New("the host has no Leaders to answer Top")
		}
		board, err := h.Leaders.ChatLeaderboard(ctx, peer, TopPlayers)
		if err != nil {
			return nil, nil, fmt.Errorf("leaderboard: %w", err)
		}
		return nil, []Event{LeaderboardShown{Peer: peer, Board: board}}, nil
	case Rules:
		s, err := h.settings(ctx, peer)
		if err != nil {
			return nil, nil, err
		}
		return nil, []Event{RulesShown{Peer: peer, Settings: s}}, nil
	case ChangeSettings:
		return h.changeSettings(ctx, peer, c)
	case FileAppeal, DecideAppeal:
		return h.appeal(ctx, peer, g, cmd, now)
	}
	if g == nil {
		return nil, nil, ErrNoGame
	}
	before := g.Version()
	evs, err := g.Apply(cmd, now, h.Rand)
	if err != nil {
		return nil, nil, err
	}
	if g.Version() == before {
		return nil, evs, nil
	}
	return g, evs, nil
}

func (h *Host) changeSettings(ctx context.Context, peer PeerID, c ChangeSettings) (*Game, []Event, error) {
	s, err := h.settings(ctx, peer)
	if err != nil {
		return nil, nil, err
	}
	if c.Name != "" {
		if s, err = s.Set(c.Name, c.Value); err != nil {
			return nil, nil, err
		}
		if err := h.Chats.SaveSettings(ctx, peer, s); err != nil {
			return nil, nil, fmt.Errorf("save settings: %w", err)
		}
	}
	return nil, []Event{SettingsShown{Peer: peer, By: c.By, Settings: s, Changed: c.Name}}, nil
}

// settings are the chat's own settings or, if it has none, the defaults.
func (h *Host) settings(ctx context.Context, peer PeerID) (Settings, error) {
	s, err := h.Chats.Settings(ctx, peer)
	switch {
	case errors.Is(err, ErrNotFound):
		return h.Defaults, nil
	case err != nil:
		return Settings{}, fmt.Errorf("chat settings: %w", err)
	}
	return s, nil
}

// refusal turns a rule error into what the chat is told, if anything.
func (h *Host) refusal(peer PeerID, g *Game, cmd Command, err error, now time.Time) []Event {
	switch cmd.(type) {
	case Answer:
		return nil // ordinary chat talk is not an answer and needs no reply
	case Expire, Delivered:
		return nil // a timer of a game that is gone
	}
	rej := Rejected{Peer: peer, By: by(cmd)}
	if !errors.As(err, &rej.Reason) {
		rej.Reason = ErrBadSetting
	}
	errors.As(err, &rej.Setting)
	if rej.Reason == ErrGameRunning && g != nil {
		st := g.Status(now)
		rej.Status = &st
	}
	return []Event{rej}
}

// by is the member who sent cmd; zero for the clock's commands.
func by(cmd Command) Player {
	switch c := cmd.(type) {
	case Start:
		return c.By
	case Join:
		return c.Player
	case Begin:
		return c.By
	case AnswerEarly:
		return c.By
	case TakeMinute:
		return c.By
	case FileAppeal:
		return c.By
	case Choose:
		return c.By
	case Answer:
		return c.By
	case Stop:
		return c.By
	case Info:
		return c.By
	case Top:
		return c.By
	case Rules:
		return c.By
	case ChangeSettings:
		return c.By
	}
	return Player{}
}
