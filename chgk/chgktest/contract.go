package chgktest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/chgk"
)

// Stores are the implementations a contract run checks (chgk.Stores).
type Stores = chgk.Stores

// NewStores makes fresh, empty stores holding exactly the given questions
// (with their ids) for one subtest. It is called once per subtest, which may
// run in parallel with others.
type NewStores func(t *testing.T, questions []chgk.Question) Stores

// StoreContract runs the suite every implementation of chgk's storage
// interfaces must pass: what Update locks, saves and refuses, how ended games
// are kept, how questions are drawn without repeats, and how settings are
// kept. Memory passes it; so must the Postgres store.
func StoreContract(t *testing.T, newStores NewStores) {
	run := func(name string, f func(t *testing.T, is *is.I, s Stores)) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f(t, is.New(t), newStores(t, Questions(8)))
		})
	}
	ctx := context.Background()
	peer := Chat(1)

	run("no game at first", func(t *testing.T, is *is.I, s Stores) {
		var got *chgk.Game
		calls := 0
		err := s.Games.Update(ctx, peer, func(_ context.Context, g *chgk.Game) (*chgk.Game, []chgk.Event, error) {
			calls++
			got = g
			return nil, nil, nil
		})
		is.NoErr(err)       // an update of an empty chat works
		is.Equal(calls, 1)  // fn runs exactly once
		is.True(got == nil) // and sees no active game
		_, err = s.Games.LastEnded(ctx, peer)
		is.True(errors.Is(err, chgk.ErrNotFound)) // no ended game either
	})

	run("saves and loads every field", func(t *testing.T, is *is.I, s Stores) {
		g := openGame(t, s, peer)
		is.True(g.ID() != 0) // the store gives a new game its id
		rnd := NewRand(1)
		now := Epoch.Add(time.Second)
		apply := func(cmd chgk.Command) {
			update(t, s, peer, func(cur *chgk.Game) *chgk.Game {
				_, err := cur.Apply(cmd, now, rnd)
				is.NoErr(err) // the scripted move is valid
				return cur
			})
			now = now.Add(time.Second)
		}
		apply(chgk.Join{Player: Boris})
		apply(chgk.Begin{By: Anna})
		apply(chgk.AnswerEarly{By: Boris}) // Rand 1 made Boris captain
		apply(chgk.Choose{By: Boris, Answerer: Anna.ID})
		rounds := g.State().Questions
		apply(chgk.Answer{By: Anna, Text: rounds[0].Answer})
		apply(chgk.Delivered{Phase: chgk.PhasePause, Round: 1, At: now.Add(-time.Second / 2)})

		var want chgk.State
		update(t, s, peer, func(cur *chgk.Game) *chgk.Game {
			is.True(cur != nil) // the game is still active
			want = cur.State()
			return nil
		})
		is.Equal(want.Phase, chgk.PhasePause)   // the moves were saved
		is.Equal(len(want.Rounds), 1)           // with the round
		is.Equal(want.Rounds[0].Answerer, Anna) // its answerer
		is.Equal(want.Rounds[0].Verdict, chgk.VerdictCorrect)
		is.Equal(want.Team, 1)           // and the score
		is.Equal(want.Version, int64(7)) // one version per change
		is.True(want.ClockRunning)       // and the delivery report

		// A second load gives the same state, field by field.
		update(t, s, peer, func(cur *chgk.Game) *chgk.Game {
			got := cur.State()
			is.Equal(normalized(got), normalized(want)) // nothing lost in storage
			return nil
		})
	})

	run("ended game is kept as the last one", func(t *testing.T, is *is.I, s Stores) {
		g := openGame(t, s, peer)
		update(t, s, peer, func(cur *chgk.Game) *chgk.Game {
			_, err := cur.Apply(chgk.Stop{By: Vera}, Epoch.Add(time.Minute), NewRand())
			is.NoErr(err) // any member may stop
			return cur
		})
		update(t, s, peer, func(cur *chgk.Game) *chgk.Game {
			is.True(cur == nil) // a stopped game is not active
			return nil
		})
		last, err := s.Games.LastEnded(ctx, peer)
		is.NoErr(err)                                                 // the ended game is found
		is.Equal(last.ID(), g.ID())                                   // it is the same game
		is.Equal(last.Phase(), chgk.PhaseStopped)                     // stopped
		is.Equal(last.Results().StoppedBy, Vera)                      // by Vera
		is.True(last.Results().EndedAt.Equal(Epoch.Add(time.Minute))) // at that time

		g2 := openGame(t, s, peer)
		is.True(g2.ID() != g.ID()) // a new game may start after the end
	})

	run("one active game per chat", func(t *testing.T, is *is.I, s Stores) {
		openGame(t, s, peer)
		err := s.Games.Update(ctx, peer, func(_ context.Context, _ *chgk.Game) (*chgk.Game, []chgk.Event, error) {
			g, _, err := chgk.Open(chgk.NewGame{Peer: peer, Starter: Boris, Settings: FastSettings(),
				Questions: Questions(1), Now: Epoch})
			return g, nil, err
		})
		is.True(errors.Is(err, chgk.ErrConflict)) // a second active game is refused
		openGame(t, s, Chat(2))                   // another chat is independent
	})

	run("failed update saves nothing", func(t *testing.T, is *is.I, s Stores) {
		openGame(t, s, peer)
		boom := errors.New("boom")
		err := s.Games.Update(ctx, peer, func(_ context.Context, g *chgk.Game) (*chgk.Game, []chgk.Event, error) {
			_, err := g.Apply(chgk.Join{Player: Boris}, Epoch, NewRand())
			is.NoErr(err)
			return g, nil, boom
		})
		is.True(errors.Is(err, boom)) // fn's error comes back
		update(t, s, peer, func(cur *chgk.Game) *chgk.Game {
			is.Equal(len(cur.State().Players), 1) // the join was not saved
			return nil
		})
	})

	run("concurrent updates are serialised", func(t *testing.T, is *is.I, s Stores) {
		openGame(t, s, peer)
		const n = 20
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p := chgk.Player{ID: chgk.UserID(1000 + i), Name: fmt.Sprint("Игрок ", i)}
				errs <- s.Games.Update(ctx, peer, func(_ context.Context, g *chgk.Game) (*chgk.Game, []chgk.Event, error) {
					if _, err := g.Apply(chgk.Join{Player: p}, Epoch, NewRand()); err != nil {
						return nil, nil, err
					}
					return g, nil, nil
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			is.NoErr(err) // every join succeeds
		}
		update(t, s, peer, func(cur *chgk.Game) *chgk.Game {
			st := cur.State()
			is.Equal(len(st.Players), n+1)   // no join lost
			is.Equal(st.Version, int64(n+1)) // each applied once
			return nil
		})
	})

	run("questions do not repeat until the pool is used up", func(t *testing.T, is *is.I, s Stores) {
		seen := map[int64]int{}
		for game := range 3 { // 3 games of 2 rounds: 6 of the 8 questions
			g := playGame(t, s, peer, 2)
			for _, r := range g.Results().Rounds {
				seen[r.Question.ID]++
			}
			is.Equal(len(seen), 2*(game+1)) // every round a new question
		}
		qs, err := s.Questions.Draw(ctx, peer, 5)
		is.NoErr(err)
		is.Equal(len(qs), 5) // a full draw even when only 2 are fresh
		fresh := 0
		for _, q := range qs[:2] {
			if seen[q.ID] == 0 {
				fresh++
			}
		}
		is.Equal(fresh, 2) // the unplayed questions come first
		other, err := s.Questions.Draw(ctx, Chat(2), 8)
		is.NoErr(err)
		ids := map[int64]bool{}
		for _, q := range other {
			ids[q.ID] = true
		}
		is.Equal(len(ids), 8) // another chat has its own history, and a draw has no duplicates
		big, err := s.Questions.Draw(ctx, Chat(3), 100)
		is.NoErr(err)
		is.Equal(len(big), 8) // never more than the pool
		is.Equal(big[0].Answer != "", true)
	})

	run("a TV game saves and loads every field", func(t *testing.T, is *is.I, s Stores) {
		err := s.Games.Update(ctx, peer, func(ctx context.Context, _ *chgk.Game) (*chgk.Game, []chgk.Event, error) {
			qs, err := s.Questions.Draw(ctx, peer, 7)
			if err != nil {
				return nil, nil, err
			}
			set := FastSettings()
			set.Mode, set.Target = chgk.ModeTV, 3
			return chgk.Open(chgk.NewGame{Peer: peer, Starter: Anna, Settings: set, Questions: qs[1:], Thirteenth: &qs[0], Now: Epoch})
		})
		is.NoErr(err) // a TV game opens
		now := Epoch.Add(time.Second)
		var cur chgk.State // the game as it was loaded by the last move
		apply := func(cmd func(st chgk.State) chgk.Command, rnd ...int) {
			update(t, s, peer, func(g *chgk.Game) *chgk.Game {
				cur = g.State()
				_, err := g.Apply(cmd(cur), now, NewRand(rnd...))
				is.NoErr(err) // the scripted move is valid
				return g
			})
			now = now.Add(time.Second)
		}
		do := func(c chgk.Command) func(chgk.State) chgk.Command { return func(chgk.State) chgk.Command { return c } }
		answer := func(right bool) func(chgk.State) chgk.Command {
			return func(st chgk.State) chgk.Command {
				if !right {
					return chgk.Answer{By: Anna, Text: "не знаю"}
				}
				return chgk.Answer{By: Anna, Text: st.Rounds[len(st.Rounds)-1].Question.Answer}
			}
		}
		apply(do(chgk.Join{Player: Boris}))
		apply(do(chgk.Begin{By: Anna}), 1, 2, 4, 6)       // Boris captain; blitz 3, super-blitz 6; the top stops on 7
		for _, right := range []bool{true, true, false} { // sector 7, then the blitz's first two
			apply(do(chgk.AnswerEarly{By: Boris}))
			apply(do(chgk.Choose{By: Boris, Answerer: Anna.ID}))
			apply(answer(right))
			if cur.Rounds[len(cur.Rounds)-1].Sector.Part == 0 {
				apply(do(chgk.Expire{Phase: chgk.PhasePause, Round: 1}), 2) // the top stops on 3, the blitz
			}
		}
		apply(do(chgk.Expire{Phase: chgk.PhasePause, Round: 3}), 7) // the top stops on 8
		apply(do(chgk.TakeMinute{By: Boris}))
		var want chgk.State
		update(t, s, peer, func(g *chgk.Game) *chgk.Game {
			want = g.State()
			return nil
		})
		is.Equal(want.Settings.Mode, chgk.ModeTV)            // the mode
		is.Equal(want.Settings.Target, 3)                    // the target
		is.Equal(want.Table, chgk.Table{Blitz: 3, Super: 6}) // the table
		is.Equal([]int{want.Team, want.Bot}, []int{1, 1})    // the score by sectors
		is.Equal(want.Minutes, 0)                            // the minute earned and spent
		is.True(want.Rounds[0].Early && want.Rounds[0].MinuteEarned)
		is.Equal(want.Rounds[2].Sector, chgk.Sector{Number: 3, Kind: chgk.SectorBlitz, Part: 2}) // each question's sector
		is.True(want.Rounds[3].ExtraMinute)
		is.Equal(len(want.Rounds), 4)
		update(t, s, peer, func(g *chgk.Game) *chgk.Game {
			is.Equal(normalized(g.State()), normalized(want)) // nothing lost in storage
			return nil
		})
	})

	run("the whole bank for sector 13", func(t *testing.T, is *is.I, s Stores) {
		all, err := s.Questions.Draw(ctx, peer, 8)
		is.NoErr(err)
		ids := make([]int64, 0, 7)
		for _, q := range all[:7] {
			ids = append(ids, q.ID)
		}
		got, err := s.Questions.DrawAny(ctx, 3, ids)
		is.NoErr(err)
		is.Equal(len(got), 1)          // only what is not excepted
		is.Equal(got[0].ID, all[7].ID) // the one left
		got, err = s.Questions.DrawAny(ctx, 20, nil)
		is.NoErr(err)
		is.Equal(len(got), 8) // played or not, every question is in the bank
	})

	run("chat settings", func(t *testing.T, is *is.I, s Stores) {
		_, err := s.Chats.Settings(ctx, peer)
		is.True(errors.Is(err, chgk.ErrNotFound)) // none at first
		want := FastSettings()
		want.Rounds = 9
		want.Mode, want.Target = chgk.ModeTV, 8
		want.Discussion = 1500 * time.Millisecond
		is.NoErr(s.Chats.SaveSettings(ctx, peer, want))
		got, err := s.Chats.Settings(ctx, peer)
		is.NoErr(err)
		is.Equal(got, want) // kept exactly
		want.Rounds = 4
		is.NoErr(s.Chats.SaveSettings(ctx, peer, want))
		got, err = s.Chats.Settings(ctx, peer)
		is.NoErr(err)
		is.Equal(got.Rounds, 4) // and overwritten
		_, err = s.Chats.Settings(ctx, Chat(2))
		is.True(errors.Is(err, chgk.ErrNotFound)) // per chat
	})
}

