package vksim_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/postgres"
	"github.com/vkchgk/chgkbot/adapters/postgres/pgtest"
	"github.com/vkchgk/chgkbot/adapters/vksim"
)

// kinds are the two simulated VKs every API test runs on: the tests' in
// memory and the playground's, kept in PostgreSQL. They must answer alike.
var kinds = []struct {
	name string
	new  func(t *testing.T) *vksim.Server
}{
	{"memory", func(t *testing.T) *vksim.Server { return vksim.New(t, "tok", 7) }},
	{"postgres", func(t *testing.T) *vksim.Server {
		return vksim.NewWithStore(t, "tok", 7, postgres.NewSim(pgtest.New(t)))
	}},
}

// eachKind runs test on both kinds of simulated VK.
func eachKind(t *testing.T, test func(t *testing.T, newServer func(t *testing.T) *vksim.Server)) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) { test(t, k.new) })
	}
}

// post calls the fake's method API as a client would and decodes the
// whole answer.
func post(t *testing.T, s *vksim.Server, method string, form url.Values) map[string]json.RawMessage {
	t.Helper()
	form.Set("v", "5.199")
	form.Set("access_token", s.Token)
	resp, err := http.PostForm(s.APIURL()+"/"+method, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func errorCode(t *testing.T, answer map[string]json.RawMessage) int {
	t.Helper()
	var e struct {
		Code int `json:"error_code"`
	}
	if raw, ok := answer["error"]; ok {
		_ = json.Unmarshal(raw, &e)
	}
	return e.Code
}

func TestExecuteRunsEachCallAsItsDirectCall(t *testing.T) {
	eachKind(t, func(t *testing.T, newServer func(t *testing.T) *vksim.Server) {
		is := is.New(t)
		s := newServer(t)
		a, b := s.AddChat(1, false), s.AddChat(2, false)
		kb := `{"inline":true,"buttons":[[{"action":{"type":"callback","label":"Да","payload":"{\"a\":\"join\"}"},"color":"positive"}]]}`
		code := fmt.Sprintf(`return [API.messages.send({"peer_ids":"%d","random_id":"5","message":"Привет, \"мир\"","keyboard":%q}),
			API.messages.send({peer_ids: %d, random_id: 6, message: 'второй \'чат\''}),
			API.messages.edit({"peer_id":%d,"conversation_message_id":1,"message":"правка"})];`, a, kb, b, a)
		ans := post(t, s, "execute", url.Values{"code": {code}})
		is.Equal(errorCode(t, ans), 0) // the whole request ran
		var results []json.RawMessage
		is.NoErr(json.Unmarshal(ans["response"], &results))
		is.Equal(len(results), 3) // one result per call, in order
		var sent []struct {
			Peer int64 `json:"peer_id"`
			CMID int64 `json:"conversation_message_id"`
		}
		is.NoErr(json.Unmarshal(results[0], &sent))
		is.Equal(sent[0].Peer, a)                      // the peer_ids form's answer, as direct
		is.Equal(sent[0].CMID, int64(1))               // with the message's cmid
		is.Equal(string(results[2]), "1")              // the edit's 1
		is.Equal(s.SentTo(a)[0].Text, `Привет, "мир"`) // JSON escapes understood
		is.Equal(s.SentTo(a)[0].Keyboard, kb)          // a keyboard passed as its JSON text
		is.Equal(s.SentTo(b)[0].Text, "второй 'чат'")  // single quotes and bare keys too
		is.Equal(s.Edits()[0].Text, "правка")
		st := s.Stats()
		is.Equal(st.Requests, 1) // one request against the limit
		is.Equal(st.Calls, 3)    // three calls run
		is.Equal(st.Executes, 1)

		again := post(t, s, "execute", url.Values{"code": {fmt.Sprintf(
			`var r = []; r.push(API.messages.send({"peer_ids":"%d","random_id":"5","message":"Привет"})); return r;`, a)}})
		is.NoErr(json.Unmarshal(again["response"], &results))
		is.NoErr(json.Unmarshal(results[0], &sent))
		is.Equal(sent[0].CMID, int64(1)) // the push form works, and random_id de-duplicates inside execute as outside
		is.Equal(len(s.SentTo(a)), 1)    // nothing new
	})
}

func TestExecuteFailedCallsAreFalseWithTheirErrors(t *testing.T) {
	eachKind(t, func(t *testing.T, newServer func(t *testing.T) *vksim.Server) {
		is := is.New(t)
		s := newServer(t)
		a := s.AddChat(1, false)
		s.FailNext("messages.sendMessageEventAnswer", 100, 1)
		code := fmt.Sprintf(`return [API.messages.edit({"peer_id":%d,"conversation_message_id":42,"message":"x"}),
			API.messages.send({"peer_ids":"%d","random_id":"1","message":"ok"}),
			API.messages.sendMessageEventAnswer({"event_id":"e","user_id":"1","peer_id":"%d"}),
			API.messages.send({"peer_ids":"%d","random_id":"2","message":"%s"})];`, a, a, a, a, strings.Repeat("я", 5000))
		ans := post(t, s, "execute", url.Values{"code": {code}})
		var results []json.RawMessage
		is.NoErr(json.Unmarshal(ans["response"], &results))
		is.Equal(string(results[0]), "false")  // not the bot's message
		is.True(string(results[1]) != "false") // the good send went
		is.Equal(string(results[2]), "false")  // the injected fault
		is.Equal(string(results[3]), "false")  // too long
		var errs []struct {
			Method string `json:"method"`
			Code   int    `json:"error_code"`
		}
		is.NoErr(json.Unmarshal(ans["execute_errors"], &errs))
		is.Equal(len(errs), 3) // one error per failed call, in call order
		is.Equal(errs[0].Code, 15)
		is.Equal(errs[0].Method, "messages.edit")
		is.Equal(errs[1].Code, 100)
		is.Equal(errs[2].Code, 914)
		is.Equal(len(s.SentTo(a)), 1) // only the good send
	})
}

func TestExecuteRefusesWhatItCannotRun(t *testing.T) {
	eachKind(t, func(t *testing.T, newServer func(t *testing.T) *vksim.Server) {
		is := is.New(t)
		s := newServer(t)
		a := s.AddChat(1, false)
		call := fmt.Sprintf(`API.messages.send({"peer_ids":"%d","random_id":"%%d","message":"x"})`, a)
		var calls []string
		for i := range 26 {
			calls = append(calls, fmt.Sprintf(call, i+1))
		}
		ans := post(t, s, "execute", url.Values{"code": {"return [" + strings.Join(calls, ",") + "];"}})
		is.Equal(errorCode(t, ans), 13) // more than 25 calls
		is.Equal(len(s.SentTo(a)), 0)   // ran nothing
		for _, bad := range []string{"", "return API;", "return [API.messages.send({peer_ids: 1)];", "while(1){}",
			`return [API.messages.send({"a":"b"})]; x`, `return [API.messages.send("x")];`} {
			is.Equal(errorCode(t, post(t, s, "execute", url.Values{"code": {bad}})), 12) // code outside the subset does not compile
		}
		s = newServer(t) // a fresh one: no requests yet in this second
		s.AddChat(1, false)
		s.SetRPS(1)
		refused := 0
		for i := range 3 { // three requests in a moment: one wall-clock second boundary at most among them
			two := fmt.Sprintf("return [%s,%s];", fmt.Sprintf(call, 100+2*i), fmt.Sprintf(call, 101+2*i))
			if errorCode(t, post(t, s, "execute", url.Values{"code": {two}})) == 6 {
				refused++
			}
		}
		is.True(refused >= 1 && refused <= 2) // an execute is one request against the limit, however many calls it makes
	})
}

// poll asks the long-poll server for the updates after ts.
func poll(t *testing.T, s *vksim.Server, ts string) (next string, updates []json.RawMessage) {
	t.Helper()
	lp := post(t, s, "groups.getLongPollServer", url.Values{"group_id": {"7"}})
	var srv struct {
		Server, Key, TS string
	}
	if err := json.Unmarshal(lp["response"], &srv); err != nil {
		t.Fatal(err)
	}
	if ts == "" {
		ts = srv.TS
	}
	resp, err := http.Get(srv.Server + "?act=a_check&wait=0&key=" + srv.Key + "&ts=" + ts)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		TS      string            `json:"ts"`
		Updates []json.RawMessage `json:"updates"`
		Failed  int               `json:"failed"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Failed != 0 {
		t.Fatalf("long poll from ts %s: failed %d, %v", ts, out.Failed, err)
	}
	return out.TS, out.Updates
}

func TestSendEditAnswerAndPoll(t *testing.T) {
	eachKind(t, func(t *testing.T, newServer func(t *testing.T) *vksim.Server) {
		is := is.New(t)
		s := newServer(t)
		s.AddUser(101, "Анна", "Иванова")
		peer := s.AddChat(1, true, 101)
		start, _ := poll(t, s, "")
		s.Say(peer, 101, "/start")
		ts, updates := poll(t, s, start)
		is.Equal(len(updates), 1) // the member's message
		is.True(strings.Contains(string(updates[0]), `"/start"`))
		sent := post(t, s, "messages.send", url.Values{"peer_ids": {fmt.Sprint(peer)}, "random_id": {"9"}, "message": {"Привет"}})
		is.True(strings.Contains(string(sent["response"]), `"conversation_message_id":2`)) // after the member's cmid 1
		cb := s.Press(peer, 101, map[string]string{"a": "join"}, 2)
		_, updates = poll(t, s, ts)
		is.Equal(len(updates), 1) // the press
		is.Equal(string(post(t, s, "messages.sendMessageEventAnswer", url.Values{"event_id": {cb}, "user_id": {"101"},
			"peer_id": {fmt.Sprint(peer)}, "event_data": {`{"type":"show_snackbar","text":"ок"}`}})["response"]), "1")
		is.Equal(string(post(t, s, "messages.edit", url.Values{"peer_id": {fmt.Sprint(peer)}, "conversation_message_id": {"2"},
			"message": {"Пока"}})["response"]), "1")
		is.Equal(errorCode(t, post(t, s, "messages.edit", url.Values{"peer_id": {fmt.Sprint(peer)}, "conversation_message_id": {"1"},
			"message": {"чужое"}})), 15) // a member's message is not the bot's to edit
		is.Equal(errorCode(t, post(t, s, "messages.send", url.Values{"peer_id": {fmt.Sprint(peer)}, "message": {"x"}})), 100) // random_id is required
		is.Equal(len(s.SentTo(peer)), 1)
		is.Equal(s.Edits()[0].Text, "Пока")
	})
}

// TestStateOutlivesARestart: a second simulated VK on the first one's
// database carries on — the chats, members and messages, the edits, the
// long-poll history and position, random_id's de-duplication, a press
// still to be answered.
func TestStateOutlivesARestart(t *testing.T) {
	is := is.New(t)
	db := pgtest.New(t)
	first := vksim.NewWithStore(t, "tok", 7, postgres.NewSim(db))
	first.AddUser(101, "Анна", "Иванова")
	peer := first.AddChat(1, true, 101)
	start, _ := poll(t, first, "")
	first.Say(peer, 101, "/start")
	post(t, first, "messages.send", url.Values{"peer_ids": {fmt.Sprint(peer)}, "random_id": {"9"}, "message": {"Привет"}})
	post(t, first, "messages.edit", url.Values{"peer_id": {fmt.Sprint(peer)}, "conversation_message_id": {"2"}, "message": {"Привет!"}})
	cb := first.Press(peer, 101, map[string]string{"a": "join"}, 2)
	first.Close()

	s := vksim.NewWithStore(t, "tok", 7, postgres.NewSim(db))
	_, updates := poll(t, s, start)
	is.Equal(len(updates), 2) // the history from the old position: the message and the press
	again := post(t, s, "messages.send", url.Values{"peer_ids": {fmt.Sprint(peer)}, "random_id": {"9"}, "message": {"Привет"}})
	is.True(strings.Contains(string(again["response"]), `"conversation_message_id":2`)) // a resend is still a repeat
	is.Equal(len(s.SentTo(peer)), 1)
	is.Equal(string(post(t, s, "messages.sendMessageEventAnswer", url.Values{"event_id": {cb}, "user_id": {"101"},
		"peer_id": {fmt.Sprint(peer)}})["response"]), "1") // the press is still answerable
	s.Say(peer, 101, "ещё")
	_, updates = poll(t, s, start)
	is.Equal(len(updates), 3)
	is.True(strings.Contains(string(updates[2]), `"conversation_message_id":3`)) // cmids go on
	is.True(strings.Contains(string(updates[2]), `"event_id":"`))
	resp, err := http.Get(s.URL() + fmt.Sprintf("/play/api/chats/%d/messages", peer))
	is.NoErr(err)
	defer resp.Body.Close()
	var msgs []struct {
		CMID   int64   `json:"cmid"`
		Text   string  `json:"text"`
		Edited *string `json:"edited"`
	}
	is.NoErr(json.NewDecoder(resp.Body).Decode(&msgs))
	is.Equal(len(msgs), 3)
	is.Equal(msgs[1].Text, "Привет!") // the edit was kept
	is.True(msgs[1].Edited != nil)
}

// blinking is a Store that refuses to save while down.
type blinking struct {
	vksim.Store
	down atomic.Bool
}

func (b *blinking) Save(ctx context.Context, c vksim.Change) error {
	if b.down.Load() {
		return errors.New("the database does not answer")
	}
	return b.Store.Save(ctx, c)
}

// TestAStoreThatFailsChangesNothing: while the database does not answer,
// a send is refused with error 10 (temporary: the bot retries) and a
// member's message with a 503, and nothing is half made.
func TestAStoreThatFailsChangesNothing(t *testing.T) {
	is := is.New(t)
	store := &blinking{Store: postgres.NewSim(pgtest.New(t))}
	s := vksim.NewWithStore(t, "tok", 7, store)
	s.AddUser(101, "Анна", "Иванова")
	peer := s.AddChat(1, true, 101)
	form := url.Values{"peer_ids": {fmt.Sprint(peer)}, "random_id": {"9"}, "message": {"Привет"}}
	store.down.Store(true)
	is.Equal(errorCode(t, post(t, s, "messages.send", form)), 10)
	is.Equal(call(t, s, fmt.Sprintf("/chats/%d/messages", peer), `{"from":101,"text":"ау"}`, nil), http.StatusServiceUnavailable)
	is.Equal(len(s.SentTo(peer)), 0)
	store.down.Store(false)
	ans := post(t, s, "messages.send", form)
	is.True(strings.Contains(string(ans["response"]), `"conversation_message_id":1`)) // the cmid the refused send did not take
	is.Equal(len(s.SentTo(peer)), 1)
}
