package main

import (
	"fmt"
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

var (
	sectorRE   = regexp.MustCompile(`(?:Волчок остановился|играет следующий свободный): (?:сектор (\d+)|(13)-й сектор)`)
	answererRE = regexp.MustCompile(`(?:Отвечает|отвечает сам капитан|Отвечает только) \[id(\d+)\|`)
	scoreRE    = regexp.MustCompile(`Счёт: знатоки (\d+) : (\d+) бот`)
)

// chosen waits for the choice message m to be edited into the answerer's
// announcement (the captain's pick or, the choice timed out, the captain)
// and returns the answerer.
func (c *chat) chosen(m vksim.Sent) int64 {
	c.w.t.Helper()
	deadline := time.Now().Add(c.w.timeout)
	for time.Now().Before(deadline) {
		for _, e := range c.w.fake.Edits() {
			if e.Peer == c.peer && e.CMID == m.CMID {
				if a := answererRE.FindStringSubmatch(e.Text); a != nil {
					id, _ := strconv.ParseInt(a[1], 10, 64)
					return id
				}
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	c.w.t.Fatalf("chat %d: the choice %q never named the answerer; got:\n%s", c.n, m.Text, c.dump())
	return 0
}

// tvGame is what a TV game met on its way.
type tvGame struct {
	sectors       map[int]bool
	team, bot     int // points counted from the verdicts
	blitz, super  bool
	blitzDone     bool // a blitz's point was awarded
	earned, spent bool // an extra minute
	end           vksim.Sent
}

// playTV plays the chat's TV game (started, lobby closed) to its end. The
// team keeps the score level, so the game goes on, until it has met what
// enough says it must; then it answers right to the end. With stop, it
// stops the game instead once enough holds.
func (c *chat) playTV(enough func(g *tvGame) bool, stop bool) *tvGame {
	t := c.w.t
	t.Helper()
	g := &tvGame{sectors: map[int]bool{}}
	var captain int64
	var question string
	right := func() bool { return g.team <= g.bot || enough(g) }
	say := func(who int64, text string, ok bool) {
		if ok {
			c.w.fake.Say(c.peer, who, c.answerTo(text))
		} else {
			c.w.fake.Say(c.peer, who, "совсем не то")
		}
	}
	for g.end.CMID == 0 {
		if stop && enough(g) {
			c.w.fake.Say(c.peer, c.members[0], "/stop")
			g.end = c.expect("Игру остановил")
			break
		}
		m := c.nextMessage()
		text := m.Text
		if id := captainOf(text); id != 0 {
			captain = id
		}
		if s := sectorRE.FindStringSubmatch(text); s != nil {
			n, _ := strconv.Atoi(s[1] + s[2])
			if g.sectors[n] {
				t.Errorf("chat %d: sector %d played twice", c.n, n)
			}
			g.sectors[n] = true
		}
		switch {
		case strings.Contains(text, "Игра окончена"):
			g.end = m
		case strings.Contains(text, "выберите знатока"):
			g.super = true
			expert := c.others(captain)[0]
			if snack := c.press(c.others(captain)[1], map[string]any{"a": "pick", "u": expert}, m.CMID); !strings.Contains(snack, "только капитан") {
				t.Errorf("chat %d: a non-captain picked the expert: %q", c.n, snack)
			}
			c.press(captain, map[string]any{"a": "pick", "u": expert}, m.CMID)
		case strings.Contains(text, "❓ Суперблиц, вопрос"):
			a := answererRE.FindStringSubmatch(text)
			if a == nil {
				t.Fatalf("chat %d: a super-blitz question names no expert: %q", c.n, text)
			}
			expert, _ := strconv.ParseInt(a[1], 10, 64)
			if other := c.others(expert)[0]; true {
				c.w.fake.Say(c.peer, other, c.answerTo(text)) // not the expert's: it does not count
			}
			say(expert, text, right())
		case strings.Contains(text, "Время на обсуждение"):
			question = text
			g.blitz = g.blitz || strings.Contains(text, "⚡ блиц")
			if strings.Contains(m.Keyboard, "Взять дополнительную минуту") && g.earned && !g.spent {
				if !strings.Contains(text, "В запасе у команды") {
					t.Errorf("chat %d: a minute button without a minute: %q", c.n, text)
				}
				if snack := c.press(captain, map[string]any{"a": "minute"}, m.CMID); snack != "" {
					t.Fatalf("chat %d: the captain's minute was refused: %q", c.n, snack)
				}
				c.expect("берёт дополнительную минуту")
				g.spent = true
			}
			c.press(captain, map[string]any{"a": "early"}, m.CMID)
		case strings.Contains(text, "Досрочный ответ!") || strings.Contains(text, "⏰ Время!"):
			c.press(captain, map[string]any{"a": "pick", "u": c.others(captain)[1]}, m.CMID)
			say(c.chosen(m), question, right())
		case strings.Contains(text, "Счёт: знатоки"): // a verdict
			if sc := scoreRE.FindStringSubmatch(text); sc != nil {
				team, _ := strconv.Atoi(sc[1])
				bot, _ := strconv.Atoi(sc[2])
				if team+bot != g.team+g.bot && team+bot != g.team+g.bot+1 {
					t.Errorf("chat %d: the score jumped from %d:%d to %d:%d", c.n, g.team, g.bot, team, bot)
				}
				if team+bot > g.team+g.bot && strings.Contains(text, "Блиц, вопрос") {
					g.blitzDone = true
				}
				g.team, g.bot = team, bot
			}
			g.earned = g.earned || strings.Contains(text, "приносит команде дополнительную минуту")
		}
	}
	return g
}

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
	c.startTV()
	mark := c.next
	w.fake.Say(c.peer, 103, "/info")
	info := c.expect("Идёт игра как в телеигре")
	is.True(strings.Contains(info.Text, "игра до 7 очков")) // /info tells the mode and the target
	c.next = mark                                           // the game is read from its first round

	g := c.playTV(func(g *tvGame) bool { return g.blitz && g.super && g.spent }, false)
	is.True(g.blitz && g.super)                                                                   // the game met both blitzes
	is.True(g.earned && g.spent)                                                                  // and a minute was earned and spent
	is.True(strings.Contains(g.end.Text, "Победили знатоки"))                                     // the team won at the end
	is.True(strings.Contains(g.end.Text, "знатоки 7 : "))                                         // to 7
	is.True(strings.Contains(g.end.Text, "блиц 3/3") || strings.Contains(g.end.Text, "блиц 1/3")) // the results show the blitz questions
	is.True(strings.Contains(g.end.Text, "[сектор "))                                             // and the sectors
	is.True(strings.Contains(g.end.Text, "с дополнительной минутой"))                             // and the minute
	is.True(len(g.sectors) <= 13)
	c.checkNoDuplicates()
	is.Equal(stop(), 0)
}

// startTV starts the chat's game, joins every member and closes the lobby.
func (c *chat) startTV() {
	c.w.t.Helper()
	c.w.fake.Say(c.peer, c.members[0], "/start")
	lobby := c.expect("как в телеигре!")
	for _, m := range c.members[1:] {
		c.press(m, map[string]any{"a": "join"}, lobby.CMID)
	}
	c.expect(fmt.Sprintf("Игроков: %d", len(c.members)))
	c.press(c.members[0], map[string]any{"a": "go"}, lobby.CMID)
}
