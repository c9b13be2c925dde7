package chgk

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// PeerID is a VK conversation: a chat is 2000000000 + its chat id.
type PeerID int64

// ChatPeerBase is the first peer id of a group chat.
const ChatPeerBase PeerID = 2_000_000_000

// IsChat reports whether p is a group chat (not a private dialog).
func (p PeerID) IsChat() bool { return p > ChatPeerBase }

// UserID is a VK user.
type UserID int64

// Player is a chat member taking part in a game.
type Player struct {
	ID   UserID `json:"id"`
	Name string `json:"name"` // as shown in mentions, e.g. "Анна"
}

// Phase is where a game is. Every phase but the two ended ones waits for
// something and has a deadline.
type Phase string

// The phases, in the order a round goes through them.
const (
	PhaseLobby      Phase = "lobby"      // registration is open
	PhaseDiscussion Phase = "discussion" // the team discusses the question
	PhaseChoice     Phase = "choice"     // the captain chooses the answerer
	PhaseAnswer     Phase = "answer"     // the answerer writes the answer
	PhasePause      Phase = "pause"      // after a verdict, before the next round
	PhaseFinished   Phase = "finished"   // all rounds played
	PhaseStopped    Phase = "stopped"    // stopped early by a member
)

// Active reports whether a game in phase p is still running.
func (p Phase) Active() bool {
	switch p {
	case PhaseLobby, PhaseDiscussion, PhaseChoice, PhaseAnswer, PhasePause:
		return true
	}
	return false
}

// Verdict is the outcome of a round.
type Verdict string

// The verdicts. A round in progress has VerdictPending.
const (
	VerdictPending  Verdict = ""
	VerdictCorrect  Verdict = "correct"   // a point to the team
	VerdictWrong    Verdict = "wrong"     // a point to the bot
	VerdictNoAnswer Verdict = "no_answer" // time ran out: a point to the bot
)

// Round is one question of a game and what became of it.
type Round struct {
	Number    int       `json:"number"`
	Question  Question  `json:"question"`
	Answerer  Player    `json:"answerer"`  // zero until chosen
	ByDefault bool      `json:"byDefault"` // the captain answers because the choice timed out
	Given     string    `json:"given"`     // the answer as written
	Verdict   Verdict   `json:"verdict"`
	StartedAt time.Time `json:"startedAt"`
	JudgedAt  time.Time `json:"judgedAt"`
	// Sector is where the top stopped for this question, in a TV game;
	// zero in a rounds game.
	Sector Sector `json:"sector"`
	// Early: the captain ended the discussion early («Ответить досрочно»).
	Early bool `json:"early"`
	// ExtraMinute: the captain spent an extra minute on this discussion.
	ExtraMinute bool `json:"extraMinute"`
	// MinuteEarned: a correct early answer earned the team an extra minute.
	MinuteEarned bool `json:"minuteEarned"`
	// Appealed: an accepted appeal made the verdict correct.
	Appealed bool `json:"appealed"`
}

// State is everything a game is, in plain exported fields, for stores to
// save and load. Build a Game from it with Restore; a Game never shares its
// slices with a State.
type State struct {
	ID       int64
	Peer     PeerID
	Phase    Phase
	Settings Settings
	// Grace is how long past its own length a phase may wait for the report
	// that its message was delivered (see Delivered). Zero: clocks start at
	// once.
	Grace     time.Duration
	Players   []Player
	Captain   UserID // zero in the lobby
	Questions []Question
	Rounds    []Round // begun rounds; the last may be in progress
	Deadline  time.Time
	// WarnAt is when the discussion's 10-second warning is due; zero when
	// none is (given, not in a discussion, or a discussion too short).
	WarnAt         time.Time
	ClockRunning   bool // the deadline counts from the delivery, not a fallback
	PhaseStartedAt time.Time
	Team, Bot      int
	// Table is a TV game's sectors, drawn when its lobby closes; zero in a
	// rounds game and in a TV game's lobby.
	Table Table
	// Minutes are the extra minutes a TV game's team has in hand.
	Minutes   int
	StartedBy Player
	StartedAt time.Time
	EndedAt   time.Time
	StoppedBy Player // zero unless stopped
	Version   int64  // the number of changes applied
}

