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
			cmd := anyCommand(t, member, m, 6)
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

// TestTVProperties plays random command sequences in TV games and checks
// SPEC §8's invariants: a game ends exactly when a side reaches the target
// (which is at most 2·target−1 sectors) or at a stop; no sector is played
// twice in one turn of the table; a sector, blitz or not, gives one point;
// extra minutes never go negative; nothing is announced after the end.
func TestTVProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := ct.FastSettings()
		s.Mode, s.Target = chgk.ModeTV, rapid.IntRange(3, 11).Draw(t, "target")
		s.Pause = time.Duration(rapid.IntRange(0, 1).Draw(t, "pause")) * time.Second
		h, m, clock := ct.NewHost(s, ct.Questions(40), rapid.SliceOfN(rapid.IntRange(0, 99), 1, 9).Draw(t, "rand")...)
		members := []chgk.Player{ct.Anna, ct.Boris, ct.Vera}
		member := rapid.SampledFrom(members)
		ctx := context.Background()

		active := false
		var sectors []chgk.Sector // the sectors begun in this game
		var points int
		var last chgk.Sector // the current question's
		for range rapid.IntRange(1, 250).Draw(t, "steps") {
			clock.Advance(time.Duration(rapid.Int64Range(0, int64(12*time.Second)).Draw(t, "wait")))
			cmd := anyCommand(t, member, m, 20)
			if rapid.IntRange(0, 2).Draw(t, "along?") == 0 {
				cmd = playAlong(t, member, m, clock)
			}
			evs, err := h.Handle(ctx, peer, cmd)
			if err != nil {
				t.Fatalf("%T: %v", cmd, err)
			}
			begin := func(sec chgk.Sector) {
				if sec.Number < 1 || sec.Number > chgk.Sectors {
					t.Fatalf("sector %d", sec.Number)
				}
				if sec.Part > 1 {
					if sec.Number != last.Number || sec.Part != last.Part+1 {
						t.Fatalf("%+v follows %+v", sec, last)
					}
				} else {
					turn := sectors[len(sectors)/chgk.Sectors*chgk.Sectors:]
					for _, p := range turn {
						if p.Number == sec.Number {
							t.Fatalf("sector %d played twice in one turn: %v", sec.Number, sectors)
						}
					}
					sectors = append(sectors, sec)
				}
				last = sec
			}
			for _, e := range evs {
				switch e := e.(type) {
				case chgk.LobbyOpened:
					active, sectors, points, last = true, nil, 0, chgk.Sector{}
				case chgk.RoundStarted:
					if !active {
						t.Fatalf("a round after the end")
					}
					if e.Sector != last || e.Sector.Kind != chgk.SectorSuperBlitz { // a super-blitz's first question follows its choice
						begin(e.Sector)
					}
				case chgk.AnswererAsked:
					if e.Sector.Kind == chgk.SectorSuperBlitz && e.Landed >= 0 && e.Sector != last {
						begin(e.Sector)
					}
				case chgk.RoundJudged:
					if e.Point != "" {
						points++
					}
					if e.Team+e.Bot != points {
						t.Fatalf("score %d:%d after %d points", e.Team, e.Bot, points)
					}
					if e.Point == chgk.OutcomeTeam && e.Sector.Multi() && e.Sector.Part != chgk.BlitzQuestions {
						t.Fatalf("a blitz point after question %d", e.Sector.Part)
					}
					if e.Minutes < 0 {
						t.Fatalf("%d minutes", e.Minutes)
					}
				case chgk.MinuteTaken:
					if e.Minutes < 0 {
						t.Fatalf("%d minutes", e.Minutes)
					}
				case chgk.GameEnded:
					r := e.Results
					top := max(r.Team, r.Bot)
					switch {
					case !r.Stopped && top != s.Target:
						t.Fatalf("finished at %d:%d, target %d", r.Team, r.Bot, s.Target)
					case r.Stopped && top >= s.Target:
						t.Fatalf("went on past the target to a stop at %d:%d", r.Team, r.Bot)
					case len(sectors) > s.MaxSectors():
						t.Fatalf("%d sectors for a target of %d", len(sectors), s.Target)
					case r.Team+r.Bot != points:
						t.Fatalf("results %d:%d for %d points", r.Team, r.Bot, points)
					}
					active = false
				case chgk.GameStarted, chgk.AnswererChosen, chgk.PlayerJoined, chgk.GameResumed, chgk.DiscussionWarned:
					if !active {
						t.Fatalf("%T after the end", e)
					}
				}
			}
		}
	})
}

// anyCommand draws what any member, or the clock, might send now; a stop
// is one in stopOneIn of a stop-or-info.
func anyCommand(t *rapid.T, member *rapid.Generator[chgk.Player], m *ct.Memory, stopOneIn int) chgk.Command {
	by := func() chgk.Player { return member.Draw(t, "by") }
	switch rapid.IntRange(0, 10).Draw(t, "kind") {
	case 0:
		return chgk.Start{By: by()}
	case 1:
		return chgk.Join{Player: by()}
	case 2:
		return chgk.Begin{By: by()}
	case 3:
		return chgk.AnswerEarly{By: by()}
	case 4:
		return chgk.TakeMinute{By: by()}
	case 5:
		return chgk.Choose{By: by(), Answerer: member.Draw(t, "who").ID}
	case 6:
		text := rapid.SampledFrom([]string{"один", "два", "три", "четыре", "пять", "не знаю", ""}).Draw(t, "text")
		return chgk.Answer{By: by(), Text: text}
	case 7:
		if rapid.IntRange(1, stopOneIn).Draw(t, "stop?") == 1 {
			return chgk.Stop{By: by()}
		}
		return chgk.Info{By: by()}
	}
	// The clock's command, for whatever phase the game is in now.
	var exp chgk.Expire
	_ = m.Update(context.Background(), peer, func(_ context.Context, g *chgk.Game) (*chgk.Game, []chgk.Event, error) {
		if g != nil {
			exp = chgk.Expire{Phase: g.Phase(), Round: g.Round()}
		}
		return nil, nil, nil
	})
	return exp
}

// playAlong is what a team that plays along sends: what the game waits
// for, right or wrong, so that games reach their end.
func playAlong(t *rapid.T, member *rapid.Generator[chgk.Player], m *ct.Memory, clock *ct.Clock) chgk.Command {
	var cmd chgk.Command = chgk.Start{By: member.Draw(t, "by")}
	_ = m.Update(context.Background(), peer, func(_ context.Context, g *chgk.Game) (*chgk.Game, []chgk.Event, error) {
		if g == nil {
			return nil, nil, nil
		}
		st := g.State()
		captain := chgk.Player{ID: st.Captain}
		switch st.Phase {
		case chgk.PhaseDiscussion:
			cmd = chgk.AnswerEarly{By: captain}
		case chgk.PhaseChoice:
			cmd = chgk.Choose{By: captain, Answerer: member.Draw(t, "who").ID}
		case chgk.PhaseAnswer:
			r := st.Rounds[len(st.Rounds)-1]
			text := "не знаю"
			if rapid.Bool().Draw(t, "right?") {
				text = r.Question.Accepted[0]
			}
			cmd = chgk.Answer{By: r.Answerer, Text: text}
		default:
			cmd = chgk.Expire{Phase: st.Phase, Round: len(st.Rounds)}
			clock.Advance(time.Minute)
		}
		return nil, nil, nil
	})
	return cmd
}
