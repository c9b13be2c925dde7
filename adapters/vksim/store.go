package vksim

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Store keeps a simulated VK's state, so the playground's chats and a game
// in them outlive a restart of the process. The server keeps everything in
// memory as well and writes through: a change is saved before it is seen,
// and a change the Store refuses is not made (the API answers error 10,
// the page a 503).
type Store interface {
	// Load reads everything saved, events in ts order.
	Load(ctx context.Context) (Snapshot, error)
	// Save writes one change, all of it or nothing.
	Save(ctx context.Context, c Change) error
}

// User is a VK user of the simulation.
type User struct {
	ID   int64
	Name string // "First Last"
}

// Chat is a conversation: a group chat (peer above 2e9) or a private dialog.
type Chat struct {
	Peer    int64
	Title   string
	Admin   bool    // the bot is an admin of the chat
	Members []int64 // user ids, ascending
}

// Message is one message of a chat as its members see it: a member's, a
// service message (Action) or the bot's (From is -GroupID).
type Message struct {
	Peer     int64
	CMID     int64 // conversation_message_id, 1, 2, … in each chat
	From     int64
	Text     string
	Keyboard string // the keyboard JSON as last sent or edited, "" for none
	Payload  string // a text button's payload, for a member's message
	Action   string // chat_invite_user for a service message
	Member   int64  // who the action is about
	RandomID int64
	At       time.Time
	Edited   time.Time // zero if never edited
}

// Event is one Bots Long Poll update with its ts.
type Event struct {
	TS   int64
	Body json.RawMessage
	At   time.Time
}

// Change is what one step of the simulation saves.
type Change struct {
	Users    []User
	Chats    []Chat    // replaced whole, members included
	Messages []Message // inserted or replaced by (Peer, CMID)
	Events   []Event
}

func (c Change) empty() bool {
	return len(c.Users)+len(c.Chats)+len(c.Messages)+len(c.Events) == 0
}

// Snapshot is a Store's whole content.
type Snapshot struct {
	Users    []User
	Chats    []Chat
	Messages []Message // by peer, then cmid
	Events   []Event   // the updates kept, oldest first
}

// Open builds a simulated VK for community groupID with token, its state
// read from store. Serve it with Mount (and Playground); it has no listener
// of its own.
func Open(ctx context.Context, token string, groupID int64, store Store) (*Server, error) {
	snap, err := store.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("vksim: load the saved state: %w", err)
	}
	s := newServer(token, groupID)
	s.store = store
	for _, u := range snap.Users {
		s.users[u.ID] = u.Name
	}
	for _, c := range snap.Chats {
		ch := newChat(c.Title, c.Admin)
		for _, m := range c.Members {
			ch.members[m] = true
		}
		s.chats[c.Peer] = ch
	}
	for _, m := range snap.Messages {
		c := s.chats[m.Peer]
		if c == nil || m.CMID != c.cmid+1 {
			return nil, fmt.Errorf("vksim: saved message %d of chat %d is out of order", m.CMID, m.Peer)
		}
		c.cmid = m.CMID
		c.msgs = append(c.msgs, m)
		if m.From == -groupID {
			c.botMsgs[m.CMID] = true
			if m.RandomID != 0 {
				s.dedup[[2]int64{m.Peer, m.RandomID}] = m.CMID
			}
			s.sent = append(s.sent, Sent{Peer: m.Peer, RandomID: m.RandomID, CMID: m.CMID, Text: m.Text, Keyboard: m.Keyboard, At: m.At})
		}
	}
	if len(snap.Events) > 0 {
		s.firstTS = snap.Events[0].TS
	}
	for i, e := range snap.Events {
		if e.TS != s.firstTS+int64(i) {
			return nil, fmt.Errorf("vksim: saved update ts %d follows %d", e.TS, s.lastTS())
		}
		s.events = append(s.events, e.Body)
		s.restoreSeq(e)
	}
	return s, nil
}

// restoreSeq moves the id counter past a saved update's ids, and keeps a
// press's callback answerable.
func (s *Server) restoreSeq(e Event) {
	var u struct {
		Type    string `json:"type"`
		EventID string `json:"event_id"`
		Object  struct {
			EventID string `json:"event_id"`
			UserID  int64  `json:"user_id"`
			PeerID  int64  `json:"peer_id"`
		} `json:"object"`
	}
	if json.Unmarshal(e.Body, &u) != nil {
		return
	}
	if n, err := strconv.ParseInt(u.EventID, 16, 64); err == nil {
		s.eventSeq = max(s.eventSeq, int(n))
	}
	if u.Type == "message_event" {
		if n, err := strconv.Atoi(strings.TrimPrefix(u.Object.EventID, "cb")); err == nil {
			s.eventSeq = max(s.eventSeq, n)
		}
		s.cbs[u.Object.EventID] = callback{at: e.At, user: u.Object.UserID, peer: u.Object.PeerID}
	}
}

// save writes c through the Store, if there is one; s.mu must be held.
func (s *Server) save(c Change) error {
	if s.store == nil || c.empty() {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.store.Save(ctx, c)
}

// Update tells a watcher of the simulation what changed.
type Update struct {
	Kind string `json:"kind"` // message, edit, snackbar, chat
	Peer int64  `json:"peer"`
	CMID int64  `json:"cmid,omitempty"`
	User int64  `json:"user,omitempty"` // who a snackbar is shown to
	Text string `json:"text,omitempty"` // a snackbar's text
}

// Watch returns a channel of the simulation's updates and a function that
// stops them. A watcher too slow to take an update is dropped, its channel
// closed, rather than left to miss it: the page's stream then ends, and
// the page reconnects and reloads everything.
func (s *Server) Watch() (<-chan Update, func()) {
	ch := make(chan Update, 64)
	s.mu.Lock()
	s.watchers[ch] = struct{}{}
	s.mu.Unlock()
	return ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.watchers, ch)
	}
}

// Hangup ends every page's event stream, for a graceful stop: an HTTP
// server's Shutdown waits for streams that would otherwise never end. The
// pages reconnect to the next process.
func (s *Server) Hangup() {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.hangup: // hung up already
	default:
		close(s.hangup)
	}
}

// notify tells every watcher u; s.mu must be held.
func (s *Server) notify(u Update) {
	for ch := range s.watchers {
		select {
		case ch <- u:
		default:
			delete(s.watchers, ch)
			close(ch)
		}
	}
}
