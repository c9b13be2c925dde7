package chgk

import (
	"errors"
	"fmt"
)

// RuleError is an invalid move: a command that the rules of the game refuse.
// It changes nothing, and the chat may be told why. RuleError values are
// constants, so they compare with == and errors.Is, and survive a round trip
// through any wire format as their string.
type RuleError string

func (e RuleError) Error() string { return string(e) }

// The invalid moves. Their texts are stable identifiers: adapters map them to
// the words a chat sees, so do not reword them.
const (
	ErrNoGame        RuleError = "no game is running in this chat"
	ErrGameRunning   RuleError = "a game is already running in this chat"
	ErrWrongPhase    RuleError = "not possible in this phase of the game"
	ErrNotCaptain    RuleError = "only the captain can do this"
	ErrNotAnswerer   RuleError = "only the chosen answerer can answer"
	ErrNotPlayer     RuleError = "the chosen member is not a player of this game"
	ErrAlreadyJoined RuleError = "already a player of this game"
	ErrEmptyAnswer   RuleError = "the answer is empty"
	ErrNoQuestions   RuleError = "there are no questions to play"
	ErrBadSetting    RuleError = "bad setting"
	ErrNoMinute      RuleError = "the team has no extra minute to take"
	ErrMinuteTaken   RuleError = "this discussion has had its extra minute"
)

// Storage errors that stores return, whatever their technology, so that
// callers never see a driver's error.
var (
	// ErrNotFound means the thing asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a write collided with another one (for example a
	// second active game in one chat); retrying the whole command is safe.
	ErrConflict = errors.New("conflict")
	// ErrInvalid means a store refused data as invalid (a broken reference,
	// a failed check): bad input that slipped past validation.
	ErrInvalid = errors.New("invalid data")
)

// SettingError says which setting was refused and what it accepts. It
// matches ErrBadSetting with errors.Is.
type SettingError struct {
	Name  SettingName `json:"name"`  // the setting, e.g. SettingRounds
	Value string      `json:"value"` // what was asked for, as given
	Min   float64     `json:"min"`   // the accepted range, in the setting's unit
	Max   float64     `json:"max"`   // the accepted range, in the setting's unit
	Unit  string      `json:"unit"`  // "" for counts, "s" for seconds
}

func (e *SettingError) Error() string {
	if e.Name == SettingMode {
		return fmt.Sprintf("bad setting %s=%q: want %s or %s", e.Name, e.Value, ModeRounds, ModeTV)
	}
	return fmt.Sprintf("bad setting %s=%q: want %g..%g%s", e.Name, e.Value, e.Min, e.Max, e.Unit)
}

// Is makes errors.Is(err, ErrBadSetting) true for a *SettingError.
func (e *SettingError) Is(target error) bool { return target == ErrBadSetting }