// openGame opens a game started by Anna in peer, with FastSettings and 3
// drawn questions, and returns it as saved.
func openGame(t *testing.T, s Stores, peer chgk.PeerID) *chgk.Game {
	t.Helper()
	var saved *chgk.Game
	err := s.Games.Update(context.Background(), peer, func(ctx context.Context, g *chgk.Game) (*chgk.Game, []chgk.Event, error) {
		if g != nil {
			return nil, nil, errors.New("a game is already active")
		}
		qs, err := s.Questions.Draw(ctx, peer, 3)
		if err != nil {
			return nil, nil, err
		}
		ng, evs, err := chgk.Open(chgk.NewGame{Peer: peer, Starter: Anna, Settings: FastSettings(), Questions: qs,
			Now: Epoch, Grace: 30 * time.Second})
		saved = ng
		return ng, evs, err
	})
	if err != nil {
		t.Fatalf("open game: %v", err)
	}
	return saved
}

// playGame plays a whole game of the given rounds in peer, Anna alone
// answering everything right, and returns the ended game.
func playGame(t *testing.T, s Stores, peer chgk.PeerID, rounds int) *chgk.Game {
	t.Helper()
	settings := FastSettings()
	settings.Rounds = rounds
	settings.Pause = 0
	var g *chgk.Game
	err := s.Games.Update(context.Background(), peer, func(ctx context.Context, _ *chgk.Game) (*chgk.Game, []chgk.Event, error) {
		qs, err := s.Questions.Draw(ctx, peer, rounds)
		if err != nil {
			return nil, nil, err
		}
		g, _, err = chgk.Open(chgk.NewGame{Peer: peer, Starter: Anna, Settings: settings, Questions: qs, Now: Epoch})
		return g, nil, err
	})
	if err != nil {
		t.Fatalf("open game: %v", err)
	}
	step := func(cmd chgk.Command) { g = apply(t, s, peer, cmd) }
	step(chgk.Begin{By: Anna})
	for range rounds {
		step(chgk.AnswerEarly{By: Anna}) // alone, she answers at once
		r := g.State().Rounds
		step(chgk.Answer{By: Anna, Text: r[len(r)-1].Question.Answer})
	}
	if g.Phase() != chgk.PhaseFinished {
		t.Fatalf("game not finished: %s", g.Phase())
	}
	return g
}

