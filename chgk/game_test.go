package chgk_test

import (
	"errors"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/chgk"
	ct "github.com/vkchgk/chgkbot/chgk/chgktest"
)

var (
	anna, boris, vera = ct.Anna, ct.Boris, ct.Vera
	peer              = ct.Chat(1)
	t0                = ct.Epoch
)

func sec(n float64) time.Duration { return time.Duration(n * float64(time.Second)) }

// open starts a game of ct.FastSettings (3 rounds) with ct.Questions.
func open(t *testing.T, rounds int) *chgk.Game {
	t.Helper()
	s := ct.FastSettings()
	s.Rounds = rounds
	g, _, err := chgk.Open(chgk.NewGame{Peer: peer, Starter: anna, Settings: s, Questions: ct.Questions(rounds), Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// must applies cmd and fails the test on a refusal.
func must(t *testing.T, g *chgk.Game, cmd chgk.Command, at time.Time, rnd ...int) []chgk.Event {
	t.Helper()
	evs, err := g.Apply(cmd, at, ct.NewRand(rnd...))
	if err != nil {
		t.Fatalf("%T at %v: %v", cmd, at.Sub(t0), err)
	}
	return evs
}

func TestOpen(t *testing.T) {
	is := is.New(t)
	qs := ct.Questions(5)
	g, evs, err := chgk.Open(chgk.NewGame{Peer: peer, Starter: anna, Settings: ct.FastSettings(), Questions: qs, Now: t0})
	is.NoErr(err) // a game opens
	is.Equal(evs, []chgk.Event{chgk.LobbyOpened{Peer: peer, StartedBy: anna, Rounds: 3,
		Timer: chgk.Timer{Phase: chgk.PhaseLobby, Round: 0, Duration: sec(10), Deadline: t0.Add(sec(10))}}}) // the lobby is announced
	is.Equal(g.Phase(), chgk.PhaseLobby)             // in the lobby
	is.Equal(g.State().Players, []chgk.Player{anna}) // the starter joined
	is.Equal(len(g.State().Questions), 3)            // rounds cap the questions
	is.True(g.Deadline().Equal(t0.Add(sec(10))))     // the lobby's deadline
	is.Equal(g.Version(), int64(1))

	_, _, err = chgk.Open(chgk.NewGame{Peer: peer, Starter: anna, Settings: ct.FastSettings(), Now: t0})
	is.Equal(err, chgk.ErrNoQuestions) // no questions, no game
	bad := ct.FastSettings()
	bad.Rounds = 0
	_, _, err = chgk.Open(chgk.NewGame{Peer: peer, Starter: anna, Settings: bad, Questions: qs, Now: t0})
	is.True(errors.Is(err, chgk.ErrBadSetting)) // unplayable settings are refused
}

// TestRoundTransitions walks one round through every phase and checks every
// event exactly.
func TestRoundTransitions(t *testing.T) {
	is := is.New(t)
	g := open(t, 2)
	q := ct.Questions(2)

	evs := must(t, g, chgk.Join{Player: boris}, t0.Add(sec(1)))
	is.Equal(evs, []chgk.Event{chgk.PlayerJoined{Peer: peer, Player: boris, Players: []chgk.Player{anna, boris}, Phase: chgk.PhaseLobby}}) // Boris joins

	at := t0.Add(sec(2))
	evs = must(t, g, chgk.Begin{By: vera}, at, 1) // anyone may begin; Rand 1 picks Boris
	is.Equal(evs, []chgk.Event{
		chgk.GameStarted{Peer: peer, Captain: boris, Players: []chgk.Player{anna, boris}, Rounds: 2},
		chgk.RoundStarted{Peer: peer, Round: 1, Of: 2, Question: q[0], Captain: boris,
			Timer:   chgk.Timer{Phase: chgk.PhaseDiscussion, Round: 1, Duration: sec(10), Deadline: at.Add(sec(10))},
			Players: []chgk.Player{anna, boris}},
	}) // the captain is announced and the first question read, with the team

	at = t0.Add(sec(12))
	evs = must(t, g, chgk.Expire{Phase: chgk.PhaseDiscussion, Round: 1}, at)
	is.Equal(evs, []chgk.Event{chgk.AnswererAsked{Peer: peer, Round: 1, Of: 2, Captain: boris, Players: []chgk.Player{anna, boris},
		Timer: chgk.Timer{Phase: chgk.PhaseChoice, Round: 1, Duration: sec(10), Deadline: at.Add(sec(10))}}}) // the discussion ends on time

	at = t0.Add(sec(13))
	evs = must(t, g, chgk.Choose{By: boris, Answerer: anna.ID}, at)
	is.Equal(evs, []chgk.Event{chgk.AnswererChosen{Peer: peer, Round: 1, Answerer: anna,
		Timer: chgk.Timer{Phase: chgk.PhaseAnswer, Round: 1, Duration: sec(10), Deadline: at.Add(sec(10))}}}) // the captain picks Anna

	at = t0.Add(sec(14))
	evs = must(t, g, chgk.Answer{By: anna, Text: "Один!"}, at)
	is.Equal(evs, []chgk.Event{chgk.RoundJudged{Peer: peer, Round: 1, Of: 2, Answerer: anna, Given: "Один!",
		Verdict: chgk.VerdictCorrect, Question: q[0], Team: 1, Bot: 0,
		Timer: chgk.Timer{Phase: chgk.PhasePause, Round: 1, Duration: sec(1), Deadline: at.Add(sec(1))}}}) // right: a point to the team

	at = t0.Add(sec(15))
	evs = must(t, g, chgk.Expire{Phase: chgk.PhasePause, Round: 1}, at)
	is.Equal(evs, []chgk.Event{chgk.RoundStarted{Peer: peer, Round: 2, Of: 2, Question: q[1], Captain: boris, Team: 1,
		Timer: chgk.Timer{Phase: chgk.PhaseDiscussion, Round: 2, Duration: sec(10), Deadline: at.Add(sec(10))}}}) // the next round

	at = t0.Add(sec(16))
	evs = must(t, g, chgk.AnswerEarly{By: boris}, at)
	is.Equal(evs, []chgk.Event{chgk.AnswererAsked{Peer: peer, Round: 2, Of: 2, Captain: boris, Players: []chgk.Player{anna, boris}, Early: true,
		Timer: chgk.Timer{Phase: chgk.PhaseChoice, Round: 2, Duration: sec(10), Deadline: at.Add(sec(10))}}}) // early answer

	at = t0.Add(sec(26))
	evs = must(t, g, chgk.Expire{Phase: chgk.PhaseChoice, Round: 2}, at)
	is.Equal(evs, []chgk.Event{chgk.AnswererChosen{Peer: peer, Round: 2, Answerer: boris, ByDefault: true,
		Timer: chgk.Timer{Phase: chgk.PhaseAnswer, Round: 2, Duration: sec(10), Deadline: at.Add(sec(10))}}}) // no choice: the captain answers

	at = t0.Add(sec(36))
	evs = must(t, g, chgk.Expire{Phase: chgk.PhaseAnswer, Round: 2}, at)
	is.Equal(len(evs), 2) // the verdict and the end
	is.Equal(evs[0], chgk.RoundJudged{Peer: peer, Round: 2, Of: 2, Answerer: boris, Verdict: chgk.VerdictNoAnswer,
		Question: q[1], Team: 1, Bot: 1, Last: true}) // silence: a point to the bot
	end := evs[1].(chgk.GameEnded)
	is.Equal(end.Results.Outcome, chgk.OutcomeDraw) // 1:1 is a draw
	is.Equal(g.Phase(), chgk.PhaseFinished)
	is.True(g.Deadline().IsZero()) // an ended game waits for nothing
}

func TestInvalidMoves(t *testing.T) {
	lobby := func(t *testing.T) *chgk.Game {
		g := open(t, 3)
		must(t, g, chgk.Join{Player: boris}, t0)
		return g
	}
	discussion := func(t *testing.T) *chgk.Game {
		g := lobby(t)
		must(t, g, chgk.Begin{By: anna}, t0, 0) // Anna captain
		return g
	}
	choice := func(t *testing.T) *chgk.Game {
		g := discussion(t)
		must(t, g, chgk.AnswerEarly{By: anna}, t0)
		return g
	}
	answer := func(t *testing.T) *chgk.Game {
		g := choice(t)
		must(t, g, chgk.Choose{By: anna, Answerer: boris.ID}, t0)
		return g
	}
	pause := func(t *testing.T) *chgk.Game {
		g := answer(t)
		must(t, g, chgk.Answer{By: boris, Text: "нет"}, t0)
		return g
	}
	ended := func(t *testing.T) *chgk.Game {
		g := lobby(t)
		must(t, g, chgk.Stop{By: anna}, t0)
		return g
	}
	tests := []struct {
		name  string
		setup func(*testing.T) *chgk.Game
		cmd   chgk.Command
		want  error
	}{
		{"start while running", lobby, chgk.Start{By: vera}, chgk.ErrGameRunning},
		{"join twice", lobby, chgk.Join{Player: boris}, chgk.ErrAlreadyJoined},
		{"early answer in lobby", lobby, chgk.AnswerEarly{By: anna}, chgk.ErrWrongPhase},
		{"choose in lobby", lobby, chgk.Choose{By: anna, Answerer: anna.ID}, chgk.ErrWrongPhase},
		{"answer in lobby", lobby, chgk.Answer{By: anna, Text: "x"}, chgk.ErrWrongPhase},
		{"begin twice", discussion, chgk.Begin{By: anna}, chgk.ErrWrongPhase},
		{"early answer by non-captain", discussion, chgk.AnswerEarly{By: boris}, chgk.ErrNotCaptain},
		{"choose in discussion", discussion, chgk.Choose{By: anna, Answerer: anna.ID}, chgk.ErrWrongPhase},
		{"answer in discussion", discussion, chgk.Answer{By: anna, Text: "один"}, chgk.ErrWrongPhase},
		{"choose by non-captain", choice, chgk.Choose{By: boris, Answerer: boris.ID}, chgk.ErrNotCaptain},
		{"choose a non-player", choice, chgk.Choose{By: anna, Answerer: vera.ID}, chgk.ErrNotPlayer},
		{"early answer twice", choice, chgk.AnswerEarly{By: anna}, chgk.ErrWrongPhase},
		{"answer by non-answerer", answer, chgk.Answer{By: anna, Text: "один"}, chgk.ErrNotAnswerer},
		{"empty answer", answer, chgk.Answer{By: boris, Text: " ... "}, chgk.ErrEmptyAnswer},
		{"early answer from an old round", discussion, chgk.AnswerEarly{By: anna, Round: 2}, chgk.ErrWrongPhase},
		{"choice from an old round", choice, chgk.Choose{By: anna, Answerer: anna.ID, Round: 3}, chgk.ErrWrongPhase},
		{"choose again", answer, chgk.Choose{By: anna, Answerer: anna.ID}, chgk.ErrWrongPhase},
		{"answer in pause", pause, chgk.Answer{By: boris, Text: "один"}, chgk.ErrWrongPhase},
		{"rules are not a move", pause, chgk.Rules{By: anna}, chgk.ErrWrongPhase},
		{"settings are not a move", lobby, chgk.ChangeSettings{By: anna}, chgk.ErrWrongPhase},
		{"stop an ended game", ended, chgk.Stop{By: anna}, chgk.ErrNoGame},
		{"stop meant for another game", discussion, chgk.Stop{By: anna, Game: 999}, chgk.ErrNoGame},
		{"join an ended game", ended, chgk.Join{Player: vera}, chgk.ErrNoGame},
		{"start on an ended game", ended, chgk.Start{By: anna}, chgk.ErrWrongPhase},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			g := tt.setup(t)
			before := g.State()
			evs, err := g.Apply(tt.cmd, t0.Add(sec(1)), ct.NewRand())
			is.Equal(err, tt.want)      // the typed refusal
			is.Equal(len(evs), 0)       // nothing announced
			is.Equal(g.State(), before) // nothing changed
			is.True(chgk.IsRule(err))   // and it is a rule, not a failure
		})
	}
}

func TestStaleTimersAreNoOps(t *testing.T) {
	g := open(t, 3)
	must(t, g, chgk.Begin{By: anna}, t0)
	for _, tt := range []struct {
		name string
		cmd  chgk.Command
		at   time.Time
	}{
		{"before the deadline", chgk.Expire{Phase: chgk.PhaseDiscussion, Round: 1}, t0.Add(sec(9.9))},
		{"wrong phase", chgk.Expire{Phase: chgk.PhaseLobby, Round: 0}, t0.Add(time.Hour)},
		{"wrong round", chgk.Expire{Phase: chgk.PhaseDiscussion, Round: 2}, t0.Add(time.Hour)},
		{"delivery of another phase", chgk.Delivered{Phase: chgk.PhaseLobby, Round: 0, At: t0}, t0},
		{"delivery of a running clock", chgk.Delivered{Phase: chgk.PhaseDiscussion, Round: 1, At: t0}, t0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			before := g.State()
			evs, err := g.Apply(tt.cmd, tt.at, ct.NewRand())
			is.NoErr(err)               // a stale timer is no error
			is.Equal(len(evs), 0)       // and says nothing
			is.Equal(g.State(), before) // and changes nothing
		})
	}
}

