package chgktest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/vkchgk/chgkbot/chgk"
)

// Recorded is an event a Memory store recorded, with the chat it is for.
type Recorded struct {
	Peer  chgk.PeerID
	Event chgk.Event
}

// Memory is an in-memory chgk.GameStore, chgk.QuestionSource,
// chgk.ChatStore and chgk.AppealStore (whose writes are not undone when an
// Update fails). Updates of one chat run one at a time; different chats run
// in parallel. It is what the Postgres store is measured against in
// StoreContract.
type Memory struct {
	locks sync.Map // chgk.PeerID → *sync.Mutex, held for a whole Update

	mu        sync.Mutex
	nextID    int64
	games     map[int64]chgk.State
	active    map[chgk.PeerID]int64
	lastEnded map[chgk.PeerID]int64
	events    []Recorded
	questions []chgk.Question
	used      map[chgk.PeerID]map[int64]bool
	chats     map[chgk.PeerID]chgk.Settings
	rnd       *rand.Rand
	ap        appeals
}

// NewMemory returns an empty store holding questions (their ids are set to
// 1, 2, … where zero). The draw order is shuffled with a fixed seed.
func NewMemory(questions ...chgk.Question) *Memory {
	m := &Memory{
		games:     map[int64]chgk.State{},
		active:    map[chgk.PeerID]int64{},
		lastEnded: map[chgk.PeerID]int64{},
		used:      map[chgk.PeerID]map[int64]bool{},
		chats:     map[chgk.PeerID]chgk.Settings{},
		rnd:       rand.New(rand.NewPCG(1, 2)),
	}
	m.AddQuestions(questions...)
	return m
}

// AddQuestions adds questions to the pool, giving ids to those without.
func (m *Memory) AddQuestions(qs ...chgk.Question) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, q := range qs {
		if q.ID == 0 {
			q.ID = int64(len(m.questions) + 1)
		}
		m.questions = append(m.questions, q)
	}
}

// Update implements chgk.GameStore.
func (m *Memory) Update(ctx context.Context, peer chgk.PeerID, fn chgk.UpdateFunc) error {
	l, _ := m.locks.LoadOrStore(peer, &sync.Mutex{})
	lock := l.(*sync.Mutex)
	lock.Lock()
	defer lock.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}

	var active *chgk.Game
	m.mu.Lock()
	if id, ok := m.active[peer]; ok {
		g, err := chgk.Restore(m.games[id])
		if err != nil {
			m.mu.Unlock()
			return err
		}
		active = g
	}
	m.mu.Unlock()

	save, evs, err := fn(ctx, active)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if save != nil {
		if err := m.save(peer, save); err != nil {
			return err
		}
	}
	for _, e := range evs {
		m.events = append(m.events, Recorded{Peer: peer, Event: e})
	}
	return nil
}

func (m *Memory) save(peer chgk.PeerID, g *chgk.Game) error {
	if g.Peer() != peer {
		return fmt.Errorf("save game of chat %d in chat %d", g.Peer(), peer)
	}
	if g.ID() == 0 {
		if _, busy := m.active[peer]; busy {
			return fmt.Errorf("second active game in chat %d: %w", peer, chgk.ErrConflict)
		}
		m.nextID++
		g.SetID(m.nextID)
	} else if old, ok := m.games[g.ID()]; !ok || old.Version >= g.Version() {
		return fmt.Errorf("game %d saved without a change or over a newer version: %w", g.ID(), chgk.ErrConflict)
	}
	st := g.State()
	m.games[st.ID] = st
	if st.Phase.Active() {
		m.active[peer] = st.ID
	} else {
		delete(m.active, peer)
		m.lastEnded[peer] = st.ID
	}
	for _, r := range st.Rounds {
		if m.used[peer] == nil {
			m.used[peer] = map[int64]bool{}
		}
		m.used[peer][r.Question.ID] = true
	}
	return nil
}

// LastEnded implements chgk.GameStore.
func (m *Memory) LastEnded(ctx context.Context, peer chgk.PeerID) (*chgk.Game, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id, ok := m.lastEnded[peer]
	if !ok {
		return nil, chgk.ErrNotFound
	}
	return chgk.Restore(m.games[id])
}

// Draw implements chgk.QuestionSource.
func (m *Memory) Draw(ctx context.Context, peer chgk.PeerID, n int) ([]chgk.Question, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var fresh, seen []chgk.Question
	for _, q := range m.questions {
		if m.used[peer][q.ID] {
			seen = append(seen, q)
		} else {
			fresh = append(fresh, q)
		}
	}
	m.rnd.Shuffle(len(fresh), func(i, j int) { fresh[i], fresh[j] = fresh[j], fresh[i] })
	if len(fresh) == 0 {
		delete(m.used, peer) // the pool is used up: start over
	}
	if len(fresh) < n {
		m.rnd.Shuffle(len(seen), func(i, j int) { seen[i], seen[j] = seen[j], seen[i] })
		fresh = append(fresh, seen...)
	}
	return slices.Clone(fresh[:min(n, len(fresh))]), nil
}

// DrawAny implements chgk.QuestionSource.
func (m *Memory) DrawAny(ctx context.Context, n int, except []int64) ([]chgk.Question, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var qs []chgk.Question
	for _, q := range m.questions {
		if !slices.Contains(except, q.ID) {
			qs = append(qs, q)
		}
	}
	m.rnd.Shuffle(len(qs), func(i, j int) { qs[i], qs[j] = qs[j], qs[i] })
	return qs[:min(n, len(qs))], nil
}