// apply applies cmd to the chat's active game at Epoch, saves it and
// returns it; a refusal fails the test.
func apply(t *testing.T, s Stores, peer chgk.PeerID, cmd chgk.Command) *chgk.Game {
	t.Helper()
	var g *chgk.Game
	update(t, s, peer, func(cur *chgk.Game) *chgk.Game {
		if _, err := cur.Apply(cmd, Epoch, NewRand()); err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
		g = cur
		return cur
	})
	return g
}

// update runs f on the chat's active game and saves what it returns.
func update(t *testing.T, s Stores, peer chgk.PeerID, f func(*chgk.Game) *chgk.Game) {
	t.Helper()
	err := s.Games.Update(context.Background(), peer, func(_ context.Context, g *chgk.Game) (*chgk.Game, []chgk.Event, error) {
		return f(g), nil, nil
	})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
}

// normalized makes a State comparable with reflect.DeepEqual across stores:
// times in UTC without monotonic readings, empty slices as nil.
func normalized(s chgk.State) chgk.State {
	s = cloneState(s)
	utc := func(t *time.Time) {
		if t.IsZero() {
			*t = time.Time{}
		} else {
			*t = t.UTC().Round(0)
		}
	}
	utc(&s.Deadline)
	utc(&s.WarnAt)
	utc(&s.PhaseStartedAt)
	utc(&s.StartedAt)
	utc(&s.EndedAt)
	for i := range s.Rounds {
		utc(&s.Rounds[i].StartedAt)
		utc(&s.Rounds[i].JudgedAt)
		s.Rounds[i].Question = normQuestion(s.Rounds[i].Question)
	}
	for i := range s.Questions {
		s.Questions[i] = normQuestion(s.Questions[i])
	}
	return s
}

