package vksim

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The page is plain HTML, CSS and JavaScript, embedded: no CDN, no build step.
//
//go:embed playground
var pageFiles embed.FS

// firstUserID is where the ids of the playground's people begin.
const firstUserID = 100_000

// Limits of what the page may ask for: VK's own where it has one.
const (
	maxName  = 40
	maxTitle = 80
	maxText  = 4096
)

// Playground serves the playground page at / and its API under /play/api/
// on mux: the page is a VK client for people the simulation plays, who see
// and do what a chat member sees and does — and nothing of the bot's own.
func (s *Server) Playground(mux *http.ServeMux) {
	assets, _ := fs.Sub(pageFiles, "playground")
	files := http.FileServerFS(assets)
	mux.Handle("GET /{$}", files)
	mux.Handle("GET /play/assets/", http.StripPrefix("/play/assets/", files))
	mux.HandleFunc("GET /play/api/state", s.pageState)
	mux.HandleFunc("POST /play/api/chats", s.pageNewChat)
	mux.HandleFunc("POST /play/api/chats/{peer}/members", s.pageAddMember)
	mux.HandleFunc("GET /play/api/chats/{peer}/messages", s.pageMessages)
	mux.HandleFunc("POST /play/api/chats/{peer}/messages", s.pageSay)
	mux.HandleFunc("POST /play/api/chats/{peer}/press", s.pagePress)
	mux.HandleFunc("GET /play/api/events", s.pageEvents)
}

// pageError is the page API's error answer.
func pageError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// unavailable answers a change the Store could not keep.
func unavailable(w http.ResponseWriter, err error) {
	pageError(w, http.StatusServiceUnavailable, "не удалось сохранить, попробуйте ещё раз: "+err.Error())
}

// readJSON reads a small JSON body into v, refusing anything else.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		pageError(w, http.StatusBadRequest, "тело запроса должно быть JSON: "+err.Error())
		return false
	}
	return true
}

// readName reads the body into in, then checks *field, a field of in, as
// a name (cleanName); a refusal is answered.
func readName(w http.ResponseWriter, r *http.Request, in any, field *string, limit int, what string) (string, bool) {
	if !readJSON(w, r, in) {
		return "", false
	}
	name, err := cleanName(*field, limit, what)
	if err != nil {
		pageError(w, http.StatusBadRequest, err.Error())
		return "", false
	}
	return name, true
}

// cleanName checks a person's name or a chat's title.
func cleanName(s string, limit int, what string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	switch {
	case s == "":
		return "", fmt.Errorf("%s не может быть пустым", what)
	case !utf8.ValidString(s):
		return "", fmt.Errorf("%s — не текст в UTF-8", what)
	case utf8.RuneCountInString(s) > limit:
		return "", fmt.Errorf("%s длиннее %d символов", what, limit)
	case strings.ContainsAny(s, "[]|"):
		return "", fmt.Errorf("%s не может содержать [ ] |", what)
	}
	return s, nil
}

type pageUser struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type pageChat struct {
	Peer    int64   `json:"peer"`
	Title   string  `json:"title"`
	Members []int64 `json:"members"`
}

func (s *Server) pageState(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	out := struct {
		Bot   pageUser   `json:"bot"`
		Users []pageUser `json:"users"`
		Chats []pageChat `json:"chats"`
	}{Bot: pageUser{ID: -s.GroupID, Name: "Бот ЧГК"}, Users: []pageUser{}, Chats: []pageChat{}}
	for id, name := range s.users {
		out.Users = append(out.Users, pageUser{id, name})
	}
	for peer, c := range s.chats {
		if peer >= 2_000_000_000 {
			rec := c.record(peer)
			out.Chats = append(out.Chats, pageChat{Peer: peer, Title: rec.Title, Members: append([]int64{}, rec.Members...)})
		}
	}
	s.mu.Unlock()
	sort.Slice(out.Users, func(i, j int) bool { return out.Users[i].ID < out.Users[j].ID })
	sort.Slice(out.Chats, func(i, j int) bool { return out.Chats[i].Peer < out.Chats[j].Peer })
	writeJSON(w, out)
}

