package main

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/postgres/pgtest"
	"github.com/vkchgk/chgkbot/adapters/rabbitmq"
	"github.com/vkchgk/chgkbot/adapters/vksim"
	"github.com/vkchgk/chgkbot/ports/bus"
)

// TestThreeChatsPlayAtOnce plays three complete scripted games at the same
// time against a fake VK and a real Postgres, through every stage: long
// poll, bus, worker, announcer, deadlines.
func TestThreeChatsPlayAtOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t, pgtest.NewURL(t))
	stop := runBot(t, w, w.env())
	chats := w.threeChats()
	playAll(chats)
	is := is.New(t)
	is.Equal(stop(), 0) // a clean stop
	for _, c := range chats {
		c.checkNoDuplicates() // every message exactly once
	}
}

// TestDuplicateUpdatesChangeNothing has VK deliver a message and a button
// press twice: the second delivery must have no effect at all.
func TestDuplicateUpdatesChangeNothing(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	w := newWorld(t, pgtest.NewURL(t))
	stop := runBot(t, w, w.env())
	defer stop()
	c := w.chat(1, 11, 12, 13)
	w.fake.Say(c.peer, 11, "/start")
	lobby := c.expect("начинает игру")
	w.fake.Say(c.peer, 12, "я играю")
	joined := w.fake.LastEventID()
	c.expect("[id12|Игрок12] в команде")
	w.fake.Duplicate(joined)
	c.press(13, map[string]any{"a": "join"}, lobby.CMID)
	pressed := w.fake.LastEventID()
	c.expect("[id13|Игрок13] в команде")
	w.fake.Duplicate(pressed)
	w.fake.Duplicate(pressed)
	w.fake.Say(c.peer, 11, "/info")
	info := c.expect("Идёт регистрация")
	is.True(strings.Contains(info.Text, "Игроков: 3")) // three players, no one joined twice
	c.checkNoDuplicates()
	answered := 0
	for _, a := range w.fake.Answers() {
		if a.Peer == c.peer {
			answered++
		}
	}
	is.Equal(answered, 1) // the press was answered once
	joins := 0
	for _, s := range w.fake.SentTo(c.peer) {
		if strings.Contains(s.Text, "в команде") {
			joins++
		}
	}
	is.Equal(joins, 2) // and each join announced once
}

// TestPoisonedChatDoesNotStopOthers makes VK refuse every message to one
// chat (error 917, as when the bot is kicked): its messages go to the
// poison topic, and another chat plays a whole game meanwhile.
func TestPoisonedChatDoesNotStopOthers(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	w := newWorld(t, pgtest.NewURL(t))
	stop := runBot(t, w, w.env())
	defer stop()
	good := w.chat(1, 101, 102, 103)
	bad := w.chat(5, 501, 502) // shard 1, like chat 1: they share a topic
	w.fake.FailNext("peer:"+strconv.FormatInt(bad.peer, 10), 917, 1_000_000)
	w.fake.Say(bad.peer, 501, "/start")
	w.fake.Say(bad.peer, 502, "/info")
	good.playScripted()
	is.Equal(len(w.fake.SentTo(bad.peer)), 0) // the refused chat got nothing
	var poisoned int
	is.NoErr(w.db.NewRaw(`SELECT count(*) FROM watermill_chgk_poison`).Scan(context.Background(), &poisoned))
	is.True(poisoned >= 2) // its messages were set aside, not retried forever
}

// TestThreeChatsOverRabbitMQ plays the same three games with RabbitMQ as
// the bus (SPEC §6's option): Postgres stays the outbox, forwarders move the
// messages to durable queues, and the worker and announcer read them there.
func TestThreeChatsOverRabbitMQ(t *testing.T) {
	t.Parallel()
	url := os.Getenv("AMQP_URL")
	if url == "" {
		url = "amqp://guest:guest@127.0.0.1:5672/"
	}
	if conn, err := amqp091.Dial(url); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("RabbitMQ at %s is required in CI: %v", url, err)
		}
		t.Skipf("no RabbitMQ at %s (%v); start one or set AMQP_URL to run this test", url, err)
	} else {
		conn.Close()
	}
	prefix := fmt.Sprintf("test_%d_", time.Now().UnixNano())
	t.Cleanup(func() { _ = rabbitmq.Delete(url, prefix, bus.Topics()) })
	w := newWorld(t, pgtest.NewURL(t))
	stop := runBot(t, w, w.env("CHGK_BUS", "rabbitmq", "AMQP_URL", url, "AMQP_QUEUE_PREFIX", prefix))
	chats := w.threeChats()
	playAll(chats)
	is := is.New(t)
	is.Equal(stop(), 0) // a clean stop
	for _, c := range chats {
		c.checkNoDuplicates() // every message exactly once
	}
}