// Game is one chat's game. Its methods apply one command at a time with the
// time and randomness passed in; an invalid move returns a RuleError and
// leaves the game as it was. A Game is not safe for concurrent use: stores
// serialise access per chat.
type Game struct {
	st      State
	changed bool // set by every mutation within one Apply
}

// NewGame is what starting a game needs.
type NewGame struct {
	Peer      PeerID
	Starter   Player     // joined automatically
	Settings  Settings   // copied into the game
	Questions []Question // the questions to play, in order; rounds = min(len, Settings.Rounds)
	// Thirteenth is a TV game's question for sector 13, drawn from the whole
	// bank (QuestionSource.DrawAny); nil: it is the first of Questions.
	Thirteenth *Question
	Now        time.Time
	Grace      time.Duration // see State.Grace
}

// Open starts a game in its lobby and returns it with the LobbyOpened event.
// It fails with ErrNoQuestions when no question is offered and with a
// *SettingError when the settings are not playable.
func Open(p NewGame) (*Game, []Event, error) {
	if err := p.Settings.Validate(); err != nil {
		return nil, nil, err
	}
	if len(p.Questions) == 0 {
		return nil, nil, ErrNoQuestions
	}
	qs := slices.Clone(p.Questions)
	if len(qs) > p.Settings.Draws() {
		qs = qs[:p.Settings.Draws()]
	}
	if p.Settings.TV() && p.Thirteenth != nil {
		// Questions[0] of a TV game is sector 13's (see nextQuestion).
		qs = append([]Question{*p.Thirteenth}, qs...)
	}
	g := &Game{st: State{
		Peer:      p.Peer,
		Settings:  p.Settings,
		Grace:     max(p.Grace, 0),
		Players:   []Player{p.Starter},
		Questions: qs,
		StartedBy: p.Starter,
		StartedAt: p.Now,
		Version:   1,
	}}
	t := g.enter(PhaseLobby, p.Now)
	ev := LobbyOpened{Peer: p.Peer, StartedBy: p.Starter, Rounds: len(qs), Timer: t}
	if p.Settings.TV() {
		ev.Rounds, ev.Mode, ev.Target = 0, ModeTV, p.Settings.Goal()
	}
	return g, []Event{ev}, nil
}

// Restore rebuilds a game from a stored State. It checks the state's
// invariants and fails with a descriptive error on a corrupt one.
func Restore(s State) (*Game, error) {
	fail := func(format string, args ...any) (*Game, error) {
		return nil, fmt.Errorf("restore game %d: "+format, append([]any{s.ID}, args...)...)
	}
	switch {
	case !s.Phase.Active() && s.Phase != PhaseFinished && s.Phase != PhaseStopped:
		return fail("unknown phase %q", s.Phase)
	case len(s.Players) == 0:
		return fail("no players")
	case len(s.Questions) == 0:
		return fail("no questions")
	case len(s.Rounds) > len(s.Questions):
		return fail("%d rounds for %d questions", len(s.Rounds), len(s.Questions))
	case s.Phase != PhaseLobby && s.Phase.Active() && len(s.Rounds) == 0:
		return fail("phase %s without a round", s.Phase)
	case s.Captain != 0 && !slices.ContainsFunc(s.Players, func(p Player) bool { return p.ID == s.Captain }):
		return fail("captain %d is not a player", s.Captain)
	case s.Phase.Active() && s.Phase != PhaseLobby && s.Captain == 0:
		return fail("phase %s without a captain", s.Phase)
	case s.Minutes < 0:
		return fail("%d extra minutes", s.Minutes)
	case s.Settings.TV() && len(s.Rounds) > 0 && !s.Table.valid():
		return fail("a TV game with the table %+v", s.Table)
	}
	g := &Game{st: s}
	g.st = g.State() // own copies of the slices
	return g, nil
}

