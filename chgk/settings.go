package chgk

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Settings are the game's mode, its length (rounds, or the points to win)
// and the length of every waiting phase. A chat has its own (or the
// operator's defaults); a game copies them when it starts, so a change
// applies to the next game, never to a running one.
type Settings struct {
	// Mode is the kind of game (SPEC §8); empty means ModeRounds, which is
	// what settings saved before modes existed hold.
	Mode Mode `json:"mode,omitempty"`
	// Target is the points to win a ModeTV game; zero means DefaultTarget.
	Target     int           `json:"target,omitempty"`
	Rounds     int           `json:"rounds"`     // rounds per ModeRounds game
	Lobby      time.Duration `json:"lobby"`      // registration before the first round
	Discussion time.Duration `json:"discussion"` // discussion of a question
	Choice     time.Duration `json:"choice"`     // the captain's choice of the answerer
	Answer     time.Duration `json:"answer"`     // the answerer's time to write the answer
	Pause      time.Duration `json:"pause"`      // pause after a verdict, before the next round
	// Appeal is how long the captain may appeal a «неверно» (SPEC §9);
	// zero means DefaultAppealWindow.
	Appeal time.Duration `json:"appeal,omitempty"`
}

// Mode is the kind of game a chat plays.
type Mode string

// The modes.
const (
	// ModeRounds is N rounds of one question each (SPEC §1).
	ModeRounds Mode = "rounds"
	// ModeTV is the television game (SPEC §8): first to Target points, a
	// spinning top over 13 sectors, blitz, super-blitz, extra minutes.
	ModeTV Mode = "tv"
)

// DefaultTarget is the points to win a TV game, as on television.
const DefaultTarget = 6

// TV reports whether the settings are of a TV game.
func (s Settings) TV() bool { return s.Mode == ModeTV }

// Goal is the points that win a TV game: Target, or DefaultTarget when
// Target is zero.
func (s Settings) Goal() int {
	if s.Target == 0 {
		return DefaultTarget
	}
	return s.Target
}

// MaxSectors is the most sectors a TV game plays: after 2·Goal−1 points
// one side has Goal of them.
func (s Settings) MaxSectors() int { return 2*s.Goal() - 1 }

// Draws is how many questions a game is dealt at its start: one per round
// in ModeRounds; in ModeTV enough for MaxSectors sectors with a blitz and
// a super-blitz (two questions more each) in every turn of the table.
func (s Settings) Draws() int {
	if !s.TV() {
		return s.Rounds
	}
	n := s.MaxSectors()
	turns := (n + Sectors - 1) / Sectors
	return n + 4*turns
}

// DefaultSettings are the SPEC defaults: 6 rounds, 30 s lobby, 60 s
// discussion, 30 s choice, 60 s answer, 5 s pause.
func DefaultSettings() Settings {
	return Settings{
		Mode:       ModeRounds,
		Target:     DefaultTarget,
		Rounds:     6,
		Lobby:      30 * time.Second,
		Discussion: 60 * time.Second,
		Choice:     30 * time.Second,
		Answer:     60 * time.Second,
		Pause:      5 * time.Second,
		Appeal:     DefaultAppealWindow,
	}
}

// SettingName names one field of Settings in commands and APIs.
type SettingName string

// The settings a chat may change.
const (
	SettingMode       SettingName = "mode"
	SettingTarget     SettingName = "target"
	SettingRounds     SettingName = "rounds"
	SettingLobby      SettingName = "lobby"
	SettingDiscussion SettingName = "discussion"
	SettingChoice     SettingName = "choice"
	SettingAnswer     SettingName = "answer"
	SettingPause      SettingName = "pause"
	SettingAppeal     SettingName = "appeal"
)

// SettingNames lists every SettingName in a stable order, for help texts.
var SettingNames = []SettingName{SettingMode, SettingTarget, SettingRounds, SettingLobby, SettingDiscussion, SettingChoice, SettingAnswer, SettingPause, SettingAppeal}

// Limit is the range a chat may choose for one numeric setting: a count for
// rounds and the target, seconds for the phases.
type Limit struct{ Min, Max float64 }

