package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/vkchgk/chgkbot/chgk"
)

// Packs keeps the named sets of questions, and imports whole ones.
type Packs struct{ db *bun.DB }

// NewPacks returns the store over db.
func NewPacks(db *bun.DB) *Packs { return &Packs{db: db} }

// List lists the live packs with their live question counts.
func (s *Packs) List(ctx context.Context) ([]chgk.Pack, error) {
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

// Create creates an empty pack; a live pack of that name is
// chgk.ErrConflict.
func (s *Packs) Create(ctx context.Context, name, description string) (chgk.Pack, error) {
	p := chgk.Pack{Name: name, Description: description}
	err := s.db.NewRaw(`INSERT INTO packs (name, description) VALUES (?, ?) RETURNING id, created_at`, name, description).
		Scan(ctx, &p.ID, &p.CreatedAt)
	if err != nil {
		return chgk.Pack{}, fmt.Errorf("create pack %q: %w", name, translate(err))
	}
	return p, nil
}

// Delete hides a pack and its questions from new games and lists; old
// results keep them.
func (s *Packs) Delete(ctx context.Context, id int64) error {
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

// Import creates a pack with its questions in one transaction: all or
// nothing.
func (s *Packs) Import(ctx context.Context, name, description string, qs []chgk.QuestionRecord) (chgk.Pack, error) {
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
