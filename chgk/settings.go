package chgk

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Settings are the number of rounds and the length of every waiting phase.
// A chat has its own (or the operator's defaults); a game copies them when it
// starts, so a change applies to the next game, never to a running one.
type Settings struct {
	Rounds     int           `json:"rounds"`     // rounds per game
	Lobby      time.Duration `json:"lobby"`      // registration before the first round
	Discussion time.Duration `json:"discussion"` // discussion of a question
	Choice     time.Duration `json:"choice"`     // the captain's choice of the answerer
	Answer     time.Duration `json:"answer"`     // the answerer's time to write the answer
	Pause      time.Duration `json:"pause"`      // pause after a verdict, before the next round
}

// DefaultSettings are the SPEC defaults: 6 rounds, 30 s lobby, 60 s
// discussion, 30 s choice, 60 s answer, 5 s pause.
func DefaultSettings() Settings {
	return Settings{
		Rounds:     6,
		Lobby:      30 * time.Second,
		Discussion: 60 * time.Second,
		Choice:     30 * time.Second,
		Answer:     60 * time.Second,
		Pause:      5 * time.Second,
	}
}

// SettingName names one field of Settings in commands and APIs.
type SettingName string

// The settings a chat may change.
const (
	SettingRounds     SettingName = "rounds"
	SettingLobby      SettingName = "lobby"
	SettingDiscussion SettingName = "discussion"
	SettingChoice     SettingName = "choice"
	SettingAnswer     SettingName = "answer"
	SettingPause      SettingName = "pause"
)

// SettingNames lists every SettingName in a stable order, for help texts.
var SettingNames = []SettingName{SettingRounds, SettingLobby, SettingDiscussion, SettingChoice, SettingAnswer, SettingPause}

// Limit is the range a chat may choose for one setting: a count for rounds,
// seconds for the phases.
type Limit struct{ Min, Max float64 }

// Limits are the sane bounds a chat's members may set. The operator's
// defaults (from the environment) may go below them — fractions of a second
// make tests fast — but a chat may not.
var Limits = map[SettingName]Limit{
	SettingRounds:     {1, 30},
	SettingLobby:      {5, 600},
	SettingDiscussion: {10, 600},
	SettingChoice:     {5, 300},
	SettingAnswer:     {10, 300},
	SettingPause:      {1, 60},
}

// ParseSettingName accepts a setting's name in English or Russian, in any
// case: "rounds"/«раунды», "lobby"/«лобби»/«регистрация», "discussion"/
// «обсуждение», "choice"/«выбор», "answer"/«ответ», "pause"/«пауза». The
// second result is false for an unknown name.
func ParseSettingName(s string) (SettingName, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "rounds", "round", "раунды", "раунд", "раундов", "вопросы", "вопросов":
		return SettingRounds, true
	case "lobby", "registration", "лобби", "регистрация", "сбор":
		return SettingLobby, true
	case "discussion", "discuss", "обсуждение", "минута":
		return SettingDiscussion, true
	case "choice", "choose", "выбор":
		return SettingChoice, true
	case "answer", "ответ":
		return SettingAnswer, true
	case "pause", "пауза", "перерыв":
		return SettingPause, true
	}
	return "", false
}

// Set returns a copy of s with one setting changed to value, a number as a
// chat member types it ("8", "45", "1,5"). Rounds take a whole number, phases
// whole or fractional seconds. A value outside Limits, or not a number, is
// refused with a *SettingError naming the setting and the range.
func (s Settings) Set(name SettingName, value string) (Settings, error) {
	lim, ok := Limits[name]
	if !ok {
		return s, &SettingError{Name: name, Value: value}
	}
	bad := &SettingError{Name: name, Value: value, Min: lim.Min, Max: lim.Max, Unit: "s"}
	if name == SettingRounds {
		bad.Unit = ""
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(value), ",", "."), 64)
	if err != nil || math.IsNaN(v) || v < lim.Min || v > lim.Max {
		return s, bad
	}
	if name == SettingRounds {
		if v != math.Trunc(v) {
			return s, bad
		}
		s.Rounds = int(v)
		return s, nil
	}
	d := time.Duration(v * float64(time.Second))
	switch name {
	case SettingLobby:
		s.Lobby = d
	case SettingDiscussion:
		s.Discussion = d
	case SettingChoice:
		s.Choice = d
	case SettingAnswer:
		s.Answer = d
	case SettingPause:
		s.Pause = d
	}
	return s, nil
}

// Validate checks the looser bounds any game needs to be playable: at least
// one round and at most 100, every phase at least a millisecond (the pause
// may be zero) and at most an hour. It is used for the operator's defaults; chats
// are held to Limits by Set.
func (s Settings) Validate() error {
	if s.Rounds < 1 || s.Rounds > 100 {
		return &SettingError{Name: SettingRounds, Value: strconv.Itoa(s.Rounds), Min: 1, Max: 100}
	}
	for _, f := range []struct {
		name SettingName
		d    time.Duration
		min  time.Duration
	}{
		{SettingLobby, s.Lobby, time.Millisecond}, {SettingDiscussion, s.Discussion, time.Millisecond},
		{SettingChoice, s.Choice, time.Millisecond}, {SettingAnswer, s.Answer, time.Millisecond}, {SettingPause, s.Pause, 0},
	} {
		if f.d < f.min || f.d > time.Hour {
			return &SettingError{Name: f.name, Value: f.d.String(), Min: f.min.Seconds(), Max: time.Hour.Seconds(), Unit: "s"}
		}
	}
	return nil
}
