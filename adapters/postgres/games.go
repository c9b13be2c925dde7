package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/vkchgk/chgkbot/chgk"
)

var activePhases = bun.In([]string{
	string(chgk.PhaseLobby), string(chgk.PhaseDiscussion), string(chgk.PhaseChoice),
	string(chgk.PhaseAnswer), string(chgk.PhasePause),
})

// Games keeps games. It implements chgk.GameStore with a transaction of
// its own per Update; inside the bus's unit of work the same code runs in
// the unit's transaction instead (see Units.InChat).
type Games struct{ db *bun.DB }

// NewGames returns the game store over db.
func NewGames(db *bun.DB) *Games { return &Games{db: db} }

var _ chgk.GameStore = (*Games)(nil)

// Update implements chgk.GameStore: in one transaction it locks the chat's
// row (so commands of one chat run one at a time, even before its first
// game), loads the active game FOR UPDATE, runs fn and saves what fn
// returns. The partial unique index games_one_active refuses a second
// active game even if this code forgot (chgk.ErrConflict).
func (s *Games) Update(ctx context.Context, peer chgk.PeerID, fn chgk.UpdateFunc) error {
	return inChatTx(ctx, s.db, peer, func(ctx context.Context, tx bun.Tx) error {
		return updateGame(ctx, tx, peer, fn)
	})
}

// inChatTx runs f in a transaction that holds the lock of the chat's row.
// f's own error comes back as it is — but marked temporary if the
// connection under it broke (an outbox publish, say, that reached the
// driver without translate) — and the machinery's translated.
func inChatTx(ctx context.Context, db *bun.DB, peer chgk.PeerID, f func(ctx context.Context, tx bun.Tx) error) error {
	var inner error
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := lockChat(ctx, tx, peer); err != nil {
			return err
		}
		inner = f(ctx, tx)
		return inner
	})
	switch {
	case err == nil:
		return nil
	case inner != nil:
		if !IsTemporary(inner) || errors.As(inner, new(*temporary)) {
			return fmt.Errorf("chat %d: %w", peer, inner)
		}
		return fmt.Errorf("chat %d: %w", peer, &temporary{inner})
	}
	return fmt.Errorf("chat %d: %w", peer, translate(err)) // begin, lock or commit failed
}

// updateGame loads the chat's active game in tx, which holds the chat's
// lock, runs fn on it and saves what fn returns.
func updateGame(ctx context.Context, tx bun.Tx, peer chgk.PeerID, fn chgk.UpdateFunc) error {
	var row gameRow
	err := tx.NewSelect().Model(&row).Where("peer_id = ?", int64(peer)).Where("phase IN (?)", activePhases).
		For("UPDATE").Scan(ctx)
	var active *chgk.Game
	loadedRounds, loadedPlayers := 0, 0
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("load active game: %w", translate(err))
	default:
		if active, err = loadGame(ctx, tx, &row); err != nil {
			return err
		}
		loadedRounds, loadedPlayers = active.Round(), len(active.State().Players)
	}
	save, _, err := fn(ctx, active)
	if err != nil || save == nil {
		return err
	}
	return saveGame(ctx, tx, peer, save, loaded{rounds: loadedRounds, players: loadedPlayers, version: row.Version})
}

// lockChat takes the lock of the chat's row, creating the row if needed.
func lockChat(ctx context.Context, tx bun.Tx, peer chgk.PeerID) error {
	for range 2 {
		var id int64
		err := tx.NewSelect().Table("chats").Column("peer_id").Where("peer_id = ?", int64(peer)).For("UPDATE").Scan(ctx, &id)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("lock chat: %w", translate(err))
		}
		if _, err := tx.NewInsert().Model(&chatRow{PeerID: int64(peer)}).On("CONFLICT (peer_id) DO NOTHING").Exec(ctx); err != nil {
			return fmt.Errorf("create chat: %w", translate(err))
		}
	}
	return fmt.Errorf("lock chat: row vanished")
}

