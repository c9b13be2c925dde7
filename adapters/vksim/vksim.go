// Package vksim is a simulated VK: the method API and the Bots Long
// Poll server over real HTTP, faithful to ../shared/VK.md, plus a control
// surface to play chat members and inject faults. Tests run it in memory
// (New, Start); the playground runs it with a Store that keeps its chats,
// members, messages and updates (Open), and serves a web page through
// which people play the chats' members (Playground).
//
// What it emulates: token check (error 5), API version check (error 8),
// errors in VK's shape, groups.getLongPollServer, messages.send (peer_id or
// peer_ids, random_id de-duplication per peer returning the first message's
// ids, keyboard validation with error 911, text length with error 914,
// per-peer errors), execute (the subset of VKScript a batching client
// sends: up to 25 calls, each run as its direct call would be, false and
// execute_errors for the failed ones, one request against the limit),
// messages.edit by conversation_message_id (error 15 for
// a message that is not the bot's), messages.sendMessageEventAnswer (event
// ids valid for one minute), users.get, messages.getConversationMembers
// (917 unless the bot is a chat admin), and a per-token limit of requests
// per second answered with error 6. The long poll answers a_check with
// ts/updates, waits up to `wait` seconds for new events, and answers
// failed 1/2/3 on demand or on an expired key.
//
// What it does not: captcha (14), flood control by content (9) except when
// injected, attachments, message deletion, the real HTML escaping of text.
package vksim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Sent is a message the bot sent.
type Sent struct {
	Peer     int64
	RandomID int64
	CMID     int64
	Text     string
	Keyboard string // the keyboard JSON as sent, "" for none
	At       time.Time
}

// Edit is an edit the bot made.
type Edit struct {
	Peer     int64
	CMID     int64
	Text     string
	Keyboard string
	At       time.Time
}

// Answer is a callback answer the bot gave.
type Answer struct {
	EventID   string
	User      int64
	Peer      int64
	EventData string // "" when the spinner was just stopped
	At        time.Time
}

// Server is a running fake VK. Its zero value is not usable: call New.
type Server struct {
	Token   string
	GroupID int64
	RPS     int // requests per second per token before error 6; 20 by default (change with SetRPS)

	srv *httptest.Server

	mu       sync.Mutex
	store    Store // nil: in memory only
	watchers map[chan Update]struct{}
	hangup   chan struct{} // closed by Hangup
	wake     chan struct{} // closed and replaced when an event is added
	events   []json.RawMessage
	firstTS  int64 // ts of events[0]
	key      string
	keyN     int
	users    map[int64]string // id → "First Last"
	chats    map[int64]*chat
	sent     []Sent
	edits    []Edit
	answers  []Answer
	dedup    map[[2]int64]int64 // (peer, random_id) → cmid
	cbs      map[string]callback
	faults   map[string][]fault
	pollFail []int
	dropPoll int
	delay    time.Duration
	second   int64
	inSecond int
	err6     int
	perSec   map[int64]int // method-API requests per unix second
	requests int
	calls    int // API calls, direct or inside an execute
	executes int
	eventSeq int
	polls    int // a_check requests served with a valid key
	onSent   func(Sent)
}

type chat struct {
	title   string
	members map[int64]bool
	admin   bool // the bot is an admin of the chat
	cmid    int64
	botMsgs map[int64]bool
	msgs    []Message // every message, msgs[i].CMID == i+1
}

func newChat(title string, admin bool) *chat {
	return &chat{title: title, admin: admin, members: map[int64]bool{}, botMsgs: map[int64]bool{}}
}

// record is the chat's state as its Store keeps it.
func (c *chat) record(peer int64) Chat {
	r := Chat{Peer: peer, Title: c.title, Admin: c.admin}
	for m := range c.members {
		r.Members = append(r.Members, m)
	}
	sort.Slice(r.Members, func(i, j int) bool { return r.Members[i] < r.Members[j] })
	return r
}

type callback struct {
	at   time.Time
	user int64
	peer int64
}

type fault struct {
	code   int // VK error code, or -status for an HTTP status
	detail string
}

// New starts a fake VK for community groupID with token; it stops when t ends.
func New(t testing.TB, token string, groupID int64) *Server {
	s := Start(token, groupID)
	t.Cleanup(s.Close)
	return s
}

