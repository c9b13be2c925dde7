package chgk

import (
	"slices"
	"time"
)

// The TV game (SPEC §8). Its questions are Rounds like a rounds game's, so
// storing, judging, delivery reports and deadlines work the same; what
// differs is how a round begins (the top picks a sector), how long its
// phases are, and when a point is awarded (a blitz's after its third
// question).

// Sectors is how many sectors the TV game's table has.
const Sectors = 13

// The TV game's fixed lengths: a blitz's phases (never longer than the
// chat's own setting, so fast test settings stay fast) and the extra minute.
const (
	BlitzDiscussion = 20 * time.Second
	BlitzChoice     = 15 * time.Second
	BlitzAnswer     = 20 * time.Second
	ExtraMinute     = time.Minute
	// BlitzQuestions is how many questions a blitz and a super-blitz have.
	BlitzQuestions = 3
)

// SectorKind is what a sector of the table holds.
type SectorKind string

// The kinds of sector.
const (
	SectorNormal     SectorKind = "normal"     // one question, as a round
	SectorBlitz      SectorKind = "blitz"      // three quick questions, all must be right
	SectorSuperBlitz SectorKind = "superblitz" // three questions for one expert alone
	SectorThirteen   SectorKind = "thirteen"   // sector 13: a question from the whole bank
)

// Sector is one question's place on the table.
type Sector struct {
	Number int        `json:"number"` // 1..13
	Kind   SectorKind `json:"kind"`
	// Part is the question's number in a blitz or a super-blitz, 1..3;
	// zero in other sectors.
	Part int `json:"part"`
}

// Multi reports whether the sector has three questions for its point.
func (s Sector) Multi() bool { return s.Kind == SectorBlitz || s.Kind == SectorSuperBlitz }

// Table is which of sectors 1..12 hold the blitz and the super-blitz in one
// game; the rest are normal and 13 is sector 13.
type Table struct {
	Blitz int `json:"blitz"`
	Super int `json:"super"`
}

// Kind is what sector n holds.
func (t Table) Kind(n int) SectorKind {
	switch n {
	case Sectors:
		return SectorThirteen
	case t.Blitz:
		return SectorBlitz
	case t.Super:
		return SectorSuperBlitz
	}
	return SectorNormal
}

func (t Table) valid() bool {
	ok := func(n int) bool { return n >= 1 && n < Sectors }
	return ok(t.Blitz) && ok(t.Super) && t.Blitz != t.Super
}

// drawTable puts the blitz and the super-blitz on two different sectors of
// 1..12, uniformly.
func drawTable(rnd Rand) Table {
	b := rnd.IntN(Sectors-1) + 1
	s := rnd.IntN(Sectors-2) + 1
	if s >= b {
		s++
	}
	return Table{Blitz: b, Super: s}
}

// TakeMinute spends one of the team's extra minutes on the current
// discussion of a TV game (captain only): it gets ExtraMinute more. Only in
// a normal sector or sector 13, once per discussion; refused with
// ErrNoMinute when the team has none. Round works as in AnswerEarly.
type TakeMinute struct {
	By    Player
	Round int
}

func (TakeMinute) command() {}

// MinuteTaken: the captain spent an extra minute; the discussion now ends
// in Left, and the team has Minutes more in hand.
type MinuteTaken struct {
	Peer    PeerID        `json:"peer"`
	Round   int           `json:"round"`
	By      Player        `json:"by"`
	Left    time.Duration `json:"left"`
	Minutes int           `json:"minutes"`
}

func (MinuteTaken) event() {}

