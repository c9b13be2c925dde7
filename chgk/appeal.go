package chgk

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Appeals (SPEC §9). Under a «неверно» verdict the captain may appeal, once
// per round, while the window is open; the game goes on. An administrator
// decides: an accepted appeal makes the round correct and moves its point
// from the bot to the team, in the running game or in an ended one (its
// results and the leaderboards read the rounds), and may add the answer to
// the question's accepted alternatives. Every step is recorded.

// DefaultAppealWindow is how long the captain may appeal a verdict.
const DefaultAppealWindow = 2 * time.Minute

// AppealStatus is where an appeal stands.
type AppealStatus string

// The statuses of an appeal.
const (
	AppealPending  AppealStatus = "pending"
	AppealAccepted AppealStatus = "accepted"
	AppealRejected AppealStatus = "rejected"
)

// Appeal is one filed appeal and, once decided, its decision.
type Appeal struct {
	ID       int64        `json:"id"`
	Peer     PeerID       `json:"peer"`
	Game     int64        `json:"game"`
	Round    int          `json:"round"`
	Question Question     `json:"question"`
	Given    string       `json:"given"` // the answer judged wrong
	By       Player       `json:"by"`    // the captain who filed it
	FiledAt  time.Time    `json:"filedAt"`
	Status   AppealStatus `json:"status"`
	// DecidedBy names the administrator who decided, Note says why.
	DecidedBy        string    `json:"decidedBy"`
	DecidedAt        time.Time `json:"decidedAt"`
	Note             string    `json:"note"`
	AlternativeAdded bool      `json:"alternativeAdded"` // the answer now counts for the question
}

// AppealStore keeps appeals and makes a decision's writes. Like the other
// stores, a unit of work passes one bound to its transaction (Stores).
type AppealStore interface {
	// File records a pending appeal and returns it with its id; a second
	// appeal of the same round fails with ErrConflict.
	File(ctx context.Context, a Appeal) (Appeal, error)
	// Appeal reads one, or fails with ErrNotFound.
	Appeal(ctx context.Context, id int64) (Appeal, error)
	// Decide records a's decision: status, who, when, why, and whether
	// the alternative was added.
	Decide(ctx context.Context, a Appeal) error
	// AppealedGame reads a game by id, for a decision that amends it.
	AppealedGame(ctx context.Context, id int64) (*Game, error)
	// Amend saves an ended game whose round (and score) a decision
	// changed.
	Amend(ctx context.Context, g *Game, round int) error
	// AddAlternative adds text to the accepted answers of a question.
	AddAlternative(ctx context.Context, question int64, text string) error
}

// FileAppeal is the captain's «Апелляция» button under a verdict of round
// in game.
type FileAppeal struct {
	By    Player
	Game  int64
	Round int
}

// DecideAppeal is an administrator's decision of appeal ID: By names the
// administrator, Note says why; AddAlternative, on an accepted appeal,
// makes the answer count for the question from now on.
type DecideAppeal struct {
	ID             int64
	Accept         bool
	By             string
	Note           string
	AddAlternative bool
}

func (FileAppeal) command()   {}
func (DecideAppeal) command() {}

// AppealFiled: the captain appealed a verdict.
type AppealFiled struct {
	Peer   PeerID `json:"peer"`
	Appeal Appeal `json:"appeal"`
}

// AppealDecided: an administrator decided an appeal. When it was accepted,
// Score is the game's score after the point moved; Running tells whether
// the game still runs.
type AppealDecided struct {
	Peer    PeerID `json:"peer"`
	Appeal  Appeal `json:"appeal"`
	Score   Score  `json:"score"`
	Running bool   `json:"running"`
}

// Score is a game's points.
type Score struct {
	Team int `json:"team"`
	Bot  int `json:"bot"`
}

func (AppealFiled) event()   {}
func (AppealDecided) event() {}

// The refusals of appeals.
const (
	ErrNotAppealable RuleError = "only a wrong answer can be appealed"
	ErrAppealClosed  RuleError = "the time to appeal is over"
	ErrAppealed      RuleError = "this round has been appealed already"
	ErrAppealDecided RuleError = "the appeal has been decided already"
)

// AppealWindow is how long after a verdict the captain may appeal it:
// Appeal, or DefaultAppealWindow when zero.
func (s Settings) AppealWindow() time.Duration {
	if s.Appeal == 0 {
		return DefaultAppealWindow
	}
	return s.Appeal
}

// appealableRound is round n if its verdict may be appealed at all: a
// wrong answer («неверно»; silence has nothing to judge again) that decided
// its point alone (not one of a blitz's three).
func (g *Game) appealableRound(n int) (*Round, error) {
	if n < 1 || n > len(g.st.Rounds) {
		return nil, ErrNotAppealable
	}
	r := &g.st.Rounds[n-1]
	if r.Verdict != VerdictWrong || r.Sector.Multi() || r.Appealed {
		return nil, ErrNotAppealable
	}
	return r, nil
}

