package chgk_test

import (
	"context"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/vkchgk/chgkbot/chgk"
	ct "github.com/vkchgk/chgkbot/chgk/chgktest"
)

// TestProperties plays random command sequences at random times through the
// host and checks the invariants that must hold whatever members do.
func TestProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := ct.FastSettings()
		s.Rounds = rapid.IntRange(1, 4).Draw(t, "rounds")
		s.Pause = time.Duration(rapid.IntRange(0, 2).Draw(t, "pause")) * time.Second
		h, m, clock := ct.NewHost(s, ct.Questions(6), rapid.SliceOfN(rapid.IntRange(0, 9), 1, 5).Draw(t, "rand")...)
		members := []chgk.Player{ct.Anna, ct.Boris, ct.Vera, ct.Gleb}
		member := rapid.SampledFrom(members)
		ctx := context.Background()

		ended := false // the last game ended and no new one opened
		judged, active := 0, false
		var planned int
		for range rapid.IntRange(1, 80).Draw(t, "steps") {
			clock.Advance(time.Duration(rapid.Int64Range(0, int64(15*time.Second)).Draw(t, "wait")))
			var cmd chgk.Command
			switch rapid.IntRange(0, 9).Draw(t, "kind") {
			case 0:
				cmd = chgk.Start{By: member.Draw(t, "by")}
			case 1:
				cmd = chgk.Join{Player: member.Draw(t, "by")}
			case 2:
				cmd = chgk.Begin{By: member.Draw(t, "by")}
			case 3:
				cmd = chgk.AnswerEarly{By: member.Draw(t, "by")}
			case 4:
				cmd = chgk.Choose{By: member.Draw(t, "by"), Answerer: member.Draw(t, "who").ID}
			case 5:
				cmd = chgk.Answer{By: member.Draw(t, "by"), Text: rapid.SampledFrom([]string{"один", "два", "три", "не знаю", ""}).Draw(t, "text")}
			case 6:
				if rapid.IntRange(0, 5).Draw(t, "stop?") == 0 {
					cmd = chgk.Stop{By: member.Draw(t, "by")}
				} else {
					cmd = chgk.Info{By: member.Draw(t, "by")}
				}
			default:
				// The clock's command, for whatever phase the game is in now.
				var exp chgk.Expire
				_ = m.Update(ctx, peer, func(_ context.Context, g *chgk.Game) (*chgk.Game, []chgk.Event, error) {
					if g != nil {
						exp = chgk.Expire{Phase: g.Phase(), Round: g.Round()}
					}
					return nil, nil, nil
				})
				cmd = exp
			}
			evs, err := h.Handle(ctx, peer, cmd)
			if err != nil {
				t.Fatalf("%T: %v", cmd, err)
			}
			for _, e := range evs {
				if tm, ok := chgk.TimerOf(e); ok && tm.Deadline.Before(clock.Now()) {
					t.Fatalf("%T set deadline %v in the past (now %v)", e, tm.Deadline, clock.Now())
				}
				switch e := e.(type) {
				case chgk.LobbyOpened:
					if active {
						t.Fatalf("a second game opened while one runs")
					}
					active, ended, judged, planned = true, false, 0, e.Rounds
				case chgk.RoundJudged:
					judged++
					if e.Team+e.Bot != judged {
						t.Fatalf("score %d:%d after %d judged rounds", e.Team, e.Bot, judged)
					}
				case chgk.GameEnded:
					r := e.Results
					if r.Team+r.Bot != len(r.Rounds) || len(r.Rounds) != judged {
						t.Fatalf("results %d:%d for %d rounds, %d judged", r.Team, r.Bot, len(r.Rounds), judged)
					}
					if !r.Stopped && judged != planned {
						t.Fatalf("finished after %d of %d rounds", judged, planned)
					}
					if judged > planned {
						t.Fatalf("%d rounds judged of %d", judged, planned)
					}
					active, ended = false, true
				case chgk.GameStarted, chgk.RoundStarted, chgk.AnswererAsked, chgk.AnswererChosen, chgk.PlayerJoined, chgk.GameResumed:
					if ended || !active {
						t.Fatalf("%T after the end", e)
					}
				}
			}
			_ = m.Update(ctx, peer, func(_ context.Context, g *chgk.Game) (*chgk.Game, []chgk.Event, error) {
				if (g != nil) != active {
					t.Fatalf("stored game active=%v, events say %v", g != nil, active)
				}
				return nil, nil, nil
			})
		}
	})
}