// Settings implements chgk.ChatStore.
func (m *Memory) Settings(ctx context.Context, peer chgk.PeerID) (chgk.Settings, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.chats[peer]
	if !ok {
		return chgk.Settings{}, chgk.ErrNotFound
	}
	return s, nil
}

// SaveSettings implements chgk.ChatStore.
func (m *Memory) SaveSettings(ctx context.Context, peer chgk.PeerID, s chgk.Settings) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.chats[peer] = s
	return nil
}

// Events returns every event recorded so far, in order.
func (m *Memory) Events() []Recorded {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.events)
}

// Game returns the stored state of game id.
func (m *Memory) Game(id int64) (chgk.State, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.games[id]
	return s, ok
}

// ChatLeaderboard implements chgk.Leaderboards over the ended games.
func (m *Memory) ChatLeaderboard(ctx context.Context, peer chgk.PeerID, limit int) (chgk.Leaderboard, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var b chgk.Leaderboard
	players := map[chgk.UserID]*chgk.PlayerStats{}
	for _, st := range m.games {
		if st.Peer != peer || st.Phase.Active() {
			continue
		}
		b.Games++
		b.TeamPoints += st.Team
		b.BotPoints += st.Bot
		switch {
		case st.Phase == chgk.PhaseStopped:
			b.Stopped++
		case st.Team > st.Bot:
			b.TeamWins++
		case st.Bot > st.Team:
			b.BotWins++
		default:
			b.Draws++
		}
		for _, p := range st.Players {
			if players[p.ID] == nil {
				players[p.ID] = &chgk.PlayerStats{Player: p}
			}
			players[p.ID].Games++
		}
		for _, r := range st.Rounds {
			if p := players[r.Answerer.ID]; p != nil && r.Verdict != chgk.VerdictPending {
				p.Answered++
				if r.Verdict == chgk.VerdictCorrect {
					p.Correct++
				}
			}
		}
	}
	for _, p := range players {
		b.Players = append(b.Players, *p)
	}
	slices.SortFunc(b.Players, func(x, y chgk.PlayerStats) int {
		if x.Correct != y.Correct {
			return y.Correct - x.Correct
		}
		if x.Games != y.Games {
			return y.Games - x.Games
		}
		return int(x.Player.ID - y.Player.ID)
	})
	if len(b.Players) > limit {
		b.Players = b.Players[:limit]
	}
	return b, nil
}

// appeals of a Memory: its own lock, as its writes come from inside an
// Update (which holds the chat's lock, not m.mu).
type appeals struct {
	mu   sync.Mutex
	list []chgk.Appeal
}

var _ chgk.AppealStore = (*Memory)(nil)

// File implements chgk.AppealStore.
func (m *Memory) File(ctx context.Context, a chgk.Appeal) (chgk.Appeal, error) {
	m.ap.mu.Lock()
	defer m.ap.mu.Unlock()
	for _, b := range m.ap.list {
		if b.Game == a.Game && b.Round == a.Round {
			return chgk.Appeal{}, fmt.Errorf("round %d of game %d: %w", a.Round, a.Game, chgk.ErrConflict)
		}
	}
	a.ID = int64(len(m.ap.list) + 1)
	m.ap.list = append(m.ap.list, a)
	return a, nil
}

// Appeal implements chgk.AppealStore.
func (m *Memory) Appeal(ctx context.Context, id int64) (chgk.Appeal, error) {
	m.ap.mu.Lock()
	defer m.ap.mu.Unlock()
	if id < 1 || int(id) > len(m.ap.list) {
		return chgk.Appeal{}, chgk.ErrNotFound
	}
	return m.ap.list[id-1], nil
}

// Appeals lists every appeal, in the order filed.
func (m *Memory) Appeals() []chgk.Appeal {
	m.ap.mu.Lock()
	defer m.ap.mu.Unlock()
	return slices.Clone(m.ap.list)
}

// Decide implements chgk.AppealStore.
func (m *Memory) Decide(ctx context.Context, a chgk.Appeal) error {
	m.ap.mu.Lock()
	defer m.ap.mu.Unlock()
	if a.ID < 1 || int(a.ID) > len(m.ap.list) {
		return chgk.ErrNotFound
	}
	m.ap.list[a.ID-1] = a
	return nil
}

// AppealedGame implements chgk.AppealStore.
func (m *Memory) AppealedGame(ctx context.Context, id int64) (*chgk.Game, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.games[id]
	if !ok {
		return nil, chgk.ErrNotFound
	}
	return chgk.Restore(st)
}

// Amend implements chgk.AppealStore.
func (m *Memory) Amend(ctx context.Context, g *chgk.Game, round int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.games[g.ID()]; !ok || old.Version >= g.Version() {
		return fmt.Errorf("amend game %d: %w", g.ID(), chgk.ErrConflict)
	}
	m.games[g.ID()] = g.State()
	return nil
}

// AddAlternative implements chgk.AppealStore.
func (m *Memory) AddAlternative(ctx context.Context, question int64, text string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.questions {
		if m.questions[i].ID == question {
			m.questions[i].Accepted = append(m.questions[i].Accepted, text)
			return nil
		}
	}
	return chgk.ErrNotFound
}

// Question returns the pool's question id, as it is now.
func (m *Memory) Question(id int64) (chgk.Question, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, q := range m.questions {
		if q.ID == id {
			return q, true
		}
	}
	return chgk.Question{}, false
}
