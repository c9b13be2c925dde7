// Package vkwire holds the shapes of the VK wire that more than one side of
// the bot speaks, so each exists once: the JSON payload of the bot's
// buttons (drawn by the renderer in adapters/vkapi, read back by the intake
// in ports/vk) and the Bots Long Poll server's address (returned by the VK
// client, polled by the intake). It has no game rules and, like chgk,
// imports only the standard library, so both sides of the hexagon may use
// it without importing each other.
package vkwire

// Payload is what a button of the bot carries back, as JSON. The field
// names are a wire format: buttons already in chats carry them, so never
// rename one. Keep it short: VK allows 255 bytes.
type Payload struct {
	A string `json:"a"`           // the action: one of the Act* names
	R int    `json:"r,omitempty"` // the round the button belongs to; a press from an old round is stale
	U int64  `json:"u,omitempty"` // pick: the chosen player
	P int    `json:"p,omitempty"` // page: the page of players to show
	G int64  `json:"g,omitempty"` // appeal: the game whose verdict is appealed
}

// The actions of Payload.A and of typed commands. Their names are a wire
// format: never rename them.
const (
	ActStart    = "start"
	ActJoin     = "join"
	ActGo       = "go"
	ActEarly    = "early"
	ActMinute   = "minute" // the captain takes an extra minute (TV game)
	ActAppeal   = "appeal" // the captain appeals a verdict (button only)
	ActPick     = "pick"
	ActPage     = "page"
	ActStop     = "stop"
	ActInfo     = "info"
	ActRules    = "rules"
	ActSettings = "settings" // typed only: no button carries it
	ActTop      = "top"      // typed only
)

// LongPoll is where and how to poll: groups.getLongPollServer's answer.
type LongPoll struct {
	Server string `json:"server"`
	Key    string `json:"key"`
	TS     string `json:"ts"`
}