// pageNewChat creates a chat, empty until its first member joins and
// adds the bot (pageAddMember).
func (s *Server) pageNewChat(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Title string `json:"title"`
	}
	title, ok := readName(w, r, &in, &in.Title, maxTitle, "название беседы")
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	peer := ChatPeer(1)
	for p := range s.chats {
		if p >= peer {
			peer = p + 1
		}
	}
	if err := s.putChat(peer, newChat(title, true)); err != nil {
		unavailable(w, err)
		return
	}
	writeJSON(w, pageChat{Peer: peer, Title: title, Members: []int64{}})
}

// chatOf finds the group chat of the request's {peer}; s.mu must be held.
func (s *Server) chatOf(w http.ResponseWriter, r *http.Request) (int64, *chat, bool) {
	peer, err := strconv.ParseInt(r.PathValue("peer"), 10, 64)
	c := s.chats[peer]
	if err != nil || c == nil || peer < 2_000_000_000 {
		pageError(w, http.StatusNotFound, "нет такой беседы")
		return 0, nil, false
	}
	return peer, c, true
}

// hasBot says whether the bot was added to the chat.
func (c *chat) hasBot(groupID int64) bool {
	for _, m := range c.msgs {
		if m.Action == "chat_invite_user" && m.Member == -groupID {
			return true
		}
	}
	return false
}

// pageAddMember adds a new person to a chat, who joins as by an invite
// link; the first one adds the bot.
func (s *Server) pageAddMember(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	name, ok := readName(w, r, &in, &in.Name, maxName, "имя")
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	peer, c, ok := s.chatOf(w, r)
	if !ok {
		return
	}
	if len(c.members) >= 50 {
		pageError(w, http.StatusBadRequest, "в беседе уже 50 участников")
		return
	}
	id := int64(firstUserID)
	for u := range s.users {
		id = max(id, u)
	}
	id++
	if err := s.addUser(id, name); err != nil {
		unavailable(w, err)
		return
	}
	c.members[id] = true
	if err := s.save(Change{Chats: []Chat{c.record(peer)}}); err != nil {
		delete(c.members, id)
		unavailable(w, err)
		return
	}
	s.notify(Update{Kind: "chat", Peer: peer})
	if _, err := s.post(peer, id, "", "", map[string]any{"type": "chat_invite_user_by_link", "member_id": id}); err != nil {
		unavailable(w, err)
		return
	}
	if !c.hasBot(s.GroupID) {
		// The first member adds the bot, as an admin: VK tells the bot
		// with a chat_invite_user service message, and the bot greets.
		if _, err := s.post(peer, id, "", "", map[string]any{"type": "chat_invite_user", "member_id": -s.GroupID}); err != nil {
			unavailable(w, err)
			return
		}
	}
	writeJSON(w, pageUser{ID: id, Name: name})
}

// pageMessage is a message as the page shows it.
type pageMessage struct {
	CMID     int64           `json:"cmid"`
	From     int64           `json:"from"`
	Text     string          `json:"text"`
	Keyboard json.RawMessage `json:"keyboard,omitempty"`
	Action   string          `json:"action,omitempty"`
	Member   int64           `json:"member,omitempty"`
	At       time.Time       `json:"at"`
	Edited   *time.Time      `json:"edited,omitempty"`
}

func (s *Server) pageMessages(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	_, c, ok := s.chatOf(w, r)
	if !ok {
		s.mu.Unlock()
		return
	}
	out := make([]pageMessage, 0, len(c.msgs))
	for _, m := range c.msgs {
		pm := pageMessage{CMID: m.CMID, From: m.From, Text: m.Text, Action: m.Action, Member: m.Member, At: m.At}
		if m.Keyboard != "" {
			pm.Keyboard = json.RawMessage(m.Keyboard)
		}
		if !m.Edited.IsZero() {
			e := m.Edited
			pm.Edited = &e
		}
		out = append(out, pm)
	}
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, out)
}