func TestDeliveryStartsTheClock(t *testing.T) {
	is := is.New(t)
	s := ct.FastSettings()
	g, evs, err := chgk.Open(chgk.NewGame{Peer: peer, Starter: anna, Settings: s, Questions: ct.Questions(3), Now: t0, Grace: sec(30)})
	is.NoErr(err)
	is.True(evs[0].(chgk.LobbyOpened).Timer.Deadline.Equal(t0.Add(sec(40)))) // provisional: length + grace
	is.Equal(g.Status(t0).Left, sec(10))                                     // info shows the full length while waiting

	must(t, g, chgk.Delivered{Phase: chgk.PhaseLobby, Round: 0, At: t0.Add(sec(3))}, t0.Add(sec(4)))
	is.True(g.Deadline().Equal(t0.Add(sec(13)))) // the clock runs from the delivery
	is.Equal(g.Status(t0.Add(sec(4))).Left, sec(9))

	evs, err = g.Apply(chgk.Expire{Phase: chgk.PhaseLobby}, t0.Add(sec(12)), ct.NewRand())
	is.NoErr(err)
	is.Equal(len(evs), 0) // never early
	evs = must(t, g, chgk.Expire{Phase: chgk.PhaseLobby}, t0.Add(sec(13)))
	is.Equal(len(evs), 2) // on time

	// A report later than the phase's length fires at once, never in the
	// past; one as late as ResumeNotice says the game goes on.
	late := t0.Add(sec(100))
	evs = must(t, g, chgk.Delivered{Phase: chgk.PhaseDiscussion, Round: 1, At: t0.Add(sec(13))}, late)
	is.True(g.Deadline().Equal(late)) // clamped to now
	is.Equal(evs, []chgk.Event{chgk.GameResumed{Peer: peer, Phase: chgk.PhaseDiscussion, Round: 1,
		Late: late.Sub(t0.Add(sec(13)).Add(s.Discussion))}}) // the bot was down: the chat is told
	evs = must(t, g, chgk.Expire{Phase: chgk.PhaseDiscussion, Round: 1}, late)
	for _, e := range evs {
		_, again := e.(chgk.GameResumed)
		is.True(!again) // the phase ends at once, without a second notice
	}
	is.True(len(evs) > 0)
	// A report a little late fires at once too, without a notice.
	g3, _, _ := chgk.Open(chgk.NewGame{Peer: peer, Starter: anna, Settings: s, Questions: ct.Questions(3), Now: t0, Grace: sec(30)})
	evs = must(t, g3, chgk.Delivered{Phase: chgk.PhaseLobby, At: t0}, t0.Add(s.Lobby+sec(1)))
	is.Equal(len(evs), 0)
	is.True(g3.Deadline().Equal(t0.Add(s.Lobby + sec(1))))
	// A report from the future (clock skew) counts as now.
	g2, _, _ := chgk.Open(chgk.NewGame{Peer: peer, Starter: anna, Settings: s, Questions: ct.Questions(3), Now: t0, Grace: sec(30)})
	must(t, g2, chgk.Delivered{Phase: chgk.PhaseLobby, At: t0.Add(time.Hour)}, t0.Add(sec(1)))
	is.True(g2.Deadline().Equal(t0.Add(sec(11))))
}