// TestGreetingAndPrivateReply: a chat that adds the bot is greeted; a member
// writing to the bot directly is told it plays in chats; neither twice.
func TestGreetingAndPrivateReply(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	w := newWorld(t, pgtest.NewURL(t))
	stop := runBot(t, w, w.env())
	defer stop()
	c := w.chat(1, 11, 12)
	w.fake.Invite(c.peer, 11)
	w.fake.Duplicate(w.fake.LastEventID())
	c.expect("Всем привет")
	w.fake.AddUser(77, "Личный", "Собеседник")
	w.fake.Say(77, 77, "/start")
	w.fake.Duplicate(w.fake.LastEventID())
	deadline := time.Now().Add(w.timeout)
	for len(w.fake.SentTo(77)) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // room for a wrong second reply
	private := w.fake.SentTo(77)
	is.Equal(len(private), 1)                                            // one reply, though VK delivered the message twice
	is.True(strings.Contains(private[0].Text, "добавьте меня в беседу")) // it says the bot plays in chats
	is.Equal(len(w.fake.SentTo(c.peer)), 1)                              // one greeting
}

// TestLeaderboardAfterThreeGames: /top («рейтинг») after three games in a
// chat gives the chat's record and its players, from the database.
func TestLeaderboardAfterThreeGames(t *testing.T) {
	t.Parallel()
	w := newWorld(t, pgtest.NewURL(t))
	stop := runBot(t, w, w.env())
	c := w.chat(1, 101, 102, 103)
	w.fake.Say(c.peer, 101, "/top")
	c.expect("Рейтинга пока нет")
	for range 3 {
		c.playScripted() // each a draw, 1 : 1
	}
	w.fake.Say(c.peer, 102, "Рейтинг")
	top := c.expect("Рейтинг чата")
	is := is.New(t)
	is.True(strings.Contains(top.Text, "Сыграно игр: 3."))                     // three games
	is.True(strings.Contains(top.Text, "ничьих: 3"))                           // all drawn
	is.True(strings.Contains(top.Text, "Очки за все игры: знатоки 3 : 3 бот")) // the points
	correct, answered, lines := 0, 0, 0
	for _, m := range regexp.MustCompile(`\n\d+\. Игрок\d+ — (\d+) из (\d+), (\d+) игр`).FindAllStringSubmatch(top.Text, -1) {
		c, _ := strconv.Atoi(m[1])
		a, _ := strconv.Atoi(m[2])
		correct, answered, lines = correct+c, answered+a, lines+1
		is.Equal(m[3], "3") // everyone played all three
	}
	is.Equal(lines, 3)    // the three players, named without mentions
	is.Equal(correct, 3)  // one right answer a game
	is.Equal(answered, 6) // two answered rounds a game
	is.True(!strings.Contains(top.Text, "[id"))
	is.Equal(stop(), 0) // (three games repeat their texts: checkNoDuplicates does not apply)
}

// TestTheDiscussionWarning: 10 s before a discussion of more than 15 s
// ends, the round's message is edited to say so, keeping its button, and
// no new message is sent; the discussion still ends on time.
func TestTheDiscussionWarning(t *testing.T) {
	t.Parallel()
	w := newWorld(t, pgtest.NewURL(t))
	stop := runBot(t, w, w.env("CHGK_DISCUSSION_SECONDS", "16", "CHGK_ROUNDS", "1"))
	c := w.chat(1, 101, 102)
	w.fake.Say(c.peer, 101, "/start")
	c.expect("начинает игру")
	w.fake.Say(c.peer, 101, "/go")
	round := c.expect("Раунд 1 из 1")
	var warned vksim.Edit
	for deadline := time.Now().Add(c.w.timeout); warned.CMID == 0; {
		for _, e := range w.fake.Edits() {
			if e.Peer == c.peer && e.CMID == round.CMID {
				warned = e
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the round's message was never edited")
		}
		time.Sleep(5 * time.Millisecond)
	}
	is := is.New(t)
	is.True(strings.HasPrefix(warned.Text, round.Text))                            // the round's message…
	is.True(strings.HasSuffix(warned.Text, "⏳ Осталось 10 секунд на обсуждение!")) // …gains the warning
	is.True(strings.Contains(warned.Keyboard, `Ответить досрочно`))                // and keeps its button
	is.True(warned.At.Sub(round.At) >= 6*time.Second)                              // 10 s before the end, not sooner
	timeUp := c.expect("⏰ Время!")
	c.checkNotEarly(round, timeUp, 16*time.Second) // the discussion still ends on time
	sent := w.fake.SentTo(c.peer)
	for _, m := range sent {
		is.True(!strings.Contains(m.Text, "на обсуждение!")) // no message of its own
	}
	w.fake.Say(c.peer, 101, "/stop")
	c.expect("остановил")
	is.Equal(stop(), 0)
}