// member checks that user is a member of chat c.
func member(w http.ResponseWriter, c *chat, user int64) bool {
	if !c.members[user] {
		pageError(w, http.StatusBadRequest, "этого человека нет в беседе")
		return false
	}
	return true
}

func (s *Server) pageSay(w http.ResponseWriter, r *http.Request) {
	var in struct {
		From int64  `json:"from"`
		Text string `json:"text"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	text := strings.TrimSpace(in.Text)
	if text == "" || !utf8.ValidString(text) || utf8.RuneCountInString(text) > maxText {
		pageError(w, http.StatusBadRequest, fmt.Sprintf("сообщение должно быть непустым текстом до %d символов", maxText))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	peer, c, ok := s.chatOf(w, r)
	if !ok || !member(w, c, in.From) {
		return
	}
	if _, err := s.post(peer, in.From, text, "", nil); err != nil {
		unavailable(w, err)
		return
	}
	writeJSON(w, map[string]bool{"ok": true})
}

// pagePress presses a button of a message's current keyboard: a callback
// button is a message_event, a text button a message with its payload, as
// VK clients do.
func (s *Server) pagePress(w http.ResponseWriter, r *http.Request) {
	var in struct {
		From   int64 `json:"from"`
		CMID   int64 `json:"cmid"`
		Row    int   `json:"row"`
		Column int   `json:"column"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	peer, c, ok := s.chatOf(w, r)
	if !ok || !member(w, c, in.From) {
		return
	}
	b, err := button(c, in.CMID, in.Row, in.Column)
	if err != nil {
		pageError(w, http.StatusBadRequest, err.Error())
		return
	}
	if b.Type == "callback" {
		payload := json.RawMessage(b.Payload)
		if b.Payload == "" {
			payload = json.RawMessage("{}")
		}
		_, err = s.press(peer, in.From, payload, in.CMID)
	} else {
		_, err = s.post(peer, in.From, b.Label, b.Payload, nil)
	}
	if err != nil {
		unavailable(w, err)
		return
	}
	writeJSON(w, map[string]bool{"ok": true})
}

type buttonAction struct {
	Type    string `json:"type"`
	Label   string `json:"label"`
	Payload string `json:"payload"`
}

// button finds button [row][column] of message cmid's keyboard as it is now.
func button(c *chat, cmid int64, row, column int) (buttonAction, error) {
	if cmid < 1 || cmid > int64(len(c.msgs)) || c.msgs[cmid-1].Keyboard == "" {
		return buttonAction{}, errors.New("у этого сообщения нет кнопок")
	}
	var kb struct {
		Buttons [][]struct {
			Action buttonAction `json:"action"`
		} `json:"buttons"`
	}
	if json.Unmarshal([]byte(c.msgs[cmid-1].Keyboard), &kb) != nil ||
		row < 0 || row >= len(kb.Buttons) || column < 0 || column >= len(kb.Buttons[row]) {
		return buttonAction{}, errors.New("такой кнопки у сообщения нет")
	}
	a := kb.Buttons[row][column].Action
	if a.Type != "callback" && a.Type != "text" {
		return buttonAction{}, fmt.Errorf("кнопки типа %q в песочнице не нажимаются", a.Type)
	}
	return a, nil
}

// pageEvents streams the simulation's updates to the page (server-sent
// events), with a comment every 15 s so proxies keep the stream open.
func (s *Server) pageEvents(w http.ResponseWriter, r *http.Request) {
	// Through the controller: a middleware's recorder unwraps to the
	// connection, and the stream outlives the server's write timeout.
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{})
	updates, stop := s.Watch()
	defer stop()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprint(w, ": hello\n\n")
	if rc.Flush() != nil {
		return
	}
	tick := time.NewTicker(15 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.hangup:
			return
		case <-tick.C:
			fmt.Fprint(w, ": ping\n\n")
		case u, ok := <-updates:
			if !ok {
				return // too slow: the page reconnects and reloads
			}
			b, _ := json.Marshal(u)
			fmt.Fprintf(w, "data: %s\n\n", b)
		}
		if rc.Flush() != nil {
			return
		}
	}
}