func TestLateDeadlineResumes(t *testing.T) {
	is := is.New(t)
	g := open(t, 3)
	evs := must(t, g, chgk.Expire{Phase: chgk.PhaseLobby}, t0.Add(time.Minute))
	is.Equal(len(evs), 3)                                                                 // resumed, started, round 1
	is.Equal(evs[0], chgk.GameResumed{Peer: peer, Phase: chgk.PhaseLobby, Late: sec(50)}) // the chat hears the game goes on
}

func TestStopInEveryPhase(t *testing.T) {
	steps := []chgk.Command{
		chgk.Join{Player: boris}, // two players: the captain chooses
		chgk.Begin{By: anna},
		chgk.AnswerEarly{By: anna},
		chgk.Choose{By: anna, Answerer: anna.ID},
		chgk.Answer{By: anna, Text: "один"},
	}
	phases := []chgk.Phase{chgk.PhaseLobby, chgk.PhaseDiscussion, chgk.PhaseChoice, chgk.PhaseAnswer, chgk.PhasePause}
	for i, phase := range phases {
		t.Run(string(phase), func(t *testing.T) {
			is := is.New(t)
			g := open(t, 3)
			for _, c := range steps[:i+1] {
				must(t, g, c, t0)
			}
			is.Equal(g.Phase(), phase)
			evs := must(t, g, chgk.Stop{By: boris}, t0.Add(sec(90)))
			is.Equal(len(evs), 1) // just the results
			r := evs[0].(chgk.GameEnded).Results
			is.True(r.Stopped)            // marked stopped
			is.Equal(r.StoppedBy, boris)  // by whoever stopped it
			is.Equal(r.Duration, sec(90)) // with its duration
			judged := 0
			if phase == chgk.PhasePause {
				judged = 1
			}
			is.Equal(len(r.Rounds), judged) // only judged rounds are results
			is.Equal(r.Team, judged)
			is.Equal(g.Phase(), chgk.PhaseStopped)
			evs, err := g.Apply(chgk.Expire{Phase: phase, Round: g.Round()}, t0.Add(time.Hour), ct.NewRand())
			is.NoErr(err)
			is.Equal(len(evs), 0) // no event after the end
		})
	}
}

