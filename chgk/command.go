package chgk

import "time"

// Command is something a chat member (or the clock) asks of a chat's game.
// The set is closed: only the types of this package implement it.
type Command interface{ command() }

// Start opens a new game (its lobby) with By as the first player. It is
// refused with ErrGameRunning while a game runs in the chat.
type Start struct{ By Player }

// Join adds Player to the running game: in the lobby, or later as a player
// who can be chosen to answer from the next choice on.
type Join struct{ Player Player }

// Begin closes the lobby at once ("/go", the «Поехали» button); any member
// may press it.
type Begin struct{ By Player }

// AnswerEarly ends the discussion before its time (captain only). Round,
// when not zero, is the round the pressed button belongs to: a button left
// over from an earlier round is refused with ErrWrongPhase.
type AnswerEarly struct {
	By    Player
	Round int
}

// Choose names the player who will answer this round (captain only). Round
// works as in AnswerEarly.
type Choose struct {
	By       Player
	Answerer UserID
	Round    int
}

// Answer is a chat message that may be the round's answer. Only the chosen
// answerer's message counts; others are ignored quietly.
type Answer struct {
	By   Player
	Text string
}

// Stop ends the running game at once; any member may stop it.
type Stop struct {
	By Player
	// Game, if not zero, is the id of the game to stop: a stop meant for
	// one game (an admin's, by id) never stops the next one of the chat;
	// for another game it is refused with ErrNoGame.
	Game int64
}

// Expire tells the game that the deadline of Phase in Round has passed. It
// is harmless to send twice or late: an Expire for a phase or round the game
// has left, or before the stored deadline, changes nothing.
type Expire struct {
	Phase Phase
	Round int
}

// Delivered reports that the message opening Phase in Round reached the
// chat At the given time. The phase's clock runs from then (SPEC §2), so a
// team does not lose seconds to a queue of outgoing messages. Stale or
// repeated reports change nothing.
type Delivered struct {
	Phase Phase
	Round int
	At    time.Time
}

// Info asks for the running game's status, or the last game's results.
type Info struct{ By Player }

// Top asks for the chat's leaderboard (Leaderboards).
type Top struct{ By Player }

// Rules asks for the rules and the commands.
type Rules struct{ By Player }

// ChangeSettings shows the chat's settings, or changes one when Name is set.
// Value is as typed by a member and is checked against Limits.
type ChangeSettings struct {
	By    Player
	Name  SettingName
	Value string
}

func (Start) command()          {}
func (Join) command()           {}
func (Begin) command()          {}
func (AnswerEarly) command()    {}
func (Choose) command()         {}
func (Answer) command()         {}
func (Stop) command()           {}
func (Expire) command()         {}
func (Delivered) command()      {}
func (Info) command()           {}
func (Top) command()            {}
func (Rules) command()          {}
func (ChangeSettings) command() {}
