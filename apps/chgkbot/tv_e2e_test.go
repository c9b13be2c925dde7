package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/postgres/pgtest"
	"github.com/vkchgk/chgkbot/adapters/vksim"
)

// nextMessage waits for the chat's next message, whatever it says.
func (c *chat) nextMessage() vksim.Sent {
	c.w.t.Helper()
	deadline := time.Now().Add(c.w.timeout)
	for time.Now().Before(deadline) {
		if sent := c.w.fake.SentTo(c.peer); c.next < len(sent) {
			c.next++
			return sent[c.next-1]
		}
		time.Sleep(5 * time.Millisecond)
	}
	c.w.t.Fatalf("chat %d: no message in %v; got:\n%s", c.n, c.w.timeout, c.dump())
	return vksim.Sent{}
}

var sectorRE = regexp.MustCompile(`(?:Волчок остановился|играет следующий свободный): (?:сектор (\d+)|(13)-й сектор)`)

// TestTheTVGame plays a whole TV game (SPEC §8) to 7 through the fake VK.
// The team steers the score to stay level, so the game lasts until it has
// met a blitz and a super-blitz (a game to 7 plays all 13 sectors if it
// goes the distance), has earned an extra minute with a correct early
// answer and spent it in a later discussion; then it wins.
func TestTheTVGame(t *testing.T) {
	t.Parallel()
	w := newWorld(t, pgtest.NewURL(t))
	stop := runBot(t, w, w.env())
	c := w.chat(1, 101, 102, 103)
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(c.transcript())
		}
	})
	is := is.New(t)

	w.fake.Say(c.peer, 101, "Режим телеигра")
	c.expect("режим (mode) — телеигра")
	w.fake.Say(c.peer, 102, "/settings target 7")
	c.expect("цель (target) — 7 очков")
	w.fake.Say(c.peer, 103, "/rules")
	c.expect("как в телеигре")
	w.fake.Say(c.peer, 101, "/start")
	lobby := c.expect("как в телеигре!")
	c.press(102, map[string]any{"a": "join"}, lobby.CMID)
	c.w.fake.Say(c.peer, 103, "играю")
	c.expect("Игроков: 3")
	c.press(101, map[string]any{"a": "go"}, lobby.CMID)

	var (
		captain               int64
		team, bot             int
		sectors               = map[int]bool{}
		blitz, super          bool // met
		earned, spent, infoed bool
		want                  bool // the current sector's point goes to the team
		end                   vksim.Sent
		answerer              int64
		question, superExpert string
	)
	decide := func() {
		want = team <= bot || blitz && super && spent
	}
	for end.CMID == 0 {
		m := c.nextMessage()
		text := m.Text
		if id := captainOf(text); id != 0 {
			captain = id
		}
		if s := sectorRE.FindStringSubmatch(text); s != nil {
			n, _ := strconv.Atoi(s[1] + s[2])
			is.True(!sectors[n]) // no sector is played twice in a game to 7
			sectors[n] = true
			decide()
		}
		switch {
		case strings.Contains(text, "Игра окончена"):
			end = m
		case strings.Contains(text, "выберите знатока"):
			super = true
			superExpert = strconv.FormatInt(c.others(captain)[0], 10)
			expert, _ := strconv.ParseInt(superExpert, 10, 64)
			if snack := c.press(c.others(captain)[1], map[string]any{"a": "pick", "u": expert}, m.CMID); !strings.Contains(snack, "только капитан") {
				t.Errorf("a non-captain picked the expert: %q", snack)
			}
			c.press(captain, map[string]any{"a": "pick", "u": expert}, m.CMID)
		case strings.Contains(text, "❓ Суперблиц, вопрос"):
			is.True(strings.Contains(text, "Отвечает только [id"+superExpert)) // the expert alone
			w.fake.Say(c.peer, captain, c.answerTo(text))                      // the captain's word does not count
			expert, _ := strconv.ParseInt(superExpert, 10, 64)
			if want {
				w.fake.Say(c.peer, expert, c.answerTo(text))
			} else {
				w.fake.Say(c.peer, expert, "совсем не то")
			}
		case strings.Contains(text, "Время на обсуждение"):
			question = text
			if strings.Contains(text, "⚡ блиц") {
				blitz = true
			}
			if strings.Contains(m.Keyboard, "Взять дополнительную минуту") && !spent && earned {
				is.True(strings.Contains(text, "В запасе у команды"))
				if snack := c.press(captain, map[string]any{"a": "minute"}, m.CMID); snack != "" {
					t.Fatalf("the captain's minute was refused: %q", snack)
				}
				taken := c.expect("берёт дополнительную минуту")
				is.True(strings.Contains(taken.Text, "До конца обсуждения: 1 минута")) // 3 s and a minute, less what has gone
				spent = true
				decide()
			}
			if !infoed {
				w.fake.Say(c.peer, 103, "/info")
				info := c.expect("Идёт игра как в телеигре")
				is.True(strings.Contains(info.Text, "игра до 7 очков")) // /info tells the mode and the target
				infoed = true
			}
			c.press(captain, map[string]any{"a": "early"}, m.CMID)
		case strings.Contains(text, "Досрочный ответ!") || strings.Contains(text, "⏰ Время!"):
			answerer = c.others(captain)[1]
			c.press(captain, map[string]any{"a": "pick", "u": answerer}, m.CMID)
			c.expectSaid(m, "Отвечает [id"+strconv.FormatInt(answerer, 10))
			if want {
				w.fake.Say(c.peer, answerer, c.answerTo(question))
			} else {
				w.fake.Say(c.peer, answerer, "совсем не то")
			}
		case strings.Contains(text, "Счёт: знатоки"):
			if strings.Contains(text, "Очко знатокам") || strings.Contains(text, "очко знатокам") {
				team++
			}
			if strings.Contains(text, "очко боту") || strings.Contains(text, "Очко боту") {
				bot++
			}
			if strings.Contains(text, "приносит команде дополнительную минуту") {
				earned = true
			}
		}
	}
	is.True(blitz && super)                                                                   // the game met both blitzes
	is.True(earned && spent)                                                                  // and a minute was earned and spent
	is.True(strings.Contains(end.Text, "Победили знатоки"))                                   // the team won at the end
	is.True(strings.Contains(end.Text, "знатоки 7 : "))                                       // to 7
	is.True(strings.Contains(end.Text, "блиц 3/3") || strings.Contains(end.Text, "блиц 1/3")) // the results show the blitz questions
	is.True(strings.Contains(end.Text, "[сектор "))                                           // and the sectors
	is.True(strings.Contains(end.Text, "с дополнительной минутой"))                           // and the minute
	is.True(len(sectors) <= 13)
	c.checkNoDuplicates()
	is.Equal(stop(), 0)
}
