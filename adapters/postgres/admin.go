package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/vkchgk/chgkbot/chgk"
)

// The admin API's reads and writes. Every write that touches more than one
// row runs in one transaction: nothing is half-written.

func (r QuestionRow) record() chgk.QuestionRecord {
	return chgk.QuestionRecord{Question: r.Question(), PackID: r.PackID, Number: r.Number, NeedsReview: r.NeedsReview,
		Deleted: !r.DeletedAt.IsZero(), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func rowOf(q chgk.QuestionRecord) QuestionRow {
	r := QuestionRow{ID: q.ID, PackID: q.PackID, Number: q.Number, Text: q.Text, Handout: q.Handout, Answer: q.Answer,
		Accepted: q.Accepted, Rejected: q.Rejected, Comment: q.Comment, Source: q.Source, Author: q.Author, NeedsReview: q.NeedsReview}
	if r.Accepted == nil {
		r.Accepted = []string{}
	}
	if r.Rejected == nil {
		r.Rejected = []string{}
	}
	return r
}

// Questions lists live questions of live packs, newest pack first, by
// number; q.Text searches the text, answer, comment and author (Russian
// full-text search, or a substring for what it does not cover).
func (s *Store) Questions(ctx context.Context, q chgk.QuestionQuery) ([]chgk.QuestionRecord, int, error) {
	sel := s.db.NewSelect().Model((*QuestionRow)(nil)).ColumnExpr(questionColumns).ColumnExpr("p.name AS pack_name").
		Join("JOIN packs AS p ON p.id = q.pack_id").Where("q.deleted_at IS NULL").Where("p.deleted_at IS NULL")
	if q.PackID != 0 {
		sel = sel.Where("q.pack_id = ?", q.PackID)
	}
	if t := strings.TrimSpace(q.Text); t != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(t) + "%"
		sel = sel.Where("(q.search @@ plainto_tsquery('russian', ?) OR q.text ILIKE ? OR q.answer ILIKE ?)", t, like, like)
	}
	var rows []QuestionRow
	total, err := sel.OrderExpr("q.pack_id DESC, q.number, q.id").Offset(q.Offset).Limit(max(q.Limit, 1)).ScanAndCount(ctx, &rows)
	if err != nil {
		return nil, 0, fmt.Errorf("list questions: %w", translate(err))
	}
	out := make([]chgk.QuestionRecord, len(rows))
	for i, r := range rows {
		out[i] = r.record()
	}
	return out, total, nil
}

// QuestionRecord reads one question, deleted or not, or chgk.ErrNotFound.
func (s *Store) QuestionRecord(ctx context.Context, id int64) (chgk.QuestionRecord, error) {
	return questionRecord(ctx, s.db, id)
}

func questionRecord(ctx context.Context, db bun.IDB, id int64) (chgk.QuestionRecord, error) {
	var r QuestionRow
	err := db.NewSelect().Model(&r).ColumnExpr(questionColumns).ColumnExpr("p.name AS pack_name").
		Join("JOIN packs AS p ON p.id = q.pack_id").Where("q.id = ?", id).Scan(ctx)
	if err != nil {
		return chgk.QuestionRecord{}, fmt.Errorf("question %d: %w", id, translate(err))
	}
	return r.record(), nil
}

// livePack checks that pack id exists and is not deleted.
func livePack(ctx context.Context, db bun.IDB, id int64) error {
	n, err := db.NewSelect().Table("packs").Where("id = ? AND deleted_at IS NULL", id).Count(ctx)
	if err != nil {
		return fmt.Errorf("pack %d: %w", id, translate(err))
	}
	if n == 0 {
		return fmt.Errorf("pack %d: %w", id, chgk.ErrNotFound)
	}
	return nil
}

// CreateQuestion stores a new question in a live pack; a missing pack is
// chgk.ErrNotFound.
func (s *Store) CreateQuestion(ctx context.Context, q chgk.QuestionRecord) (chgk.QuestionRecord, error) {
	var id int64
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := livePack(ctx, tx, q.PackID); err != nil {
			return err
		}
		r := rowOf(q)
		r.ID = 0
		if r.Number == 0 {
			if err := tx.NewRaw(`SELECT coalesce(max(number), 0) + 1 FROM questions WHERE pack_id = ?`, q.PackID).Scan(ctx, &r.Number); err != nil {
				return translate(err)
			}
		}
		if _, err := tx.NewInsert().Model(&r).Returning("id").Exec(ctx); err != nil {
			return fmt.Errorf("insert question: %w", translate(err))
		}
		id = r.ID
		return nil
	})
	if err != nil {
		return chgk.QuestionRecord{}, err
	}
	return s.QuestionRecord(ctx, id)
}

