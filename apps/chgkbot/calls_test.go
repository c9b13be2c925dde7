package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/postgres/pgtest"
)

// TestAGameCostsFewVKCalls counts the VK calls of a three-round game with
// three players — lobby, joins, rounds and results — at the fake VK: a
// community's 20 requests/s go far only if a round costs few calls. The
// game is played as people play it: commands typed, the captain's choice
// by button, answers typed.
func TestAGameCostsFewVKCalls(t *testing.T) {
	t.Parallel()
	w := newWorld(t, pgtest.NewURL(t))
	stop := runBot(t, w, w.env("CHGK_ROUNDS", "3", "CHGK_DISCUSSION_SECONDS", "0.5"))
	defer stop()
	c := w.chat(1, 101, 102, 103)
	w.fake.Say(c.peer, 101, "/start")
	lobby := c.expect("начинает игру")
	w.fake.Say(c.peer, 102, "/join")
	c.expect("[id102|Игрок102] в команде")
	w.fake.Say(c.peer, 103, "играю")
	c.expect("[id103|Игрок103] в команде")
	w.fake.Say(c.peer, 101, "/go")
	var marks []time.Time // when each round's message arrived, then the results
	var captain int64
	for round := 1; round <= 3; round++ {
		r := c.expect(fmt.Sprintf("Раунд %d из 3", round))
		marks = append(marks, r.At)
		if round == 1 {
			captain = captainOf(r.Text) // the first round names the captain
		}
		choice := c.expect("⏰ Время!")
		answerer := c.others(captain)[round%2]
		c.press(captain, map[string]any{"a": "pick", "r": round, "u": answerer}, choice.CMID)
		c.expectEdit(choice, fmt.Sprintf("Отвечает [id%d|", answerer))
		w.fake.Say(c.peer, answerer, c.answerTo(r.Text))
		if round < 3 {
			c.expect("✅ Верно!")
		}
	}
	end := c.expect("Игра окончена")
	marks = append(marks, end.At.Add(time.Nanosecond))

	// Every logical call the chat cost, with its time.
	var calls []time.Time
	for _, s := range w.fake.SentTo(c.peer) {
		calls = append(calls, s.At)
	}
	for _, e := range w.fake.Edits() {
		if e.Peer == c.peer {
			calls = append(calls, e.At)
		}
	}
	for _, a := range w.fake.Answers() {
		if a.Peer == c.peer {
			calls = append(calls, a.At)
		}
	}
	between := func(from, to time.Time) int {
		n := 0
		for _, at := range calls {
			if !at.Before(from) && at.Before(to) {
				n++
			}
		}
		return n
	}
	t.Logf("the chat, as it reads:\n%s", c.transcript())
	is := is.New(t)
	perRound := []int{between(marks[0], marks[1]), between(marks[1], marks[2]), between(marks[2], marks[3])}
	t.Logf("VK calls: lobby and joins %d, rounds %v (the last with the results), %d in all",
		between(lobby.At, marks[0]), perRound, len(calls))
	for _, n := range perRound {
		is.True(n <= 5) // a round costs at most five calls
	}
	is.True(len(calls) <= 18) // and the whole game at most eighteen
	c.checkNoDuplicates()
}