func TestInfoInEveryPhase(t *testing.T) {
	steps := []chgk.Command{
		chgk.Join{Player: boris},
		chgk.Begin{By: anna},
		chgk.AnswerEarly{By: anna},
		chgk.Choose{By: anna, Answerer: boris.ID},
		chgk.Answer{By: boris, Text: "один"},
		chgk.Stop{By: anna},
	}
	want := []struct {
		phase    chgk.Phase
		round    int
		captain  chgk.Player
		answerer chgk.Player
		team     int
	}{
		{chgk.PhaseLobby, 0, chgk.Player{}, chgk.Player{}, 0},
		{chgk.PhaseDiscussion, 1, anna, chgk.Player{}, 0},
		{chgk.PhaseChoice, 1, anna, chgk.Player{}, 0},
		{chgk.PhaseAnswer, 1, anna, boris, 0},
		{chgk.PhasePause, 1, anna, chgk.Player{}, 1},
	}
	is := is.New(t)
	g := open(t, 3)
	must(t, g, steps[0], t0)
	last := t0
	for i, w := range want {
		evs := must(t, g, chgk.Info{By: vera}, last.Add(sec(0.5)))
		is.Equal(len(evs), 1)
		st := evs[0].(chgk.StatusShown).Status
		is.Equal(st.Phase, w.phase)       // the phase
		is.Equal(st.Round, w.round)       // round k
		is.Equal(st.Of, 3)                // of N
		is.Equal(st.Captain, w.captain)   // the captain
		is.Equal(st.Answerer, w.answerer) // the answerer when there is one
		is.Equal(st.Team, w.team)         // the score
		is.Equal(len(st.Players), 2)      // the players
		is.True(st.Left > 0)              // time left in the phase
		last = last.Add(sec(1))
		must(t, g, steps[i+1], last)
	}
	evs := must(t, g, chgk.Info{By: vera}, t0.Add(time.Hour))
	shown := evs[0].(chgk.StatusShown)
	is.True(shown.Status == nil) // no game runs
	is.Equal(shown.Last.Team, 1) // but the last one's results are shown
	is.True(shown.Last.Stopped)
}

