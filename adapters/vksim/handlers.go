package vksim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// errorTexts are VK's base texts of the errors the fake answers.
var errorTexts = map[int]string{
	1: "Unknown error occurred", 3: "Unknown method passed", 5: "User authorization failed",
	6: "Too many requests per second", 7: "Permission to perform this action is denied",
	8: "Invalid request", 9: "Flood control", 10: "Internal server error", 15: "Access denied",
	100: "One of the parameters specified was missing or invalid", 113: "Invalid user id",
	901: "Can't send messages for users without permission", 911: "Keyboard format is invalid",
	914: "Message is too long", 917: "You don't have access to this chat", 927: "Chat does not exist",
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

func vkError(w http.ResponseWriter, method string, code int, detail string, r *http.Request) {
	msg := errorTexts[code]
	if msg == "" {
		msg = "Error"
	}
	if detail != "" {
		msg += ": " + detail
	}
	params := []map[string]string{{"key": "method", "value": method}, {"key": "oauth", "value": "1"}}
	for k, v := range r.Form {
		if k != "access_token" && len(v) > 0 {
			params = append(params, map[string]string{"key": k, "value": v[0]})
		}
	}
	writeJSON(w, map[string]any{"error": map[string]any{"error_code": code, "error_msg": msg, "request_params": params}})
}

func (s *Server) method(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	_ = r.ParseForm()
	s.mu.Lock()
	delay := s.delay
	s.requests++
	now := time.Now()
	sec := now.Unix()
	s.perSec[sec]++
	if sec != s.second {
		s.second, s.inSecond = sec, 0
	}
	s.inSecond++
	over := s.inSecond > s.RPS
	if over {
		s.err6++
	}
	var f *fault
	for _, key := range []string{name, "*"} {
		if q := s.faults[key]; len(q) > 0 {
			f = &q[0]
			s.faults[key] = q[1:]
			break
		}
	}
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}

	token := r.Form.Get("access_token")
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		token = strings.TrimPrefix(h, "Bearer ")
	}
	switch {
	case token == "":
		vkError(w, name, 5, "no access_token passed.", r)
		return
	case token != s.Token:
		vkError(w, name, 5, "invalid access_token (4).", r)
		return
	case r.Form.Get("v") == "":
		vkError(w, name, 8, "v (version) is required", r)
		return
	case over:
		vkError(w, name, 6, "", r)
		return
	case f != nil && f.code < 0:
		http.Error(w, "fake failure", -f.code)
		return
	case f != nil:
		vkError(w, name, f.code, f.detail, r)
		return
	}
	if name == "execute" {
		s.execute(w, r)
		return
	}
	s.dispatch(w, r, name)
}

// takeFault takes the next fault injected for method alone (not "*").
func (s *Server) takeFault(method string) *fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.faults[method]; len(q) > 0 {
		s.faults[method] = q[1:]
		return &q[0]
	}
	return nil
}

// dispatch runs one API method with the request's form, directly or as a
// call of an execute.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, name string) {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	switch name {
	case "groups.getLongPollServer":
		s.getLongPollServer(w, r)
	case "messages.send":
		s.send(w, r)
	case "messages.edit":
		s.edit(w, r)
	case "messages.sendMessageEventAnswer":
		s.answer(w, r)
	case "users.get":
		s.usersGet(w, r)
	case "messages.getConversationMembers":
		s.members(w, r)
	case "messages.getByConversationMessageId":
		s.byCMID(w, r)
	default:
		vkError(w, name, 3, "", r)
	}
}

func formInt(r *http.Request, key string) (int64, bool) {
	v := r.Form.Get(key)
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil
}

func (s *Server) getLongPollServer(w http.ResponseWriter, r *http.Request) {
	g, ok := formInt(r, "group_id")
	if !ok || g != s.GroupID {
		vkError(w, "groups.getLongPollServer", 100, "group_id is undefined", r)
		return
	}
	// The long-poll server is beside the method API the client reached.
	server := "http://" + r.Host + strings.TrimSuffix(r.URL.Path, "/method/groups.getLongPollServer") + "/lp"
	if s.srv != nil {
		server = s.srv.URL + "/lp"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, map[string]any{"response": map[string]any{
		"key": s.key, "server": server, "ts": itoa(s.lastTS() + 1),
	}})
}