// State returns a deep copy of the game's state, for storing.
func (g *Game) State() State {
	s := g.st
	s.Players = slices.Clone(s.Players)
	s.Questions = cloneQuestions(s.Questions)
	s.Rounds = slices.Clone(s.Rounds)
	for i := range s.Rounds {
		s.Rounds[i].Question = cloneQuestion(s.Rounds[i].Question)
	}
	return s
}

func cloneQuestions(qs []Question) []Question {
	out := slices.Clone(qs)
	for i := range out {
		out[i] = cloneQuestion(out[i])
	}
	return out
}

func cloneQuestion(q Question) Question {
	q.Accepted = slices.Clone(q.Accepted)
	q.Rejected = slices.Clone(q.Rejected)
	return q
}

// ID is the store's id of the game; zero until stored.
func (g *Game) ID() int64 { return g.st.ID }

// SetID records the id a store gave the game when it first saved it.
func (g *Game) SetID(id int64) { g.st.ID = id }

// Peer is the chat the game is played in.
func (g *Game) Peer() PeerID { return g.st.Peer }

// Phase is where the game is.
func (g *Game) Phase() Phase { return g.st.Phase }

// Deadline is when the current phase ends; zero once the game ended.
func (g *Game) Deadline() time.Time { return g.st.Deadline }

// Due is when the game next needs an Expire: the discussion's warning if
// one is pending, else the deadline. Zero once the game ended.
func (g *Game) Due() time.Time {
	if !g.st.WarnAt.IsZero() && g.st.WarnAt.Before(g.st.Deadline) {
		return g.st.WarnAt
	}
	return g.st.Deadline
}

// Warning is how long before a discussion's end the team is warned, and
// WarnAbove the shortest discussion that is warned: a warning in a short
// one would say little the round's message did not.
const (
	Warning   = 10 * time.Second
	WarnAbove = 15 * time.Second
)

// setWarning schedules the discussion's warning from its deadline.
func (g *Game) setWarning() {
	g.st.WarnAt = time.Time{}
	if g.st.Phase == PhaseDiscussion && g.duration(PhaseDiscussion) > WarnAbove {
		g.st.WarnAt = g.st.Deadline.Add(-Warning)
	}
}

// Round is the number of the current (or last begun) round; zero in the lobby.
func (g *Game) Round() int { return len(g.st.Rounds) }

// Version counts the commands that changed the game; stores use it to
// detect lost updates.
func (g *Game) Version() int64 { return g.st.Version }

// Apply applies one command at time now, drawing randomness (the captain)
// from rnd. It returns the events to announce, in order. An invalid move
// returns a RuleError and changes nothing; an Expire or Delivered that no
// longer fits the game is a no-op (no events, no error, no change).
// Start, Rules and ChangeSettings are the Host's business, not a game's:
// Start is refused with ErrGameRunning, the other two with ErrWrongPhase.
func (g *Game) Apply(cmd Command, now time.Time, rnd Rand) ([]Event, error) {
	g.changed = false
	evs, err := g.apply(cmd, now, rnd)
	if err != nil && g.changed {
		// A rule must refuse before it changes anything; this guards it.
		panic(fmt.Sprintf("chgk: %T changed the game and then failed: %v", cmd, err))
	}
	if g.changed {
		g.st.Version++
	}
	return evs, err
}