func TestRestore(t *testing.T) {
	is := is.New(t)
	g := open(t, 3)
	must(t, g, chgk.Begin{By: anna}, t0)
	st := g.State()
	r, err := chgk.Restore(st)
	is.NoErr(err)                  // a saved state restores
	is.Equal(r.State(), st)        // exactly
	st.Players[0].Name = "changed" // and shares nothing with the state it came from
	is.Equal(r.State().Players[0].Name, anna.Name)

	for name, corrupt := range map[string]func(*chgk.State){
		"unknown phase":      func(s *chgk.State) { s.Phase = "nap" },
		"no players":         func(s *chgk.State) { s.Players = nil },
		"no questions":       func(s *chgk.State) { s.Questions = nil; s.Rounds = nil },
		"too many rounds":    func(s *chgk.State) { s.Questions = s.Questions[:0] },
		"round-less phase":   func(s *chgk.State) { s.Rounds = nil },
		"stranger captain":   func(s *chgk.State) { s.Captain = 999 },
		"captain-less round": func(s *chgk.State) { s.Captain = 0 },
	} {
		s := g.State()
		corrupt(&s)
		_, err := chgk.Restore(s)
		is.True(err != nil) // a corrupt state is refused
		_ = name
	}
}

func TestJoinLateCanBeChosen(t *testing.T) {
	is := is.New(t)
	g := open(t, 3)
	must(t, g, chgk.Begin{By: anna}, t0)
	evs := must(t, g, chgk.Join{Player: vera}, t0)
	is.Equal(evs[0].(chgk.PlayerJoined).Phase, chgk.PhaseDiscussion) // joined mid-round
	must(t, g, chgk.AnswerEarly{By: anna}, t0)
	must(t, g, chgk.Choose{By: anna, Answerer: vera.ID}, t0)
	evs = must(t, g, chgk.Answer{By: vera, Text: "цифра один"}, t0)
	is.Equal(evs[0].(chgk.RoundJudged).Verdict, chgk.VerdictCorrect) // an accepted alternative
}

