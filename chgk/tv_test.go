package chgk_test

import (
	"errors"
	"strconv"
	"testing"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/chgk"
	ct "github.com/vkchgk/chgkbot/chgk/chgktest"
)

// tvSettings are the SPEC's phase lengths (so a blitz's shorter ones
// show) in a TV game to target points.
func tvSettings(target int) chgk.Settings {
	s := chgk.DefaultSettings()
	s.Mode, s.Target = chgk.ModeTV, target
	return s
}

// bank13 is the question sector 13 gets from the whole bank.
var bank13 = chgk.Question{ID: 99, Text: "Вопрос из всего банка", Answer: "банк"}

// openTV opens a TV game to target with Anna, Boris and Vera and closes
// its lobby with rnd: Boris is captain, the blitz is sector 3, the
// super-blitz 6, and the top first stops on the sector that spin names.
func openTV(t *testing.T, target, spin int) (*chgk.Game, []chgk.Event) {
	t.Helper()
	s := tvSettings(target)
	g, evs, err := chgk.Open(chgk.NewGame{Peer: peer, Starter: anna, Settings: s, Questions: ct.Questions(30),
		Thirteenth: &bank13, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	want := chgk.LobbyOpened{Peer: peer, StartedBy: anna, Mode: chgk.ModeTV, Target: target,
		Timer: chgk.Timer{Phase: chgk.PhaseLobby, Duration: sec(30), Deadline: t0.Add(sec(30))}}
	if evs[0] != want {
		t.Fatalf("lobby %+v, want %+v", evs[0], want)
	}
	must(t, g, chgk.Join{Player: boris}, t0)
	must(t, g, chgk.Join{Player: vera}, t0)
	// Captain index 1; blitz 2+1; super 4+1, moved past the blitz to 6.
	return g, must(t, g, chgk.Begin{By: anna}, t0, 1, 2, 4, spin-1)
}

var team3 = []chgk.Player{anna, boris, vera}

// pool is the i-th question of the chat's pool; the bank's is the 13th
// sector's.
func pool(i int) chgk.Question { return ct.Questions(30)[i] }

func TestTVSettings(t *testing.T) {
	is := is.New(t)
	s := chgk.DefaultSettings()
	is.True(!s.TV())       // the default is the rounds game
	is.Equal(s.Goal(), 6)  // to six, as on television
	is.Equal(s.Draws(), 6) // one question per round
	tv, err := s.Set(chgk.SettingMode, "Телеигра")
	is.NoErr(err)
	is.True(tv.TV()) // Russian names the mode
	is.Equal(tv.MaxSectors(), 11)
	is.Equal(tv.Draws(), 15) // 11 sectors, two of them three questions
	back, err := tv.Set(chgk.SettingMode, "раунды")
	is.NoErr(err)
	is.Equal(back.Mode, chgk.ModeRounds) // and back
	_, err = s.Set(chgk.SettingMode, "шахматы")
	is.True(errors.Is(err, chgk.ErrBadSetting))                            // an unknown mode is refused
	is.Equal(err.Error(), `bad setting mode="шахматы": want rounds or tv`) // saying what it takes
	for value, ok := range map[string]bool{"3": true, "11": true, "2": false, "12": false, "6.5": false} {
		got, err := tv.Set(chgk.SettingTarget, value)
		is.Equal(err == nil, ok) // target bounds 3..11, whole points
		if ok {
			want, _ := strconv.Atoi(value)
			is.Equal(got.Goal(), want) // the new target
		}
	}
	eleven, _ := tv.Set(chgk.SettingTarget, "11")
	is.Equal(eleven.Draws(), 21+8) // two turns of the table: two of each blitz
	for _, name := range []string{"режим", "mode"} {
		n, ok := chgk.ParseSettingName(name)
		is.True(ok && n == chgk.SettingMode) // the mode's names
	}
	n, ok := chgk.ParseSettingName("цель")
	is.True(ok && n == chgk.SettingTarget)
	bad := tv
	bad.Target = 2
	is.True(errors.Is(bad.Validate(), chgk.ErrBadSetting)) // an operator's target is checked too
	bad = tv
	bad.Mode = "chess"
	is.True(errors.Is(bad.Validate(), chgk.ErrBadSetting)) // and the mode
	old := tv
	old.Target = 0
	is.NoErr(old.Validate()) // settings saved before targets existed
	is.Equal(old.Goal(), chgk.DefaultTarget)
}

// TestTVNormalSectorAndTheExtraMinute walks a normal sector where a
// correct early answer earns a minute, and the next, where the captain
// spends it; the top skips the sector already played.
func TestTVNormalSectorAndTheExtraMinute(t *testing.T) {
	is := is.New(t)
	g, evs := openTV(t, 6, 7)
	is.Equal(evs, []chgk.Event{
		chgk.GameStarted{Peer: peer, Captain: boris, Players: team3, Mode: chgk.ModeTV, Target: 6},
		chgk.RoundStarted{Peer: peer, Round: 1, Question: pool(0), Captain: boris, Players: team3,
			Timer:  chgk.Timer{Phase: chgk.PhaseDiscussion, Round: 1, Duration: sec(60), Deadline: t0.Add(sec(60))},
			Sector: chgk.Sector{Number: 7, Kind: chgk.SectorNormal}, Target: 6},
	}) // the top stops on sector 7, a normal one
	is.Equal(g.State().Table, chgk.Table{Blitz: 3, Super: 6}) // the table is drawn when the lobby closes

	_, err := g.Apply(chgk.TakeMinute{By: boris}, t0.Add(sec(1)), ct.NewRand())
	is.Equal(err, chgk.ErrNoMinute) // no minute in hand yet

	at := t0.Add(sec(5))
	evs = must(t, g, chgk.AnswerEarly{By: boris}, at)
	is.Equal(evs[0].(chgk.AnswererAsked).Sector, chgk.Sector{Number: 7, Kind: chgk.SectorNormal}) // the choice says its sector
	must(t, g, chgk.Choose{By: boris, Answerer: vera.ID}, at)
	evs = must(t, g, chgk.Answer{By: vera, Text: "один"}, at)
	is.Equal(evs, []chgk.Event{chgk.RoundJudged{Peer: peer, Round: 1, Answerer: vera, Given: "один", Verdict: chgk.VerdictCorrect,
		Question: pool(0), Team: 1, Sector: chgk.Sector{Number: 7, Kind: chgk.SectorNormal}, Point: chgk.OutcomeTeam,
		MinuteEarned: true, Minutes: 1, Target: 6,
		Timer: chgk.Timer{Phase: chgk.PhasePause, Round: 1, Duration: sec(5), Deadline: at.Add(sec(5))}}}) // a point and a minute

	at = at.Add(sec(5))
	evs = must(t, g, chgk.Expire{Phase: chgk.PhasePause, Round: 1}, at, 6)
	rs := evs[0].(chgk.RoundStarted)
	is.Equal(rs.Sector, chgk.Sector{Number: 8, Kind: chgk.SectorNormal}) // 7 is played: the top moves on to 8
	is.Equal(rs.Landed, 7)                                               // and says where it stopped
	is.Equal(rs.Minutes, 1)                                              // the round shows the minute in hand
	is.Equal(rs.Question, pool(1))

	_, err = g.Apply(chgk.TakeMinute{By: anna}, at, ct.NewRand())
	is.Equal(err, chgk.ErrNotCaptain) // the captain's call
	_, err = g.Apply(chgk.TakeMinute{By: boris, Round: 1}, at, ct.NewRand())
	is.Equal(err, chgk.ErrWrongPhase) // a button of an old round
	at = at.Add(sec(20))
	evs = must(t, g, chgk.TakeMinute{By: boris, Round: 2}, at)
	is.Equal(evs, []chgk.Event{chgk.MinuteTaken{Peer: peer, Round: 2, By: boris, Left: sec(100), Minutes: 0}}) // 40 s left, plus 60
	is.True(g.Deadline().Equal(at.Add(sec(100))))                                                              // the deadline moved
	is.True(g.Due().Equal(at.Add(sec(90))))                                                                    // and the warning with it
	_, err = g.Apply(chgk.TakeMinute{By: boris}, at, ct.NewRand())
	is.Equal(err, chgk.ErrMinuteTaken) // once per discussion

	// Wrong after the early press: no minute, and none is lost.
	must(t, g, chgk.AnswerEarly{By: boris}, at)
	must(t, g, chgk.Choose{By: boris, Answerer: anna.ID}, at)
	evs = must(t, g, chgk.Answer{By: anna, Text: "не знаю"}, at)
	j := evs[0].(chgk.RoundJudged)
	is.Equal(j.Point, chgk.OutcomeBot) // a point to the bot
	is.True(!j.MinuteEarned)
	is.Equal(g.State().Minutes, 0)
	res := g.Results()
	is.Equal(res.Mode, chgk.ModeTV)
	is.Equal(res.Rounds[1].ExtraMinute, true) // results remember the spent minute
	is.Equal(res.Rounds[0].MinuteEarned, true)
}

// TestTheMinuteWaitsForTheDelivery: a minute taken before the round's
// message is confirmed counts from the delivery with the discussion.
func TestTheMinuteWaitsForTheDelivery(t *testing.T) {
	is := is.New(t)
	s := tvSettings(6)
	st := tvState(s, 1)
	st.Grace, st.ClockRunning = sec(30), false
	st.Deadline = t0.Add(sec(90))
	g, err := chgk.Restore(st)
	is.NoErr(err)
	evs := must(t, g, chgk.TakeMinute{By: boris}, t0.Add(sec(2)))
	is.Equal(evs[0].(chgk.MinuteTaken).Left, sec(120)) // the whole discussion and the minute are still ahead
	must(t, g, chgk.Delivered{Phase: chgk.PhaseDiscussion, Round: 1, At: t0.Add(sec(3))}, t0.Add(sec(3)))
	is.True(g.Deadline().Equal(t0.Add(sec(123)))) // 60 + 60 from the delivery
	is.True(g.Due().Equal(t0.Add(sec(113))))      // warned 10 s before
}

// tvState is a TV game of s in a normal sector's discussion, with Boris
// captain and minutes extra minutes in hand.
func tvState(s chgk.Settings, minutes int) chgk.State {
	return chgk.State{Peer: peer, Phase: chgk.PhaseDiscussion, Settings: s, Players: team3, Captain: boris.ID,
		Questions: ct.Questions(16), Table: chgk.Table{Blitz: 3, Super: 6}, Minutes: minutes, ClockRunning: true,
		Rounds:   []chgk.Round{{Number: 1, Question: pool(1), StartedAt: t0, Sector: chgk.Sector{Number: 1, Kind: chgk.SectorNormal}}},
		Deadline: t0.Add(sec(60)), PhaseStartedAt: t0, StartedAt: t0, StartedBy: anna, Version: 5}
}

func TestTVBlitz(t *testing.T) {
	blitz := func(part int) chgk.Sector { return chgk.Sector{Number: 3, Kind: chgk.SectorBlitz, Part: part} }
	t.Run("all three right", func(t *testing.T) {
		is := is.New(t)
		g, evs := openTV(t, 6, 3)
		rs := evs[1].(chgk.RoundStarted)
		is.Equal(rs.Sector, blitz(1))                                                                                       // the blitz
		is.Equal(rs.Timer, chgk.Timer{Phase: chgk.PhaseDiscussion, Round: 1, Duration: sec(20), Deadline: t0.Add(sec(20))}) // 20 s to discuss
		_, err := g.Apply(chgk.TakeMinute{By: boris}, t0, ct.NewRand())
		is.Equal(err, chgk.ErrWrongPhase) // no extra minute in a blitz
		at := t0
		for part := 1; part <= 3; part++ {
			at = at.Add(sec(20))
			evs = must(t, g, chgk.Expire{Phase: chgk.PhaseDiscussion, Round: part}, at)
			is.Equal(evs[0].(chgk.AnswererAsked).Timer.Duration, sec(15)) // a short choice
			evs = must(t, g, chgk.Choose{By: boris, Answerer: anna.ID}, at)
			is.Equal(evs[0].(chgk.AnswererChosen).Timer.Duration, sec(20)) // and 20 s to answer
			is.Equal(evs[0].(chgk.AnswererChosen).Sector, blitz(part))
			evs = must(t, g, chgk.Answer{By: anna, Text: pool(part - 1).Accepted[0]}, at)
			j := evs[0].(chgk.RoundJudged)
			is.Equal(j.Sector, blitz(part)) // the verdict says «вопрос k из 3»
			if part < 3 {
				is.Equal(j.Point, chgk.Outcome("")) // no point yet
				is.Equal(j.Team+j.Bot, 0)           // nor a score change
				is.Equal(j.Timer, chgk.Timer{})     // no pause inside a blitz
				next := evs[1].(chgk.RoundStarted)
				is.Equal(next.Sector, blitz(part+1)) // the next question at once
				is.Equal(next.Landed, 0)
				continue
			}
			is.Equal(j.Point, chgk.OutcomeTeam) // all three right: the point
			is.Equal(j.Team, 1)
			is.Equal(len(evs), 1) // then the pause
		}
		is.Equal(g.State().Minutes, 0) // a blitz earns no minute
	})
	t.Run("the first wrong ends it", func(t *testing.T) {
		is := is.New(t)
		g, _ := openTV(t, 6, 3)
		must(t, g, chgk.AnswerEarly{By: boris}, t0)
		must(t, g, chgk.Choose{By: boris, Answerer: vera.ID}, t0)
		must(t, g, chgk.Answer{By: vera, Text: "один"}, t0)
		evs := must(t, g, chgk.Expire{Phase: chgk.PhaseDiscussion, Round: 2}, t0.Add(sec(20)))
		must(t, g, chgk.Expire{Phase: chgk.PhaseChoice, Round: 2}, t0.Add(sec(35)))
		evs = must(t, g, chgk.Expire{Phase: chgk.PhaseAnswer, Round: 2}, t0.Add(sec(55)))
		j := evs[0].(chgk.RoundJudged)
		is.Equal(j.Verdict, chgk.VerdictNoAnswer) // the second is missed
		is.Equal(j.Point, chgk.OutcomeBot)        // the point to the bot at once
		is.Equal(j.Bot, 1)
		is.Equal(j.Timer.Phase, chgk.PhasePause) // and the blitz is over
		is.Equal(g.Round(), 2)                   // its third question is never read
	})
}

func TestTVSuperBlitz(t *testing.T) {
	super := func(part int) chgk.Sector { return chgk.Sector{Number: 6, Kind: chgk.SectorSuperBlitz, Part: part} }
	is := is.New(t)
	g, evs := openTV(t, 6, 6)
	is.Equal(evs[1], chgk.AnswererAsked{Peer: peer, Round: 1, Captain: boris, Players: team3, Sector: super(1), Target: 6,
		Timer: chgk.Timer{Phase: chgk.PhaseChoice, Round: 1, Duration: sec(30), Deadline: t0.Add(sec(30))}}) // the captain picks the expert first
	_, err := g.Apply(chgk.Choose{By: anna, Answerer: anna.ID}, t0, ct.NewRand())
	is.Equal(err, chgk.ErrNotCaptain) // the captain's choice
	evs = must(t, g, chgk.Choose{By: boris, Answerer: vera.ID}, t0.Add(sec(1)))
	is.Equal(evs, []chgk.Event{chgk.RoundStarted{Peer: peer, Round: 1, Question: pool(0), Captain: boris, Target: 6,
		Sector: super(1), Answerer: vera,
		Timer: chgk.Timer{Phase: chgk.PhaseAnswer, Round: 1, Duration: sec(20), Deadline: t0.Add(sec(21))}}}) // the question, to Vera alone
	_, err = g.Apply(chgk.Answer{By: boris, Text: "один"}, t0.Add(sec(2)), ct.NewRand())
	is.Equal(err, chgk.ErrNotAnswerer) // the others are not heard
	_, err = g.Apply(chgk.AnswerEarly{By: boris}, t0.Add(sec(2)), ct.NewRand())
	is.Equal(err, chgk.ErrWrongPhase) // there is no discussion
	for part := 1; part <= 3; part++ {
		evs = must(t, g, chgk.Answer{By: vera, Text: pool(part - 1).Accepted[0]}, t0.Add(sec(3)))
		j := evs[0].(chgk.RoundJudged)
		is.Equal(j.Answerer, vera)
		if part < 3 {
			is.Equal(j.Point, chgk.Outcome(""))
			next := evs[1].(chgk.RoundStarted)
			is.Equal(next.Sector, super(part+1))         // the next question
			is.Equal(next.Answerer, vera)                // to the same expert
			is.Equal(next.Timer.Phase, chgk.PhaseAnswer) // straight to the answer
			continue
		}
		is.Equal(j.Point, chgk.OutcomeTeam) // three right: the point
	}

	t.Run("the captain by default", func(t *testing.T) {
		is := is.New(t)
		g, _ := openTV(t, 6, 6)
		evs := must(t, g, chgk.Expire{Phase: chgk.PhaseChoice, Round: 1}, t0.Add(sec(30)))
		rs := evs[0].(chgk.RoundStarted)
		is.Equal(rs.Answerer, boris) // no choice in time: the captain answers
		is.True(rs.ByDefault)
		evs = must(t, g, chgk.Answer{By: boris, Text: "неверно"}, t0.Add(sec(31)))
		is.Equal(evs[0].(chgk.RoundJudged).Point, chgk.OutcomeBot) // the first wrong: the bot's point
	})
}

func TestTVSector13AndTheEnd(t *testing.T) {
	is := is.New(t)
	g, evs := openTV(t, 3, 13)
	rs := evs[1].(chgk.RoundStarted)
	is.Equal(rs.Sector, chgk.Sector{Number: 13, Kind: chgk.SectorThirteen}) // sector 13
	is.Equal(rs.Question, bank13)                                           // with the question from the whole bank
	at := t0
	play := func(text string, spin int) []chgk.Event {
		must(t, g, chgk.AnswerEarly{By: boris}, at)
		must(t, g, chgk.Choose{By: boris, Answerer: anna.ID}, at)
		evs := must(t, g, chgk.Answer{By: anna, Text: text}, at)
		if g.Phase() == chgk.PhasePause {
			at = at.Add(sec(5))
			must(t, g, chgk.Expire{Phase: chgk.PhasePause, Round: g.Round()}, at, spin)
		}
		return evs
	}
	play("банк", 3)                                                                       // 1:0; the next spin stops on 4
	play("не знаю", 4)                                                                    // 1:1; the next on 5
	play("два", 12)                                                                       // 2:1 (the pool's second is «два»); the next on 13, played: clockwise past it to 1
	is.Equal(g.State().Rounds[3].Sector, chgk.Sector{Number: 1, Kind: chgk.SectorNormal}) // from 13 the table goes on at 1
	evs = play("три", 0)                                                                  // 3:1: the target
	is.Equal(len(evs), 2)                                                                 // the verdict and the end
	j := evs[0].(chgk.RoundJudged)
	is.True(j.Last)
	is.Equal(j.Team, 3)
	end := evs[1].(chgk.GameEnded).Results
	is.Equal(end.Outcome, chgk.OutcomeTeam) // the team reached 3 first
	is.Equal(end.Target, 3)
	is.Equal(end.Planned, 0)
	var sectors []int
	for _, r := range end.Rounds {
		sectors = append(sectors, r.Sector.Number)
	}
	is.Equal(sectors, []int{13, 4, 5, 1}) // the results show the sectors
	is.Equal(g.State().Minutes, 3)        // three early right answers, three minutes (lost at the end)
	_, err := g.Apply(chgk.TakeMinute{By: boris}, at, ct.NewRand())
	is.Equal(err, chgk.ErrNoGame) // nothing after the end
}

// TestTVStatus: /info tells the mode, the sector, the blitz question and
// the minutes.
func TestTVStatus(t *testing.T) {
	is := is.New(t)
	g, _ := openTV(t, 5, 3)
	st := g.Status(t0)
	is.Equal(st.Mode, chgk.ModeTV)
	is.Equal(st.Target, 5)
	is.Equal(st.Of, 0)
	is.Equal(st.Sector, chgk.Sector{Number: 3, Kind: chgk.SectorBlitz, Part: 1})
	is.Equal(st.Minutes, 0)
}

func TestTVRunsOutOfQuestions(t *testing.T) {
	is := is.New(t)
	s := tvSettings(6)
	g, _, err := chgk.Open(chgk.NewGame{Peer: peer, Starter: anna, Settings: s, Questions: ct.Questions(2), Now: t0})
	is.NoErr(err)
	must(t, g, chgk.Begin{By: anna}, t0, 0, 2, 4, 0) // solo; the top stops on 1
	evs := must(t, g, chgk.AnswerEarly{By: anna}, t0)
	is.Equal(evs[0].(chgk.AnswererChosen).Sector.Number, 1)
	evs = must(t, g, chgk.Answer{By: anna, Text: "два"}, t0) // Questions[0] is kept for sector 13: this is «два»
	is.Equal(evs[0].(chgk.RoundJudged).Point, chgk.OutcomeTeam)
	evs = must(t, g, chgk.Expire{Phase: chgk.PhasePause, Round: 1}, t0.Add(sec(5)), 1) // the top stops on 2: no question left for it
	is.Equal(len(evs), 1)
	is.Equal(evs[0].(chgk.GameEnded).Results.Outcome, chgk.OutcomeTeam) // the game ends by the score
}

func TestRestoreChecksTheTable(t *testing.T) {
	is := is.New(t)
	st := tvState(tvSettings(6), 0)
	st.Table = chgk.Table{Blitz: 3, Super: 3}
	_, err := chgk.Restore(st)
	is.True(err != nil) // one sector cannot hold both blitzes
	st.Table, st.Minutes = chgk.Table{Blitz: 3, Super: 13}, 0
	_, err = chgk.Restore(st)
	is.True(err != nil) // nor sector 13 a blitz
	st.Table, st.Minutes = chgk.Table{Blitz: 3, Super: 6}, -1
	_, err = chgk.Restore(st)
	is.True(err != nil) // minutes never go negative
}

// TestASuperBlitzOpeningTheGame: when the top's first stop is the
// super-blitz, the message that opens the game is the choice of the
// expert (round 1, with the team); for a team of one, who answers at
// once, the question's message names the team.
func TestASuperBlitzOpeningTheGame(t *testing.T) {
	is := is.New(t)
	_, evs := openTV(t, 6, 6)
	asked := evs[1].(chgk.AnswererAsked)
	is.Equal(asked.Round, 1)       // the choice opens the game
	is.Equal(asked.Players, team3) // with the team to name

	g, _, err := chgk.Open(chgk.NewGame{Peer: peer, Starter: anna, Settings: tvSettings(6), Questions: ct.Questions(20), Now: t0})
	is.NoErr(err)
	evs = must(t, g, chgk.Begin{By: anna}, t0, 0, 2, 4, 5) // alone; the top stops on 6, the super-blitz
	rs := evs[1].(chgk.RoundStarted)
	is.Equal(rs.Sector.Kind, chgk.SectorSuperBlitz)
	is.Equal(rs.Answerer, anna)               // she answers at once
	is.Equal(rs.Players, []chgk.Player{anna}) // and the message names the team
	is.Equal(rs.Timer.Phase, chgk.PhaseAnswer)
	evs = must(t, g, chgk.Answer{By: anna, Text: rs.Question.Accepted[0]}, t0)
	is.Equal(len(evs[1].(chgk.RoundStarted).Players), 0) // the next question does not
}