// AppealUntil is when the window to appeal round n closes; zero when its
// verdict cannot be appealed.
func (g *Game) AppealUntil(n int) time.Time {
	r, err := g.appealableRound(n)
	if err != nil {
		return time.Time{}
	}
	return r.JudgedAt.Add(g.st.Settings.AppealWindow())
}

// fileAppeal checks that by may appeal round n of g at now and returns
// the appeal to record.
func (g *Game) fileAppeal(by Player, n int, now time.Time) (Appeal, error) {
	r, err := g.appealableRound(n)
	if err != nil {
		return Appeal{}, err
	}
	if by.ID != g.st.Captain {
		return Appeal{}, ErrNotCaptain
	}
	if !now.Before(g.AppealUntil(n)) {
		return Appeal{}, ErrAppealClosed
	}
	return Appeal{Peer: g.st.Peer, Game: g.st.ID, Round: n, Question: cloneQuestion(r.Question), Given: r.Given, By: by,
		FiledAt: now, Status: AppealPending}, nil
}

// acceptAppeal makes round n correct and moves its point from the bot to
// the team. A TV game still running that the point brings to its target
// ends, won.
func (g *Game) acceptAppeal(n int, now time.Time) ([]Event, error) {
	r, err := g.appealableRound(n)
	if err != nil {
		return nil, err
	}
	r.Verdict, r.Appealed = VerdictCorrect, true
	g.st.Team++
	g.st.Bot--
	g.st.Version++ // one change, as Apply counts them (stores detect lost updates by it)
	if g.st.Settings.TV() && g.st.Phase.Active() && g.st.Team >= g.st.Settings.Goal() {
		return g.end(PhaseFinished, now), nil
	}
	return nil, nil
}

// appeal is the Host's handling of FileAppeal and DecideAppeal, in the
// chat's transaction: g is the chat's running game, if any.
func (h *Host) appeal(ctx context.Context, peer PeerID, g *Game, cmd Command, now time.Time) (*Game, []Event, error) {
	if h.Appeals == nil {
		return nil, nil, errors.New("the host has no Appeals store")
	}
	switch c := cmd.(type) {
	case FileAppeal:
		game := g
		if game == nil || game.ID() != c.Game {
			last, err := h.Games.LastEnded(ctx, peer)
			switch {
			case errors.Is(err, ErrNotFound):
				return nil, nil, ErrAppealClosed
			case err != nil:
				return nil, nil, fmt.Errorf("last game: %w", err)
			}
			if last.ID() != c.Game {
				return nil, nil, ErrAppealClosed // an older game's window is long closed
			}
			game = last
		}
		a, err := game.fileAppeal(c.By, c.Round, now)
		if err != nil {
			return nil, nil, err
		}
		a, err = h.Appeals.File(ctx, a)
		if errors.Is(err, ErrConflict) {
			return nil, nil, ErrAppealed
		}
		if err != nil {
			return nil, nil, fmt.Errorf("file the appeal: %w", err)
		}
		return nil, []Event{AppealFiled{Peer: peer, Appeal: a}}, nil
	case DecideAppeal:
		a, err := h.Appeals.Appeal(ctx, c.ID)
		if err != nil {
			return nil, nil, fmt.Errorf("appeal %d: %w", c.ID, err)
		}
		if a.Peer != peer {
			return nil, nil, fmt.Errorf("appeal %d is of chat %d, not %d: %w", c.ID, a.Peer, peer, ErrNotFound)
		}
		if a.Status != AppealPending {
			return nil, nil, ErrAppealDecided
		}
		a.DecidedBy, a.DecidedAt, a.Note, a.Status = c.By, now, c.Note, AppealRejected
		var save *Game
		var evs []Event
		decided := AppealDecided{Peer: peer}
		if c.Accept {
			a.Status = AppealAccepted
			game := g
			if game == nil || game.ID() != a.Game {
				if game, err = h.Appeals.AppealedGame(ctx, a.Game); err != nil {
					return nil, nil, fmt.Errorf("the appealed game: %w", err)
				}
			}
			ended, err := game.acceptAppeal(a.Round, now)
			if err != nil {
				return nil, nil, err
			}
			if g != nil && game.ID() == g.ID() {
				save = game
			} else if err := h.Appeals.Amend(ctx, game, a.Round); err != nil {
				return nil, nil, fmt.Errorf("amend game %d: %w", game.ID(), err)
			}
			decided.Score, decided.Running = Score{Team: game.st.Team, Bot: game.st.Bot}, game.Phase().Active()
			evs = ended
			if c.AddAlternative && a.Question.ID != 0 {
				if err := h.Appeals.AddAlternative(ctx, a.Question.ID, a.Given); err != nil {
					return nil, nil, fmt.Errorf("add the alternative: %w", err)
				}
				a.AlternativeAdded = true
			}
		}
		if err := h.Appeals.Decide(ctx, a); err != nil {
			return nil, nil, fmt.Errorf("decide appeal %d: %w", a.ID, err)
		}
		decided.Appeal = a
		return save, append([]Event{decided}, evs...), nil
	}
	return nil, nil, fmt.Errorf("chgk: %T is not an appeal", cmd)
}
