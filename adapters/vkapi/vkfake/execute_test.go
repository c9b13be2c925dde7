package vkfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/matryer/is"
)

// post calls the fake's method API as a client would and decodes the
// whole answer.
func post(t *testing.T, s *Server, method string, form url.Values) map[string]json.RawMessage {
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
	is := is.New(t)
	s := New(t, "tok", 7)
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
}

func TestExecuteFailedCallsAreFalseWithTheirErrors(t *testing.T) {
	is := is.New(t)
	s := New(t, "tok", 7)
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
}

func TestExecuteRefusesWhatItCannotRun(t *testing.T) {
	is := is.New(t)
	s := New(t, "tok", 7)
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
	s = New(t, "tok", 7) // a fresh one: no requests yet in this second
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
}

func TestFormValues(t *testing.T) {
	is := is.New(t)
	calls, err := parseVKScript(`return [API.users.get({user_ids: [1, 2, 3], flag: true, off: false, n: -1.5,
		kb: {"inline": true, "buttons": []}})];`)
	is.NoErr(err)
	p := calls[0].params
	is.Equal(calls[0].method, "users.get")
	is.Equal(p.Get("user_ids"), "1,2,3") // an array of scalars is a comma list
	is.Equal(p.Get("flag"), "1")         // booleans are 1/0
	is.Equal(p.Get("off"), "0")
	is.Equal(p.Get("n"), "-1.5")
	is.Equal(p.Get("kb"), `{"buttons":[],"inline":true}`) // a nested object is its JSON text
}

func FuzzParseVKScript(f *testing.F) {
	f.Add(`return [API.messages.send({"peer_ids":"1","message":"x"})];`)
	f.Add(`var r = []; r.push(API.a.b({k: 'v'})); return r;`)
	f.Add(`return [API.a.b({k: [1, {"x": "\u0041"}]})];`)
	f.Fuzz(func(t *testing.T, code string) {
		calls, err := parseVKScript(code)
		if err == nil {
			for _, c := range calls {
				if !strings.Contains(c.method, ".") {
					t.Fatalf("method %q without a section", c.method)
				}
			}
		}
	})
}
