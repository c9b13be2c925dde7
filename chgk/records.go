package chgk

import "time"

// The records below are what an administrator reads and writes: questions
// with their bookkeeping, packs, chats, games and leaderboards. Stores
// return them; the game itself needs none of them.

// Pack is a named set of questions, such as one tournament.
type Pack struct {
	ID          int64
	Name        string
	Description string
	Questions   int // live questions in it
	CreatedAt   time.Time
}

// QuestionRecord is a stored question with its bookkeeping.
type QuestionRecord struct {
	Question
	PackID      int64
	Number      int  // position in its pack
	NeedsReview bool // e.g. imported with prose criteria instead of a list of alternatives
	Deleted     bool // hidden from new games, kept for old results
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// QuestionQuery selects questions: all live ones, or those matching Text
// (words of the text, answer, comment or author), or of one pack.
type QuestionQuery struct {
	Text          string
	PackID        int64
	Offset, Limit int
}

// ChatRecord is a chat the bot has played in.
type ChatRecord struct {
	Peer       PeerID
	Settings   *Settings // nil: the defaults
	Games      int
	Running    bool // a game runs now
	LastPlayed time.Time
	CreatedAt  time.Time
}

// GameStatus selects games by how they stand.
type GameStatus string

// The game statuses.
const (
	StatusRunning  GameStatus = "running"
	StatusFinished GameStatus = "finished"
	StatusStopped  GameStatus = "stopped"
)

// GameQuery selects games: of one chat (Peer), in one status, started in
// [From, To). Zero fields do not filter.
type GameQuery struct {
	Peer          PeerID
	Status        GameStatus
	From, To      time.Time
	Offset, Limit int
}

// GameRecord is one game in a list.
type GameRecord struct {
	ID        int64
	Peer      PeerID
	Phase     Phase
	Team, Bot int
	Planned   int // rounds it was to have; zero for a TV game, played to a target
	Played    int // rounds judged
	StartedBy Player
	StartedAt time.Time
	EndedAt   time.Time // zero while running
}

// PlayerStats is one player's record over all games.
type PlayerStats struct {
	Player   Player
	Games    int
	Answered int // rounds they answered
	Correct  int
}

// Leaderboard is one chat's record: the team's against the bot, and its
// best players.
type Leaderboard struct {
	// Games are the chat's games that ended; TeamWins, BotWins and Draws
	// count those played to the end (a stopped game has no winner).
	Games      int           `json:"games"`
	Stopped    int           `json:"stopped"`
	TeamWins   int           `json:"teamWins"`
	BotWins    int           `json:"botWins"`
	Draws      int           `json:"draws"`
	TeamPoints int           `json:"teamPoints"` // over every ended game
	BotPoints  int           `json:"botPoints"`
	Players    []PlayerStats `json:"players"` // by correct answers as answerer, then games; Games count this chat's
}

// ChatStats is one chat's record over all games.
type ChatStats struct {
	Peer                  PeerID
	Games                 int
	TeamWins, BotWins     int
	Draws                 int
	RoundsPlayed, Correct int
}
