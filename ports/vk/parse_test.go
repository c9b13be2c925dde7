package vk_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/vkchgk/chgkbot/chgk/vkwire"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/chgk"
	"github.com/vkchgk/chgkbot/ports/vk"
)

const group = 77

// messageNew is a message_new update shaped like VK.md §3.1.
func messageNew(peer, from int64, text string, extra map[string]any) []byte {
	msg := map[string]any{"date": 1700000000, "from_id": from, "id": 0, "out": 0, "peer_id": peer, "text": text,
		"conversation_message_id": 12, "fwd_messages": []any{}, "important": false, "is_hidden": false,
		"attachments": []any{}, "random_id": 0, "version": 10}
	for k, v := range extra {
		msg[k] = v
	}
	b, _ := json.Marshal(map[string]any{"group_id": group, "type": "message_new", "event_id": "e1", "v": "5.199",
		"object": map[string]any{"message": msg, "client_info": map[string]any{"button_actions": []string{"text", "callback"},
			"keyboard": true, "inline_keyboard": true, "carousel": true, "lang_id": 0}}})
	return b
}

func messageEvent(peer, user int64, payload any) []byte {
	b, _ := json.Marshal(map[string]any{"group_id": group, "type": "message_event", "event_id": "e2", "v": "5.199",
		"object": map[string]any{"user_id": user, "peer_id": peer, "event_id": "cb1", "payload": payload, "conversation_message_id": 40}})
	return b
}

const chat = 2000000001

func TestParseCommands(t *testing.T) {
	tests := []struct {
		text string
		want vk.Action
	}{
		{"/start", vk.Action{Name: vkwire.ActStart}},
		{"start", vk.Action{Name: vkwire.ActStart}},
		{"/START", vk.Action{Name: vkwire.ActStart}},
		{"Начать", vk.Action{Name: vkwire.ActStart}},
		{"начать игру!", vk.Action{Name: vkwire.ActStart}},
		{"играть", vk.Action{Name: vkwire.ActStart}},
		{"[club77|@chgkbot] /start", vk.Action{Name: vkwire.ActStart}},
		{"[club77|Бот], начать", vk.Action{Name: vkwire.ActStart}},
		{"[public77|Бот] start", vk.Action{Name: vkwire.ActStart}},
		{"@chgkbot start", vk.Action{Name: vkwire.ActStart}},
		{"/join", vk.Action{Name: vkwire.ActJoin}},
		{"Я играю", vk.Action{Name: vkwire.ActJoin}},
		{"играю", vk.Action{Name: vkwire.ActJoin}},
		{"/go", vk.Action{Name: vkwire.ActGo}},
		{"Поехали!", vk.Action{Name: vkwire.ActGo}},
		{"/stop", vk.Action{Name: vkwire.ActStop}},
		{"стоп", vk.Action{Name: vkwire.ActStop}},
		{"Остановить", vk.Action{Name: vkwire.ActStop}},
		{"/info", vk.Action{Name: vkwire.ActInfo}},
		{"инфо", vk.Action{Name: vkwire.ActInfo}},
		{"/rules", vk.Action{Name: vkwire.ActRules}},
		{"правила", vk.Action{Name: vkwire.ActRules}},
		{"Помощь", vk.Action{Name: vkwire.ActRules}},
		{"/settings", vk.Action{Name: vkwire.ActSettings}},
		{"настройки", vk.Action{Name: vkwire.ActSettings}},
		{"/top", vk.Action{Name: vkwire.ActTop}},
		{"Рейтинг", vk.Action{Name: vkwire.ActTop}},
		{"топ!", vk.Action{Name: vkwire.ActTop}},
		{"/settings rounds 8", vk.Action{Name: vkwire.ActSettings, Setting: "rounds", Value: "8"}},
		{"настройки обсуждение 90", vk.Action{Name: vkwire.ActSettings, Setting: "обсуждение", Value: "90"}},
		{"/settings rounds 8 9", vk.Action{}},
		{"/settings mode tv", vk.Action{Name: vkwire.ActSettings, Setting: "mode", Value: "tv"}},
		{"Режим телеигра", vk.Action{Name: vkwire.ActSettings, Setting: "mode", Value: "телеигра"}},
		{"режим раунды!", vk.Action{Name: vkwire.ActSettings, Setting: "mode", Value: "раунды"}},
		{"настройки цель 7", vk.Action{Name: vkwire.ActSettings, Setting: "цель", Value: "7"}},
		{"режим", vk.Action{}},
		{"/minute", vk.Action{Name: vkwire.ActMinute}},
		{"Взять минуту", vk.Action{Name: vkwire.ActMinute}},
		{"минута", vk.Action{}}, // an answer may be one word: only the button and the two forms take a minute
		{"Гоголь", vk.Action{}},
		{"начать бы", vk.Action{}},
		{"[id5|Вася] /start", vk.Action{}}, // a user's mention is not the bot's
		{"[club99|Другой бот] /start", vk.Action{}},
		{"@", vk.Action{}},
		{"", vk.Action{}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			is := is.New(t)
			u, err := vk.Parse(messageNew(chat, 5, tt.text, nil), group)
			is.NoErr(err)               // a chat message parses
			is.Equal(u.Action, tt.want) // into its command
			is.Equal(u.Kind, vk.KindMessage)
			is.Equal(u.Peer, chgk.PeerID(chat))
			is.Equal(u.From, chgk.UserID(5))
			is.Equal(u.EventID, "e1")
		})
	}
}