func TestZeroPauseGoesStraightOn(t *testing.T) {
	is := is.New(t)
	s := ct.FastSettings()
	s.Pause = 0
	g, _, err := chgk.Open(chgk.NewGame{Peer: peer, Starter: anna, Settings: s, Questions: ct.Questions(3), Now: t0})
	is.NoErr(err)
	must(t, g, chgk.Begin{By: anna}, t0)
	must(t, g, chgk.AnswerEarly{By: anna}, t0) // alone, she answers at once
	evs := must(t, g, chgk.Answer{By: anna, Text: "не один"}, t0)
	is.Equal(len(evs), 2)                                          // verdict, then the next question
	is.Equal(evs[0].(chgk.RoundJudged).Verdict, chgk.VerdictWrong) // a rejected answer
	is.Equal(evs[1].(chgk.RoundStarted).Round, 2)
}

func TestPeerID(t *testing.T) {
	is := is.New(t)
	is.True(ct.Chat(1).IsChat())          // 2000000001 is a chat
	is.True(!chgk.PeerID(123).IsChat())   // a user's dialog is not
	is.True(!chgk.ChatPeerBase.IsChat())  // nor the base itself
	is.True(!chgk.PhaseFinished.Active()) // ended phases are not active
}

func TestSoloPlayerAnswersAtOnce(t *testing.T) {
	is := is.New(t)
	s := ct.FastSettings()
	g := open(t, 3) // Anna alone
	must(t, g, chgk.Begin{By: anna}, t0)
	end := t0.Add(s.Discussion)
	evs := must(t, g, chgk.Expire{Phase: chgk.PhaseDiscussion, Round: 1}, end)
	is.Equal(evs, []chgk.Event{chgk.AnswererChosen{Peer: peer, Round: 1, Answerer: anna, Solo: true,
		Timer: chgk.Timer{Phase: chgk.PhaseAnswer, Round: 1, Duration: s.Answer, Deadline: end.Add(s.Answer)}}}) // no choice to ask
	is.Equal(g.Phase(), chgk.PhaseAnswer)
	_, err := g.Apply(chgk.Choose{By: anna, Answerer: anna.ID}, end, ct.NewRand())
	is.Equal(err, chgk.ErrWrongPhase) // nothing left to choose
	must(t, g, chgk.Answer{By: anna, Text: "один"}, end)

	must(t, g, chgk.Expire{Phase: chgk.PhasePause, Round: 1}, end.Add(s.Pause))
	evs = must(t, g, chgk.AnswerEarly{By: anna}, end.Add(s.Pause))
	is.Equal(evs[0].(chgk.AnswererChosen).Early, true) // an early answer says so

	// With a second player by the next round's end, the captain chooses.
	must(t, g, chgk.Answer{By: anna, Text: "два"}, end.Add(s.Pause))
	must(t, g, chgk.Join{Player: boris}, end.Add(s.Pause))
	must(t, g, chgk.Expire{Phase: chgk.PhasePause, Round: 2}, end.Add(2*s.Pause))
	evs = must(t, g, chgk.AnswerEarly{By: anna}, end.Add(2*s.Pause))
	_, asked := evs[0].(chgk.AnswererAsked)
	is.True(asked)
}