func (s *Server) send(w http.ResponseWriter, r *http.Request) {
	const m = "messages.send"
	peers := r.Form.Get("peer_ids")
	if peers == "" {
		peers = r.Form.Get("peer_id")
	}
	if peers == "" {
		vkError(w, m, 100, "peer_id is undefined", r)
		return
	}
	rid, ok := formInt(r, "random_id")
	if !ok {
		vkError(w, m, 100, "random_id is a required parameter", r)
		return
	}
	text := r.Form.Get("message")
	if text == "" {
		vkError(w, m, 100, "message is empty or invalid", r)
		return
	}
	kb, ok := checkContent(w, m, text, r)
	if !ok {
		return
	}
	var results []map[string]any
	var stored []Sent
	var change Change
	s.mu.Lock()
	onSent := s.onSent
	created := map[int64]*chat{}
	next := map[int64]int64{} // peer → the cmid its next message takes
	for _, ps := range strings.Split(peers, ",") {
		peer, err := strconv.ParseInt(strings.TrimSpace(ps), 10, 64)
		if err != nil {
			s.mu.Unlock()
			vkError(w, m, 100, "peer_ids is invalid", r)
			return
		}
		c, ok := s.chats[peer]
		if !ok && peer > 0 && peer < 2_000_000_000 {
			// A private dialog: a user who wrote to the community may be
			// answered (901 for one who never did).
			if _, known := s.users[peer]; !known {
				results = append(results, map[string]any{"peer_id": peer, "error": map[string]any{"code": 901, "description": errorTexts[901]}})
				continue
			}
			if c = created[peer]; c == nil {
				c = newChat(s.users[peer], false)
				c.members[peer] = true
				created[peer] = c
				change.Chats = append(change.Chats, c.record(peer))
			}
			ok = true
		}
		if !ok {
			results = append(results, map[string]any{"peer_id": peer, "error": map[string]any{"code": 917, "description": errorTexts[917]}})
			continue
		}
		if f := s.peerFault(peer); f != 0 {
			results = append(results, map[string]any{"peer_id": peer, "error": map[string]any{"code": f, "description": errorTexts[f]}})
			continue
		}
		key := [2]int64{peer, rid}
		cmid, dup := s.dedup[key]
		if !dup || rid == 0 {
			if next[peer] == 0 {
				next[peer] = c.cmid + 1
			}
			cmid = next[peer]
			next[peer]++
			sent := Sent{Peer: peer, RandomID: rid, CMID: cmid, Text: text, Keyboard: kb, At: time.Now()}
			stored = append(stored, sent)
			change.Messages = append(change.Messages, Message{Peer: peer, CMID: cmid, From: -s.GroupID,
				Text: text, Keyboard: kb, RandomID: rid, At: sent.At})
		}
		results = append(results, map[string]any{"peer_id": peer, "message_id": 0, "conversation_message_id": cmid})
	}
	// Kept before it is answered: a restart never loses a message the bot
	// was told went out.
	if err := s.save(change); err != nil {
		s.mu.Unlock()
		vkError(w, m, 10, "the simulated VK could not keep the message", r)
		return
	}
	for peer, c := range created {
		s.chats[peer] = c
	}
	for i, sent := range stored {
		c := s.chats[sent.Peer]
		c.cmid = sent.CMID
		c.botMsgs[sent.CMID] = true
		if sent.RandomID != 0 {
			s.dedup[[2]int64{sent.Peer, sent.RandomID}] = sent.CMID
		}
		c.msgs = append(c.msgs, change.Messages[i]) // stored[i]'s message, as saved
		s.sent = append(s.sent, sent)
		s.notify(Update{Kind: "message", Peer: sent.Peer, CMID: sent.CMID})
	}
	s.mu.Unlock()
	if onSent != nil {
		for _, m := range stored {
			onSent(m)
		}
	}
	if r.Form.Get("peer_ids") == "" {
		// The single-peer form answers a bare message id: 0 in chats.
		if e, ok := results[0]["error"]; ok {
			code := e.(map[string]any)["code"].(int)
			vkError(w, m, code, "", r)
			return
		}
		writeJSON(w, map[string]any{"response": 0})
		return
	}
	writeJSON(w, map[string]any{"response": results})
}

// byCMID answers messages.getByConversationMessageId for the bot's own
// messages: their date (unix seconds, as VK keeps it) and text.
func (s *Server) byCMID(w http.ResponseWriter, r *http.Request) {
	const m = "messages.getByConversationMessageId"
	peer, ok := formInt(r, "peer_id")
	if !ok {
		vkError(w, m, 100, "peer_id is undefined", r)
		return
	}
	want := map[int64]bool{}
	for _, c := range strings.Split(r.Form.Get("conversation_message_ids"), ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(c), 10, 64)
		if err != nil {
			vkError(w, m, 100, "conversation_message_ids is invalid", r)
			return
		}
		want[n] = true
	}
	s.mu.Lock()
	_, known := s.chats[peer]
	items := []map[string]any{}
	for _, sent := range s.sent {
		if sent.Peer == peer && want[sent.CMID] {
			items = append(items, map[string]any{"id": 0, "date": sent.At.Unix(), "peer_id": peer, "from_id": -s.GroupID,
				"out": 1, "conversation_message_id": sent.CMID, "text": sent.Text, "random_id": sent.RandomID})
		}
	}
	s.mu.Unlock()
	if !known {
		vkError(w, m, 917, "", r)
		return
	}
	writeJSON(w, map[string]any{"response": map[string]any{"count": len(items), "items": items}})
}

