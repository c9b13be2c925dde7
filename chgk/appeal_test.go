package chgk_test

import (
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/chgk"
	ct "github.com/vkchgk/chgkbot/chgk/chgktest"
)

// wrongRound plays a game of rounds with Boris captain (Anna and Boris)
// whose first round Anna answers wrong, and returns the verdict.
func wrongRound(t *testing.T, rounds int) (*chgk.Host, *ct.Memory, *ct.Clock, chgk.RoundJudged) {
	t.Helper()
	s := ct.FastSettings()
	s.Rounds = rounds
	h, m, clock := ct.NewHost(s, ct.Questions(5), 1)
	play(t, h, chgk.Start{By: anna})
	play(t, h, chgk.Join{Player: boris})
	play(t, h, chgk.Begin{By: anna})
	play(t, h, chgk.AnswerEarly{By: boris})
	play(t, h, chgk.Choose{By: boris, Answerer: anna.ID})
	clock.Advance(sec(1))
	evs := play(t, h, chgk.Answer{By: anna, Text: "не знаю"})
	return h, m, clock, evs[0].(chgk.RoundJudged)
}

func rejected(t *testing.T, evs []chgk.Event) chgk.RuleError {
	t.Helper()
	if len(evs) != 1 {
		t.Fatalf("%d events: %v", len(evs), evs)
	}
	r, ok := evs[0].(chgk.Rejected)
	if !ok {
		t.Fatalf("%T, want a refusal", evs[0])
	}
	return r.Reason
}

func TestFilingAnAppeal(t *testing.T) {
	is := is.New(t)
	h, m, clock, j := wrongRound(t, 3)
	is.Equal(j.Verdict, chgk.VerdictWrong)
	is.True(j.Game != 0)                                           // the verdict names its game
	is.True(j.AppealUntil.Equal(clock.Now().Add(2 * time.Minute))) // the captain has two minutes
	file := chgk.FileAppeal{By: boris, Game: j.Game, Round: 1}

	is.Equal(rejected(t, play(t, h, chgk.FileAppeal{By: anna, Game: j.Game, Round: 1})), chgk.ErrNotCaptain) // the captain's only
	evs := play(t, h, file)
	filed := evs[0].(chgk.AppealFiled).Appeal
	is.Equal(filed.Given, "не знаю") // the appeal holds the answer
	is.Equal(filed.By, boris)
	is.Equal(filed.Status, chgk.AppealPending)
	is.Equal(filed.Question.ID, current(t, m).Rounds[0].Question.ID)
	is.Equal(rejected(t, play(t, h, file)), chgk.ErrAppealed)                                                    // once per round
	is.Equal(current(t, m).Phase, chgk.PhasePause)                                                               // and the game goes on
	is.Equal(rejected(t, play(t, h, chgk.FileAppeal{By: boris, Game: j.Game, Round: 2})), chgk.ErrNotAppealable) // no verdict yet
	is.Equal(rejected(t, play(t, h, chgk.FileAppeal{By: boris, Game: 99, Round: 1})), chgk.ErrAppealClosed)      // another game

	h2, _, clock2, j2 := wrongRound(t, 3)
	clock2.Advance(2 * time.Minute)
	is.Equal(rejected(t, play(t, h2, chgk.FileAppeal{By: boris, Game: j2.Game, Round: 1})), chgk.ErrAppealClosed) // too late
}