func (g *Game) apply(cmd Command, now time.Time, rnd Rand) ([]Event, error) {
	if _, ok := cmd.(Info); ok {
		if g.st.Phase.Active() {
			st := g.Status(now)
			return []Event{StatusShown{Peer: g.st.Peer, Status: &st}}, nil
		}
		r := g.Results()
		return []Event{StatusShown{Peer: g.st.Peer, Last: &r}}, nil
	}
	if !g.st.Phase.Active() {
		switch cmd.(type) {
		case Expire, Delivered:
			return nil, nil
		case Start:
			return nil, ErrWrongPhase
		}
		return nil, ErrNoGame
	}
	switch c := cmd.(type) {
	case Start:
		return nil, ErrGameRunning
	case Join:
		return g.join(c.Player)
	case Begin:
		if g.st.Phase != PhaseLobby {
			return nil, ErrWrongPhase
		}
		return g.closeLobby(now, rnd), nil
	case AnswerEarly:
		if g.st.Phase != PhaseDiscussion || stale(c.Round, len(g.st.Rounds)) {
			return nil, ErrWrongPhase
		}
		if c.By.ID != g.st.Captain {
			return nil, ErrNotCaptain
		}
		return g.askAnswerer(now, true), nil
	case TakeMinute:
		return g.takeMinute(c, now)
	case Choose:
		if g.st.Phase != PhaseChoice || stale(c.Round, len(g.st.Rounds)) {
			return nil, ErrWrongPhase
		}
		if c.By.ID != g.st.Captain {
			return nil, ErrNotCaptain
		}
		p, ok := g.player(c.Answerer)
		if !ok {
			return nil, ErrNotPlayer
		}
		if g.choosingExpert() {
			return g.superBlitz(p, false, 0, now), nil
		}
		return []Event{g.giveAnswer(p, false, now)}, nil
	case Answer:
		if g.st.Phase != PhaseAnswer {
			return nil, ErrWrongPhase
		}
		if c.By.ID != g.current().Answerer.ID {
			return nil, ErrNotAnswerer
		}
		if Normalize(c.Text) == "" {
			return nil, ErrEmptyAnswer
		}
		return g.judge(c.Text, now, rnd), nil
	case Stop:
		if c.Game != 0 && c.Game != g.st.ID {
			return nil, ErrNoGame
		}
		g.st.StoppedBy = c.By
		return g.end(PhaseStopped, now), nil
	case Expire:
		return g.expire(c, now, rnd), nil
	case Delivered:
		return g.delivered(c, now), nil
	case Rules, ChangeSettings:
		return nil, ErrWrongPhase
	}
	return nil, fmt.Errorf("chgk: unknown command %T", cmd)
}

// stale reports whether a button of round pressed now, in round current,
// is left over from an earlier round. Round 0 means "whatever round".
func stale(round, current int) bool { return round != 0 && round != current }

func (g *Game) join(p Player) ([]Event, error) {
	if _, ok := g.player(p.ID); ok {
		return nil, ErrAlreadyJoined
	}
	g.st.Players = append(g.st.Players, p)
	g.changed = true
	return []Event{PlayerJoined{Peer: g.st.Peer, Player: p, Players: slices.Clone(g.st.Players), Phase: g.st.Phase}}, nil
}

// ResumeNotice is how late a deadline must fire for the chat to be told the
// game goes on (a deadline that late means the bot was down).
const ResumeNotice = 10 * time.Second

// resumed tells the chat the game goes on if the phase ends late by at
// least ResumeNotice.
func (g *Game) resumed(late time.Duration) []Event {
	if late < ResumeNotice {
		return nil
	}
	return []Event{GameResumed{Peer: g.st.Peer, Phase: g.st.Phase, Round: len(g.st.Rounds), Late: late}}
}

func (g *Game) expire(c Expire, now time.Time, rnd Rand) []Event {
	if c.Phase != g.st.Phase || c.Round != len(g.st.Rounds) {
		return nil
	}
	if now.Before(g.st.Deadline) {
		if g.st.WarnAt.IsZero() || now.Before(g.st.WarnAt) {
			return nil
		}
		g.st.WarnAt = time.Time{}
		g.changed = true
		return []Event{DiscussionWarned{Peer: g.st.Peer, Round: len(g.st.Rounds), Left: g.st.Deadline.Sub(now), Minute: g.minuteAvailable()}}
	}
	evs := g.resumed(now.Sub(g.st.Deadline))
	switch g.st.Phase {
	case PhaseLobby:
		return append(evs, g.closeLobby(now, rnd)...)
	case PhaseDiscussion:
		return append(evs, g.askAnswerer(now, false)...)
	case PhaseChoice:
		captain, _ := g.player(g.st.Captain)
		if g.choosingExpert() {
			return append(evs, g.superBlitz(captain, true, 0, now)...)
		}
		return append(evs, g.giveAnswer(captain, true, now))
	case PhaseAnswer:
		return append(evs, g.judge("", now, rnd)...)
	case PhasePause:
		return append(evs, g.startRound(now, rnd)...)
	}
	return nil
}