// loadGame reads a game's players, rounds and questions and restores it.
func loadGame(ctx context.Context, db bun.IDB, row *gameRow) (*chgk.Game, error) {
	var players []gamePlayerRow
	if err := db.NewSelect().Model(&players).Where("game_id = ?", row.ID).Order("position").Scan(ctx); err != nil {
		return nil, fmt.Errorf("load players of game %d: %w", row.ID, translate(err))
	}
	var rounds []roundRow
	if err := db.NewSelect().Model(&rounds).Where("game_id = ?", row.ID).Order("number").Scan(ctx); err != nil {
		return nil, fmt.Errorf("load rounds of game %d: %w", row.ID, translate(err))
	}
	// Deleted questions too: a game keeps the questions it was dealt.
	var qrows []QuestionRow
	if err := db.NewSelect().Model(&qrows).ColumnExpr(questionColumns).ColumnExpr("p.name AS pack_name").
		Join("JOIN packs AS p ON p.id = q.pack_id").Where("q.id IN (?)", bun.In(row.QuestionIDs)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("load questions of game %d: %w", row.ID, translate(err))
	}
	byID := make(map[int64]chgk.Question, len(qrows))
	for _, q := range qrows {
		byID[q.ID] = q.Question()
	}
	st := chgk.State{
		ID: row.ID, Peer: chgk.PeerID(row.PeerID), Phase: chgk.Phase(row.Phase), Settings: row.Settings.settings(),
		Grace: time.Duration(row.GraceMs) * time.Millisecond, Captain: chgk.UserID(row.CaptainID),
		Deadline: row.Deadline, WarnAt: row.WarnAt, ClockRunning: row.ClockRunning, PhaseStartedAt: row.PhaseStartedAt,
		Team: row.TeamScore, Bot: row.BotScore, StartedBy: chgk.Player{ID: chgk.UserID(row.StartedBy), Name: row.StartedByName},
		StartedAt: row.StartedAt, EndedAt: row.EndedAt, Version: row.Version,
		Table: chgk.Table{Blitz: row.BlitzSector, Super: row.SuperSector}, Minutes: row.Minutes,
	}
	if row.StoppedBy != 0 || row.StoppedByName != "" { // an admin's stop has a name and no VK id
		st.StoppedBy = chgk.Player{ID: chgk.UserID(row.StoppedBy), Name: row.StoppedByName}
	}
	for _, p := range players {
		st.Players = append(st.Players, chgk.Player{ID: chgk.UserID(p.UserID), Name: p.Name})
	}
	for _, id := range row.QuestionIDs {
		q, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("game %d: question %d is missing", row.ID, id)
		}
		st.Questions = append(st.Questions, q)
	}
	for _, r := range rounds {
		rd := chgk.Round{Number: r.Number, Question: byID[r.QuestionID], ByDefault: r.ByDefault, Given: r.Given,
			Verdict: chgk.Verdict(r.Verdict), StartedAt: r.StartedAt, JudgedAt: r.JudgedAt,
			Sector: chgk.Sector{Number: r.Sector, Kind: chgk.SectorKind(r.SectorKind), Part: r.Part},
			Early:  r.Early, ExtraMinute: r.ExtraMinute, MinuteEarned: r.MinuteEarned, Appealed: r.Appealed}
		if r.AnswererID != 0 {
			rd.Answerer = chgk.Player{ID: chgk.UserID(r.AnswererID), Name: r.AnswererName}
		}
		st.Rounds = append(st.Rounds, rd)
	}
	return chgk.Restore(st)
}

// loaded is what a game had when Update loaded it: saveGame writes only
// what changed since.
type loaded struct {
	rounds, players int
	version         int64
}

