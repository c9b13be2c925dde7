package vksim_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/vksim"
)

// call posts body to the page API and decodes the answer into out.
func call(t *testing.T, s *vksim.Server, path, body string, out any) int {
	t.Helper()
	resp, err := http.Post(s.URL()+"/play/api"+path, "application/json", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

func TestPlaygroundAPI(t *testing.T) {
	eachKind(t, func(t *testing.T, newServer func(t *testing.T) *vksim.Server) {
		is := is.New(t)
		s := newServer(t)
		var chat struct{ Peer int64 }
		is.Equal(call(t, s, "/chats", `{"title":"Пятничная"}`, &chat), 200)
		is.Equal(chat.Peer, vksim.ChatPeer(1))
		var anna, boris struct{ ID int64 }
		is.Equal(call(t, s, fmt.Sprintf("/chats/%d/members", chat.Peer), `{"name":"Анна"}`, &anna), 200)
		is.Equal(call(t, s, fmt.Sprintf("/chats/%d/members", chat.Peer), `{"name":"  Борис   Б. "}`, &boris), 200)
		is.True(anna.ID != boris.ID)
		is.Equal(call(t, s, fmt.Sprintf("/chats/%d/messages", chat.Peer), fmt.Sprintf(`{"from":%d,"text":"/start"}`, anna.ID), nil), 200)
		peer := fmt.Sprint(chat.Peer)
		post(t, s, "messages.send", map[string][]string{"peer_ids": {peer}, "random_id": {"1"}, "message": {"Лобби"},
			"keyboard": {`{"inline":true,"buttons":[[{"action":{"type":"callback","label":"Я играю","payload":"{\"a\":\"join\"}"}},{"action":{"type":"text","label":"Текст","payload":"{\"a\":\"go\"}"}}]]}`}})
		sent := s.SentTo(chat.Peer)
		is.Equal(len(sent), 1)
		cmid := sent[0].CMID
		is.Equal(cmid, int64(5)) // after two joins, the bot's invite and /start
		events, stop := s.Watch()
		defer stop()
		is.Equal(call(t, s, "/chats/"+peer+"/press", fmt.Sprintf(`{"from":%d,"cmid":%d,"row":0,"column":0}`, boris.ID, cmid), nil), 200)
		is.Equal(s.Stats().Requests, 1)
		is.Equal(call(t, s, "/chats/"+peer+"/press", fmt.Sprintf(`{"from":%d,"cmid":%d,"row":0,"column":1}`, boris.ID, cmid), nil), 200)
		is.Equal(s.SentTo(chat.Peer)[0].Text, "Лобби")
		u := <-events
		is.Equal(u.Kind, "message") // the text button's message
		var state struct {
			Users []struct{ Name string }
			Chats []struct{ Members []int64 }
		}
		resp, err := http.Get(s.URL() + "/play/api/state")
		is.NoErr(err)
		is.NoErr(json.NewDecoder(resp.Body).Decode(&state))
		resp.Body.Close()
		is.Equal(state.Users[1].Name, "Борис Б.") // spaces tidied
		is.Equal(len(state.Chats[0].Members), 2)

		// Bad input gets a clear refusal and changes nothing.
		for _, bad := range []struct {
			path, body string
			status     int
		}{
			{"/chats", `{"title":""}`, 400},
			{"/chats", `{"title":"x","extra":1}`, 400},
			{"/chats", `not json`, 400},
			{"/chats/" + peer + "/members", `{"name":"[id1|Дуров]"}`, 400},
			{"/chats/" + peer + "/members", `{"name":"` + strings.Repeat("я", 41) + `"}`, 400},
			{"/chats/2000000099/members", `{"name":"Вера"}`, 404},
			{"/chats/" + peer + "/messages", `{"from":1,"text":"чужой"}`, 400},
			{"/chats/" + peer + "/messages", fmt.Sprintf(`{"from":%d,"text":"   "}`, anna.ID), 400},
			{"/chats/" + peer + "/press", fmt.Sprintf(`{"from":%d,"cmid":%d,"row":3,"column":0}`, anna.ID, cmid), 400},
			{"/chats/" + peer + "/press", fmt.Sprintf(`{"from":%d,"cmid":1,"row":0,"column":0}`, anna.ID), 400},
			{"/chats/" + peer + "/press", fmt.Sprintf(`{"from":%d,"cmid":999,"row":0,"column":0}`, anna.ID), 400},
		} {
			var e struct{ Error string }
			is.Equal(call(t, s, bad.path, bad.body, &e), bad.status) // refused
			is.True(e.Error != "")                                   // with a reason
		}
		resp, err = http.Get(s.URL() + "/play/api/chats/" + peer + "/messages")
		is.NoErr(err)
		var msgs []json.RawMessage
		is.NoErr(json.NewDecoder(resp.Body).Decode(&msgs))
		resp.Body.Close()
		is.Equal(len(msgs), 6) // nothing more
	})
}

// TestASlowWatcherIsDroppedNotStarved: a watcher that does not keep up has
// its channel closed (its page reconnects and reloads) instead of missing
// updates silently.
func TestASlowWatcherIsDroppedNotStarved(t *testing.T) {
	is := is.New(t)
	s := vksim.New(t, "tok", 7)
	s.AddUser(101, "Анна", "Иванова")
	peer := s.AddChat(1, true, 101)
	updates, stop := s.Watch()
	defer stop()
	n := 0
	for range 200 {
		s.Say(peer, 101, "ау")
	}
	for range updates {
		n++
	}
	is.True(n > 0 && n < 200) // it got what fitted, then its channel closed
}
