package chgk

import "time"

// Event is something the chat must be told. Events carry every name, number
// and text a renderer needs, so rendering needs no lookups. The set is
// closed: only the types of this package implement it.
type Event interface{ event() }

// Timer describes the clock of a waiting phase that an event opens. The
// Deadline is provisional until the game hears that the event's message was
// delivered (see Delivered); a renderer shows Duration. Events hold it as a
// named field, not embedded: its Round would clash with theirs on the wire.
type Timer struct {
	Phase    Phase
	Round    int
	Duration time.Duration
	Deadline time.Time
}

// LobbyOpened: a game was started and registration is open.
type LobbyOpened struct {
	Peer      PeerID
	StartedBy Player
	Rounds    int   // rounds the game will have
	Timer     Timer // the clock the event starts
}

// PlayerJoined: a member joined the game.
type PlayerJoined struct {
	Peer    PeerID
	Player  Player
	Players []Player // everyone, the new player last
	Phase   Phase    // the phase they joined in
}

// GameStarted: registration closed and the captain was drawn.
type GameStarted struct {
	Peer    PeerID
	Captain Player
	Players []Player
	Rounds  int
}

// RoundStarted: a question is read and the discussion begins.
type RoundStarted struct {
	Peer     PeerID
	Round    int // 1-based
	Of       int // rounds in the game
	Question Question
	Captain  Player
	Team     int
	Bot      int
	Timer    Timer // the clock the event starts
}

// AnswererAsked: the discussion ended; the captain must choose who answers.
type AnswererAsked struct {
	Peer    PeerID
	Round   int
	Of      int
	Captain Player
	Players []Player // the choices
	Early   bool     // the captain ended the discussion early
	Timer   Timer    // the clock the event starts
}

// AnswererChosen: the answerer is known and has Timer.Duration to answer.
type AnswererChosen struct {
	Peer      PeerID
	Round     int
	Answerer  Player
	ByDefault bool // the captain did not choose in time and answers
	// Solo: the game has one player, who answers as the discussion ends;
	// no choice was asked. Early tells how the discussion ended then.
	Solo  bool
	Early bool
	Timer Timer // the clock the event starts
}

// RoundJudged: the answer was judged and the point awarded.
type RoundJudged struct {
	Peer     PeerID
	Round    int
	Of       int
	Answerer Player
	Given    string // the answer as written; empty when time ran out
	Verdict  Verdict
	Question Question // with the right answer, alternatives and comment
	Team     int      // score after this round
	Bot      int
	Last     bool  // no round follows; GameEnded comes next
	Timer    Timer // the pause before the next round; zero when Last
}

// GameEnded: the game finished after its last round, or was stopped.
type GameEnded struct {
	Peer    PeerID
	Results Results
}

// GameResumed: a deadline fired long after it was due (the bot was down);
// the chat is told the game goes on.
type GameResumed struct {
	Peer  PeerID
	Phase Phase
	Round int
	Late  time.Duration
}

// StatusShown answers Info: the running game, or else the last game's
// results, or neither (a hint to start one).
type StatusShown struct {
	Peer   PeerID
	Status *Status  // the running game, if any
	Last   *Results // the last ended game, when none runs
}

// RulesShown answers Rules with the settings a new game would use.
type RulesShown struct {
	Peer     PeerID
	Settings Settings
}

// SettingsShown answers ChangeSettings: the chat's settings after the change.
type SettingsShown struct {
	Peer     PeerID
	By       Player
	Settings Settings
	Changed  SettingName // empty when only shown
}

// Rejected: a member's command was refused by the rules. Status is set when
// the refusal is a start during a running game, so the chat sees that game;
// Setting is set for a bad setting.
type Rejected struct {
	Peer    PeerID
	By      Player
	Reason  RuleError
	Status  *Status
	Setting *SettingError
}

func (LobbyOpened) event()    {}
func (PlayerJoined) event()   {}
func (GameStarted) event()    {}
func (RoundStarted) event()   {}
func (AnswererAsked) event()  {}
func (AnswererChosen) event() {}
func (RoundJudged) event()    {}
func (GameEnded) event()      {}
func (GameResumed) event()    {}
func (StatusShown) event()    {}
func (RulesShown) event()     {}
func (SettingsShown) event()  {}
func (Rejected) event()       {}

// TimerOf returns the clock an event starts, if it starts one: the phase a
// caller must report delivered (see Delivered) once the event's message has
// reached the chat.
func TimerOf(e Event) (Timer, bool) {
	switch e := e.(type) {
	case LobbyOpened:
		return e.Timer, true
	case RoundStarted:
		return e.Timer, true
	case AnswererAsked:
		return e.Timer, true
	case AnswererChosen:
		return e.Timer, true
	case RoundJudged:
		return e.Timer, e.Timer.Phase != ""
	}
	return Timer{}, false
}
