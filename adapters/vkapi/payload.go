package vkapi

// Payload is what a button of the bot carries back, as JSON. The field
// names are a wire format shared with the intake (ports/vk), which parses
// them: never rename them. Keep it short: VK allows 255 bytes.
type Payload struct {
	A string `json:"a"`           // the action: start, join, go, early, pick, page, stop, info, rules
	R int    `json:"r,omitempty"` // the round the button belongs to; a press from an old round is stale
	U int64  `json:"u,omitempty"` // pick: the chosen player
	P int    `json:"p,omitempty"` // page: the page of players to show
}

// The actions of Payload.A.
const (
	ActStart = "start"
	ActJoin  = "join"
	ActGo    = "go"
	ActEarly = "early"
	ActPick  = "pick"
	ActPage  = "page"
	ActStop  = "stop"
	ActInfo  = "info"
	ActRules = "rules"
)
