package chgk_test

import (
	"context"
	"fmt"
	"time"

	"github.com/vkchgk/chgkbot/chgk"
	"github.com/vkchgk/chgkbot/chgk/chgktest"
)

func ExampleQuestion_Accepts() {
	q := chgk.Question{
		Answer:   "[Николай] Гоголь",
		Accepted: []string{"Гоголь-Яновский"},
		Rejected: []string{"Гоголь-моголь"},
	}
	for _, answer := range []string{"гоголь", "Николай Гоголь.", "Гогль", "Гоголь-моголь", "Гоголь или Пушкин", "Пушкин"} {
		fmt.Printf("%-20s %v\n", answer, q.Accepts(answer))
	}
	// Output:
	// гоголь               true
	// Николай Гоголь.      true
	// Гогль                true
	// Гоголь-моголь        false
	// Гоголь или Пушкин    false
	// Пушкин               false
}

// A round played command by command on a Game, with time passed in.
func ExampleGame_Apply() {
	start := time.Date(2026, 1, 2, 19, 0, 0, 0, time.UTC)
	anna := chgk.Player{ID: 1, Name: "Анна"}
	g, _, err := chgk.Open(chgk.NewGame{
		Peer:      chgk.ChatPeerBase + 1,
		Starter:   anna,
		Settings:  chgk.DefaultSettings(),
		Questions: []chgk.Question{{Text: "Столица Франции?", Answer: "Париж"}},
		Now:       start,
	})
	if err != nil {
		panic(err)
	}
	boris := chgk.Player{ID: 2, Name: "Борис"}
	rnd := chgktest.NewRand() // always 0: the first player is captain
	for _, cmd := range []chgk.Command{
		chgk.Join{Player: boris},
		chgk.Begin{By: anna},
		chgk.AnswerEarly{By: anna},
		chgk.Choose{By: anna, Answerer: boris.ID},
		chgk.Answer{By: boris, Text: "париж"},
	} {
		evs, err := g.Apply(cmd, start.Add(time.Second), rnd)
		if err != nil {
			panic(err)
		}
		for _, e := range evs {
			fmt.Printf("%T\n", e)
		}
	}
	r := g.Results()
	fmt.Println(r.Outcome, r.Team, r.Bot)
	// Output:
	// chgk.PlayerJoined
	// chgk.GameStarted
	// chgk.RoundStarted
	// chgk.AnswererAsked
	// chgk.AnswererChosen
	// chgk.RoundJudged
	// chgk.GameEnded
	// team 1 0
}

// The Host runs games over stores; here the in-memory ones of chgktest.
func ExampleHost_Handle() {
	store := chgktest.NewMemory(chgk.Question{Text: "Сколько дней в неделе?", Answer: "семь", Accepted: []string{"7"}})
	clock := chgktest.NewClock(time.Date(2026, 1, 2, 19, 0, 0, 0, time.UTC))
	host := &chgk.Host{Games: store, Questions: store, Chats: store, Clock: clock,
		Rand: chgktest.NewRand(), Defaults: chgk.DefaultSettings()}
	chat := chgk.ChatPeerBase + 1
	boris := chgk.Player{ID: 2, Name: "Борис"}
	ctx := context.Background()

	say := func(cmd chgk.Command) {
		evs, err := host.Handle(ctx, chat, cmd)
		if err != nil {
			panic(err)
		}
		for _, e := range evs {
			switch e := e.(type) {
			case chgk.RoundJudged:
				fmt.Println("verdict:", e.Verdict, e.Team, ":", e.Bot)
			case chgk.Rejected:
				fmt.Println("refused:", e.Reason)
			default:
				fmt.Printf("%T\n", e)
			}
		}
	}
	say(chgk.Start{By: boris})
	say(chgk.Start{By: boris})
	clock.Advance(30 * time.Second) // the lobby's time is up
	say(chgk.Expire{Phase: chgk.PhaseLobby})
	say(chgk.AnswerEarly{By: boris}) // alone in the team, Boris answers at once
	say(chgk.Answer{By: boris, Text: "7"})
	// Output:
	// chgk.LobbyOpened
	// refused: a game is already running in this chat
	// chgk.GameStarted
	// chgk.RoundStarted
	// chgk.AnswererChosen
	// verdict: correct 1 : 0
	// chgk.GameEnded
}

// A TV game (SPEC §8): the top picks a sector before each question, and a
// correct early answer earns an extra minute for a later discussion.
func ExampleTakeMinute() {
	start := time.Date(2026, 1, 2, 19, 0, 0, 0, time.UTC)
	anna := chgk.Player{ID: 1, Name: "Анна"}
	s := chgk.DefaultSettings()
	s.Mode, s.Target = chgk.ModeTV, 3
	g, _, err := chgk.Open(chgk.NewGame{
		Peer: chgk.ChatPeerBase + 1, Starter: anna, Settings: s, Now: start,
		Questions: []chgk.Question{{Answer: "Париж"}, {Answer: "Лондон"}, {Answer: "Рим"}, {Answer: "Мадрид"}, {Answer: "Вена"}},
	})
	if err != nil {
		panic(err)
	}
	rnd := chgktest.NewRand(0, 2, 4, 6, 6) // Анна captain, blitz in sector 3, super-blitz in 6, the top stops on 7, and again on 7
	now := start
	for _, cmd := range []chgk.Command{
		chgk.Begin{By: anna},
		chgk.AnswerEarly{By: anna},                    // alone, she answers at once
		chgk.Answer{By: anna, Text: "Лондон"},         // Questions[0] waits for sector 13
		chgk.Expire{Phase: chgk.PhasePause, Round: 1}, // the top spins again: 7 is played, so 8
		chgk.TakeMinute{By: anna},
	} {
		now = now.Add(5 * time.Second)
		evs, err := g.Apply(cmd, now, rnd)
		if err != nil {
			panic(err)
		}
		for _, e := range evs {
			switch e := e.(type) {
			case chgk.RoundStarted:
				fmt.Printf("question %d in sector %d (%s)\n", e.Round, e.Sector.Number, e.Sector.Kind)
			case chgk.RoundJudged:
				fmt.Printf("%s: %d:%d, minutes %d\n", e.Verdict, e.Team, e.Bot, e.Minutes)
			case chgk.MinuteTaken:
				fmt.Printf("the discussion now ends in %v\n", e.Left)
			}
		}
	}
	// Output:
	// question 1 in sector 7 (normal)
	// correct: 1:0, minutes 1
	// question 2 in sector 8 (normal)
	// the discussion now ends in 1m55s
}