// NewWithStore starts a simulated VK whose state is read from and written
// to store, as the playground's is; it stops when t ends. A second one on
// the same store carries on where the first stopped.
func NewWithStore(t testing.TB, token string, groupID int64, store Store) *Server {
	t.Helper()
	s, err := Open(context.Background(), token, groupID, store)
	if err != nil {
		t.Fatal(err)
	}
	s.listen()
	t.Cleanup(s.Close)
	return s
}

// URL is the base address of a server started by New, Start or
// NewWithStore: the playground page is at URL()+"/".
func (s *Server) URL() string { return s.srv.URL }

// Start starts a fake VK outside a test (the load tool's); Close stops it.
func Start(token string, groupID int64) *Server {
	s := newServer(token, groupID)
	s.listen()
	return s
}

// listen serves the method API, the long poll and the playground on a
// test server of their own.
func (s *Server) listen() {
	mux := http.NewServeMux()
	s.Mount(mux, "")
	s.Playground(mux)
	s.srv = httptest.NewServer(mux)
}

func newServer(token string, groupID int64) *Server {
	return &Server{
		Token: token, GroupID: groupID, RPS: 20,
		wake: make(chan struct{}), key: "key1", keyN: 1, firstTS: 1,
		users: map[int64]string{}, chats: map[int64]*chat{}, dedup: map[[2]int64]int64{},
		cbs: map[string]callback{}, faults: map[string][]fault{}, perSec: map[int64]int{},
		watchers: map[chan Update]struct{}{}, hangup: make(chan struct{}),
	}
}

// Mount serves the method API at prefix+"/method/{name}" and the long-poll
// server at prefix+"/lp" on mux. The long-poll address the API gives out is
// then the one the asking client reached, so a bot in another container
// polls the host name it was configured with.
func (s *Server) Mount(mux *http.ServeMux, prefix string) {
	mux.HandleFunc(prefix+"/method/{name}", s.method)
	mux.HandleFunc(prefix+"/lp", s.poll)
}

// SetRPS changes the per-second limit of method calls before error 6.
func (s *Server) SetRPS(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.RPS = n
}

// Close stops the server started by New or Start.
func (s *Server) Close() {
	if s.srv != nil {
		s.srv.Close()
	}
}

// APIURL is the base of the method API, the client's VK_API_URL, of a
// server started by New or Start.
func (s *Server) APIURL() string { return s.srv.URL + "/method" }

// ChatPeer is the peer id of chat n.
func ChatPeer(n int) int64 { return 2_000_000_000 + int64(n) }

// AddUser registers a VK user with a name.
func (s *Server) AddUser(id int64, first, last string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	must(s.addUser(id, strings.TrimSpace(first+" "+last)))
}

// addUser registers user id as name; s.mu must be held.
func (s *Server) addUser(id int64, name string) error {
	if err := s.save(Change{Users: []User{{ID: id, Name: name}}}); err != nil {
		return err
	}
	s.users[id] = name
	return nil
}

// must stops a test whose in-memory fake failed: with no Store it cannot.
func must(err error) {
	if err != nil {
		panic(err)
	}
}

// AddChat creates chat n with the bot and members, and returns its peer id.
// admin makes the bot an admin (getConversationMembers works).
func (s *Server) AddChat(n int, admin bool, members ...int64) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := newChat(fmt.Sprintf("Беседа %d", n), admin)
	for _, m := range members {
		c.members[m] = true
	}
	must(s.putChat(ChatPeer(n), c))
	return ChatPeer(n)
}

// putChat stores chat c of peer; s.mu must be held.
func (s *Server) putChat(peer int64, c *chat) error {
	if err := s.save(Change{Chats: []Chat{c.record(peer)}}); err != nil {
		return err
	}
	s.chats[peer] = c
	s.notify(Update{Kind: "chat", Peer: peer})
	return nil
}

// Say makes user write text in peer, as a message_new update. It returns
// the update's event_id.
func (s *Server) Say(peer, user int64, text string) string {
	return s.message(peer, user, text, "", nil)
}

// PressText makes user press a text button with label and payload (a JSON
// string), as clients without callback support do: a message_new with the
// payload as a string.
func (s *Server) PressText(peer, user int64, label, payload string) string {
	return s.message(peer, user, label, payload, nil)
}

// Invite adds the bot to peer, as a service message_new with the
// chat_invite_user action of -GroupID.
func (s *Server) Invite(peer, by int64) string {
	return s.message(peer, by, "", "", map[string]any{"type": "chat_invite_user", "member_id": -s.GroupID})
}