// delivered starts the phase's clock at the delivery. A report that comes
// in after the phase would have ended (the bot was down between sending
// and hearing back) ends the phase now, never in the past; if that is as
// late as ResumeNotice, the chat is told the game goes on, as it would be
// by a late Expire.
func (g *Game) delivered(c Delivered, now time.Time) []Event {
	if c.Phase != g.st.Phase || c.Round != len(g.st.Rounds) || g.st.ClockRunning {
		return nil
	}
	at := c.At
	if at.Before(g.st.PhaseStartedAt) {
		at = g.st.PhaseStartedAt
	}
	if at.After(now) {
		at = now
	}
	deadline := at.Add(g.duration(g.st.Phase))
	var evs []Event
	if deadline.Before(now) {
		evs = g.resumed(now.Sub(deadline))
		deadline = now
	}
	g.st.Deadline = deadline
	g.st.ClockRunning = true
	g.setWarning()
	g.changed = true
	return evs
}

// enter moves the game into a waiting phase and starts its clock.
func (g *Game) enter(p Phase, now time.Time) Timer {
	d := g.duration(p)
	g.st.Phase = p
	g.st.PhaseStartedAt = now
	g.st.ClockRunning = g.st.Grace == 0
	g.st.Deadline = now.Add(d + g.st.Grace)
	g.setWarning()
	return Timer{Phase: p, Round: len(g.st.Rounds), Duration: d, Deadline: g.st.Deadline}
}

// duration is the length of phase p in the current round: the chat's
// setting, shortened in a blitz and a super-blitz (SPEC §8), lengthened
// by an extra minute.
func (g *Game) duration(p Phase) time.Duration {
	s := g.st.Settings
	var r Round
	if len(g.st.Rounds) > 0 {
		r = *g.current()
	}
	quick := r.Sector.Multi()
	switch p {
	case PhaseLobby:
		return s.Lobby
	case PhaseDiscussion:
		if quick {
			return min(s.Discussion, BlitzDiscussion)
		}
		if r.ExtraMinute {
			return s.Discussion + ExtraMinute
		}
		return s.Discussion
	case PhaseChoice:
		if r.Sector.Kind == SectorBlitz {
			return min(s.Choice, BlitzChoice)
		}
		return s.Choice
	case PhaseAnswer:
		if quick {
			return min(s.Answer, BlitzAnswer)
		}
		return s.Answer
	case PhasePause:
		return s.Pause
	}
	return 0
}

func (g *Game) closeLobby(now time.Time, rnd Rand) []Event {
	captain := g.st.Players[rnd.IntN(len(g.st.Players))]
	g.st.Captain = captain.ID
	g.changed = true
	ev := GameStarted{Peer: g.st.Peer, Captain: captain, Players: slices.Clone(g.st.Players), Rounds: len(g.st.Questions)}
	if g.st.Settings.TV() {
		g.st.Table = drawTable(rnd)
		ev.Rounds, ev.Mode, ev.Target = 0, ModeTV, g.st.Settings.Goal()
	}
	return append([]Event{ev}, g.startRound(now, rnd)...)
}

// startRound begins the next round, or in a TV game spins the top.
func (g *Game) startRound(now time.Time, rnd Rand) []Event {
	if g.st.Settings.TV() {
		return g.spin(now, rnd)
	}
	n := len(g.st.Rounds) + 1
	q := g.st.Questions[n-1]
	g.st.Rounds = append(g.st.Rounds, Round{Number: n, Question: q, StartedAt: now})
	captain, _ := g.player(g.st.Captain)
	t := g.enter(PhaseDiscussion, now)
	g.changed = true
	e := RoundStarted{Peer: g.st.Peer, Round: n, Of: len(g.st.Questions), Question: cloneQuestion(q),
		Captain: captain, Team: g.st.Team, Bot: g.st.Bot, Timer: t}
	if n == 1 {
		e.Players = slices.Clone(g.st.Players)
	}
	return []Event{e}
}