// saveGame writes g: inserted when new (it then gets its id), else updated
// only if nobody saved it since it was loaded. Players are append-only;
// rounds from the last loaded one on are upserted.
func saveGame(ctx context.Context, tx bun.Tx, peer chgk.PeerID, g *chgk.Game, was loaded) error {
	st := g.State()
	if st.Peer != peer {
		return fmt.Errorf("save game of chat %d in chat %d", st.Peer, peer)
	}
	row := gameRow{
		ID: st.ID, PeerID: int64(st.Peer), Phase: string(st.Phase), Settings: toSettingsJSON(st.Settings),
		GraceMs: st.Grace.Milliseconds(), CaptainID: int64(st.Captain), TeamScore: st.Team, BotScore: st.Bot,
		Deadline: st.Deadline, WarnAt: st.WarnAt, ClockRunning: st.ClockRunning, PhaseStartedAt: st.PhaseStartedAt,
		StartedBy: int64(st.StartedBy.ID), StartedByName: st.StartedBy.Name, StartedAt: st.StartedAt,
		EndedAt: st.EndedAt, StoppedBy: int64(st.StoppedBy.ID), StoppedByName: st.StoppedBy.Name,
		Version: st.Version, UpdatedAt: time.Now(),
		BlitzSector: st.Table.Blitz, SuperSector: st.Table.Super, Minutes: st.Minutes,
	}
	for _, q := range st.Questions {
		row.QuestionIDs = append(row.QuestionIDs, q.ID)
	}
	firstPlayer := 0
	if st.ID == 0 {
		if _, err := tx.NewInsert().Model(&row).Returning("id").Exec(ctx); err != nil {
			return fmt.Errorf("insert game: %w", translate(err))
		}
		g.SetID(row.ID)
	} else {
		res, err := tx.NewUpdate().Model(&row).WherePK().Where("version = ?", was.version).
			ExcludeColumn("id", "peer_id", "started_by", "started_by_name", "started_at", "question_ids").Exec(ctx)
		if err != nil {
			return fmt.Errorf("update game %d: %w", st.ID, translate(err))
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("game %d changed since it was loaded: %w", st.ID, chgk.ErrConflict)
		}
		firstPlayer = was.players
	}
	if firstPlayer < len(st.Players) {
		players := make([]gamePlayerRow, 0, len(st.Players)-firstPlayer)
		for i := firstPlayer; i < len(st.Players); i++ {
			p := st.Players[i]
			players = append(players, gamePlayerRow{GameID: row.ID, Position: i, UserID: int64(p.ID), Name: p.Name})
		}
		if _, err := tx.NewInsert().Model(&players).Exec(ctx); err != nil {
			return fmt.Errorf("insert players: %w", translate(err))
		}
	}
	from := max(was.rounds-1, 0) // the last loaded round may have changed
	if from < len(st.Rounds) {
		rounds := make([]roundRow, 0, len(st.Rounds)-from)
		var used []int64 // questions of rounds new since the load
		for _, r := range st.Rounds[from:] {
			rounds = append(rounds, roundRow{GameID: row.ID, Number: r.Number, QuestionID: r.Question.ID,
				AnswererID: int64(r.Answerer.ID), AnswererName: r.Answerer.Name, ByDefault: r.ByDefault,
				Given: r.Given, Verdict: string(r.Verdict), StartedAt: r.StartedAt, JudgedAt: r.JudgedAt,
				Sector: r.Sector.Number, SectorKind: string(r.Sector.Kind), Part: r.Sector.Part,
				Early: r.Early, ExtraMinute: r.ExtraMinute, MinuteEarned: r.MinuteEarned, Appealed: r.Appealed})
			if r.Number > was.rounds {
				used = append(used, r.Question.ID)
			}
		}
		if _, err := tx.NewInsert().Model(&rounds).
			On("CONFLICT (game_id, number) DO UPDATE").
			Set("answerer_id = EXCLUDED.answerer_id, answerer_name = EXCLUDED.answerer_name").
			Set("by_default = EXCLUDED.by_default, given = EXCLUDED.given, verdict = EXCLUDED.verdict").
			Set("judged_at = EXCLUDED.judged_at").
			Set("early = EXCLUDED.early, extra_minute = EXCLUDED.extra_minute, minute_earned = EXCLUDED.minute_earned").
			Set("appealed = EXCLUDED.appealed").
			Exec(ctx); err != nil {
			return fmt.Errorf("save rounds: %w", translate(err))
		}
		if len(used) > 0 {
			if _, err := tx.NewRaw(`INSERT INTO used_questions (peer_id, question_id)
				SELECT ?, unnest(?::bigint[]) ON CONFLICT DO NOTHING`, int64(peer), pgdialect.Array(used)).Exec(ctx); err != nil {
				return fmt.Errorf("mark questions used: %w", translate(err))
			}
		}
	}
	return nil
}

