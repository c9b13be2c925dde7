package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/vkchgk/chgkbot/chgk"
)

type appealRow struct {
	bun.BaseModel `bun:"table:appeals"`

	ID               int64     `bun:"id,pk,autoincrement"`
	PeerID           int64     `bun:"peer_id"`
	GameID           int64     `bun:"game_id"`
	Round            int       `bun:"round"`
	QuestionID       int64     `bun:"question_id"`
	Given            string    `bun:"given"`
	FiledBy          int64     `bun:"filed_by"`
	FiledByName      string    `bun:"filed_by_name"`
	FiledAt          time.Time `bun:"filed_at"`
	Status           string    `bun:"status"`
	DecidedBy        string    `bun:"decided_by"`
	DecidedAt        time.Time `bun:"decided_at,nullzero"`
	Note             string    `bun:"note"`
	AlternativeAdded bool      `bun:"alternative_added"`
}

func appealRowOf(a chgk.Appeal) appealRow {
	return appealRow{ID: a.ID, PeerID: int64(a.Peer), GameID: a.Game, Round: a.Round, QuestionID: a.Question.ID, Given: a.Given,
		FiledBy: int64(a.By.ID), FiledByName: a.By.Name, FiledAt: a.FiledAt, Status: string(a.Status), DecidedBy: a.DecidedBy,
		DecidedAt: a.DecidedAt, Note: a.Note, AlternativeAdded: a.AlternativeAdded}
}

// appeal reads one appeal with its question, as it is now.
func readAppeal(ctx context.Context, db bun.IDB, id int64) (chgk.Appeal, error) {
	var r appealRow
	if err := db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return chgk.Appeal{}, fmt.Errorf("appeal %d: %w", id, translate(err))
	}
	as, err := appealsOf(ctx, db, []appealRow{r})
	if err != nil {
		return chgk.Appeal{}, err
	}
	return as[0], nil
}

// appealsOf completes rows with their questions, read in one query.
func appealsOf(ctx context.Context, db bun.IDB, rows []appealRow) ([]chgk.Appeal, error) {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.QuestionID
	}
	var qrows []QuestionRow
	if len(ids) > 0 {
		if err := db.NewSelect().Model(&qrows).ColumnExpr(questionColumns).ColumnExpr("p.name AS pack_name").
			Join("JOIN packs AS p ON p.id = q.pack_id").Where("q.id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
			return nil, fmt.Errorf("the questions of appeals: %w", translate(err))
		}
	}
	questions := make(map[int64]chgk.Question, len(qrows))
	for _, q := range qrows {
		questions[q.ID] = q.Question()
	}
	out := make([]chgk.Appeal, len(rows))
	for i, r := range rows {
		q, ok := questions[r.QuestionID]
		if !ok {
			return nil, fmt.Errorf("the question %d of appeal %d is missing", r.QuestionID, r.ID)
		}
		out[i] = chgk.Appeal{ID: r.ID, Peer: chgk.PeerID(r.PeerID), Game: r.GameID, Round: r.Round, Question: q, Given: r.Given,
			By: chgk.Player{ID: chgk.UserID(r.FiledBy), Name: r.FiledByName}, FiledAt: r.FiledAt, Status: chgk.AppealStatus(r.Status),
			DecidedBy: r.DecidedBy, DecidedAt: r.DecidedAt, Note: r.Note, AlternativeAdded: r.AlternativeAdded}
	}
	return out, nil
}

// appealsTx is chgk.AppealStore within a unit of work's transaction.
type appealsTx struct {
	tx   bun.Tx
	peer chgk.PeerID
}

var _ chgk.AppealStore = (*appealsTx)(nil)

