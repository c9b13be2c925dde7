// Package vk is the bot's intake from VK: the Bots Long Poll loop and the
// parsing of its updates — chat messages, callback button presses, the bot
// being added to a chat — into chgk commands.
//
// The intake hands every batch of parsed updates, with the long-poll ts to
// continue from, to a Sink that stores both together (the bus, in
// production), so a restart neither loses nor re-reads a batch.
package vk

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/vkchgk/chgkbot/chgk/vkwire"

	"github.com/vkchgk/chgkbot/chgk"
)

// Kind is what an update is about.
type Kind string

// The kinds of updates the bot acts on.
const (
	KindMessage  Kind = "message"  // a message in a chat: a command, a button press, or talk (maybe an answer)
	KindCallback Kind = "callback" // a callback button press (message_event)
	KindInvite   Kind = "invite"   // the bot was added to a chat
	KindPrivate  Kind = "private"  // a message in a private dialog with the bot
)

// Update is one VK update, parsed. It is also the bus's wire format, hence
// the JSON tags: never rename them.
type Update struct {
	EventID  string      `json:"event_id"` // VK's unique id of the update: the inbox key
	Kind     Kind        `json:"kind"`
	Peer     chgk.PeerID `json:"peer"`
	From     chgk.UserID `json:"from"`
	Text     string      `json:"text,omitempty"`     // the message, mention prefix stripped
	CMID     int64       `json:"cmid,omitempty"`     // conversation_message_id of the message (or of the pressed one)
	Callback string      `json:"callback,omitempty"` // message_event's event_id, to answer the press
	Action   Action      `json:"action"`
}

// Action is what an update asks for. An empty Name is chat talk, which may
// be an answer.
type Action struct {
	Name     string      `json:"name,omitempty"` // one of the Act* names
	Round    int         `json:"round,omitempty"`
	Answerer chgk.UserID `json:"answerer,omitempty"`
	Page     int         `json:"page,omitempty"`
	Setting  string      `json:"setting,omitempty"`
	Value    string      `json:"value,omitempty"`
	Game     int64       `json:"game,omitempty"` // an appeal's game
}

// ErrIgnored is returned by Parse for updates the bot does not act on
// (message edits, the bot's own messages, other event types).
var ErrIgnored = errors.New("update not for the bot")

