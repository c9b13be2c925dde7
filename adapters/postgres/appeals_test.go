package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/postgres"
	"github.com/vkchgk/chgkbot/adapters/postgres/pgtest"
	"github.com/vkchgk/chgkbot/chgk"
	ct "github.com/vkchgk/chgkbot/chgk/chgktest"
)

// TestAppealsInUnits files and decides appeals through units of work, as
// the bus does: the appeal, the amended game and the new alternative
// commit with the decision; a finished game's results and the
// leaderboard follow.
func TestAppealsInUnits(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	db := pgtest.New(t)
	ctx := context.Background()
	s := ct.FastSettings()
	s.Rounds = 1
	h, _, clock := newHost(t, db, s)
	units := postgres.NewUnits(db)
	peer := ct.Chat(7)
	n := 0
	handle := func(cmd chgk.Command) []chgk.Event {
		t.Helper()
		n++
		var evs []chgk.Event
		_, err := units.InChat(ctx, peer, "ev-"+string(rune('a'+n)), func(ctx context.Context, tx chgk.Stores, _ message.Publisher) error {
			var err error
			evs, err = h.With(tx).Handle(ctx, peer, cmd)
			return err
		})
		if err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
		return evs
	}
	handle(chgk.Start{By: ct.Anna})
	handle(chgk.Begin{By: ct.Anna})
	handle(chgk.AnswerEarly{By: ct.Anna})
	clock.Advance(time.Second)
	evs := handle(chgk.Answer{By: ct.Anna, Text: "совсем не то"})
	j := evs[0].(chgk.RoundJudged)
	end := evs[1].(chgk.GameEnded)
	is.True(!end.AppealUntil.IsZero()) // the last verdict may be appealed from the results
	filed := handle(chgk.FileAppeal{By: ct.Anna, Game: j.Game, Round: 1})[0].(chgk.AppealFiled).Appeal
	is.True(filed.ID != 0) // stored with an id
	again := handle(chgk.FileAppeal{By: ct.Anna, Game: j.Game, Round: 1})
	is.Equal(again[0].(chgk.Rejected).Reason, chgk.ErrAppealed) // the database keeps one per round

	list, total, err := postgres.NewAppeals(db).List(ctx, chgk.AppealPending, 0, 10)
	is.NoErr(err)
	is.Equal(total, 1) // the admin's list
	is.Equal(list[0].Given, "совсем не то")
	is.Equal(list[0].By, ct.Anna)

	d := handle(chgk.DecideAppeal{ID: filed.ID, Accept: true, By: "admin 1", Note: "ответ верен", AddAlternative: true})[0].(chgk.AppealDecided)
	is.Equal(d.Score, chgk.Score{Team: 1}) // the point moved
	got, err := postgres.NewAppeals(db).Appeal(ctx, filed.ID)
	is.NoErr(err)
	is.Equal(got.Status, chgk.AppealAccepted) // recorded with who, when, why
	is.Equal(got.DecidedBy, "admin 1")
	is.Equal(got.Note, "ответ верен")
	is.True(!got.DecidedAt.IsZero())
	is.True(got.AlternativeAdded)
	is.Equal(got.Question.Accepted[len(got.Question.Accepted)-1], "совсем не то") // the question accepts it now

	g, err := postgres.NewGames(db).Game(ctx, j.Game)
	is.NoErr(err)
	r := g.Results()
	is.Equal([]int{r.Team, r.Bot}, []int{1, 0}) // the finished game's results
	is.Equal(r.Outcome, chgk.OutcomeTeam)
	is.True(r.Rounds[0].Appealed)
	board, err := postgres.NewStats(db).ChatLeaderboard(ctx, peer, 10)
	is.NoErr(err)
	is.Equal(board.TeamWins, 1) // and the leaderboard
	is.Equal(board.Players[0].Correct, 1)

	again = handle(chgk.DecideAppeal{ID: filed.ID, By: "admin 2", Note: "передумал"})
	is.Equal(again[0].(chgk.Rejected).Reason, chgk.ErrAppealDecided) // one decision
}

// TestAppealButtons: the button whose window closes first comes first.
func TestAppealButtons(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	db := pgtest.New(t)
	ctx := context.Background()
	b := postgres.NewAppealButtons(db)
	t0 := ct.Epoch
	_, _, _, _, _, ok, err := b.NextAppealButton(ctx)
	is.NoErr(err)
	is.True(!ok) // none at first
	is.NoErr(b.AddAppealButton(ctx, 1, 5, 9, 2, t0.Add(2*time.Minute), "b", ""))
	is.NoErr(b.AddAppealButton(ctx, 1, 4, 9, 1, t0.Add(time.Minute), "a", "{}"))
	rcmid, rtext, _, ok, err := b.RoundAppealButton(ctx, 1, 9, 2)
	is.NoErr(err)
	is.True(ok && rcmid == 5 && rtext == "b") // a round's button, found by its game and round
	_, _, _, ok, err = b.RoundAppealButton(ctx, 1, 9, 3)
	is.NoErr(err)
	is.True(!ok)
	peer, cmid, at, text, kb, ok, err := b.NextAppealButton(ctx)
	is.NoErr(err)
	is.True(ok)
	is.Equal([]int64{peer, cmid}, []int64{1, 4}) // the earliest
	is.True(at.Equal(t0.Add(time.Minute)))
	is.Equal(text, "a")
	is.Equal(kb, "{}")
	is.NoErr(b.DoneAppealButton(ctx, 1, 4))
	_, cmid, _, _, _, _, err = b.NextAppealButton(ctx)
	is.NoErr(err)
	is.Equal(cmid, int64(5)) // then the next
}