func (s *Server) message(peer, user int64, text, payload string, action map[string]any) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := s.post(peer, user, text, payload, action)
	must(err)
	return id
}

// post writes a member's message into peer as a message_new update, and
// keeps it in the chat's history; s.mu must be held.
func (s *Server) post(peer, user int64, text, payload string, action map[string]any) (string, error) {
	cmid := int64(0)
	c, ok := s.chats[peer]
	if ok {
		cmid = c.cmid + 1
	}
	now := time.Now()
	msg := map[string]any{
		"date": now.Unix(), "from_id": user, "id": 0, "out": 0, "version": 1,
		"attachments": []any{}, "conversation_message_id": cmid, "fwd_messages": []any{},
		"important": false, "is_hidden": false, "peer_id": peer, "random_id": 0, "text": text,
	}
	if peer < 2_000_000_000 {
		msg["id"] = cmid + 1000
	}
	if payload != "" {
		msg["payload"] = payload
	}
	if action != nil {
		msg["action"] = action
	}
	obj := map[string]any{"message": msg, "client_info": map[string]any{
		"button_actions": []string{"text", "vkpay", "open_app", "location", "open_link", "callback", "intent_subscribe", "intent_unsubscribe"},
		"keyboard":       true, "inline_keyboard": true, "carousel": true, "lang_id": 0,
	}}
	id, ev := s.newEvent("message_new", obj, now)
	change := Change{Events: []Event{ev}}
	var m Message
	if ok {
		m = Message{Peer: peer, CMID: cmid, From: user, Text: text, Payload: payload, At: now}
		if action != nil {
			m.Action, _ = action["type"].(string)
			m.Member, _ = action["member_id"].(int64)
		}
		change.Messages = []Message{m}
	}
	if err := s.commit(change); err != nil {
		return "", err
	}
	if ok {
		c.cmid = cmid
		c.msgs = append(c.msgs, m)
		s.notify(Update{Kind: "message", Peer: peer, CMID: cmid})
	}
	return id, nil
}

// Press makes user press a callback button with payload (any JSON value) on
// the bot's message cmid in peer, as a message_event update. It returns the
// callback's event_id, which the bot must answer within a minute.
func (s *Server) Press(peer, user int64, payload any, cmid int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, _ := json.Marshal(payload)
	id, err := s.press(peer, user, p, cmid)
	must(err)
	return id
}

// press adds a message_event update; s.mu must be held.
func (s *Server) press(peer, user int64, payload json.RawMessage, cmid int64) (string, error) {
	s.eventSeq++
	cbID := fmt.Sprintf("cb%06d", s.eventSeq)
	now := time.Now()
	obj := map[string]any{"user_id": user, "peer_id": peer, "event_id": cbID,
		"payload": payload, "conversation_message_id": cmid}
	_, ev := s.newEvent("message_event", obj, now)
	if err := s.commit(Change{Events: []Event{ev}}); err != nil {
		return "", err
	}
	s.cbs[cbID] = callback{at: now, user: user, peer: peer}
	return cbID, nil
}

// Raw adds an update of any type and object, for tests of odd input.
func (s *Server) Raw(typ string, object any) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ev := s.newEvent(typ, object, time.Now())
	must(s.commit(Change{Events: []Event{ev}}))
	return id
}

// newEvent makes the next update, with the next ts; s.mu must be held.
func (s *Server) newEvent(typ string, object any, at time.Time) (string, Event) {
	s.eventSeq++
	id := fmt.Sprintf("%040x", s.eventSeq)
	raw, _ := json.Marshal(map[string]any{"group_id": s.GroupID, "type": typ, "event_id": id, "v": "5.199", "object": object})
	return id, Event{TS: s.lastTS() + 1, Body: raw, At: at}
}

// commit saves c, then adds its updates and wakes the long polls; s.mu
// must be held. A change the Store refuses adds nothing.
func (s *Server) commit(c Change) error {
	if err := s.save(c); err != nil {
		return err
	}
	for _, e := range c.Events {
		s.events = append(s.events, e.Body)
	}
	close(s.wake)
	s.wake = make(chan struct{})
	return nil
}

// LastEventID is the event_id of the newest update.
func (s *Server) LastEventID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.events) == 0 {
		return ""
	}
	var u struct {
		EventID string `json:"event_id"`
	}
	_ = json.Unmarshal(s.events[len(s.events)-1], &u)
	return u.EventID
}