func (g *Game) askAnswerer(now time.Time, early bool) []Event {
	captain, _ := g.player(g.st.Captain)
	if len(g.st.Players) == 1 {
		// Nobody to choose from: the only player answers, at once.
		g.current().Early = early
		chosen := g.giveAnswer(captain, false, now)
		chosen.Solo, chosen.Early = true, early
		return []Event{chosen}
	}
	g.current().Early = early
	t := g.enter(PhaseChoice, now)
	g.changed = true
	return []Event{AnswererAsked{Peer: g.st.Peer, Round: len(g.st.Rounds), Of: g.of(), Captain: captain,
		Players: slices.Clone(g.st.Players), Early: early, Timer: t, Sector: g.current().Sector}}
}

func (g *Game) giveAnswer(p Player, byDefault bool, now time.Time) AnswererChosen {
	r := g.current()
	r.Answerer, r.ByDefault = p, byDefault
	t := g.enter(PhaseAnswer, now)
	g.changed = true
	return AnswererChosen{Peer: g.st.Peer, Round: r.Number, Answerer: p, ByDefault: byDefault, Timer: t, Sector: r.Sector}
}

func (g *Game) judge(text string, now time.Time, rnd Rand) []Event {
	r := g.current()
	r.Given, r.JudgedAt = text, now
	switch {
	case text == "":
		r.Verdict = VerdictNoAnswer
	case r.Question.Accepts(text):
		r.Verdict = VerdictCorrect
	default:
		r.Verdict = VerdictWrong
	}
	if g.st.Settings.TV() {
		return g.judgeSector(now, rnd)
	}
	if r.Verdict == VerdictCorrect {
		g.st.Team++
	} else {
		g.st.Bot++
	}
	g.changed = true
	last := r.Number == len(g.st.Questions)
	ev := RoundJudged{Peer: g.st.Peer, Round: r.Number, Of: len(g.st.Questions), Answerer: r.Answerer, Given: text,
		Verdict: r.Verdict, Question: cloneQuestion(r.Question), Team: g.st.Team, Bot: g.st.Bot, Last: last,
		Game: g.st.ID, AppealUntil: g.AppealUntil(r.Number)}
	if last {
		return append([]Event{ev}, g.end(PhaseFinished, now)...)
	}
	if g.st.Settings.Pause <= 0 {
		return append([]Event{ev}, g.startRound(now, rnd)...)
	}
	ev.Timer = g.enter(PhasePause, now)
	return []Event{ev}
}

func (g *Game) end(p Phase, now time.Time) []Event {
	g.st.Phase = p
	g.st.EndedAt = now
	g.st.Deadline, g.st.WarnAt = time.Time{}, time.Time{}
	g.st.ClockRunning = false
	g.changed = true
	e := GameEnded{Peer: g.st.Peer, Results: g.Results()}
	if p == PhaseFinished && len(g.st.Rounds) > 0 {
		e.AppealUntil = g.AppealUntil(len(g.st.Rounds)) // the results open with the last verdict
	}
	return []Event{e}
}

func (g *Game) current() *Round { return &g.st.Rounds[len(g.st.Rounds)-1] }

func (g *Game) player(id UserID) (Player, bool) {
	for _, p := range g.st.Players {
		if p.ID == id {
			return p, true
		}
	}
	return Player{}, false
}

// Status is a running game as /info shows it.
type Status struct {
	GameID int64 `json:"gameId"`
	Phase  Phase `json:"phase"`
	Round  int   `json:"round"` // current round; zero in the lobby
	Of     int   `json:"of"`    // rounds in the game; zero in a TV game
	// Mode and Target are the game's: in a TV game, Sector is the current
	// question's sector and Minutes the extra minutes in hand.
	Mode      Mode          `json:"mode,omitempty"`
	Target    int           `json:"target,omitempty"`
	Sector    Sector        `json:"sector"`
	Minutes   int           `json:"minutes"`
	Team      int           `json:"team"`
	Bot       int           `json:"bot"`
	Captain   Player        `json:"captain"`  // zero in the lobby
	Answerer  Player        `json:"answerer"` // set in the answer phase
	Players   []Player      `json:"players"`
	StartedBy Player        `json:"startedBy"`
	StartedAt time.Time     `json:"startedAt"`
	Left      time.Duration `json:"left"` // time left in the phase
}

