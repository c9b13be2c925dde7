package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/chgk"
	ct "github.com/vkchgk/chgkbot/chgk/chgktest"
	"github.com/vkchgk/chgkbot/ports/admin"
)

// appealed plays a game of rounds in peer, alone (Anna is captain and
// answerer), answers its first round wrong and appeals the verdict.
func (e *env) appealed(peer chgk.PeerID, rounds int) (game int64, appeal int64) {
	e.t.Helper()
	ctx := context.Background()
	must := func(cmd chgk.Command) []chgk.Event {
		evs, err := e.unit(ctx, peer, cmd)
		if err != nil {
			e.t.Fatalf("%T: %v", cmd, err)
		}
		return evs
	}
	if rounds > 1 {
		must(chgk.ChangeSettings{By: ct.Anna, Name: chgk.SettingRounds, Value: fmt.Sprint(rounds)})
	}
	must(chgk.Start{By: ct.Anna})
	must(chgk.Begin{By: ct.Anna})
	must(chgk.AnswerEarly{By: ct.Anna})
	j := must(chgk.Answer{By: ct.Anna, Text: "совсем не то"})[0].(chgk.RoundJudged)
	a := must(chgk.FileAppeal{By: ct.Anna, Game: j.Game, Round: 1})[0].(chgk.AppealFiled).Appeal
	return j.Game, a.ID
}

func TestAppealsAPI(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	auth := e.auth()
	finished, first := e.appealed(ct.Chat(5), 1)
	running, second := e.appealed(ct.Chat(6), 3)

	is.Equal(e.api.Get("/appeals").Code, http.StatusUnauthorized) // a token is needed
	list := decode[struct {
		Items []admin.AppealView
		Total int
	}](t, e.api.Get("/appeals?status=pending", auth).Body)
	is.Equal(list.Total, 2) // both wait
	is.Equal(list.Items[1].Given, "совсем не то")
	is.Equal(list.Items[1].FiledBy.ID, int64(ct.Anna.ID))
	is.Equal(e.api.Get("/appeals/999", auth).Code, http.StatusNotFound)
	is.Equal(e.api.Post("/appeals/999/accept", auth, map[string]any{"note": "x"}).Code, http.StatusNotFound)
	is.Equal(e.api.Get("/appeals?status=lost", auth).Code, http.StatusUnprocessableEntity)

	path := func(id int64, verb string) string { return fmt.Sprintf("/appeals/%d/%s", id, verb) }
	resp := e.api.Post(path(first, "accept"), auth, map[string]any{"note": ""})
	is.Equal(resp.Code, http.StatusUnprocessableEntity) // a decision says why
	is.True(decode[problem](t, resp.Body).hasLocation("body.note"))
	resp = e.api.Post(path(first, "reject"), auth, map[string]any{"note": "нет", "add_alternative": true})
	is.Equal(resp.Code, http.StatusUnprocessableEntity) // a refused answer is no alternative

	resp = e.api.Post(path(first, "accept"), auth, map[string]any{"note": "это тоже верно", "add_alternative": true})
	is.Equal(resp.Code, http.StatusOK)
	a := decode[admin.AppealView](t, resp.Body)
	is.Equal(a.Status, "accepted")                                                 // decided
	is.True(a.DecidedBy != "" && a.DecidedAt != nil && a.Note == "это тоже верно") // who, when, why
	is.True(a.AlternativeAdded)
	is.Equal(e.api.Post(path(first, "reject"), auth, map[string]any{"note": "передумал"}).Code, http.StatusConflict) // once
	is.Equal(e.api.Post(path(first, "accept"), auth, map[string]any{"note": "ещё раз"}).Code, http.StatusConflict)

	d := decode[admin.GameDetail](t, e.api.Get(fmt.Sprintf("/games/%d", finished), auth).Body)
	is.Equal([]int{d.Team, d.Bot}, []int{1, 0}) // the finished game's score
	is.Equal(d.Outcome, "team")
	is.Equal(d.Rounds[0].Verdict, "correct")
	q := decode[admin.Question](t, e.api.Get(fmt.Sprintf("/questions/%d", a.Question.ID), auth).Body)
	is.Equal(q.Accepted[len(q.Accepted)-1], "совсем не то") // the answer counts from now on

	resp = e.api.Post(path(second, "accept"), auth, map[string]any{"note": "засчитано"})
	is.Equal(resp.Code, http.StatusOK)
	d = decode[admin.GameDetail](t, e.api.Get(fmt.Sprintf("/games/%d", running), auth).Body)
	is.Equal(d.Status, "running")               // the game goes on
	is.Equal([]int{d.Team, d.Bot}, []int{1, 0}) // with the point moved
	stats := decode[struct{ Total int }](t, e.api.Get("/appeals?status=accepted", auth).Body)
	is.Equal(stats.Total, 2)
}