// LastEnded implements chgk.GameStore.
func (s *Games) LastEnded(ctx context.Context, peer chgk.PeerID) (*chgk.Game, error) {
	return lastEnded(ctx, s.db, peer)
}

func lastEnded(ctx context.Context, db bun.IDB, peer chgk.PeerID) (*chgk.Game, error) {
	var row gameRow
	err := db.NewSelect().Model(&row).Where("peer_id = ?", int64(peer)).Where("ended_at IS NOT NULL").
		Order("ended_at DESC", "id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("last game of chat %d: %w", peer, translate(err))
	}
	return loadGame(ctx, db, &row)
}

// Game reads one game by id, running or ended, or chgk.ErrNotFound.
func (s *Games) Game(ctx context.Context, id int64) (*chgk.Game, error) {
	var row gameRow
	if err := s.db.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("game %d: %w", id, translate(err))
	}
	return loadGame(ctx, s.db, &row)
}

// List lists games, newest first.
func (s *Games) List(ctx context.Context, q chgk.GameQuery) ([]chgk.GameRecord, int, error) {
	sel := s.db.NewSelect().Model((*gameRow)(nil)).
		ColumnExpr("game_row.*").
		ColumnExpr("(SELECT count(*) FROM rounds r WHERE r.game_id = game_row.id AND r.verdict <> '') AS played")
	if q.Peer != 0 {
		sel = sel.Where("peer_id = ?", int64(q.Peer))
	}
	switch q.Status {
	case chgk.StatusRunning:
		sel = sel.Where("phase IN (?)", activePhases)
	case chgk.StatusFinished, chgk.StatusStopped:
		sel = sel.Where("phase = ?", string(q.Status))
	}
	if !q.From.IsZero() {
		sel = sel.Where("started_at >= ?", q.From)
	}
	if !q.To.IsZero() {
		sel = sel.Where("started_at < ?", q.To)
	}
	var rows []struct {
		gameRow `bun:",extend"`
		Played  int `bun:"played"`
	}
	total, err := sel.Order("started_at DESC", "id DESC").Offset(q.Offset).Limit(max(q.Limit, 1)).ScanAndCount(ctx, &rows)
	if err != nil {
		return nil, 0, fmt.Errorf("list games: %w", translate(err))
	}
	out := make([]chgk.GameRecord, len(rows))
	for i, r := range rows {
		planned := len(r.QuestionIDs)
		if r.Settings.settings().TV() {
			planned = 0 // played to a target, not a number of rounds
		}
		out[i] = chgk.GameRecord{ID: r.ID, Peer: chgk.PeerID(r.PeerID), Phase: chgk.Phase(r.Phase), Team: r.TeamScore, Bot: r.BotScore,
			Planned: planned, Played: r.Played, StartedBy: chgk.Player{ID: chgk.UserID(r.StartedBy), Name: r.StartedByName},
			StartedAt: r.StartedAt, EndedAt: r.EndedAt}
	}
	return out, total, nil
}

// Live counts the games running now.
func (s *Games) Live(ctx context.Context) (int, error) {
	n, err := s.db.NewSelect().Model((*gameRow)(nil)).Where("phase IN (?)", activePhases).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("live games: %w", translate(err))
	}
	return n, nil
}
