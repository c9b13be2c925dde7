package vkapi_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/postgres"
	"github.com/vkchgk/chgkbot/adapters/postgres/pgtest"
	"github.com/vkchgk/chgkbot/adapters/vkapi"
	"github.com/vkchgk/chgkbot/adapters/vksim"
)

const token, group = "secret-token", 77

func setup(t *testing.T) (*vksim.Server, *vkapi.Client, int64) {
	t.Helper()
	return setupOn(t, vksim.New(t, token, group))
}

// setupOnPostgres is setup on the playground's kind of simulated VK, kept
// in PostgreSQL: the client must find it the same.
func setupOnPostgres(t *testing.T) (*vksim.Server, *vkapi.Client, int64) {
	t.Helper()
	return setupOn(t, vksim.NewWithStore(t, token, group, postgres.NewSim(pgtest.New(t))))
}

// onBothVKs runs test with each kind of simulated VK.
func onBothVKs(t *testing.T, test func(t *testing.T, setup func(*testing.T) (*vksim.Server, *vkapi.Client, int64))) {
	t.Run("memory", func(t *testing.T) { test(t, setup) })
	t.Run("postgres", func(t *testing.T) { test(t, setupOnPostgres) })
}

func setupOn(t *testing.T, vk *vksim.Server) (*vksim.Server, *vkapi.Client, int64) {
	t.Helper()
	vk.AddUser(101, "Анна", "Каренина")
	vk.AddUser(102, "Борис", "Годунов")
	peer := vk.AddChat(1, false, 101, 102)
	c, err := vkapi.New(vkapi.Config{Token: token, URL: vk.APIURL(), Backoff: time.Millisecond, MaxWait: 5 * time.Millisecond, Flood: 20 * time.Millisecond, RPS: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return vk, c, peer
}

func TestSendAndDedup(t *testing.T) { onBothVKs(t, testSendAndDedup) }

func testSendAndDedup(t *testing.T, setup func(*testing.T) (*vksim.Server, *vkapi.Client, int64)) {
	t.Parallel()
	is := is.New(t)
	vk, c, peer := setup(t)
	ctx := context.Background()
	kb := &vkapi.Keyboard{Inline: true, Buttons: [][]vkapi.Button{{vkapi.Callback("Я играю", map[string]string{"cmd": "join"}, "positive")}}}
	cmid, err := c.Send(ctx, vkapi.Message{Peer: peer, RandomID: 42, Text: "Привет", Keyboard: kb})
	is.NoErr(err)     // sent
	is.True(cmid > 0) // the chat message's cmid is learnt
	again, err := c.Send(ctx, vkapi.Message{Peer: peer, RandomID: 42, Text: "Привет"})
	is.NoErr(err)
	is.Equal(again, cmid)             // a resend returns the first message's ids
	is.Equal(len(vk.SentTo(peer)), 1) // and creates nothing
	other, err := c.Send(ctx, vkapi.Message{Peer: peer, RandomID: 43, Text: "Ещё"})
	is.NoErr(err)
	is.True(other != cmid) // another random_id is another message
	_, err = c.Send(ctx, vkapi.Message{Peer: peer, Text: "без random_id"})
	is.True(err != nil) // random_id 0 is refused client-side
}

func TestPermanentErrorsFailAtOnce(t *testing.T) {
	t.Parallel()
	for _, code := range []int{5, 7, 15, 100, 901, 911, 914, 917} {
		is := is.New(t)
		vk, c, peer := setup(t)
		vk.FailNext("messages.send", code, 1)
		_, err := c.Send(context.Background(), vkapi.Message{Peer: peer, RandomID: 1, Text: "x"})
		var ve *vkapi.Error
		is.True(errors.As(err, &ve))      // a typed error
		is.Equal(ve.Code, code)           // with VK's code
		is.Equal(vk.Stats().Requests, 1)  // and no retry
		is.Equal(len(vk.SentTo(peer)), 0) // nothing sent
	}
}

func TestTransientErrorsAreRetried(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	vk, c, peer := setup(t)
	vk.FailNext("messages.send", 6, 1)
	vk.FailNext("messages.send", 10, 1)
	vk.HTTPFailNext("messages.send", 502, 1)
	vk.FailNext("messages.send", 1, 1)
	vk.FailNext("messages.send", 9, 1)
	_, err := c.Send(context.Background(), vkapi.Message{Peer: peer, RandomID: 7, Text: "дойдёт"})
	is.NoErr(err)                     // five transient failures, then success
	is.Equal(vk.Stats().Requests, 6)  // each retried once
	is.Equal(len(vk.SentTo(peer)), 1) // and the message arrives once

	vk.FailNext("messages.send", 10, 6) // the first try and five retries
	_, err = c.Send(context.Background(), vkapi.Message{Peer: peer, RandomID: 8, Text: "не дойдёт"})
	is.Equal(vkapi.Code(err), 10) // gives up after the retries, with the last error
	is.True(temporary(err))       // saying that it may pass: the bus delivers the message again later
	vk.HTTPFailNext("messages.send", 503, 6)
	_, err = c.Send(context.Background(), vkapi.Message{Peer: peer, RandomID: 9, Text: "не дойдёт"})
	is.True(temporary(err)) // so does an HTTP 5xx

	vk.FailNext("messages.send", 917, 1)
	_, err = c.Send(context.Background(), vkapi.Message{Peer: peer, RandomID: 10, Text: "не дойдёт"})
	is.True(!temporary(err)) // a permanent error does not

	dead := vksim.New(t, token, group)
	url := dead.APIURL()
	dead.Close()
	c2, err := vkapi.New(vkapi.Config{Token: token, URL: url, Backoff: time.Millisecond, MaxWait: time.Millisecond, RPS: 1000})
	is.NoErr(err)
	_, err = c2.Send(context.Background(), vkapi.Message{Peer: peer, RandomID: 11, Text: "никуда"})
	is.True(err != nil && temporary(err)) // and a network failure does, though net's own errors say otherwise
}

func temporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

func TestCancelStopsRetries(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	vk := vksim.New(t, token, group)
	peer := vk.AddChat(1, false)
	c, err := vkapi.New(vkapi.Config{Token: token, URL: vk.APIURL(), Backoff: time.Hour, MaxWait: time.Hour})
	is.NoErr(err)
	vk.FailNext("messages.send", 10, 100)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := c.Send(ctx, vkapi.Message{Peer: peer, RandomID: 1, Text: "x"})
		done <- err
	}()
	for vk.Stats().Requests == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		is.True(errors.Is(err, context.Canceled)) // the retry loop ends with the context
	case <-time.After(5 * time.Second):
		t.Fatal("cancel did not stop the retry loop")
	}
}