// Limits are the sane bounds a chat's members may set. The operator's
// defaults (from the environment) may go below them — fractions of a second
// make tests fast — but a chat may not.
//
// The mode is not a number and has no Limit: it takes a Mode's name (see
// ParseMode).
var Limits = map[SettingName]Limit{
	SettingTarget:     {3, 11},
	SettingRounds:     {1, 30},
	SettingLobby:      {5, 600},
	SettingDiscussion: {10, 600},
	SettingChoice:     {5, 300},
	SettingAnswer:     {10, 300},
	SettingPause:      {1, 60},
	SettingAppeal:     {30, 600},
}

// ParseSettingName accepts a setting's name in English or Russian, in any
// case: "mode"/«режим», "target"/«цель»/«очки», "rounds"/«раунды», "lobby"/«лобби»/«регистрация», "discussion"/
// «обсуждение», "choice"/«выбор», "answer"/«ответ», "pause"/«пауза». The
// second result is false for an unknown name.
func ParseSettingName(s string) (SettingName, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "mode", "режим", "игра":
		return SettingMode, true
	case "target", "goal", "цель", "очки", "очков", "до":
		return SettingTarget, true
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
	case "appeal", "апелляция", "апелляции":
		return SettingAppeal, true
	}
	return "", false
}

// Set returns a copy of s with one setting changed to value, a number as a
// chat member types it ("8", "45", "1,5"). Rounds take a whole number, phases
// whole or fractional seconds. A value outside Limits, or not a number, is
// refused with a *SettingError naming the setting and the range.
func (s Settings) Set(name SettingName, value string) (Settings, error) {
	if name == SettingMode {
		m, ok := ParseMode(value)
		if !ok {
			return s, &SettingError{Name: name, Value: value}
		}
		s.Mode = m
		return s, nil
	}
	lim, ok := Limits[name]
	if !ok {
		return s, &SettingError{Name: name, Value: value}
	}
	bad := &SettingError{Name: name, Value: value, Min: lim.Min, Max: lim.Max, Unit: "s"}
	whole := name == SettingRounds || name == SettingTarget
	if whole {
		bad.Unit = ""
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(value), ",", "."), 64)
	if err != nil || math.IsNaN(v) || v < lim.Min || v > lim.Max {
		return s, bad
	}
	if whole {
		if v != math.Trunc(v) {
			return s, bad
		}
		if name == SettingTarget {
			s.Target = int(v)
		} else {
			s.Rounds = int(v)
		}
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
	case SettingAppeal:
		s.Appeal = d
	}
	return s, nil
}

// Validate checks the looser bounds any game needs to be playable: a known
// mode, a target within Limits (or zero), at least one round and at most 100, every phase at least a millisecond (the pause
// may be zero) and at most an hour. It is used for the operator's defaults; chats
// are held to Limits by Set.
func (s Settings) Validate() error {
	if s.Mode != "" && s.Mode != ModeRounds && s.Mode != ModeTV {
		return &SettingError{Name: SettingMode, Value: string(s.Mode)}
	}
	if lim := Limits[SettingTarget]; s.Target != 0 && (float64(s.Target) < lim.Min || float64(s.Target) > lim.Max) {
		return &SettingError{Name: SettingTarget, Value: strconv.Itoa(s.Target), Min: lim.Min, Max: lim.Max}
	}
	if s.Rounds < 1 || s.Rounds > 100 {
		return &SettingError{Name: SettingRounds, Value: strconv.Itoa(s.Rounds), Min: 1, Max: 100}
	}
	for _, f := range []struct {
		name SettingName
		d    time.Duration
		min  time.Duration
	}{
		{SettingLobby, s.Lobby, time.Millisecond}, {SettingDiscussion, s.Discussion, time.Millisecond},
		{SettingChoice, s.Choice, time.Millisecond}, {SettingAnswer, s.Answer, time.Millisecond}, {SettingPause, s.Pause, 0}, {SettingAppeal, s.Appeal, 0},
	} {
		if f.d < f.min || f.d > time.Hour {
			return &SettingError{Name: f.name, Value: f.d.String(), Min: f.min.Seconds(), Max: time.Hour.Seconds(), Unit: "s"}
		}
	}
	return nil
}

// ParseMode reads a mode as a member types it: "tv"/«телеигра»/«тв» or
// "rounds"/«раунды», in any case. The second result is false for anything
// else.
func ParseMode(s string) (Mode, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "tv", "тв", "телеигра", "телеигры", "телевизор", "как в телеигре":
		return ModeTV, true
	case "rounds", "раунды", "раунд", "обычный", "обычная":
		return ModeRounds, true
	}
	return "", false
}