// Status describes the game at time now.
func (g *Game) Status(now time.Time) Status {
	s := Status{
		GameID: g.st.ID, Phase: g.st.Phase, Round: len(g.st.Rounds), Of: len(g.st.Questions),
		Team: g.st.Team, Bot: g.st.Bot, Players: slices.Clone(g.st.Players),
		StartedBy: g.st.StartedBy, StartedAt: g.st.StartedAt,
	}
	s.Captain, _ = g.player(g.st.Captain)
	if g.st.Phase == PhaseAnswer {
		s.Answerer = g.current().Answerer
	}
	if g.st.Settings.TV() {
		s.Of, s.Mode, s.Target, s.Minutes = 0, ModeTV, g.st.Settings.Goal(), g.st.Minutes
		if len(g.st.Rounds) > 0 && g.st.Phase.Active() {
			s.Sector = g.current().Sector
		}
	}
	if g.st.Phase.Active() {
		left := g.st.Deadline.Sub(now)
		if !g.st.ClockRunning {
			// Waiting for the delivery report: the phase has not begun
			// counting down yet, whatever the fallback says.
			left = min(left, g.duration(g.st.Phase))
		}
		s.Left = max(left, 0)
	}
	return s
}

// Outcome is who won a game.
type Outcome string

// The outcomes.
const (
	OutcomeTeam Outcome = "team" // the experts won
	OutcomeBot  Outcome = "bot"  // the bot won
	OutcomeDraw Outcome = "draw" // equal points
)

// Results are an ended (or running) game's summary: score, winner and every
// judged round.
type Results struct {
	GameID    int64    `json:"gameId"`
	Peer      PeerID   `json:"peer"`
	Outcome   Outcome  `json:"outcome"`
	Stopped   bool     `json:"stopped"`
	StoppedBy Player   `json:"stoppedBy"`
	Team      int      `json:"team"`
	Bot       int      `json:"bot"`
	Captain   Player   `json:"captain"`
	Players   []Player `json:"players"`
	Rounds    []Round  `json:"rounds"`  // judged rounds only
	Planned   int      `json:"planned"` // rounds the game was to have; zero in a TV game
	// Mode and Target are the game's; a TV game's Rounds are its questions,
	// each with its sector, the three of a blitz in a row.
	Mode      Mode          `json:"mode,omitempty"`
	Target    int           `json:"target,omitempty"`
	StartedAt time.Time     `json:"startedAt"`
	EndedAt   time.Time     `json:"endedAt"`
	Duration  time.Duration `json:"duration"`
}

// Results summarises the game so far.
func (g *Game) Results() Results {
	r := Results{
		GameID: g.st.ID, Peer: g.st.Peer, Stopped: g.st.Phase == PhaseStopped, StoppedBy: g.st.StoppedBy,
		Team: g.st.Team, Bot: g.st.Bot, Players: slices.Clone(g.st.Players), Planned: len(g.st.Questions),
		StartedAt: g.st.StartedAt, EndedAt: g.st.EndedAt,
	}
	r.Captain, _ = g.player(g.st.Captain)
	if g.st.Settings.TV() {
		r.Planned, r.Mode, r.Target = 0, ModeTV, g.st.Settings.Goal()
	}
	for _, rd := range g.st.Rounds {
		if rd.Verdict != VerdictPending {
			rd.Question = cloneQuestion(rd.Question)
			r.Rounds = append(r.Rounds, rd)
		}
	}
	switch {
	case r.Team > r.Bot:
		r.Outcome = OutcomeTeam
	case r.Bot > r.Team:
		r.Outcome = OutcomeBot
	default:
		r.Outcome = OutcomeDraw
	}
	if !r.EndedAt.IsZero() {
		r.Duration = r.EndedAt.Sub(r.StartedAt)
	}
	return r
}

// IsRule reports whether err is an invalid move (a RuleError or a
// *SettingError) rather than a failure of the machinery.
func IsRule(err error) bool {
	var r RuleError
	return errors.As(err, &r) || errors.Is(err, ErrBadSetting)
}