// Duplicate delivers the update with event_id again, as VK may.
func (s *Server) Duplicate(eventID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.events {
		var u struct {
			EventID string `json:"event_id"`
		}
		_ = json.Unmarshal(e, &u)
		if u.EventID == eventID {
			must(s.commit(Change{Events: []Event{{TS: s.lastTS() + 1, Body: e, At: time.Now()}}}))
			return
		}
	}
}

// FailNext makes the next times calls of method answer VK error code.
// Method "*" matches any method; "peer:<peer id>" makes messages.send give
// that peer a per-peer error (the peer_ids form) while others succeed.
func (s *Server) FailNext(method string, code, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range times {
		s.faults[method] = append(s.faults[method], fault{code: code})
	}
}

// HTTPFailNext makes the next times calls of method answer HTTP status;
// method "lp" is the long-poll server.
func (s *Server) HTTPFailNext(method string, status, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range times {
		s.faults[method] = append(s.faults[method], fault{code: -status})
	}
}

// FailPoll makes the next long-poll requests answer failed with codes, in
// order. failed 1 sends back the poller's own ts (the fake keeps all
// history); failed 2 and 3 also expire the key. Events are never dropped:
// whether a poller loses any after failed 3 depends on the ts it resumes
// from.
func (s *Server) FailPoll(codes ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pollFail = append(s.pollFail, codes...)
}

// DropPolls makes the next n long-poll requests hang up without an answer.
func (s *Server) DropPolls(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropPoll += n
}

// ExpireKey makes the current long-poll key invalid (failed 2 on its next use).
func (s *Server) ExpireKey() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keyN++
	s.key = fmt.Sprintf("key%d", s.keyN)
}

// Delay makes every method call wait d before answering.
func (s *Server) Delay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// SetAdmin makes the bot an admin of peer, or not.
func (s *Server) SetAdmin(peer int64, admin bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.chats[peer]; ok {
		c.admin = admin
		must(s.save(Change{Chats: []Chat{c.record(peer)}}))
	}
}

// OnSent makes f see every new message the moment the fake has stored it,
// before the bot gets VK's answer: a test can kill the bot right after VK
// took a message. f runs on the request's goroutine; nil removes it.
func (s *Server) OnSent(f func(Sent)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onSent = f
}

// SentTo returns what the bot sent to peer, in order.
func (s *Server) SentTo(peer int64) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Sent
	for _, m := range s.sent {
		if m.Peer == peer {
			out = append(out, m)
		}
	}
	return out
}

// AllSent returns everything the bot sent, in order.
func (s *Server) AllSent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// SentSince returns the messages sent after the first i, and the new count.
func (s *Server) SentSince(i int) ([]Sent, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i > len(s.sent) {
		i = len(s.sent)
	}
	return append([]Sent(nil), s.sent[i:]...), len(s.sent)
}

// Edits returns every edit the bot made, in order.
func (s *Server) Edits() []Edit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Edit(nil), s.edits...)
}

// Answers returns every callback answer the bot gave, in order.
func (s *Server) Answers() []Answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Answer(nil), s.answers...)
}

// Stats are the method-API requests seen.
type Stats struct {
	Requests  int // HTTP requests to the method API, an execute counting once
	Calls     int // API calls run: one per direct request, one per call inside an execute
	Executes  int // execute requests that ran their calls
	Err6      int // answered "too many requests"
	MaxPerSec int // the most requests in one wall-clock second
}

// Stats returns the request counts so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Requests: s.requests, Calls: s.calls, Executes: s.executes, Err6: s.err6}
	for _, n := range s.perSec {
		st.MaxPerSec = max(st.MaxPerSec, n)
	}
	return st
}

// PerSecond returns the number of method calls in each wall-clock second,
// oldest first.
func (s *Server) PerSecond() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	secs := make([]int64, 0, len(s.perSec))
	for k := range s.perSec {
		secs = append(secs, k)
	}
	sort.Slice(secs, func(i, j int) bool { return secs[i] < secs[j] })
	out := make([]int, len(secs))
	for i, k := range secs {
		out[i] = s.perSec[k]
	}
	return out
}

// Polls is the number of long-poll requests served with a valid key: a
// test can wait for a bot to be listening before its members speak (VK
// does not deliver what was said before the bot first asked).
func (s *Server) Polls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.polls
}

// lastTS is the ts of the newest event; s.mu must be held.
func (s *Server) lastTS() int64 { return s.firstTS + int64(len(s.events)) - 1 }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
