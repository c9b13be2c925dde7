package postgres

import (
	"time"

	"github.com/uptrace/bun"

	"github.com/vkchgk/chgkbot/chgk"
)

// settingsJSON is chgk.Settings as stored in jsonb columns: durations in
// milliseconds, with names that read well in SQL.
type settingsJSON struct {
	Mode         string `json:"mode,omitempty"`   // empty in settings saved before modes
	Target       int    `json:"target,omitempty"` // zero: chgk.DefaultTarget
	Rounds       int    `json:"rounds"`
	LobbyMs      int64  `json:"lobby_ms"`
	DiscussionMs int64  `json:"discussion_ms"`
	ChoiceMs     int64  `json:"choice_ms"`
	AnswerMs     int64  `json:"answer_ms"`
	PauseMs      int64  `json:"pause_ms"`
	AppealMs     int64  `json:"appeal_ms,omitempty"` // zero: chgk.DefaultAppealWindow
}

func toSettingsJSON(s chgk.Settings) settingsJSON {
	return settingsJSON{Mode: string(s.Mode), Target: s.Target, Rounds: s.Rounds, LobbyMs: s.Lobby.Milliseconds(), DiscussionMs: s.Discussion.Milliseconds(),
		ChoiceMs: s.Choice.Milliseconds(), AnswerMs: s.Answer.Milliseconds(), PauseMs: s.Pause.Milliseconds(), AppealMs: s.Appeal.Milliseconds()}
}

func (j settingsJSON) settings() chgk.Settings {
	ms := func(n int64) time.Duration { return time.Duration(n) * time.Millisecond }
	return chgk.Settings{Mode: chgk.Mode(j.Mode), Target: j.Target, Rounds: j.Rounds, Lobby: ms(j.LobbyMs), Discussion: ms(j.DiscussionMs),
		Choice: ms(j.ChoiceMs), Answer: ms(j.AnswerMs), Pause: ms(j.PauseMs), Appeal: ms(j.AppealMs)}
}

type gameRow struct {
	bun.BaseModel `bun:"table:games"`

	ID             int64        `bun:"id,pk,autoincrement"`
	PeerID         int64        `bun:"peer_id"`
	Phase          string       `bun:"phase"`
	Settings       settingsJSON `bun:"settings,type:jsonb"`
	GraceMs        int64        `bun:"grace_ms"`
	QuestionIDs    []int64      `bun:"question_ids,array"`
	CaptainID      int64        `bun:"captain_id,nullzero"`
	TeamScore      int          `bun:"team_score"`
	BotScore       int          `bun:"bot_score"`
	Deadline       time.Time    `bun:"deadline,nullzero"`
	WarnAt         time.Time    `bun:"warn_at,nullzero"`
	BlitzSector    int          `bun:"blitz_sector"`
	SuperSector    int          `bun:"super_sector"`
	Minutes        int          `bun:"minutes"`
	ClockRunning   bool         `bun:"clock_running"`
	PhaseStartedAt time.Time    `bun:"phase_started_at"`
	StartedBy      int64        `bun:"started_by"`
	StartedByName  string       `bun:"started_by_name"`
	StartedAt      time.Time    `bun:"started_at"`
	EndedAt        time.Time    `bun:"ended_at,nullzero"`
	StoppedBy      int64        `bun:"stopped_by,nullzero"`
	StoppedByName  string       `bun:"stopped_by_name"`
	Version        int64        `bun:"version"`
	UpdatedAt      time.Time    `bun:"updated_at,nullzero,default:now()"`
}

type gamePlayerRow struct {
	bun.BaseModel `bun:"table:game_players"`

	GameID   int64  `bun:"game_id,pk"`
	Position int    `bun:"position,pk"`
	UserID   int64  `bun:"user_id"`
	Name     string `bun:"name"`
}

type roundRow struct {
	bun.BaseModel `bun:"table:rounds"`

	GameID       int64     `bun:"game_id,pk"`
	Number       int       `bun:"number,pk"`
	QuestionID   int64     `bun:"question_id"`
	AnswererID   int64     `bun:"answerer_id,nullzero"`
	AnswererName string    `bun:"answerer_name"`
	ByDefault    bool      `bun:"by_default"`
	Given        string    `bun:"given"`
	Verdict      string    `bun:"verdict"`
	StartedAt    time.Time `bun:"started_at"`
	JudgedAt     time.Time `bun:"judged_at,nullzero"`
	Sector       int       `bun:"sector"`
	SectorKind   string    `bun:"sector_kind"`
	Part         int       `bun:"part"`
	Early        bool      `bun:"early"`
	ExtraMinute  bool      `bun:"extra_minute"`
	MinuteEarned bool      `bun:"minute_earned"`
	Appealed     bool      `bun:"appealed"`
}

// QuestionRow is a stored question with its pack and bookkeeping, as the
// admin API reads it.
type QuestionRow struct {
	bun.BaseModel `bun:"table:questions,alias:q"`

	ID          int64     `bun:"id,pk,autoincrement"`
	PackID      int64     `bun:"pack_id"`
	PackName    string    `bun:"pack_name,scanonly"`
	Number      int       `bun:"number"`
	Text        string    `bun:"text"`
	Handout     string    `bun:"handout"`
	Answer      string    `bun:"answer"`
	Accepted    []string  `bun:"accepted,array"`
	Rejected    []string  `bun:"rejected,array"`
	Comment     string    `bun:"comment"`
	Source      string    `bun:"source"`
	Author      string    `bun:"author"`
	NeedsReview bool      `bun:"needs_review"`
	CreatedAt   time.Time `bun:"created_at,nullzero,default:now()"`
	UpdatedAt   time.Time `bun:"updated_at,nullzero,default:now()"`
	DeletedAt   time.Time `bun:"deleted_at,nullzero"`
}

// questionColumns are the columns of QuestionRow, for queries that join
// packs (q.* would also bring the search vector, which no struct holds).
const questionColumns = "q.id, q.pack_id, q.number, q.text, q.handout, q.answer, q.accepted, q.rejected, " +
	"q.comment, q.source, q.author, q.needs_review, q.created_at, q.updated_at, q.deleted_at"

// Question is the row as the game sees it.
func (r QuestionRow) Question() chgk.Question {
	return chgk.Question{ID: r.ID, Pack: r.PackName, Text: r.Text, Handout: r.Handout, Answer: r.Answer,
		Accepted: nonNil(r.Accepted), Rejected: nonNil(r.Rejected), Comment: r.Comment, Source: r.Source, Author: r.Author}
}

func nonNil(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

type chatRow struct {
	bun.BaseModel `bun:"table:chats"`

	PeerID    int64         `bun:"peer_id,pk"`
	Title     string        `bun:"title"`
	Settings  *settingsJSON `bun:"settings,type:jsonb"`
	CreatedAt time.Time     `bun:"created_at,nullzero,default:now()"`
	UpdatedAt time.Time     `bun:"updated_at,nullzero,default:now()"`
}
