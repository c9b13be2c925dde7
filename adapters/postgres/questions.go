package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/vkchgk/chgkbot/chgk"
)

// Draw implements chgk.QuestionSource: live questions of live packs, those
// the chat has not been shown first, in random order. When a chat has been
// shown every question, its history is forgotten and the pool starts over.
func (s *Store) Draw(ctx context.Context, peer chgk.PeerID, n int) ([]chgk.Question, error) {
	db := idb(ctx, s.db)
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

// pgArray writes ids as a Postgres array literal, for unnest.
func pgArray(ids []int64) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteByte('}')
	return b.String()
}