func TestRateLimitHolds(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	vk := vksim.New(t, token, group)
	peer := vk.AddChat(1, false)
	c, err := vkapi.New(vkapi.Config{Token: token, URL: vk.APIURL()}) // VK's 20 per second
	is.NoErr(err)
	const n = 200
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Send(context.Background(), vkapi.Message{Peer: peer, RandomID: int64(i + 1), Text: "burst"}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	st := vk.Stats()
	is.Equal(st.Err6, 0)              // never over the budget
	is.True(st.MaxPerSec <= 20)       // in any wall-clock second at VK's end
	is.Equal(len(vk.SentTo(peer)), n) // and everything arrives, once
	t.Logf("%d sends in %v: %.1f requests/s, %d error 6, per second %v", n, took, float64(n)/took.Seconds(), st.Err6, vk.PerSecond())
}

func TestOtherMethods(t *testing.T) { onBothVKs(t, testOtherMethods) }

func testOtherMethods(t *testing.T, setup func(*testing.T) (*vksim.Server, *vkapi.Client, int64)) {
	t.Parallel()
	is := is.New(t)
	vk, c, peer := setup(t)
	ctx := context.Background()

	lp, err := c.LongPollServer(ctx, group)
	is.NoErr(err)
	is.True(lp.Server != "" && lp.Key != "" && lp.TS != "") // where to poll
	_, err = c.LongPollServer(ctx, group+1)
	is.Equal(vkapi.Code(err), 100) // another community's id is refused

	users, err := c.Users(ctx, 101, 102, 999)
	is.NoErr(err)
	is.Equal(users[101].FirstName, "Анна") // names
	is.Equal(len(users), 2)                // unknown ids are left out
	before := vk.Stats().Requests
	_, err = c.Users(ctx, 101, 102)
	is.NoErr(err)
	is.Equal(vk.Stats().Requests, before) // cached names need no call

	_, err = c.Members(ctx, peer)
	is.Equal(vkapi.Code(err), 917) // not an admin: 917, a typed error to ignore
	vk.SetAdmin(peer, true)
	members, err := c.Members(ctx, peer)
	is.NoErr(err)
	is.Equal(len(members), 2) // an admin sees the members

	cmid, err := c.Send(ctx, vkapi.Message{Peer: peer, RandomID: 5, Text: "Кто отвечает?"})
	is.NoErr(err)
	is.NoErr(c.Edit(ctx, peer, cmid, "Отвечает Анна", nil)) // the bot edits its own message
	is.Equal(vk.Edits()[0].Text, "Отвечает Анна")
	is.Equal(vk.Edits()[0].Keyboard, `{"inline":true,"buttons":[]}`)    // and drops its buttons
	is.Equal(vkapi.Code(c.Edit(ctx, peer, cmid+100, "чужое", nil)), 15) // not its message: 15

	cb := vk.Press(peer, 102, map[string]string{"cmd": "choose"}, cmid)
	is.NoErr(c.AnswerEvent(ctx, cb, 102, peer, "Выбирает только капитан"))
	is.Equal(vk.Answers()[0].EventData, `{"text":"Выбирает только капитан","type":"show_snackbar"}`) // a snackbar
	is.Equal(vkapi.Code(c.AnswerEvent(ctx, "nope", 102, peer, "")), 100)                             // an unknown event id is refused
}

func TestKeyboardLimits(t *testing.T) {
	is := is.New(t)
	btn := vkapi.Callback("ok", map[string]int{"a": 1}, "")
	row := func(n int) []vkapi.Button {
		r := make([]vkapi.Button, n)
		for i := range r {
			r[i] = btn
		}
		return r
	}
	is.NoErr((&vkapi.Keyboard{Inline: true, Buttons: [][]vkapi.Button{row(5), row(5)}}).Validate())               // 10 inline buttons fit
	is.True((&vkapi.Keyboard{Inline: true, Buttons: [][]vkapi.Button{row(5), row(5), row(1)}}).Validate() != nil) // 11 do not
	is.True((&vkapi.Keyboard{Inline: true, Buttons: [][]vkapi.Button{row(6)}}).Validate() != nil)                 // 6 in a row do not
	long := vkapi.Callback("очень длинная надпись на кнопке, длиннее сорока знаков", nil, "")
	is.True((&vkapi.Keyboard{Inline: true, Buttons: [][]vkapi.Button{{long}}}).Validate() != nil) // labels ≤ 40
	big := vkapi.Callback("x", map[string]string{"p": string(make([]byte, 300))}, "")
	is.True((&vkapi.Keyboard{Inline: true, Buttons: [][]vkapi.Button{{big}}}).Validate() != nil) // payloads ≤ 255 bytes
	rows := make([][]vkapi.Button, 7)
	for i := range rows {
		rows[i] = row(1)
	}
	is.True((&vkapi.Keyboard{Inline: true, Buttons: rows}).Validate() != nil) // ≤ 6 inline rows
}

// TestSentAtAndOnSent: VK says when a bot's message arrived, in whole
// seconds, for the first send and for a resend of the same random_id; the
// fake shows a test each new message before the bot has VK's answer.
func TestSentAtAndOnSent(t *testing.T) { onBothVKs(t, testSentAtAndOnSent) }

func testSentAtAndOnSent(t *testing.T, setup func(*testing.T) (*vksim.Server, *vkapi.Client, int64)) {
	t.Parallel()
	is := is.New(t)
	vk, c, peer := setup(t)
	ctx := context.Background()
	var seen []vksim.Sent
	var mu sync.Mutex
	vk.OnSent(func(s vksim.Sent) { mu.Lock(); seen = append(seen, s); mu.Unlock() })
	before := time.Now()
	cmid, err := c.Send(ctx, vkapi.Message{Peer: peer, RandomID: 9, Text: "Раунд 1"})
	is.NoErr(err)
	_, err = c.Send(ctx, vkapi.Message{Peer: peer, RandomID: 9, Text: "Раунд 1"}) // a resend
	is.NoErr(err)
	mu.Lock()
	is.Equal(len(seen), 1) // the hook saw the one new message, not the resend
	is.Equal(seen[0].CMID, cmid)
	mu.Unlock()
	at, err := c.SentAt(ctx, peer, cmid)
	is.NoErr(err)
	is.True(!at.After(time.Now()))                                        // VK's time of the message
	is.True(at.After(before.Truncate(time.Second).Add(-time.Nanosecond))) // in whole seconds, not before the send's second
	_, err = c.SentAt(ctx, peer, cmid+100)
	is.True(err != nil) // a message VK does not have is an error
}