// peerFault takes an injected per-peer error for peer ("peer:<id>" in
// FailNext); s.mu must be held.
func (s *Server) peerFault(peer int64) int {
	key := "peer:" + itoa(peer)
	if q := s.faults[key]; len(q) > 0 {
		s.faults[key] = q[1:]
		return q[0].code
	}
	return 0
}

func (s *Server) edit(w http.ResponseWriter, r *http.Request) {
	const m = "messages.edit"
	peer, ok := formInt(r, "peer_id")
	if !ok {
		vkError(w, m, 100, "peer_id is undefined", r)
		return
	}
	cmid, ok := formInt(r, "conversation_message_id")
	if !ok {
		vkError(w, m, 100, "conversation_message_id is undefined", r)
		return
	}
	text := r.Form.Get("message")
	kb, ok := checkContent(w, m, text, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.chats[peer]
	if !ok {
		vkError(w, m, 917, "", r)
		return
	}
	if !c.botMsgs[cmid] {
		vkError(w, m, 15, "message edit access denied", r)
		return
	}
	now := time.Now()
	msg := c.msgs[cmid-1]
	msg.Text, msg.Keyboard, msg.Edited = text, kb, now
	if err := s.save(Change{Messages: []Message{msg}}); err != nil {
		vkError(w, m, 10, "the simulated VK could not keep the edit", r)
		return
	}
	c.msgs[cmid-1] = msg
	s.edits = append(s.edits, Edit{Peer: peer, CMID: cmid, Text: text, Keyboard: kb, At: now})
	s.notify(Update{Kind: "edit", Peer: peer, CMID: cmid})
	writeJSON(w, map[string]any{"response": 1})
}

func (s *Server) answer(w http.ResponseWriter, r *http.Request) {
	const m = "messages.sendMessageEventAnswer"
	id := r.Form.Get("event_id")
	user, uok := formInt(r, "user_id")
	peer, pok := formInt(r, "peer_id")
	if id == "" || !uok || !pok {
		vkError(w, m, 100, "event_id, user_id and peer_id are required", r)
		return
	}
	data := r.Form.Get("event_data")
	var d struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if data != "" {
		if json.Unmarshal([]byte(data), &d) != nil || d.Type == "" || (d.Type == "show_snackbar" && utf8.RuneCountInString(d.Text) > 90) {
			vkError(w, m, 100, "event_data is invalid", r)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cb, ok := s.cbs[id]
	if !ok || cb.user != user || cb.peer != peer || time.Since(cb.at) > time.Minute {
		vkError(w, m, 100, "event_id is invalid or expired", r)
		return
	}
	s.answers = append(s.answers, Answer{EventID: id, User: user, Peer: peer, EventData: data, At: time.Now()})
	if data != "" {
		s.notify(Update{Kind: "snackbar", Peer: peer, User: user, Text: d.Text})
	}
	writeJSON(w, map[string]any{"response": 1})
}

func (s *Server) usersGet(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, f := range strings.Split(r.Form.Get("user_ids"), ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err != nil {
			vkError(w, "users.get", 113, "", r)
			return
		}
		name, ok := s.users[id]
		if !ok {
			continue
		}
		first, last, _ := strings.Cut(name, " ")
		out = append(out, map[string]any{"id": id, "first_name": first, "last_name": last,
			"can_access_closed": true, "is_closed": false})
	}
	writeJSON(w, map[string]any{"response": out})
}

func (s *Server) members(w http.ResponseWriter, r *http.Request) {
	const m = "messages.getConversationMembers"
	peer, _ := formInt(r, "peer_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.chats[peer]
	if !ok {
		vkError(w, m, 927, "", r)
		return
	}
	if !c.admin {
		vkError(w, m, 917, "", r)
		return
	}
	items := []map[string]any{{"member_id": -s.GroupID, "is_admin": true}}
	var profiles []map[string]any
	for id := range c.members {
		items = append(items, map[string]any{"member_id": id, "invited_by": id, "join_date": 0})
		first, last, _ := strings.Cut(s.users[id], " ")
		profiles = append(profiles, map[string]any{"id": id, "first_name": first, "last_name": last})
	}
	writeJSON(w, map[string]any{"response": map[string]any{"count": len(items), "items": items, "profiles": profiles,
		"groups": []map[string]any{{"id": s.GroupID, "name": "bot"}}}})
}

// checkContent checks a message's text length (914) and keyboard (911) as
// send and edit both do, answering the error itself; it returns the
// keyboard and whether the content is acceptable.
func checkContent(w http.ResponseWriter, method, text string, r *http.Request) (string, bool) {
	if utf8.RuneCountInString(text) > 4096 {
		vkError(w, method, 914, "", r)
		return "", false
	}
	kb := r.Form.Get("keyboard")
	if kb != "" {
		if detail := validateKeyboard(kb); detail != "" {
			vkError(w, method, 911, detail, r)
			return "", false
		}
	}
	return kb, true
}

// validateKeyboard checks a keyboard as VK does, returning the 911 detail.
func validateKeyboard(raw string) string {
	var kb struct {
		OneTime *json.RawMessage   `json:"one_time"`
		Inline  *json.RawMessage   `json:"inline"`
		Buttons [][]map[string]any `json:"buttons"`
	}
	if err := json.Unmarshal([]byte(raw), &kb); err != nil {
		return "invalid JSON"
	}
	if kb.Buttons == nil {
		return "buttons is required"
	}
	inline := false
	if kb.Inline != nil {
		if err := json.Unmarshal(*kb.Inline, &inline); err != nil {
			return "inline property should be boolean"
		}
	}
	rows, total := 10, 40
	if inline {
		rows, total = 6, 10
	}
	if len(kb.Buttons) > rows {
		return "buttons contain too much rows"
	}
	n := 0
	for i, row := range kb.Buttons {
		if len(row) > 5 {
			return fmt.Sprintf("row %d contains too much columns", i)
		}
		for j, b := range row {
			n++
			action, _ := b["action"].(map[string]any)
			if action == nil {
				return fmt.Sprintf("button [%d][%d] has no action", i, j)
			}
			typ, _ := action["type"].(string)
			label, _ := action["label"].(string)
			if typ != "text" && typ != "callback" && typ != "open_link" && typ != "location" && typ != "vkpay" && typ != "open_app" {
				return fmt.Sprintf("button [%d][%d] has invalid type", i, j)
			}
			if (typ == "text" || typ == "callback") && (label == "" || utf8.RuneCountInString(label) > 40) {
				return fmt.Sprintf("button [%d][%d] has invalid label", i, j)
			}
			if p, ok := action["payload"]; ok {
				ps, isString := p.(string)
				if !isString || len(ps) > 255 || !json.Valid([]byte(ps)) {
					return fmt.Sprintf("button [%d][%d] has invalid payload", i, j)
				}
			}
		}
	}
	if n > total {
		return "keyboard contains too much buttons"
	}
	return ""
}

func (s *Server) poll(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	if r.Form.Get("act") != "a_check" {
		http.Error(w, "act must be a_check", http.StatusBadRequest)
		return
	}
	wait, _ := strconv.Atoi(r.Form.Get("wait"))
	wait = min(max(wait, 0), 90)
	ts, tsErr := strconv.ParseInt(r.Form.Get("ts"), 10, 64)

	s.mu.Lock()
	if q := s.faults["lp"]; len(q) > 0 && q[0].code < 0 {
		s.faults["lp"] = q[1:]
		s.mu.Unlock()
		http.Error(w, "fake failure", -q[0].code)
		return
	}
	if s.dropPoll > 0 {
		s.dropPoll--
		s.mu.Unlock()
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	if len(s.pollFail) > 0 {
		code := s.pollFail[0]
		s.pollFail = s.pollFail[1:]
		switch code {
		case 1:
			s.mu.Unlock()
			writeJSON(w, map[string]any{"failed": 1, "ts": max(ts, s.firstTS)})
			return
		case 2, 3:
			s.keyN++
			s.key = fmt.Sprintf("key%d", s.keyN)
		}
		s.mu.Unlock()
		writeJSON(w, map[string]any{"failed": code})
		return
	}
	if r.Form.Get("key") != s.key {
		s.mu.Unlock()
		writeJSON(w, map[string]any{"failed": 2})
		return
	}
	if tsErr != nil || ts > s.lastTS()+1 || ts < s.firstTS {
		next := s.lastTS() + 1
		s.mu.Unlock()
		writeJSON(w, map[string]any{"failed": 1, "ts": next})
		return
	}
	s.polls++
	deadline := time.NewTimer(time.Duration(wait) * time.Second)
	defer deadline.Stop()
	for ts > s.lastTS() {
		wake := s.wake
		s.mu.Unlock()
		select {
		case <-wake:
		case <-deadline.C:
			writeJSON(w, map[string]any{"ts": strconv.FormatInt(ts, 10), "updates": []any{}})
			return
		case <-r.Context().Done():
			return
		}
		s.mu.Lock()
	}
	updates := append([]json.RawMessage(nil), s.events[ts-s.firstTS:]...)
	next := s.lastTS() + 1
	s.mu.Unlock()
	writeJSON(w, map[string]any{"ts": strconv.FormatInt(next, 10), "updates": updates})
}