// openWith starts a game of settings s with one round, Anna and Boris in
// it, and begins it at t0: Boris is captain; the discussion runs from t0.
func openWith(t *testing.T, s chgk.Settings, grace time.Duration) *chgk.Game {
	t.Helper()
	g, _, err := chgk.Open(chgk.NewGame{Peer: peer, Starter: anna, Settings: s, Questions: ct.Questions(1), Now: t0, Grace: grace})
	if err != nil {
		t.Fatal(err)
	}
	must(t, g, chgk.Join{Player: boris}, t0)
	must(t, g, chgk.Begin{By: anna}, t0, 1)
	return g
}

// TestDiscussionWarning: 10 s before a discussion of more than 15 s ends,
// one DiscussionWarned; its Due leads the sweeper there, and the deadline
// stays where it was.
func TestDiscussionWarning(t *testing.T) {
	is := is.New(t)
	s := ct.FastSettings()
	s.Discussion = sec(60)
	g := openWith(t, s, 0)
	is.True(g.Due().Equal(t0.Add(sec(50))))      // the warning is due first
	is.True(g.Deadline().Equal(t0.Add(sec(60)))) // the discussion's end is unchanged
	discussion := chgk.Expire{Phase: chgk.PhaseDiscussion, Round: 1}
	is.Equal(len(must(t, g, discussion, t0.Add(sec(49)))), 0) // not yet
	evs := must(t, g, discussion, t0.Add(sec(50.5)))
	is.Equal(evs, []chgk.Event{chgk.DiscussionWarned{Peer: peer, Round: 1, Left: sec(9.5)}}) // once, with the time left
	is.True(g.Due().Equal(t0.Add(sec(60))))                                                  // then the end is due
	is.Equal(len(must(t, g, discussion, t0.Add(sec(51)))), 0)                                // a repeat says nothing
	evs = must(t, g, discussion, t0.Add(sec(60)))
	_, asked := evs[0].(chgk.AnswererAsked)
	is.True(asked) // the discussion ends at its time
	is.True(g.State().WarnAt.IsZero())

	s.Discussion = sec(15)
	g = openWith(t, s, 0)
	is.True(g.Due().Equal(g.Deadline())) // 15 s or less: no warning

	s.Discussion = sec(60)
	g = openWith(t, s, 0)
	must(t, g, chgk.AnswerEarly{By: boris, Round: 1}, t0.Add(sec(5)))
	is.True(g.Due().Equal(g.Deadline())) // an early answer leaves no warning behind
	is.True(g.State().WarnAt.IsZero())
	is.Equal(len(must(t, g, discussion, t0.Add(sec(50)))), 0) // and a stale one is a no-op
}

// TestWarningFollowsTheDelivery: the warning moves with the clock when the
// round's message is reported delivered.
func TestWarningFollowsTheDelivery(t *testing.T) {
	is := is.New(t)
	s := ct.FastSettings()
	s.Discussion = sec(30)
	g := openWith(t, s, sec(30))
	is.True(g.Due().Equal(t0.Add(sec(50)))) // fallback: 30 s + 30 s grace, less 10 s
	must(t, g, chgk.Delivered{Phase: chgk.PhaseDiscussion, Round: 1, At: t0.Add(sec(2))}, t0.Add(sec(3)))
	is.True(g.Deadline().Equal(t0.Add(sec(32))))
	is.True(g.Due().Equal(t0.Add(sec(22)))) // 10 s before the delivered clock's end
}
