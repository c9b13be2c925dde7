package vkapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/vkchgk/chgkbot/chgk/vkwire"
)

// LongPollServer asks VK for the long-poll server of community groupID.
func (c *Client) LongPollServer(ctx context.Context, groupID int64) (vkwire.LongPoll, error) {
	var r struct {
		Server string          `json:"server"`
		Key    string          `json:"key"`
		TS     json.RawMessage `json:"ts"`
	}
	if err := c.Call(WithPriority(ctx, Urgent), "groups.getLongPollServer", url.Values{"group_id": {itoa(groupID)}}, &r); err != nil {
		return vkwire.LongPoll{}, err
	}
	ts := strings.Trim(string(r.TS), `"`)
	if r.Server == "" || r.Key == "" || ts == "" {
		return vkwire.LongPoll{}, fmt.Errorf("vk groups.getLongPollServer: incomplete answer")
	}
	return vkwire.LongPoll{Server: r.Server, Key: r.Key, TS: ts}, nil
}

// Message is one chat message to send.
type Message struct {
	Peer     int64
	RandomID int64  // chosen by the caller, stable across resends; VK drops a repeat
	Text     string // at most MaxText characters
	Keyboard *Keyboard
}

// Send sends m with messages.send and returns the conversation_message_id
// of the message in its chat, so the bot can edit it later. It asks with
// peer_ids because in chats a community's message ids are 0 and only the
// peer_ids form returns the cmid. A resend with the same RandomID returns
// the first message's cmid and creates nothing.
func (c *Client) Send(ctx context.Context, m Message) (int64, error) {
	return c.SendNoting(ctx, m, nil)
}

// SendNoting is Send, with sending run right before each request leaves,
// after the rate limit's wait: the moment the message may reach VK. Its
// error cancels the send.
func (c *Client) SendNoting(ctx context.Context, m Message, sending func() error) (int64, error) {
	if m.RandomID == 0 {
		return 0, fmt.Errorf("vk messages.send: a random_id is required (0 turns VK's de-duplication off)")
	}
	p := url.Values{
		"peer_ids":         {itoa(m.Peer)},
		"random_id":        {itoa(m.RandomID)},
		"message":          {m.Text},
		"disable_mentions": {"0"},
		"dont_parse_links": {"1"},
	}
	if m.Keyboard != nil {
		kb, err := m.Keyboard.JSON()
		if err != nil {
			return 0, err
		}
		p.Set("keyboard", kb)
	}
	var r []struct {
		PeerID  int64 `json:"peer_id"`
		CMID    int64 `json:"conversation_message_id"`
		Message int64 `json:"message_id"`
		Error   *struct {
			Code        int    `json:"code"`
			Description string `json:"description"`
		} `json:"error"`
	}
	if err := c.call(ctx, "messages.send", p, &r, sending); err != nil {
		return 0, err
	}
	for _, item := range r {
		if item.PeerID != m.Peer {
			continue
		}
		if item.Error != nil {
			return 0, &Error{Code: item.Error.Code, Message: item.Error.Description, Method: "messages.send"}
		}
		return item.CMID, nil
	}
	return 0, fmt.Errorf("vk messages.send: no result for peer %d", m.Peer)
}

// SentAt asks VK when the bot's message cmid in peer arrived
// (messages.getByConversationMessageId): VK's own time, in whole seconds.
// A message VK does not know is an error.
func (c *Client) SentAt(ctx context.Context, peer, cmid int64) (time.Time, error) {
	var r struct {
		Items []struct {
			Date int64 `json:"date"`
			CMID int64 `json:"conversation_message_id"`
		} `json:"items"`
	}
	p := url.Values{"peer_id": {itoa(peer)}, "conversation_message_ids": {itoa(cmid)}}
	if err := c.Call(ctx, "messages.getByConversationMessageId", p, &r); err != nil {
		return time.Time{}, err
	}
	for _, it := range r.Items {
		if it.CMID == cmid && it.Date > 0 {
			return time.Unix(it.Date, 0), nil
		}
	}
	return time.Time{}, fmt.Errorf("vk messages.getByConversationMessageId: message %d of chat %d not found", cmid, peer)
}

