package chgk_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/chgk"
	ct "github.com/vkchgk/chgkbot/chgk/chgktest"
)

// play sends cmd through the host and returns its events.
func play(t *testing.T, h *chgk.Host, cmd chgk.Command) []chgk.Event {
	t.Helper()
	evs, err := h.Handle(context.Background(), peer, cmd)
	if err != nil {
		t.Fatalf("%T: %v", cmd, err)
	}
	return evs
}

// current is the chat's active game as stored.
func current(t *testing.T, m *ct.Memory) chgk.State {
	t.Helper()
	var st chgk.State
	err := m.Update(context.Background(), peer, func(_ context.Context, g *chgk.Game) (*chgk.Game, []chgk.Event, error) {
		if g == nil {
			return nil, nil, errors.New("no active game")
		}
		st = g.State()
		return nil, nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestFullGameThroughHost(t *testing.T) {
	for _, rounds := range []int{1, 6} {
		t.Run(string(rune('0'+rounds))+" rounds", func(t *testing.T) {
			is := is.New(t)
			s := ct.FastSettings()
			s.Rounds = rounds
			h, m, clock := ct.NewHost(s, ct.Questions(10), 1) // Rand 1: Boris captain
			play(t, h, chgk.Start{By: anna})
			play(t, h, chgk.Join{Player: boris})
			play(t, h, chgk.Join{Player: vera})
			clock.Advance(sec(10))
			evs := play(t, h, chgk.Expire{Phase: chgk.PhaseLobby})
			is.Equal(evs[0].(chgk.GameStarted).Captain, boris) // the drawn captain

			var want []chgk.Round
			for r := 1; r <= rounds; r++ {
				st := current(t, m)
				q := st.Questions[r-1]
				start := clock.Now()
				clock.Advance(sec(3))
				play(t, h, chgk.AnswerEarly{By: boris})
				clock.Advance(sec(2))
				answerer := []chgk.Player{anna, vera}[r%2]
				evs := play(t, h, chgk.Choose{By: anna, Answerer: anna.ID}) // not the captain: refused
				is.Equal(evs[0].(chgk.Rejected).Reason, chgk.ErrNotCaptain)
				play(t, h, chgk.Choose{By: boris, Answerer: answerer.ID})
				clock.Advance(sec(4))
				is.Equal(len(play(t, h, chgk.Answer{By: boris, Text: q.Answer})), 0) // the captain's talk is ignored
				given, verdict := q.Answer, chgk.VerdictCorrect
				if r%3 == 0 {
					given, verdict = "не знаю", chgk.VerdictWrong
				}
				play(t, h, chgk.Answer{By: answerer, Text: given})
				want = append(want, chgk.Round{Number: r, Question: q, Answerer: answerer, Given: given, Verdict: verdict,
					StartedAt: start, JudgedAt: clock.Now(), Early: true})
				clock.Advance(sec(1))
				if r < rounds {
					play(t, h, chgk.Expire{Phase: chgk.PhasePause, Round: r})
				}
			}
			evs = play(t, h, chgk.Info{By: vera})
			res := *evs[0].(chgk.StatusShown).Last
			is.Equal(res.Rounds, want)          // every round, field by field
			is.Equal(res.Planned, rounds)       // the planned length
			is.Equal(res.Team, rounds-rounds/3) // a point per right answer
			is.Equal(res.Bot, rounds/3)         // a point per wrong one
			is.Equal(res.Captain, boris)
			is.Equal(res.Players, []chgk.Player{anna, boris, vera})
			is.True(!res.Stopped)
			is.True(res.StartedAt.Equal(ct.Epoch))
			is.Equal(res.Duration, clock.Now().Add(-sec(1)).Sub(ct.Epoch))
			is.Equal(res.Outcome, chgk.OutcomeTeam)
			is.True(res.GameID != 0)

			recorded := m.Events()
			ended, ok := recorded[len(recorded)-2].Event.(chgk.GameEnded)
			is.True(ok)                  // the game's last event is its end…
			is.Equal(ended.Results, res) // …with the same results info shows
		})
	}
}

func TestHostRefusals(t *testing.T) {
	is := is.New(t)
	h, _, _ := ct.NewHost(ct.FastSettings(), ct.Questions(5))

	evs := play(t, h, chgk.Stop{By: anna})
	is.Equal(evs, []chgk.Event{chgk.Rejected{Peer: peer, By: anna, Reason: chgk.ErrNoGame}}) // nothing to stop
	is.Equal(len(play(t, h, chgk.Answer{By: anna, Text: "привет"})), 0)                      // chat talk with no game: quiet
	is.Equal(len(play(t, h, chgk.Expire{Phase: chgk.PhaseLobby})), 0)                        // a timer of no game: quiet

	evs = play(t, h, chgk.Info{By: anna})
	is.Equal(evs, []chgk.Event{chgk.StatusShown{Peer: peer}}) // no game ever: a hint

	play(t, h, chgk.Start{By: anna})
	evs = play(t, h, chgk.Start{By: boris})
	rej := evs[0].(chgk.Rejected)
	is.Equal(rej.Reason, chgk.ErrGameRunning)   // a second start is refused
	is.Equal(rej.Status.Phase, chgk.PhaseLobby) // and shows the running game
	is.Equal(rej.Status.StartedBy, anna)
	evs = play(t, h, chgk.Join{Player: anna})
	is.Equal(evs[0].(chgk.Rejected).Reason, chgk.ErrAlreadyJoined)
}

func TestHostSettingsAndRules(t *testing.T) {
	is := is.New(t)
	h, m, _ := ct.NewHost(ct.FastSettings(), ct.Questions(10))

	evs := play(t, h, chgk.ChangeSettings{By: anna})
	is.Equal(evs, []chgk.Event{chgk.SettingsShown{Peer: peer, By: anna, Settings: ct.FastSettings()}}) // defaults shown

	evs = play(t, h, chgk.ChangeSettings{By: anna, Name: chgk.SettingRounds, Value: "5"})
	want := ct.FastSettings()
	want.Rounds = 5
	is.Equal(evs, []chgk.Event{chgk.SettingsShown{Peer: peer, By: anna, Settings: want, Changed: chgk.SettingRounds}}) // changed
	got, err := m.Settings(context.Background(), peer)
	is.NoErr(err)
	is.Equal(got, want) // and kept

	evs = play(t, h, chgk.ChangeSettings{By: anna, Name: chgk.SettingDiscussion, Value: "5"})
	rej := evs[0].(chgk.Rejected)
	is.Equal(rej.Reason, chgk.ErrBadSetting)           // out of bounds
	is.Equal(rej.Setting.Name, chgk.SettingDiscussion) // names the setting
	is.Equal(rej.Setting.Min, 10.0)                    // and the range
	got, _ = m.Settings(context.Background(), peer)
	is.Equal(got, want) // nothing changed

	evs = play(t, h, chgk.Rules{By: anna})
	is.Equal(evs, []chgk.Event{chgk.RulesShown{Peer: peer, Settings: want}}) // rules with the chat's settings

	evs = play(t, h, chgk.Start{By: anna})
	is.Equal(evs[0].(chgk.LobbyOpened).Rounds, 5) // a new game takes the chat's settings
}

func TestHostTwoStartsAtOnce(t *testing.T) {
	is := is.New(t)
	h, _, _ := ct.NewHost(ct.FastSettings(), ct.Questions(10))
	var wg sync.WaitGroup
	results := make([][]chgk.Event, 10)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			evs, err := h.Handle(context.Background(), peer, chgk.Start{By: chgk.Player{ID: chgk.UserID(i + 1)}})
			if err == nil {
				results[i] = evs
			}
		}()
	}
	wg.Wait()
	opened := 0
	for _, evs := range results {
		if _, ok := evs[0].(chgk.LobbyOpened); ok {
			opened++
		}
	}
	is.Equal(opened, 1) // exactly one game starts
}

func TestHostNoQuestions(t *testing.T) {
	is := is.New(t)
	h, _, _ := ct.NewHost(ct.FastSettings(), nil)
	evs := play(t, h, chgk.Start{By: anna})
	is.Equal(evs[0].(chgk.Rejected).Reason, chgk.ErrNoQuestions) // told, not crashed
}

type failingStore struct{ ct.Memory }

func (f *failingStore) Settings(context.Context, chgk.PeerID) (chgk.Settings, error) {
	return chgk.Settings{}, errors.New("disk on fire")
}

func TestHostStoreFailureIsAnError(t *testing.T) {
	is := is.New(t)
	m := ct.NewMemory(ct.Questions(3)...)
	f := &failingStore{}
	h := &chgk.Host{Games: m, Questions: m, Chats: f, Clock: ct.NewClock(ct.Epoch), Rand: ct.NewRand(), Defaults: ct.FastSettings()}
	_, err := h.Handle(context.Background(), peer, chgk.Start{By: anna})
	is.True(err != nil)        // a store failure is an error, not an event
	is.True(!chgk.IsRule(err)) // and not a rule
	is.Equal(len(m.Events()), 0)
}

// BenchmarkRound plays one whole round (question, early answer, choice,
// answer, verdict, next question) through the Host and the in-memory store.
func BenchmarkRound(b *testing.B) {
	s := ct.FastSettings()
	s.Rounds = 30
	h, _, clock := ct.NewHost(s, ct.Questions(30))
	ctx := context.Background()
	do := func(cmd chgk.Command) {
		if _, err := h.Handle(ctx, peer, cmd); err != nil {
			b.Fatal(err)
		}
	}
	round := 0
	b.ReportAllocs()
	for b.Loop() {
		if round%29 == 0 { // a fresh game before the questions run out
			do(chgk.Stop{By: anna})
			do(chgk.Start{By: anna})
			do(chgk.Begin{By: anna})
			round = 1
		}
		do(chgk.AnswerEarly{By: anna})
		do(chgk.Choose{By: anna, Answerer: anna.ID})
		do(chgk.Answer{By: anna, Text: "один"})
		clock.Advance(s.Pause)
		do(chgk.Expire{Phase: chgk.PhasePause, Round: round})
		round++
	}
}

// TestHostTop: /top answers with the chat's board, while a game runs or
// not, and counts a game once it ended.
func TestHostTop(t *testing.T) {
	is := is.New(t)
	h, _, _ := ct.NewHost(ct.FastSettings(), ct.Questions(5))
	is.Equal(play(t, h, chgk.Top{By: anna}), []chgk.Event{chgk.LeaderboardShown{Peer: peer}}) // no games yet: an empty board
	play(t, h, chgk.Start{By: anna})
	is.Equal(play(t, h, chgk.Top{By: anna}), []chgk.Event{chgk.LeaderboardShown{Peer: peer}}) // a running game is not counted
	play(t, h, chgk.Stop{By: anna})
	evs := play(t, h, chgk.Top{By: boris})
	is.Equal(evs, []chgk.Event{chgk.LeaderboardShown{Peer: peer, Board: chgk.Leaderboard{Games: 1, Stopped: 1,
		Players: []chgk.PlayerStats{{Player: anna, Games: 1}}}}}) // the stopped game, won by no one

	h.Leaders = nil
	_, err := h.Handle(context.Background(), peer, chgk.Top{By: anna})
	is.True(err != nil) // a host without Leaders says so, as a failure of the machinery
}