func (g *Game) takeMinute(c TakeMinute, now time.Time) ([]Event, error) {
	if g.st.Phase != PhaseDiscussion || stale(c.Round, len(g.st.Rounds)) {
		return nil, ErrWrongPhase
	}
	if c.By.ID != g.st.Captain {
		return nil, ErrNotCaptain
	}
	r := g.current()
	switch {
	case r.Sector.Multi():
		return nil, ErrWrongPhase // no extra minutes in a blitz (SPEC §8)
	case r.ExtraMinute:
		return nil, ErrMinuteTaken
	case g.st.Minutes == 0:
		return nil, ErrNoMinute
	}
	r.ExtraMinute = true
	g.st.Minutes--
	g.st.Deadline = g.st.Deadline.Add(ExtraMinute)
	g.setWarning()
	g.changed = true
	left := g.st.Deadline.Sub(now)
	if !g.st.ClockRunning {
		left = g.duration(PhaseDiscussion) // counts from the delivery, still to come
	}
	return []Event{MinuteTaken{Peer: g.st.Peer, Round: r.Number, By: c.By, Left: max(left, 0), Minutes: g.st.Minutes}}, nil
}

// minuteAvailable reports whether the captain could take an extra minute
// in the current discussion.
func (g *Game) minuteAvailable() bool {
	r := g.current()
	return g.st.Minutes > 0 && !r.ExtraMinute && !r.Sector.Multi() && g.st.Settings.TV()
}

// of is the rounds a game has, for events: zero in a TV game, which has
// a target instead.
func (g *Game) of() int {
	if g.st.Settings.TV() {
		return 0
	}
	return len(g.st.Questions)
}

// played are the sectors played in the table's current turn: a game to
// more than seven points plays more sectors than the table has, and then
// the whole table is free again.
func (g *Game) played() []int {
	var sectors []int
	for _, r := range g.st.Rounds {
		if r.Sector.Part <= 1 {
			sectors = append(sectors, r.Sector.Number)
		}
	}
	return sectors[len(sectors)/Sectors*Sectors:]
}

// nextQuestion is the index in Questions of the question for the next
// round in sector n, or -1 when none is left. A TV game keeps Questions[0]
// for the first visit to sector 13 and deals the rest in order.
func (g *Game) nextQuestion(n int) int {
	thirteenUsed := slices.ContainsFunc(g.st.Rounds, func(r Round) bool { return r.Sector.Number == Sectors })
	if n == Sectors && !thirteenUsed {
		return 0
	}
	i := 1 + len(g.st.Rounds)
	if thirteenUsed {
		i--
	}
	if i >= len(g.st.Questions) {
		return -1
	}
	return i
}

// left is how many questions are left for sectors other than 13.
func (g *Game) left() int {
	i := g.nextQuestion(1)
	if i < 0 {
		return 0
	}
	return len(g.st.Questions) - i
}

// spin turns the top: it stops on a random sector and, when that one was
// played in this turn of the table, moves on clockwise to the next free
// one. The game ends, by the score, when the bank cannot serve the sector.
func (g *Game) spin(now time.Time, rnd Rand) []Event {
	played := g.played()
	landed := rnd.IntN(Sectors) + 1
	n := landed
	for slices.Contains(played, n) {
		n = n%Sectors + 1
	}
	kind := g.st.Table.Kind(n)
	need := 1
	if kind == SectorBlitz || kind == SectorSuperBlitz {
		need = BlitzQuestions
	}
	if (n != Sectors || g.nextQuestion(n) != 0) && g.left() < need {
		return g.end(PhaseFinished, now)
	}
	if landed == n {
		landed = 0
	}
	sector := Sector{Number: n, Kind: kind}
	if sector.Multi() {
		sector.Part = 1
	}
	return g.question(sector, landed, Player{}, now)
}

// question begins one question of sector s: a discussion, or in a
// super-blitz the expert's answer at once (after the captain chose the
// expert, for its first question).
func (g *Game) question(s Sector, landed int, expert Player, now time.Time) []Event {
	q := g.st.Questions[g.nextQuestion(s.Number)]
	n := len(g.st.Rounds) + 1
	g.st.Rounds = append(g.st.Rounds, Round{Number: n, Question: q, StartedAt: now, Sector: s, Answerer: expert})
	g.changed = true
	if s.Kind == SectorSuperBlitz && expert.ID == 0 {
		captain, _ := g.player(g.st.Captain)
		if len(g.st.Players) == 1 {
			return g.superBlitz(captain, false, landed, now)
		}
		// The choice of the expert comes before the question: when it
		// opens the game, its message names the team (Round 1).
		t := g.enter(PhaseChoice, now)
		return []Event{AnswererAsked{Peer: g.st.Peer, Round: n, Captain: captain, Players: slices.Clone(g.st.Players),
			Timer: t, Sector: s, Landed: landed, Team: g.st.Team, Bot: g.st.Bot, Target: g.st.Settings.Goal()}}
	}
	phase := PhaseDiscussion
	if s.Kind == SectorSuperBlitz {
		phase = PhaseAnswer
	}
	return []Event{g.roundStarted(g.enter(phase, now), landed, n == 1)}
}