// Edit replaces the text and keyboard of the bot's message cmid in peer. A
// nil keyboard removes the message's keyboard.
func (c *Client) Edit(ctx context.Context, peer, cmid int64, text string, kb *Keyboard) error {
	return c.EditNoting(ctx, peer, cmid, text, kb, nil)
}

// EditNoting is Edit, with sending run right before each request leaves
// (as for SendNoting): an edit that opens a phase starts its clock.
func (c *Client) EditNoting(ctx context.Context, peer, cmid int64, text string, kb *Keyboard, sending func() error) error {
	if kb == nil {
		kb = &Keyboard{Inline: true}
	}
	js, err := kb.JSON()
	if err != nil {
		return err
	}
	p := url.Values{
		"peer_id":                 {itoa(peer)},
		"conversation_message_id": {itoa(cmid)},
		"message":                 {text},
		"keyboard":                {js},
		"dont_parse_links":        {"1"},
	}
	return c.call(ctx, "messages.edit", p, nil, sending)
}

// AnswerEvent answers a callback button press (messages.sendMessageEventAnswer),
// which must happen within a minute of the press. A non-empty snackbar is
// shown to the presser for a few seconds (cut to 90 characters); an empty
// one just stops the button's spinner.
func (c *Client) AnswerEvent(ctx context.Context, eventID string, user, peer int64, snackbar string) error {
	p := url.Values{"event_id": {eventID}, "user_id": {itoa(user)}, "peer_id": {itoa(peer)}}
	if snackbar != "" {
		data, _ := json.Marshal(map[string]string{"type": "show_snackbar", "text": cut(snackbar, 90)})
		p.Set("event_data", string(data))
	}
	return c.Call(ctx, "messages.sendMessageEventAnswer", p, nil)
}

// User is a VK user's name.
type User struct {
	ID        int64  `json:"id"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

// nameTTL is how long a user's name is trusted without asking VK again.
const nameTTL = 6 * time.Hour

// Users returns the names of ids, from a cache when fresh, asking VK
// (users.get, up to 1000 ids a call) for the rest.
func (c *Client) Users(ctx context.Context, ids ...int64) (map[int64]User, error) {
	out := make(map[int64]User, len(ids))
	var missing []string
	now := time.Now()
	c.namesMu.Lock()
	for _, id := range ids {
		if n, ok := c.names[id]; ok && now.Sub(n.at) < nameTTL {
			out[id] = n.name
		} else if id > 0 {
			missing = append(missing, itoa(id))
		}
	}
	c.namesMu.Unlock()
	for len(missing) > 0 {
		batch := missing[:min(len(missing), 1000)]
		missing = missing[len(batch):]
		var users []User
		if err := c.Call(ctx, "users.get", url.Values{"user_ids": {strings.Join(batch, ",")}}, &users); err != nil {
			return out, err
		}
		c.namesMu.Lock()
		for _, u := range users {
			out[u.ID] = u
			c.names[u.ID] = cachedName{name: u, at: now}
		}
		c.namesMu.Unlock()
	}
	return out, nil
}

// CachedUser returns a user's name if the client learnt it recently,
// without asking VK.
func (c *Client) CachedUser(id int64) (User, bool) {
	c.namesMu.Lock()
	defer c.namesMu.Unlock()
	n, ok := c.names[id]
	if !ok || time.Since(n.at) >= nameTTL {
		return User{}, false
	}
	return n.name, true
}

// Members lists a chat's members with their names
// (messages.getConversationMembers). It needs the bot to be a chat admin:
// otherwise VK answers 917, which callers should take as "unknown", not as
// a failure. Names learnt here fill the Users cache.
func (c *Client) Members(ctx context.Context, peer int64) ([]User, error) {
	var r struct {
		Items []struct {
			MemberID int64 `json:"member_id"`
		} `json:"items"`
		Profiles []User `json:"profiles"`
	}
	if err := c.Call(ctx, "messages.getConversationMembers", url.Values{"peer_id": {itoa(peer)}, "count": {"200"}}, &r); err != nil {
		return nil, err
	}
	now := time.Now()
	c.namesMu.Lock()
	for _, u := range r.Profiles {
		c.names[u.ID] = cachedName{name: u, at: now}
	}
	c.namesMu.Unlock()
	return r.Profiles, nil
}

// cut shortens s to at most n characters (runes), marking the cut with "…".
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
