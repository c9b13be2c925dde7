package chgk

import "time"

// Event is something the chat must be told. Events carry every name, number
// and text a renderer needs, so rendering needs no lookups. The set is
// closed: only the types of this package implement it.
//
// Events are deliberately a wire format: the bus keeps them in its outbox,
// where they outlive a deploy, so they and the values they carry (Player,
// Question, Status, Results, Round, Settings, SettingError, Timer) have
// explicit JSON names. Never rename a tag; a Go field may be renamed freely.
type Event interface{ event() }

// Timer describes the clock of a waiting phase that an event opens. The
// Deadline is provisional until the game hears that the event's message was
// delivered (see Delivered); a renderer shows Duration. Events hold it as a
// named field, not embedded: its Round would clash with theirs on the wire.
type Timer struct {
	Phase    Phase         `json:"phase"`
	Round    int           `json:"round"`
	Duration time.Duration `json:"duration"`
	Deadline time.Time     `json:"deadline"`
}

// LobbyOpened: a game was started and registration is open.
type LobbyOpened struct {
	Peer      PeerID `json:"peer"`
	StartedBy Player `json:"startedBy"`
	Rounds    int    `json:"rounds"` // rounds the game will have; zero in a TV game
	Timer     Timer  `json:"timer"`  // the clock the event starts
	Mode      Mode   `json:"mode,omitempty"`
	Target    int    `json:"target,omitempty"` // points to win a TV game
}

// PlayerJoined: a member joined the game.
type PlayerJoined struct {
	Peer    PeerID   `json:"peer"`
	Player  Player   `json:"player"`
	Players []Player `json:"players"` // everyone, the new player last
	Phase   Phase    `json:"phase"`   // the phase they joined in
}

// GameStarted: registration closed and the captain was drawn.
type GameStarted struct {
	Peer    PeerID   `json:"peer"`
	Captain Player   `json:"captain"`
	Players []Player `json:"players"`
	Rounds  int      `json:"rounds"` // zero in a TV game
	Mode    Mode     `json:"mode,omitempty"`
	Target  int      `json:"target,omitempty"`
}

// RoundStarted: a question is read and the discussion begins.
type RoundStarted struct {
	Peer     PeerID   `json:"peer"`
	Round    int      `json:"round"` // 1-based
	Of       int      `json:"of"`    // rounds in the game
	Question Question `json:"question"`
	Captain  Player   `json:"captain"`
	Team     int      `json:"team"`
	Bot      int      `json:"bot"`
	Timer    Timer    `json:"timer"` // the clock the event starts
	// Players is the team, in the first round only: the round opens the
	// game, so its message can name the team and the captain together.
	Players []Player `json:"players,omitempty"`
	// In a TV game (Of is zero): the question's Sector, Landed (where the
	// top first stopped, when that sector was played already; else zero),
	// the Target and the extra Minutes the team has. In a super-blitz,
	// Answerer is the expert who alone answers, at once (Timer is the
	// answer's), ByDefault when the captain did not choose in time.
	Sector    Sector `json:"sector"`
	Landed    int    `json:"landed,omitempty"`
	Target    int    `json:"target,omitempty"`
	Minutes   int    `json:"minutes,omitempty"`
	Answerer  Player `json:"answerer"`
	ByDefault bool   `json:"byDefault,omitempty"`
}

// AnswererAsked: the discussion ended; the captain must choose who answers.
type AnswererAsked struct {
	Peer    PeerID   `json:"peer"`
	Round   int      `json:"round"`
	Of      int      `json:"of"`
	Captain Player   `json:"captain"`
	Players []Player `json:"players"` // the choices
	Early   bool     `json:"early"`   // the captain ended the discussion early
	Timer   Timer    `json:"timer"`   // the clock the event starts
	// Sector is the question's, in a TV game. A super-blitz's first
	// question is not read yet: the captain chooses the expert who will
	// answer all three, so the event also carries where the top stopped
	// (Landed, as in RoundStarted), the score and the target.
	Sector Sector `json:"sector"`
	Landed int    `json:"landed,omitempty"`
	Team   int    `json:"team,omitempty"`
	Bot    int    `json:"bot,omitempty"`
	Target int    `json:"target,omitempty"`
}

// AnswererChosen: the answerer is known and has Timer.Duration to answer.
type AnswererChosen struct {
	Peer      PeerID `json:"peer"`
	Round     int    `json:"round"`
	Answerer  Player `json:"answerer"`
	ByDefault bool   `json:"byDefault"` // the captain did not choose in time and answers
	// Solo: the game has one player, who answers as the discussion ends;
	// no choice was asked. Early tells how the discussion ended then.
	Solo   bool   `json:"solo"`
	Early  bool   `json:"early"`
	Timer  Timer  `json:"timer"`  // the clock the event starts
	Sector Sector `json:"sector"` // the question's, in a TV game
}