func TestDecidingAnAppeal(t *testing.T) {
	t.Run("accepted in the running game", func(t *testing.T) {
		is := is.New(t)
		h, m, _, j := wrongRound(t, 3)
		a := play(t, h, chgk.FileAppeal{By: boris, Game: j.Game, Round: 1})[0].(chgk.AppealFiled).Appeal
		evs := play(t, h, chgk.DecideAppeal{ID: a.ID, Accept: true, By: "admin 1", Note: "синоним", AddAlternative: true})
		d := evs[0].(chgk.AppealDecided)
		is.Equal(d.Score, chgk.Score{Team: 1, Bot: 0}) // the point moved to the team
		is.True(d.Running)
		is.Equal(d.Appeal.Status, chgk.AppealAccepted)
		is.Equal(d.Appeal.DecidedBy, "admin 1") // who, when and why are kept
		is.Equal(d.Appeal.Note, "синоним")
		is.True(d.Appeal.AlternativeAdded)
		st := current(t, m)
		is.Equal([]int{st.Team, st.Bot}, []int{1, 0}) // in the game's score
		is.Equal(st.Rounds[0].Verdict, chgk.VerdictCorrect)
		is.True(st.Rounds[0].Appealed)
		q, _ := m.Question(a.Question.ID)
		is.Equal(q.Accepted[len(q.Accepted)-1], "не знаю") // the answer counts from now on
		is.Equal(m.Appeals()[0].Status, chgk.AppealAccepted)
		is.Equal(rejected(t, play(t, h, chgk.DecideAppeal{ID: a.ID, By: "admin 2"})), chgk.ErrAppealDecided) // decided once
	})
	t.Run("accepted after the game", func(t *testing.T) {
		is := is.New(t)
		h, _, _, j := wrongRound(t, 1) // the game's only round
		a := play(t, h, chgk.FileAppeal{By: boris, Game: j.Game, Round: 1})[0].(chgk.AppealFiled).Appeal
		before := play(t, h, chgk.Info{By: anna})[0].(chgk.StatusShown).Last
		is.Equal(before.Outcome, chgk.OutcomeBot)
		d := play(t, h, chgk.DecideAppeal{ID: a.ID, Accept: true, By: "admin 1", Note: "верно по сути"})[0].(chgk.AppealDecided)
		is.True(!d.Running)
		after := play(t, h, chgk.Info{By: anna})[0].(chgk.StatusShown).Last
		is.Equal([]int{after.Team, after.Bot}, []int{1, 0}) // the ended game's results changed
		is.Equal(after.Outcome, chgk.OutcomeTeam)
		is.True(after.Rounds[0].Appealed)
	})
	t.Run("rejected", func(t *testing.T) {
		is := is.New(t)
		h, m, _, j := wrongRound(t, 3)
		a := play(t, h, chgk.FileAppeal{By: boris, Game: j.Game, Round: 1})[0].(chgk.AppealFiled).Appeal
		d := play(t, h, chgk.DecideAppeal{ID: a.ID, By: "admin 1", Note: "другой ответ"})[0].(chgk.AppealDecided)
		is.Equal(d.Appeal.Status, chgk.AppealRejected)
		is.Equal([]int{current(t, m).Team, current(t, m).Bot}, []int{0, 1}) // the score stands
	})
}

// TestAppealsInATVGame: a blitz's question is not appealed alone, and a
// point that brings the team to its target ends the game.
func TestAppealsInATVGame(t *testing.T) {
	is := is.New(t)
	s := ct.FastSettings()
	s.Mode, s.Target = chgk.ModeTV, 3
	h, m, clock := ct.NewHost(s, ct.Questions(20), 0, 2, 4, 6, 7, 8) // Anna captain; blitz 3, super-blitz 6; the top on 7, 8, 9
	play(t, h, chgk.Start{By: anna})
	play(t, h, chgk.Begin{By: anna})
	answer := func(right bool) chgk.RoundJudged {
		play(t, h, chgk.AnswerEarly{By: anna})
		st := current(t, m)
		text := "не знаю"
		if right {
			text = st.Rounds[len(st.Rounds)-1].Question.Accepted[0]
		}
		j := play(t, h, chgk.Answer{By: anna, Text: text})[0].(chgk.RoundJudged)
		if current(t, m).Phase == chgk.PhasePause {
			clock.Advance(time.Minute)
			play(t, h, chgk.Expire{Phase: chgk.PhasePause, Round: j.Round})
		}
		return j
	}
	answer(true)                         // sector 7: 1:0
	answer(true)                         // sector 8: 2:0
	wrong := answer(false)               // sector 9: 2:1
	is.True(!wrong.AppealUntil.IsZero()) // a normal sector's verdict may be appealed
	a := play(t, h, chgk.FileAppeal{By: anna, Game: wrong.Game, Round: wrong.Round})[0].(chgk.AppealFiled).Appeal
	evs := play(t, h, chgk.DecideAppeal{ID: a.ID, Accept: true, By: "admin 1", Note: "засчитано"})
	is.Equal(len(evs), 2)                             // the decision and the end
	is.Equal(evs[1].(chgk.GameEnded).Results.Team, 3) // the team reached its target
	is.Equal(evs[1].(chgk.GameEnded).Results.Outcome, chgk.OutcomeTeam)
}

func TestABlitzQuestionIsNotAppealed(t *testing.T) {
	is := is.New(t)
	s := ct.FastSettings()
	s.Mode = chgk.ModeTV
	h, _, _ := ct.NewHost(s, ct.Questions(20), 0, 2, 4, 2) // the top stops on 3, the blitz
	play(t, h, chgk.Start{By: anna})
	play(t, h, chgk.Begin{By: anna})
	play(t, h, chgk.AnswerEarly{By: anna})
	j := play(t, h, chgk.Answer{By: anna, Text: "не знаю"})[0].(chgk.RoundJudged)
	is.Equal(j.Sector.Kind, chgk.SectorBlitz)
	is.True(j.AppealUntil.IsZero()) // no button
	is.Equal(rejected(t, play(t, h, chgk.FileAppeal{By: anna, Game: j.Game, Round: 1})), chgk.ErrNotAppealable)
}