// Parse reads one raw Bots Long Poll update. groupID is the bot's community,
// whose mentions are stripped. A malformed update is an error that says
// what is wrong; an update the bot does not act on is ErrIgnored.
func Parse(raw []byte, groupID int64) (Update, error) {
	var env struct {
		Type    string          `json:"type"`
		EventID string          `json:"event_id"`
		Object  json.RawMessage `json:"object"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return Update{}, fmt.Errorf("update is not a JSON object: %w", err)
	}
	if env.EventID == "" {
		return Update{}, errors.New("update has no event_id")
	}
	var u Update
	var err error
	switch env.Type {
	case "message_new":
		u, err = parseMessage(env.Object, groupID)
	case "message_event":
		u, err = parseCallback(env.Object)
	default:
		return Update{}, fmt.Errorf("%w: type %q", ErrIgnored, env.Type)
	}
	if err != nil {
		if u.Callback != "" {
			// A press with a bad payload still gets its spinner stopped.
			u.EventID = env.EventID
			return u, fmt.Errorf("%s %s: %w", env.Type, env.EventID, err)
		}
		return Update{}, fmt.Errorf("%s %s: %w", env.Type, env.EventID, err)
	}
	u.EventID = env.EventID
	return u, nil
}

func parseMessage(obj json.RawMessage, groupID int64) (Update, error) {
	var o struct {
		Message *struct {
			PeerID  int64   `json:"peer_id"`
			FromID  int64   `json:"from_id"`
			Text    string  `json:"text"`
			CMID    int64   `json:"conversation_message_id"`
			Payload *string `json:"payload"`
			Out     int     `json:"out"`
			Action  *struct {
				Type     string `json:"type"`
				MemberID int64  `json:"member_id"`
			} `json:"action"`
		} `json:"message"`
	}
	if err := json.Unmarshal(obj, &o); err != nil {
		return Update{}, fmt.Errorf("bad object: %w", err)
	}
	m := o.Message
	if m == nil || m.PeerID == 0 {
		return Update{}, errors.New("no message or peer_id")
	}
	if m.FromID <= 0 || m.Out == 1 {
		return Update{}, fmt.Errorf("%w: from a community or outgoing", ErrIgnored)
	}
	u := Update{Kind: KindMessage, Peer: chgk.PeerID(m.PeerID), From: chgk.UserID(m.FromID), CMID: m.CMID}
	if !u.Peer.IsChat() {
		u.Kind, u.Text = KindPrivate, strings.TrimSpace(m.Text)
		return u, nil
	}
	if m.Action != nil {
		if (m.Action.Type == "chat_invite_user" || m.Action.Type == "chat_invite_user_by_link") && m.Action.MemberID == -groupID {
			u.Kind = KindInvite
			return u, nil
		}
		return Update{}, fmt.Errorf("%w: service message %s", ErrIgnored, m.Action.Type)
	}
	if m.Payload != nil && *m.Payload != "" {
		// A text button (on a client without callbacks): the payload, not
		// the label, says what was pressed.
		a, err := parsePayload([]byte(*m.Payload))
		if err != nil {
			return Update{}, err
		}
		u.Action = a
		return u, nil
	}
	u.Text = StripMention(m.Text, groupID)
	u.Action = ParseCommand(u.Text)
	if u.Action.Name != "" {
		u.Text = ""
	}
	return u, nil
}

func parseCallback(obj json.RawMessage) (Update, error) {
	var o struct {
		UserID  int64           `json:"user_id"`
		PeerID  int64           `json:"peer_id"`
		EventID string          `json:"event_id"`
		Payload json.RawMessage `json:"payload"`
		CMID    int64           `json:"conversation_message_id"`
	}
	if err := json.Unmarshal(obj, &o); err != nil {
		return Update{}, fmt.Errorf("bad object: %w", err)
	}
	if o.UserID <= 0 || o.PeerID == 0 || o.EventID == "" {
		return Update{}, errors.New("user_id, peer_id and event_id are required")
	}
	payload := []byte(o.Payload)
	// The schema types payload as a string; practice sends the JSON value.
	var s string
	if json.Unmarshal(payload, &s) == nil {
		payload = []byte(s)
	}
	a, err := parsePayload(payload)
	u := Update{Kind: KindCallback, Peer: chgk.PeerID(o.PeerID), From: chgk.UserID(o.UserID), CMID: o.CMID, Callback: o.EventID, Action: a}
	if err != nil {
		// Still answer the press (stop its spinner), but ask for nothing.
		u.Action = Action{}
		return u, fmt.Errorf("%w (callback %s is answered without effect)", err, o.EventID)
	}
	return u, nil
}

// parsePayload reads a button's JSON payload: the bot's own {"a": …} form,
// or VK's {"command": "start"} of a dialog's Start button.
func parsePayload(b []byte) (Action, error) {
	var p struct {
		vkwire.Payload
		Command string `json:"command"` // VK's own start button in a private dialog
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return Action{}, fmt.Errorf("payload is not a JSON object: %q", cutBytes(b, 80))
	}
	if p.A == "" && p.Command == "start" {
		p.A = vkwire.ActStart
	}
	switch p.A {
	case vkwire.ActStart, vkwire.ActJoin, vkwire.ActGo, vkwire.ActStop, vkwire.ActInfo, vkwire.ActRules:
		return Action{Name: p.A}, nil
	case vkwire.ActEarly, vkwire.ActMinute:
		return Action{Name: p.A, Round: max(p.R, 0)}, nil
	case vkwire.ActPick:
		if p.U <= 0 {
			return Action{}, errors.New("pick payload without a player")
		}
		return Action{Name: p.A, Round: max(p.R, 0), Answerer: chgk.UserID(p.U)}, nil
	case vkwire.ActPage:
		return Action{Name: p.A, Round: max(p.R, 0), Page: max(p.P, 0)}, nil
	case vkwire.ActAppeal:
		if p.G <= 0 || p.R <= 0 {
			return Action{}, errors.New("appeal payload without its game and round")
		}
		return Action{Name: p.A, Round: p.R, Game: p.G}, nil
	}
	return Action{}, fmt.Errorf("unknown payload action %q", cutBytes([]byte(p.A), 40))
}

func cutBytes(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// mentionPrefix matches a mention at the start of a message:
// "[club123|@bot] …", "[public123|Бот], …".
var mentionPrefix = regexp.MustCompile(`^\s*\[(club|public)(\d+)\|[^\]]*\][\s,:]*`)

// StripMention removes a leading mention of community groupID (any
// community when groupID is 0) and surrounding spaces; other text, and
// mentions of users, stay.
func StripMention(text string, groupID int64) string {
	if m := mentionPrefix.FindStringSubmatch(text); m != nil {
		if id, _ := strconv.ParseInt(m[2], 10, 64); groupID == 0 || id == groupID {
			text = text[len(m[0]):]
		}
	}
	return strings.TrimSpace(text)
}

// commands maps every accepted spelling (lower case, no slash) to its action.
var commands = map[string]string{
	"start": vkwire.ActStart, "начать": vkwire.ActStart, "играть": vkwire.ActStart, "начать игру": vkwire.ActStart, "новая игра": vkwire.ActStart,
	"join": vkwire.ActJoin, "я играю": vkwire.ActJoin, "играю": vkwire.ActJoin,
	"go": vkwire.ActGo, "поехали": vkwire.ActGo,
	"stop": vkwire.ActStop, "стоп": vkwire.ActStop, "остановить": vkwire.ActStop, "остановить игру": vkwire.ActStop,
	"info": vkwire.ActInfo, "инфо": vkwire.ActInfo, "status": vkwire.ActInfo, "статус": vkwire.ActInfo,
	"rules": vkwire.ActRules, "правила": vkwire.ActRules, "помощь": vkwire.ActRules, "help": vkwire.ActRules,
	"settings": vkwire.ActSettings, "настройки": vkwire.ActSettings,
	"minute": vkwire.ActMinute, "взять минуту": vkwire.ActMinute, "дополнительная минута": vkwire.ActMinute,
	"top": vkwire.ActTop, "топ": vkwire.ActTop, "рейтинг": vkwire.ActTop, "лидеры": vkwire.ActTop,
}

// ParseCommand reads a typed command: the slash forms of SPEC §1 and their
// Russian and English aliases, in any case, with or without a leading "/",
// an "@bot " prefix and trailing punctuation. /settings takes a name and a
// value ("/settings rounds 8", «настройки раунды 8»). Anything else is talk
// (an empty Action).
func ParseCommand(text string) Action {
	t := strings.ToLower(strings.TrimSpace(text))
	if strings.HasPrefix(t, "@") {
		// "@bot start": drop the handle when a command follows it.
		if _, rest, ok := strings.Cut(t, " "); ok {
			if a := ParseCommand(rest); a.Name != "" {
				return a
			}
		}
		return Action{}
	}
	t = strings.TrimPrefix(t, "/")
	t = strings.TrimRight(t, "!.?…")
	t = strings.Join(strings.Fields(t), " ")
	if name, ok := commands[t]; ok {
		return Action{Name: name}
	}
	fields := strings.Fields(t)
	if len(fields) == 2 && (fields[0] == "режим" || fields[0] == "mode") {
		// «режим телеигра»: the mode is the one setting worth a short form.
		return Action{Name: vkwire.ActSettings, Setting: string(chgk.SettingMode), Value: fields[1]}
	}
	if len(fields) >= 1 && commands[fields[0]] == vkwire.ActSettings {
		a := Action{Name: vkwire.ActSettings}
		if len(fields) >= 2 {
			a.Setting = fields[1]
		}
		if len(fields) >= 3 {
			a.Value = fields[2]
		}
		if len(fields) > 3 {
			return Action{}
		}
		return a
	}
	return Action{}
}

// Command is the chgk command the update asks of the game, with by as the
// member (their name resolved by the caller). It returns nil for updates that
// are not game commands: invites, private messages, page turns, empty text.
func (u Update) Command(by chgk.Player) chgk.Command {
	switch u.Action.Name {
	case vkwire.ActStart:
		return chgk.Start{By: by}
	case vkwire.ActJoin:
		return chgk.Join{Player: by}
	case vkwire.ActGo:
		return chgk.Begin{By: by}
	case vkwire.ActEarly:
		return chgk.AnswerEarly{By: by, Round: u.Action.Round}
	case vkwire.ActMinute:
		return chgk.TakeMinute{By: by, Round: u.Action.Round}
	case vkwire.ActAppeal:
		return chgk.FileAppeal{By: by, Game: u.Action.Game, Round: u.Action.Round}
	case vkwire.ActPick:
		return chgk.Choose{By: by, Answerer: u.Action.Answerer, Round: u.Action.Round}
	case vkwire.ActStop:
		return chgk.Stop{By: by}
	case vkwire.ActInfo:
		return chgk.Info{By: by}
	case vkwire.ActRules:
		return chgk.Rules{By: by}
	case vkwire.ActTop:
		return chgk.Top{By: by}
	case vkwire.ActSettings:
		c := chgk.ChangeSettings{By: by, Value: u.Action.Value}
		if u.Action.Setting != "" {
			name, ok := chgk.ParseSettingName(u.Action.Setting)
			if !ok {
				name = chgk.SettingName(u.Action.Setting)
			}
			c.Name = name
			if c.Value == "" {
				c.Value = "?"
			}
		}
		return c
	case "":
		if u.Kind == KindMessage && u.Text != "" {
			return chgk.Answer{By: by, Text: u.Text}
		}
	}
	return nil
}