func (s *appealsTx) File(ctx context.Context, a chgk.Appeal) (chgk.Appeal, error) {
	if a.Peer != s.peer {
		return chgk.Appeal{}, fmt.Errorf("an appeal of chat %d in a unit of chat %d", a.Peer, s.peer)
	}
	row := appealRowOf(a)
	row.ID = 0
	res, err := s.tx.NewInsert().Model(&row).On("CONFLICT (game_id, round) DO NOTHING").Returning("id").Exec(ctx)
	if err != nil {
		return chgk.Appeal{}, fmt.Errorf("file appeal: %w", translate(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return chgk.Appeal{}, fmt.Errorf("round %d of game %d: %w", a.Round, a.Game, chgk.ErrConflict)
	}
	a.ID = row.ID
	return a, nil
}

func (s *appealsTx) Appeal(ctx context.Context, id int64) (chgk.Appeal, error) {
	return readAppeal(ctx, s.tx, id)
}

func (s *appealsTx) Decide(ctx context.Context, a chgk.Appeal) error {
	row := appealRowOf(a)
	res, err := s.tx.NewUpdate().Model(&row).Column("status", "decided_by", "decided_at", "note", "alternative_added").
		WherePK().Where("status = 'pending'").Exec(ctx)
	if err != nil {
		return fmt.Errorf("decide appeal %d: %w", a.ID, translate(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("appeal %d was decided meanwhile: %w", a.ID, chgk.ErrConflict)
	}
	return nil
}

func (s *appealsTx) AppealedGame(ctx context.Context, id int64) (*chgk.Game, error) {
	var row gameRow
	if err := s.tx.NewSelect().Model(&row).Where("id = ?", id).For("UPDATE").Scan(ctx); err != nil {
		return nil, fmt.Errorf("game %d: %w", id, translate(err))
	}
	return loadGame(ctx, s.tx, &row)
}

func (s *appealsTx) Amend(ctx context.Context, g *chgk.Game, round int) error {
	st := g.State()
	return saveGame(ctx, s.tx, st.Peer, g, loaded{rounds: round, players: len(st.Players), version: st.Version - 1})
}

func (s *appealsTx) AddAlternative(ctx context.Context, question int64, text string) error {
	// An answer the question lists already is not listed twice.
	if _, err := s.tx.NewRaw(`UPDATE questions SET accepted = array_append(accepted, ?), updated_at = now()
		WHERE id = ? AND NOT (? = ANY(accepted))`, text, question, text).Exec(ctx); err != nil {
		return fmt.Errorf("add an alternative to question %d: %w", question, translate(err))
	}
	return nil
}

// Appeals lists appeals for the admin API.
type Appeals struct{ db *bun.DB }

// NewAppeals returns the store over db.
func NewAppeals(db *bun.DB) *Appeals { return &Appeals{db: db} }

// List lists appeals, newest first; status "" lists all.
func (s *Appeals) List(ctx context.Context, status chgk.AppealStatus, offset, limit int) ([]chgk.Appeal, int, error) {
	var rows []appealRow
	sel := s.db.NewSelect().Model(&rows)
	if status != "" {
		sel = sel.Where("status = ?", string(status))
	}
	total, err := sel.Order("filed_at DESC", "id DESC").Offset(offset).Limit(max(limit, 1)).ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("list appeals: %w", translate(err))
	}
	out, err := appealsOf(ctx, s.db, rows)
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// Appeal reads one appeal, or chgk.ErrNotFound.
func (s *Appeals) Appeal(ctx context.Context, id int64) (chgk.Appeal, error) {
	return readAppeal(ctx, s.db, id)
}

type appealButtonRow struct {
	bun.BaseModel `bun:"table:appeal_buttons"`

	PeerID   int64     `bun:"peer_id,pk"`
	CMID     int64     `bun:"cmid,pk"`
	GameID   int64     `bun:"game_id"`
	Round    int       `bun:"round"`
	ClosesAt time.Time `bun:"closes_at"`
	Text     string    `bun:"text"`
	Keyboard string    `bun:"keyboard"`
}

// AppealButtons keeps the verdict messages whose «Апелляция» button goes
// when its window closes, with the text and buttons (JSON, empty for none)
// the message then keeps.
type AppealButtons struct{ db *bun.DB }

// NewAppealButtons returns the store over db.
func NewAppealButtons(db *bun.DB) *AppealButtons { return &AppealButtons{db: db} }

// AddAppealButton records a button; a second record of one message
// replaces the first.
func (s *AppealButtons) AddAppealButton(ctx context.Context, peer, cmid, game int64, round int, closes time.Time, text, keyboard string) error {
	row := appealButtonRow{PeerID: peer, CMID: cmid, GameID: game, Round: round, ClosesAt: closes, Text: text, Keyboard: keyboard}
	if _, err := s.db.NewInsert().Model(&row).On("CONFLICT (peer_id, cmid) DO UPDATE").
		Set("closes_at = EXCLUDED.closes_at, text = EXCLUDED.text, keyboard = EXCLUDED.keyboard").Exec(ctx); err != nil {
		return fmt.Errorf("record an appeal button: %w", translate(err))
	}
	return nil
}

// NextAppealButton returns the button whose window closes first; ok is
// false when none is recorded.
func (s *AppealButtons) NextAppealButton(ctx context.Context) (peer, cmid int64, closes time.Time, text, keyboard string, ok bool, err error) {
	var rows []appealButtonRow
	if err := s.db.NewSelect().Model(&rows).Order("closes_at").Limit(1).Scan(ctx); err != nil {
		return 0, 0, time.Time{}, "", "", false, fmt.Errorf("appeal buttons: %w", translate(err))
	}
	if len(rows) == 0 {
		return 0, 0, time.Time{}, "", "", false, nil
	}
	r := rows[0]
	return r.PeerID, r.CMID, r.ClosesAt, r.Text, r.Keyboard, true, nil
}

// RoundAppealButton returns the button of a round's verdict, if it is
// still recorded.
func (s *AppealButtons) RoundAppealButton(ctx context.Context, peer, game int64, round int) (cmid int64, text, keyboard string, ok bool, err error) {
	var rows []appealButtonRow
	if err := s.db.NewSelect().Model(&rows).Where("peer_id = ? AND game_id = ? AND round = ?", peer, game, round).Limit(1).Scan(ctx); err != nil {
		return 0, "", "", false, fmt.Errorf("the appeal button of round %d: %w", round, translate(err))
	}
	if len(rows) == 0 {
		return 0, "", "", false, nil
	}
	return rows[0].CMID, rows[0].Text, rows[0].Keyboard, true, nil
}

// DoneAppealButton forgets a button taken away.
func (s *AppealButtons) DoneAppealButton(ctx context.Context, peer, cmid int64) error {
	if _, err := s.db.NewDelete().Model((*appealButtonRow)(nil)).Where("peer_id = ? AND cmid = ?", peer, cmid).Exec(ctx); err != nil {
		return fmt.Errorf("forget an appeal button: %w", translate(err))
	}
	return nil
}