func normQuestion(q chgk.Question) chgk.Question {
	if len(q.Accepted) == 0 {
		q.Accepted = nil
	}
	if len(q.Rejected) == 0 {
		q.Rejected = nil
	}
	return q
}

func cloneState(s chgk.State) chgk.State {
	g, err := chgk.Restore(s)
	if err != nil {
		return s
	}
	return g.State()
}

// NewBoards makes fresh stores holding questions, and the leaderboards
// read from them.
type NewBoards func(t *testing.T, questions []chgk.Question) (Stores, chgk.Leaderboards)

// LeaderboardContract checks a chgk.Leaderboards against the games its
// stores keep: only the chat's ended games count, a stopped game counts as
// played but won by no one, and players rank by correct answers.
func LeaderboardContract(t *testing.T, newBoards NewBoards) {
	s, boards := newBoards(t, Questions(12))
	a, b := Chat(1), Chat(2)
	ctx := context.Background()
	empty, err := boards.ChatLeaderboard(ctx, a, 10)
	if err != nil {
		t.Fatal(err)
	}
	if empty.Games != 0 || len(empty.Players) != 0 {
		t.Fatalf("a chat with no games has a board: %+v", empty)
	}
	playGame(t, s, a, 2) // Anna alone: 2 : 0
	playGame(t, s, b, 1) // another chat's game does not count
	// Anna and Boris: Boris answers wrong, then Anna stops the game.
	openGame(t, s, a)
	var g *chgk.Game
	step := func(cmd chgk.Command) { g = apply(t, s, a, cmd) }
	step(chgk.Join{Player: Boris})
	step(chgk.Begin{By: Anna})
	captain := Anna
	if g.State().Captain == Boris.ID {
		captain = Boris
	}
	step(chgk.AnswerEarly{By: captain})
	step(chgk.Choose{By: captain, Answerer: Boris.ID, Round: 1})
	step(chgk.Answer{By: Boris, Text: "не знаю"})
	step(chgk.Stop{By: Anna})
	openGame(t, s, a) // running: not counted

	got, err := boards.ChatLeaderboard(ctx, a, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := chgk.Leaderboard{Games: 2, Stopped: 1, TeamWins: 1, TeamPoints: 2, BotPoints: 1, Players: []chgk.PlayerStats{
		{Player: Anna, Games: 2, Answered: 2, Correct: 2}, {Player: Boris, Games: 1, Answered: 1, Correct: 0}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("leaderboard:\n got %+v\nwant %+v", got, want)
	}
	if top, _ := boards.ChatLeaderboard(ctx, a, 1); len(top.Players) != 1 || top.Players[0].Player != Anna {
		t.Fatalf("a limit of 1 gives %+v", top.Players)
	}
}
