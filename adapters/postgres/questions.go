package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/vkchgk/chgkbot/chgk"
)

// Questions is the question bank: chgk.QuestionSource for games, and the
// admin API's reads and writes of questions. Every write that touches more
// than one row runs in one transaction: nothing is half-written.
type Questions struct{ db *bun.DB }

// NewQuestions returns the store over db.
func NewQuestions(db *bun.DB) *Questions { return &Questions{db: db} }

var _ chgk.QuestionSource = (*Questions)(nil)

// Draw implements chgk.QuestionSource: live questions of live packs, those
// the chat has not been shown first, in random order. When a chat has been
// shown every question, its history is forgotten and the pool starts over.
func (s *Questions) Draw(ctx context.Context, peer chgk.PeerID, n int) ([]chgk.Question, error) {
	return drawQuestions(ctx, s.db, peer, n)
}

func drawQuestions(ctx context.Context, db bun.IDB, peer chgk.PeerID, n int) ([]chgk.Question, error) {
	var rows []struct {
		QuestionRow
		Used bool `bun:"used"`
	}
	err := db.NewSelect().Model((*QuestionRow)(nil)).ColumnExpr(questionColumns).ColumnExpr("p.name AS pack_name").
		ColumnExpr("EXISTS (SELECT 1 FROM used_questions AS u WHERE u.peer_id = ? AND u.question_id = q.id) AS used", int64(peer)).
		Join("JOIN packs AS p ON p.id = q.pack_id").
		Where("q.deleted_at IS NULL").Where("p.deleted_at IS NULL").
		OrderExpr("used, random()").Limit(n).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("draw questions for chat %d: %w", peer, translate(err))
	}
	if len(rows) > 0 && rows[0].Used {
		// Nothing fresh is left: start the chat's history over.
		if _, err := db.NewDelete().Table("used_questions").Where("peer_id = ?", int64(peer)).Exec(ctx); err != nil {
			return nil, fmt.Errorf("reset used questions of chat %d: %w", peer, translate(err))
		}
	}
	qs := make([]chgk.Question, len(rows))
	for i, r := range rows {
		qs[i] = r.QuestionRow.Question()
	}
	return qs, nil
}

// DrawAny implements chgk.QuestionSource: live questions of live packs,
// whatever any chat has been shown, in random order.
func (s *Questions) DrawAny(ctx context.Context, n int, except []int64) ([]chgk.Question, error) {
	return drawAny(ctx, s.db, n, except)
}

func drawAny(ctx context.Context, db bun.IDB, n int, except []int64) ([]chgk.Question, error) {
	var rows []QuestionRow
	sel := db.NewSelect().Model(&rows).ColumnExpr(questionColumns).ColumnExpr("p.name AS pack_name").
		Join("JOIN packs AS p ON p.id = q.pack_id").
		Where("q.deleted_at IS NULL").Where("p.deleted_at IS NULL")
	if len(except) > 0 {
		sel = sel.Where("q.id <> ALL(?)", pgdialect.Array(except))
	}
	if err := sel.OrderExpr("random()").Limit(n).Scan(ctx); err != nil {
		return nil, fmt.Errorf("draw from the whole bank: %w", translate(err))
	}
	qs := make([]chgk.Question, len(rows))
	for i, r := range rows {
		qs[i] = r.Question()
	}
	return qs, nil
}

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

// List lists live questions of live packs, newest pack first, by
// number; q.Text searches the text, answer, comment and author (Russian
// full-text search, or a substring for what it does not cover).
func (s *Questions) List(ctx context.Context, q chgk.QuestionQuery) ([]chgk.QuestionRecord, int, error) {
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

// Get reads one question, deleted or not, or chgk.ErrNotFound.
func (s *Questions) Get(ctx context.Context, id int64) (chgk.QuestionRecord, error) {
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

// Create stores a new question in a live pack; a missing pack is
// chgk.ErrNotFound.
func (s *Questions) Create(ctx context.Context, q chgk.QuestionRecord) (chgk.QuestionRecord, error) {
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
	return s.Get(ctx, id)
}

// Update replaces a live question's content (and pack). Games that
// showed it keep what they showed only in their verdicts; results read the
// question as it is now.
func (s *Questions) Update(ctx context.Context, q chgk.QuestionRecord) (chgk.QuestionRecord, error) {
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
	return s.Get(ctx, q.ID)
}

// Delete removes a question: for good when no game ever dealt it,
// else softly (hidden from new games, readable in old results). soft says
// which.
func (s *Questions) Delete(ctx context.Context, id int64) (soft bool, err error) {
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

// SameText finds live questions with the same text as any of texts, case
// and spacing aside (both sides lowered by the database, so its rules of
// case apply alike); the map is keyed by the text as given.
func (s *Questions) SameText(ctx context.Context, texts []string) (map[string]int64, error) {
	out := map[string]int64{}
	if len(texts) == 0 {
		return out, nil
	}
	var rows []struct {
		ID  int64  `bun:"id"`
		Key string `bun:"key"`
	}
	err := s.db.NewRaw(`SELECT min(q.id) AS id, k.key FROM questions q
		JOIN unnest(?::text[]) AS k(key)
		  ON regexp_replace(lower(trim(q.text)), '\s+', ' ', 'g') = regexp_replace(lower(trim(k.key)), '\s+', ' ', 'g')
		WHERE q.deleted_at IS NULL GROUP BY k.key`, pgdialect.Array(texts)).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("questions with the same text: %w", translate(err))
	}
	for _, r := range rows {
		out[r.Key] = r.ID
	}
	return out, nil
}