func TestParseTalkAndButtons(t *testing.T) {
	is := is.New(t)
	u, err := vk.Parse(messageNew(chat, 5, "[club77|@bot] Николай Гоголь", nil), group)
	is.NoErr(err)
	is.Equal(u.Text, "Николай Гоголь") // talk keeps its text, mention stripped
	is.Equal(u.Command(chgk.Player{ID: 5}), chgk.Answer{By: chgk.Player{ID: 5}, Text: "Николай Гоголь"})

	// A text button: the payload, not the label, decides.
	u, err = vk.Parse(messageNew(chat, 5, "Стоп", map[string]any{"payload": `{"a":"join"}`}), group)
	is.NoErr(err)
	is.Equal(u.Action, vk.Action{Name: vkwire.ActJoin})
	is.Equal(u.Text, "") // never mistaken for typed text

	_, err = vk.Parse(messageNew(chat, 5, "x", map[string]any{"payload": `{"a":"launch"}`}), group)
	is.True(err != nil) // an unknown payload is an error, not talk

	// A callback press: payload arrives as a JSON object.
	u, err = vk.Parse(messageEvent(chat, 6, map[string]any{"a": "pick", "r": 3, "u": 9}), group)
	is.NoErr(err)
	is.Equal(u.Kind, vk.KindCallback)
	is.Equal(u.Callback, "cb1") // the press's id, to answer it
	is.Equal(u.CMID, int64(40)) // the message it was on
	is.Equal(u.Action, vk.Action{Name: vkwire.ActPick, Round: 3, Answerer: 9})
	is.Equal(u.Command(chgk.Player{ID: 6}), chgk.Choose{By: chgk.Player{ID: 6}, Answerer: 9, Round: 3})

	// …or, per the schema, as a string holding JSON.
	u, err = vk.Parse(messageEvent(chat, 6, `{"a":"early","r":2}`), group)
	is.NoErr(err)
	is.Equal(u.Action, vk.Action{Name: vkwire.ActEarly, Round: 2})

	u, err = vk.Parse(messageEvent(chat, 6, map[string]any{"a": "minute", "r": 4}), group)
	is.NoErr(err)
	is.Equal(u.Command(chgk.Player{ID: 6}), chgk.TakeMinute{By: chgk.Player{ID: 6}, Round: 4}) // the extra minute's button

	u, err = vk.Parse(messageEvent(chat, 6, map[string]any{"a": "appeal", "r": 2, "g": 41}), group)
	is.NoErr(err)
	is.Equal(u.Command(chgk.Player{ID: 6}), chgk.FileAppeal{By: chgk.Player{ID: 6}, Game: 41, Round: 2}) // the appeal's button
	_, err = vk.Parse(messageEvent(chat, 6, map[string]any{"a": "appeal", "r": 2}), group)
	is.True(err != nil) // an appeal names its game

	u, err = vk.Parse(messageEvent(chat, 6, map[string]any{"a": "page", "r": 2, "p": 1}), group)
	is.NoErr(err)
	is.Equal(u.Action, vk.Action{Name: vkwire.ActPage, Round: 2, Page: 1})
	is.Equal(u.Command(chgk.Player{ID: 6}), nil) // a page turn is not a game command

	u, err = vk.Parse(messageEvent(chat, 6, "garbage"), group)
	is.True(err != nil)         // a bad payload is reported
	is.Equal(u.Callback, "cb1") // but the press can still be answered
	is.Equal(u.Action, vk.Action{})

	u, err = vk.Parse(messageEvent(chat, 6, map[string]any{"command": "start"}), group)
	is.NoErr(err)
	is.Equal(u.Action.Name, vkwire.ActStart) // VK's own Start button
}

