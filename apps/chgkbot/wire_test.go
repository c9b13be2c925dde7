package main

import (
	"encoding/json"
	"testing"

	"github.com/vkchgk/chgkbot/chgk/vkwire"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/vkapi"
	"github.com/vkchgk/chgkbot/chgk"
	ct "github.com/vkchgk/chgkbot/chgk/chgktest"
	"github.com/vkchgk/chgkbot/ports/vk"
)

// TestButtonsParseBack checks the one wire format two packages share: every
// button the renderer (adapters/vkapi) draws must be read back by the
// intake (ports/vk) as the action it stands for.
func TestButtonsParseBack(t *testing.T) {
	is := is.New(t)
	players := []chgk.Player{ct.Anna, ct.Boris, ct.Vera}
	many := make([]chgk.Player, 14)
	for i := range many {
		many[i] = chgk.Player{ID: chgk.UserID(900 + i), Name: "Игрок"}
	}
	keyboards := []*vkapi.Keyboard{
		vkapi.Render(chgk.LobbyOpened{StartedBy: ct.Anna, Rounds: 6})[0].Keyboard,
		vkapi.Render(chgk.RoundStarted{Round: 3, Of: 6, Captain: ct.Anna})[0].Keyboard,
		vkapi.Render(chgk.GameEnded{})[0].Keyboard,
		vkapi.Render(chgk.RulesShown{Settings: chgk.DefaultSettings()})[0].Keyboard,
		vkapi.ChoiceKeyboard(players, 3, 0),
		vkapi.ChoiceKeyboard(many, 3, 1),
	}
	buttons := 0
	for _, kb := range keyboards {
		is.True(kb != nil)
		for _, row := range kb.Buttons {
			for _, b := range row {
				buttons++
				var want vkwire.Payload
				is.NoErr(json.Unmarshal([]byte(b.Action.Payload), &want))
				raw, _ := json.Marshal(map[string]any{"type": "message_event", "event_id": "e", "object": map[string]any{
					"user_id": 1, "peer_id": ct.Chat(1), "event_id": "cb", "payload": json.RawMessage(b.Action.Payload)}})
				u, err := vk.Parse(raw, 1)
				is.NoErr(err)                              // the intake reads every button
				is.Equal(u.Action.Name, want.A)            // as the same action
				is.Equal(u.Action.Round, want.R)           // of the same round
				is.Equal(int64(u.Action.Answerer), want.U) // for the same player
				is.Equal(u.Action.Page, want.P)            // on the same page
			}
		}
	}
	is.True(buttons >= 15)
}