// RoundJudged: the answer was judged and the point awarded.
type RoundJudged struct {
	Peer     PeerID   `json:"peer"`
	Round    int      `json:"round"`
	Of       int      `json:"of"`
	Answerer Player   `json:"answerer"`
	Given    string   `json:"given"` // the answer as written; empty when time ran out
	Verdict  Verdict  `json:"verdict"`
	Question Question `json:"question"` // with the right answer, alternatives and comment
	Team     int      `json:"team"`     // score after this round
	Bot      int      `json:"bot"`
	Last     bool     `json:"last"`  // no round follows; GameEnded comes next
	Timer    Timer    `json:"timer"` // the pause before the next round; zero when Last
	// In a TV game: the question's Sector; Point, the side the sector's
	// point went to, empty while a blitz goes on; MinuteEarned when a
	// correct early answer earned an extra minute, and the Minutes in hand.
	Sector       Sector  `json:"sector"`
	Point        Outcome `json:"point,omitempty"`
	MinuteEarned bool    `json:"minuteEarned,omitempty"`
	Minutes      int     `json:"minutes,omitempty"`
	Target       int     `json:"target,omitempty"`
	// Game is the game's id, and AppealUntil when the captain's window to
	// appeal this verdict closes: zero when it cannot be appealed.
	Game        int64     `json:"game,omitempty"`
	AppealUntil time.Time `json:"appealUntil,omitzero"`
}

// GameEnded: the game finished after its last round, or was stopped.
type GameEnded struct {
	Peer    PeerID  `json:"peer"`
	Results Results `json:"results"`
	// AppealUntil: the game finished on a verdict that may be appealed
	// until then (its message opens with it); else zero.
	AppealUntil time.Time `json:"appealUntil,omitzero"`
}

// GameResumed: a deadline fired long after it was due (the bot was down);
// the chat is told the game goes on.
type GameResumed struct {
	Peer  PeerID        `json:"peer"`
	Phase Phase         `json:"phase"`
	Round int           `json:"round"`
	Late  time.Duration `json:"late"`
}

// StatusShown answers Info: the running game, or else the last game's
// results, or neither (a hint to start one).
type StatusShown struct {
	Peer   PeerID   `json:"peer"`
	Status *Status  `json:"status"` // the running game, if any
	Last   *Results `json:"last"`   // the last ended game, when none runs
}

// DiscussionWarned: the discussion ends in Left (Warning, or less when
// the warning came late). The round's message says so.
type DiscussionWarned struct {
	Peer  PeerID        `json:"peer"`
	Round int           `json:"round"`
	Left  time.Duration `json:"left"`
	// Minute: the captain may still take an extra minute (TV), so the
	// round message keeps that button.
	Minute bool `json:"minute,omitempty"`
}

// LeaderboardShown answers Top with the chat's leaderboard.
type LeaderboardShown struct {
	Peer  PeerID      `json:"peer"`
	Board Leaderboard `json:"board"`
}

// RulesShown answers Rules with the settings a new game would use.
type RulesShown struct {
	Peer     PeerID   `json:"peer"`
	Settings Settings `json:"settings"`
}

// SettingsShown answers ChangeSettings: the chat's settings after the change.
type SettingsShown struct {
	Peer     PeerID      `json:"peer"`
	By       Player      `json:"by"`
	Settings Settings    `json:"settings"`
	Changed  SettingName `json:"changed"` // empty when only shown
}

// Rejected: a member's command was refused by the rules. Status is set when
// the refusal is a start during a running game, so the chat sees that game;
// Setting is set for a bad setting.
type Rejected struct {
	Peer    PeerID        `json:"peer"`
	By      Player        `json:"by"`
	Reason  RuleError     `json:"reason"`
	Status  *Status       `json:"status"`
	Setting *SettingError `json:"setting"`
}

func (LobbyOpened) event()      {}
func (PlayerJoined) event()     {}
func (GameStarted) event()      {}
func (RoundStarted) event()     {}
func (AnswererAsked) event()    {}
func (AnswererChosen) event()   {}
func (RoundJudged) event()      {}
func (GameEnded) event()        {}
func (GameResumed) event()      {}
func (StatusShown) event()      {}
func (RulesShown) event()       {}
func (LeaderboardShown) event() {}
func (DiscussionWarned) event() {}
func (SettingsShown) event()    {}
func (Rejected) event()         {}

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
