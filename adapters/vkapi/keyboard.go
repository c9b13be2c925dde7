package vkapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// VK's keyboard limits (VK.md §5.2).
const (
	MaxInlineRows    = 6
	MaxInlineButtons = 10
	MaxRows          = 10
	MaxButtons       = 40
	MaxPerRow        = 5
	MaxLabel         = 40  // characters
	MaxPayload       = 255 // bytes
	MaxText          = 4096
)

// Keyboard is a VK keyboard; the bot uses inline ones with callback buttons.
type Keyboard struct {
	OneTime bool       `json:"one_time,omitempty"`
	Inline  bool       `json:"inline"`
	Buttons [][]Button `json:"buttons"`
}

// Button is one keyboard button.
type Button struct {
	Action Action `json:"action"`
	Color  string `json:"color,omitempty"` // primary, secondary, negative, positive
}

// Action is what a button does: "callback" (a message_event comes back, no
// chat message) or "text".
type Action struct {
	Type    string `json:"type"`
	Label   string `json:"label"`
	Payload string `json:"payload,omitempty"` // a string holding JSON
}

// Callback returns a callback button with a JSON payload.
func Callback(label string, payload any, color string) Button {
	p, _ := json.Marshal(payload)
	return Button{Action: Action{Type: "callback", Label: label, Payload: string(p)}, Color: color}
}

// Validate checks k against VK's limits, so a bad keyboard is caught here
// instead of by VK's error 911.
func (k *Keyboard) Validate() error {
	rows, total := MaxRows, MaxButtons
	if k.Inline {
		rows, total = MaxInlineRows, MaxInlineButtons
	}
	if len(k.Buttons) > rows {
		return fmt.Errorf("keyboard: %d rows, at most %d", len(k.Buttons), rows)
	}
	n := 0
	for i, row := range k.Buttons {
		if len(row) == 0 || len(row) > MaxPerRow {
			return fmt.Errorf("keyboard: row %d has %d buttons, want 1..%d", i, len(row), MaxPerRow)
		}
		for j, b := range row {
			n++
			if b.Action.Type != "callback" && b.Action.Type != "text" {
				return fmt.Errorf("keyboard: button [%d][%d]: action %q", i, j, b.Action.Type)
			}
			if l := utf8.RuneCountInString(b.Action.Label); l == 0 || l > MaxLabel {
				return fmt.Errorf("keyboard: button [%d][%d]: label of %d characters, want 1..%d", i, j, l, MaxLabel)
			}
			if len(b.Action.Payload) > MaxPayload {
				return fmt.Errorf("keyboard: button [%d][%d]: payload of %d bytes, at most %d", i, j, len(b.Action.Payload), MaxPayload)
			}
			if b.Action.Payload != "" && !json.Valid([]byte(b.Action.Payload)) {
				return fmt.Errorf("keyboard: button [%d][%d]: payload is not JSON", i, j)
			}
		}
	}
	if n > total {
		return fmt.Errorf("keyboard: %d buttons, at most %d", n, total)
	}
	return nil
}

// JSON validates k and encodes it as the keyboard parameter wants it.
func (k *Keyboard) JSON() (string, error) {
	if k == nil {
		return "", errors.New("keyboard: nil")
	}
	if err := k.Validate(); err != nil {
		return "", err
	}
	if k.Buttons == nil {
		k = &Keyboard{OneTime: k.OneTime, Inline: k.Inline, Buttons: [][]Button{}}
	}
	b, err := json.Marshal(k)
	return string(b), err
}