func TestParseSpecialMessages(t *testing.T) {
	is := is.New(t)
	u, err := vk.Parse(messageNew(chat, 5, "", map[string]any{"action": map[string]any{"type": "chat_invite_user", "member_id": -group}}), group)
	is.NoErr(err)
	is.Equal(u.Kind, vk.KindInvite) // the bot was added: greet

	_, err = vk.Parse(messageNew(chat, 5, "", map[string]any{"action": map[string]any{"type": "chat_title_update"}}), group)
	is.True(errors.Is(err, vk.ErrIgnored)) // other service messages are ignored

	u, err = vk.Parse(messageNew(5, 5, "/start", nil), group)
	is.NoErr(err)
	is.Equal(u.Kind, vk.KindPrivate) // a dialog: the bot plays in chats only
	is.Equal(u.Command(chgk.Player{ID: 5}), nil)

	_, err = vk.Parse(messageNew(chat, -group, "эхо", nil), group)
	is.True(errors.Is(err, vk.ErrIgnored)) // a community's own message

	_, err = vk.Parse([]byte(`{"type":"message_reply","event_id":"x","object":{}}`), group)
	is.True(errors.Is(err, vk.ErrIgnored)) // other update types

	for _, bad := range []string{`[]`, `{"type":"message_new"}`, `{"type":"message_new","event_id":"x","object":{"message":{}}}`,
		`{"type":"message_event","event_id":"x","object":{"peer_id":1}}`, `not json`} {
		_, err := vk.Parse([]byte(bad), group)
		is.True(err != nil && !errors.Is(err, vk.ErrIgnored)) // malformed updates are errors
	}
}

func TestSettingsCommand(t *testing.T) {
	is := is.New(t)
	by := chgk.Player{ID: 1}
	u := vk.Update{Kind: vk.KindMessage, Action: vk.Action{Name: vkwire.ActSettings, Setting: "раунды", Value: "8"}}
	is.Equal(u.Command(by), chgk.ChangeSettings{By: by, Name: chgk.SettingRounds, Value: "8"}) // Russian names map
	u.Action = vk.Action{Name: vkwire.ActSettings, Setting: "громкость", Value: "11"}
	is.Equal(u.Command(by), chgk.ChangeSettings{By: by, Name: "громкость", Value: "11"}) // unknown names reach the rules, which refuse them
	u.Action = vk.Action{Name: vkwire.ActSettings, Setting: "rounds"}
	is.Equal(u.Command(by), chgk.ChangeSettings{By: by, Name: chgk.SettingRounds, Value: "?"}) // a missing value is refused, not taken as "show"
}

func FuzzParse(f *testing.F) {
	f.Add(messageNew(chat, 5, "/start", nil))
	f.Add(messageNew(chat, 5, "x", map[string]any{"payload": `{"a":"pick","u":1}`}))
	f.Add(messageEvent(chat, 6, map[string]any{"a": "pick", "r": 3, "u": 9}))
	f.Add(messageEvent(chat, 6, `{"a":"page"}`))
	f.Add([]byte(`{"type":"message_event","event_id":"x","object":{"user_id":1,"peer_id":2000000001,"event_id":"y","payload":null}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		u, err := vk.Parse(raw, group)
		if err == nil {
			_ = u.Command(chgk.Player{ID: 1}) // must not panic either
			if u.EventID == "" {
				t.Fatal("parsed an update without an event id")
			}
		}
		_ = vk.ParseCommand(string(raw))
		_ = vk.StripMention(string(raw), group)
	})
}