// roundStarted is the event that reads the current TV question, with
// Timer t; team names the team, for the message that opens the game.
func (g *Game) roundStarted(t Timer, landed int, team bool) RoundStarted {
	r := g.current()
	captain, _ := g.player(g.st.Captain)
	e := RoundStarted{Peer: g.st.Peer, Round: r.Number, Question: cloneQuestion(r.Question), Captain: captain, Team: g.st.Team,
		Bot: g.st.Bot, Timer: t, Sector: r.Sector, Landed: landed, Target: g.st.Settings.Goal(), Minutes: g.st.Minutes,
		Answerer: r.Answerer, ByDefault: r.ByDefault}
	if team {
		e.Players = slices.Clone(g.st.Players)
	}
	return e
}

// choosingExpert reports whether the choice under way is a super-blitz's
// expert, not a round's answerer.
func (g *Game) choosingExpert() bool {
	r := g.current()
	return r.Sector.Kind == SectorSuperBlitz && r.Answerer.ID == 0
}

// superBlitz gives the super-blitz to expert and reads its first question.
// landed is where the top stopped when no choice came first (a team of
// one): then this message is the sector's first, and may open the game.
func (g *Game) superBlitz(expert Player, byDefault bool, landed int, now time.Time) []Event {
	r := g.current()
	r.Answerer, r.ByDefault = expert, byDefault
	g.changed = true
	solo := len(g.st.Players) == 1
	return []Event{g.roundStarted(g.enter(PhaseAnswer, now), landed, solo && r.Number == 1)}
}

// judgeSector awards a TV game's point once the judged question decides
// its sector, and goes on: to the blitz's next question, a pause, the next
// spin, or the end at Goal points.
func (g *Game) judgeSector(now time.Time, rnd Rand) []Event {
	r := g.current()
	g.changed = true
	var point Outcome
	switch {
	case r.Verdict != VerdictCorrect:
		point = OutcomeBot
		g.st.Bot++
	case !r.Sector.Multi() || r.Sector.Part == BlitzQuestions:
		point = OutcomeTeam
		g.st.Team++
	}
	if r.Verdict == VerdictCorrect && r.Early && !r.Sector.Multi() {
		r.MinuteEarned = true
		g.st.Minutes++
	}
	goal := g.st.Settings.Goal()
	ev := RoundJudged{Peer: g.st.Peer, Round: r.Number, Answerer: r.Answerer, Given: r.Given, Verdict: r.Verdict,
		Question: cloneQuestion(r.Question), Team: g.st.Team, Bot: g.st.Bot, Sector: r.Sector, Point: point,
		MinuteEarned: r.MinuteEarned, Minutes: g.st.Minutes, Target: goal, Game: g.st.ID, AppealUntil: g.AppealUntil(r.Number)}
	if point == "" {
		next := r.Sector
		next.Part++
		if g.left() == 0 {
			ev.Last = true
			return append([]Event{ev}, g.end(PhaseFinished, now)...)
		}
		expert := Player{}
		if next.Kind == SectorSuperBlitz {
			expert = r.Answerer
		}
		return append([]Event{ev}, g.question(next, 0, expert, now)...)
	}
	if g.st.Team >= goal || g.st.Bot >= goal || g.left() == 0 && g.nextQuestion(Sectors) != 0 {
		ev.Last = true
		return append([]Event{ev}, g.end(PhaseFinished, now)...)
	}
	if g.st.Settings.Pause <= 0 {
		return append([]Event{ev}, g.spin(now, rnd)...)
	}
	ev.Timer = g.enter(PhasePause, now)
	return []Event{ev}
}