// UpdateQuestion replaces a live question's content (and pack). Games that
// showed it keep what they showed only in their verdicts; results read the
// question as it is now.
func (s *Store) UpdateQuestion(ctx context.Context, q chgk.QuestionRecord) (chgk.QuestionRecord, error) {
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := livePack(ctx, tx, q.PackID); err != nil {
			return err
		}
		r := rowOf(q)
		res, err := tx.NewUpdate().Model(&r).Column("pack_id", "text", "handout", "answer", "accepted", "rejected", "comment",
			"source", "author", "needs_review").Set("updated_at = now()").Where("id = ? AND deleted_at IS NULL", q.ID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("update question %d: %w", q.ID, translate(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("question %d: %w", q.ID, chgk.ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return chgk.QuestionRecord{}, err
	}
	return s.QuestionRecord(ctx, q.ID)
}

// DeleteQuestion removes a question: for good when no game ever dealt it,
// else softly (hidden from new games, readable in old results). soft says
// which.
func (s *Store) DeleteQuestion(ctx context.Context, id int64) (soft bool, err error) {
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var used bool
		if err := tx.NewRaw(`SELECT EXISTS (SELECT 1 FROM rounds WHERE question_id = ?)
			OR EXISTS (SELECT 1 FROM games WHERE ? = ANY (question_ids))`, id, id).Scan(ctx, &used); err != nil {
			return translate(err)
		}
		var res sql.Result
		var err error
		if used {
			soft = true
			res, err = tx.ExecContext(ctx, `UPDATE questions SET deleted_at = now() WHERE id = ? AND deleted_at IS NULL`, id)
		} else {
			res, err = tx.ExecContext(ctx, `DELETE FROM questions WHERE id = ? AND deleted_at IS NULL`, id)
		}
		if err != nil {
			return fmt.Errorf("delete question %d: %w", id, translate(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("question %d: %w", id, chgk.ErrNotFound)
		}
		return nil
	})
	return soft, err
}

// Packs lists the live packs with their live question counts.
func (s *Store) Packs(ctx context.Context) ([]chgk.Pack, error) {
	var rows []struct {
		ID          int64     `bun:"id"`
		Name        string    `bun:"name"`
		Description string    `bun:"description"`
		Questions   int       `bun:"questions"`
		CreatedAt   time.Time `bun:"created_at"`
	}
	err := s.db.NewRaw(`SELECT p.id, p.name, p.description, p.created_at,
		(SELECT count(*) FROM questions q WHERE q.pack_id = p.id AND q.deleted_at IS NULL) AS questions
		FROM packs p WHERE p.deleted_at IS NULL ORDER BY p.id`).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("list packs: %w", translate(err))
	}
	out := make([]chgk.Pack, len(rows))
	for i, r := range rows {
		out[i] = chgk.Pack{ID: r.ID, Name: r.Name, Description: r.Description, Questions: r.Questions, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// CreatePack creates an empty pack; a live pack of that name is
// chgk.ErrConflict.
func (s *Store) CreatePack(ctx context.Context, name, description string) (chgk.Pack, error) {
	p := chgk.Pack{Name: name, Description: description}
	err := s.db.NewRaw(`INSERT INTO packs (name, description) VALUES (?, ?) RETURNING id, created_at`, name, description).
		Scan(ctx, &p.ID, &p.CreatedAt)
	if err != nil {
		return chgk.Pack{}, fmt.Errorf("create pack %q: %w", name, translate(err))
	}
	return p, nil
}

// DeletePack hides a pack and its questions from new games and lists; old
// results keep them.
func (s *Store) DeletePack(ctx context.Context, id int64) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE packs SET deleted_at = now() WHERE id = ? AND deleted_at IS NULL`, id)
		if err != nil {
			return fmt.Errorf("delete pack %d: %w", id, translate(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("pack %d: %w", id, chgk.ErrNotFound)
		}
		_, err = tx.ExecContext(ctx, `UPDATE questions SET deleted_at = now() WHERE pack_id = ? AND deleted_at IS NULL`, id)
		return translate(err)
	})
}

// ImportPack creates a pack with its questions in one transaction: all or
// nothing.
func (s *Store) ImportPack(ctx context.Context, name, description string, qs []chgk.QuestionRecord) (chgk.Pack, error) {
	var p chgk.Pack
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		p = chgk.Pack{Name: name, Description: description, Questions: len(qs)}
		if err := tx.NewRaw(`INSERT INTO packs (name, description) VALUES (?, ?) RETURNING id, created_at`, name, description).
			Scan(ctx, &p.ID, &p.CreatedAt); err != nil {
			return fmt.Errorf("create pack %q: %w", name, translate(err))
		}
		if len(qs) == 0 {
			return nil
		}
		rows := make([]QuestionRow, len(qs))
		for i, q := range qs {
			rows[i] = rowOf(q)
			rows[i].ID, rows[i].PackID = 0, p.ID
		}
		if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
			return fmt.Errorf("insert questions: %w", translate(err))
		}
		return nil
	})
	return p, err
}

const chatColumns = `c.peer_id, c.settings, c.created_at,
	(SELECT count(*) FROM games g WHERE g.peer_id = c.peer_id) AS games,
	EXISTS (SELECT 1 FROM games g WHERE g.peer_id = c.peer_id AND g.ended_at IS NULL) AS running,
	(SELECT max(g.started_at) FROM games g WHERE g.peer_id = c.peer_id) AS last_played`

type chatListRow struct {
	PeerID     int64         `bun:"peer_id"`
	Settings   *settingsJSON `bun:"settings,type:jsonb"`
	CreatedAt  time.Time     `bun:"created_at"`
	Games      int           `bun:"games"`
	Running    bool          `bun:"running"`
	LastPlayed sql.NullTime  `bun:"last_played"`
}

func (r chatListRow) record() chgk.ChatRecord {
	c := chgk.ChatRecord{Peer: chgk.PeerID(r.PeerID), Games: r.Games, Running: r.Running, LastPlayed: r.LastPlayed.Time, CreatedAt: r.CreatedAt}
	if r.Settings != nil {
		s := r.Settings.settings()
		c.Settings = &s
	}
	return c
}

// Chats lists chats, most recently played first.
func (s *Store) Chats(ctx context.Context, offset, limit int) ([]chgk.ChatRecord, int, error) {
	var total int
	if err := s.db.NewRaw(`SELECT count(*) FROM chats`).Scan(ctx, &total); err != nil {
		return nil, 0, fmt.Errorf("count chats: %w", translate(err))
	}
	var rows []chatListRow
	err := s.db.NewRaw(`SELECT `+chatColumns+` FROM chats c ORDER BY last_played DESC NULLS LAST, c.peer_id LIMIT ? OFFSET ?`,
		max(limit, 1), offset).Scan(ctx, &rows)
	if err != nil {
		return nil, 0, fmt.Errorf("list chats: %w", translate(err))
	}
	out := make([]chgk.ChatRecord, len(rows))
	for i, r := range rows {
		out[i] = r.record()
	}
	return out, total, nil
}

// Chat reads one chat, or chgk.ErrNotFound.
func (s *Store) Chat(ctx context.Context, peer chgk.PeerID) (chgk.ChatRecord, error) {
	var r chatListRow
	err := s.db.NewRaw(`SELECT `+chatColumns+` FROM chats c WHERE c.peer_id = ?`, int64(peer)).Scan(ctx, &r)
	if err != nil {
		return chgk.ChatRecord{}, fmt.Errorf("chat %d: %w", peer, translate(err))
	}
	return r.record(), nil
}

// Games lists games, newest first.
func (s *Store) Games(ctx context.Context, q chgk.GameQuery) ([]chgk.GameRecord, int, error) {
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
		out[i] = chgk.GameRecord{ID: r.ID, Peer: chgk.PeerID(r.PeerID), Phase: chgk.Phase(r.Phase), Team: r.TeamScore, Bot: r.BotScore,
			Planned: len(r.QuestionIDs), Played: r.Played, StartedBy: chgk.Player{ID: chgk.UserID(r.StartedBy), Name: r.StartedByName},
			StartedAt: r.StartedAt, EndedAt: r.EndedAt}
	}
	return out, total, nil
}

// PlayerStats ranks players by sort: "correct" (the default), "games",
// "answered" or "rate" (correct per answered, among those who answered at
// least 3 rounds).
func (s *Store) PlayerStats(ctx context.Context, sort string, limit int) ([]chgk.PlayerStats, error) {
	order := map[string]string{
		"": "correct DESC", "correct": "correct DESC", "games": "games DESC", "answered": "answered DESC",
		"rate": "CASE WHEN answered >= 3 THEN correct::float / answered ELSE -1 END DESC",
	}[sort]
	if order == "" {
		return nil, fmt.Errorf("sort by %q: %w", sort, ErrInvalid)
	}
	var rows []struct {
		UserID   int64  `bun:"user_id"`
		Name     string `bun:"name"`
		Games    int    `bun:"games"`
		Answered int    `bun:"answered"`
		Correct  int    `bun:"correct"`
	}
	err := s.db.NewRaw(`
		SELECT gp.user_id, max(gp.name) AS name, count(DISTINCT gp.game_id) AS games,
		       (SELECT count(*) FROM rounds r WHERE r.answerer_id = gp.user_id AND r.verdict <> '') AS answered,
		       (SELECT count(*) FROM rounds r WHERE r.answerer_id = gp.user_id AND r.verdict = 'correct') AS correct
		FROM game_players gp GROUP BY gp.user_id
		ORDER BY `+order+`, gp.user_id LIMIT ?`, max(limit, 1)).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("player stats: %w", translate(err))
	}
	out := make([]chgk.PlayerStats, len(rows))
	for i, r := range rows {
		out[i] = chgk.PlayerStats{Player: chgk.Player{ID: chgk.UserID(r.UserID), Name: r.Name}, Games: r.Games, Answered: r.Answered, Correct: r.Correct}
	}
	return out, nil
}

// ChatStats ranks chats by games played.
func (s *Store) ChatStats(ctx context.Context, limit int) ([]chgk.ChatStats, error) {
	var rows []struct {
		PeerID   int64 `bun:"peer_id"`
		Games    int   `bun:"games"`
		TeamWins int   `bun:"team_wins"`
		BotWins  int   `bun:"bot_wins"`
		Draws    int   `bun:"draws"`
		Rounds   int   `bun:"rounds"`
		Correct  int   `bun:"correct"`
	}
	err := s.db.NewRaw(`
		SELECT g.peer_id, count(*) AS games,
		       count(*) FILTER (WHERE g.ended_at IS NOT NULL AND g.team_score > g.bot_score) AS team_wins,
		       count(*) FILTER (WHERE g.ended_at IS NOT NULL AND g.team_score < g.bot_score) AS bot_wins,
		       count(*) FILTER (WHERE g.ended_at IS NOT NULL AND g.team_score = g.bot_score) AS draws,
		       sum(g.team_score + g.bot_score) AS rounds, sum(g.team_score) AS correct
		FROM games g GROUP BY g.peer_id ORDER BY games DESC, g.peer_id LIMIT ?`, max(limit, 1)).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("chat stats: %w", translate(err))
	}
	out := make([]chgk.ChatStats, len(rows))
	for i, r := range rows {
		out[i] = chgk.ChatStats{Peer: chgk.PeerID(r.PeerID), Games: r.Games, TeamWins: r.TeamWins, BotWins: r.BotWins, Draws: r.Draws,
			RoundsPlayed: r.Rounds, Correct: r.Correct}
	}
	return out, nil
}

// EnsureAdmin creates the first admin if there is none; created says
// whether it did.
func (s *Store) EnsureAdmin(ctx context.Context, email string, hash func() (string, error)) (created bool, err error) {
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, `LOCK TABLE admins IN EXCLUSIVE MODE`); err != nil {
			return translate(err)
		}
		n, err := tx.NewSelect().Table("admins").Count(ctx)
		if err != nil || n > 0 {
			return translate(err)
		}
		passwordHash, err := hash()
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO admins (email, password_hash) VALUES (?, ?)`, email, passwordHash)
		created = err == nil
		return translate(err)
	})
	return created, err
}

// AdminByEmail returns an admin's id and password hash, or chgk.ErrNotFound.
func (s *Store) AdminByEmail(ctx context.Context, email string) (int64, string, error) {
	var row struct {
		ID   int64  `bun:"id"`
		Hash string `bun:"password_hash"`
	}
	err := s.db.NewRaw(`SELECT id, password_hash FROM admins WHERE lower(email) = lower(?)`, email).Scan(ctx, &row)
	if err != nil {
		return 0, "", fmt.Errorf("admin: %w", translate(err))
	}
	return row.ID, row.Hash, nil
}

// FailedLogins returns the most failed logins since since of any of keys.
func (s *Store) FailedLogins(ctx context.Context, since time.Time, keys ...string) (int, error) {
	var n int
	err := s.db.NewRaw(`SELECT coalesce(max(c), 0) FROM (
			SELECT count(*) AS c FROM login_failures WHERE key IN (?) AND failed_at > ? GROUP BY key) per_key`,
		bun.In(keys), since).Scan(ctx, &n)
	if err != nil {
		return 0, fmt.Errorf("failed logins: %w", translate(err))
	}
	return n, nil
}

// RecordFailedLogin counts a failed login at at against each of keys, and
// forgets every failure from before forget.
func (s *Store) RecordFailedLogin(ctx context.Context, at, forget time.Time, keys ...string) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE failed_at < ?`, forget); err != nil {
			return fmt.Errorf("forget failed logins: %w", translate(err))
		}
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (key, failed_at) VALUES (?, ?)`, k, at); err != nil {
				return fmt.Errorf("record failed login: %w", translate(err))
			}
		}
		return nil
	})
}

// SaveToken stores a token's hash for an admin until expires.
func (s *Store) SaveToken(ctx context.Context, hash []byte, adminID int64, expires time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO admin_tokens (token_hash, admin_id, expires_at) VALUES (?, ?, ?)`, hash, adminID, expires)
	if err != nil {
		return fmt.Errorf("save token: %w", translate(err))
	}
	return nil
}

// TokenAdmin returns the admin a live token belongs to, or
// chgk.ErrNotFound for an unknown, expired or revoked one.
func (s *Store) TokenAdmin(ctx context.Context, hash []byte, now time.Time) (int64, error) {
	var id int64
	err := s.db.NewRaw(`SELECT admin_id FROM admin_tokens WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?`, hash, now).Scan(ctx, &id)
	if err != nil {
		return 0, fmt.Errorf("token: %w", translate(err))
	}
	return id, nil
}

// RevokeToken ends a token.
func (s *Store) RevokeToken(ctx context.Context, hash []byte) error {
	_, err := s.db.ExecContext(ctx, `UPDATE admin_tokens SET revoked_at = now() WHERE token_hash = ? AND revoked_at IS NULL`, hash)
	if err != nil {
		return fmt.Errorf("revoke token: %w", translate(err))
	}
	return nil
}
