package postgres

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/vkchgk/chgkbot/chgk"
)

// Stats reads the leaderboards of players and chats.
type Stats struct{ db *bun.DB }

// NewStats returns the store over db.
func NewStats(db *bun.DB) *Stats { return &Stats{db: db} }

var _ chgk.Leaderboards = (*Stats)(nil)

// Players ranks players by sort: "correct" (the default), "games",
// "answered" or "rate" (correct per answered, among those who answered at
// least 3 rounds).
func (s *Stats) Players(ctx context.Context, sort string, limit int) ([]chgk.PlayerStats, error) {
	order := map[string]string{
		"": "correct DESC", "correct": "correct DESC", "games": "games DESC", "answered": "answered DESC",
		"rate": "CASE WHEN answered >= 3 THEN correct::float / answered ELSE -1 END DESC",
	}[sort]
	if order == "" {
		return nil, fmt.Errorf("sort by %q: %w", sort, ErrInvalid)
	}
	var rows []playerRow
	err := s.db.NewRaw(`
		SELECT gp.user_id, max(gp.name) AS name, count(DISTINCT gp.game_id) AS games,
		       (SELECT count(*) FROM rounds r WHERE r.answerer_id = gp.user_id AND r.verdict <> '') AS answered,
		       (SELECT count(*) FROM rounds r WHERE r.answerer_id = gp.user_id AND r.verdict = 'correct') AS correct
		FROM game_players gp GROUP BY gp.user_id
		ORDER BY `+order+`, gp.user_id LIMIT ?`, max(limit, 1)).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("player stats: %w", translate(err))
	}
	return playerStats(rows), nil
}

// playerRow is one player's line of a leaderboard query.
type playerRow struct {
	UserID   int64  `bun:"user_id"`
	Name     string `bun:"name"`
	Games    int    `bun:"games"`
	Answered int    `bun:"answered"`
	Correct  int    `bun:"correct"`
}

func playerStats(rows []playerRow) []chgk.PlayerStats {
	out := make([]chgk.PlayerStats, len(rows))
	for i, r := range rows {
		out[i] = chgk.PlayerStats{Player: chgk.Player{ID: chgk.UserID(r.UserID), Name: r.Name}, Games: r.Games, Answered: r.Answered, Correct: r.Correct}
	}
	return out
}

// Chats ranks chats by games played.
func (s *Stats) Chats(ctx context.Context, limit int) ([]chgk.ChatStats, error) {
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

// ChatLeaderboard is one chat's record over its ended games, for /top
// (chgk.Leaderboards): the team against the bot, and its best limit
// players by correct answers as answerer, then games played.
func (s *Stats) ChatLeaderboard(ctx context.Context, peer chgk.PeerID, limit int) (chgk.Leaderboard, error) {
	var b chgk.Leaderboard
	err := s.db.NewRaw(`
		SELECT count(*) AS games, count(*) FILTER (WHERE phase = 'stopped') AS stopped,
		       count(*) FILTER (WHERE phase = 'finished' AND team_score > bot_score) AS team_wins,
		       count(*) FILTER (WHERE phase = 'finished' AND team_score < bot_score) AS bot_wins,
		       count(*) FILTER (WHERE phase = 'finished' AND team_score = bot_score) AS draws,
		       coalesce(sum(team_score), 0) AS team_points, coalesce(sum(bot_score), 0) AS bot_points
		FROM games WHERE peer_id = ? AND ended_at IS NOT NULL`, int64(peer)).
		Scan(ctx, &b.Games, &b.Stopped, &b.TeamWins, &b.BotWins, &b.Draws, &b.TeamPoints, &b.BotPoints)
	if err != nil {
		return b, fmt.Errorf("chat leaderboard: %w", translate(err))
	}
	var rows []playerRow
	err = s.db.NewRaw(`
		WITH ended AS (SELECT id FROM games WHERE peer_id = ? AND ended_at IS NOT NULL),
		played AS (SELECT gp.user_id, max(gp.name) AS name, count(*) AS games
		           FROM game_players gp JOIN ended e ON e.id = gp.game_id GROUP BY gp.user_id),
		answers AS (SELECT r.answerer_id AS user_id, count(*) AS answered, count(*) FILTER (WHERE r.verdict = 'correct') AS correct
		            FROM rounds r JOIN ended e ON e.id = r.game_id WHERE r.verdict <> '' GROUP BY r.answerer_id)
		SELECT p.user_id, p.name, p.games, coalesce(a.answered, 0) AS answered, coalesce(a.correct, 0) AS correct
		FROM played p LEFT JOIN answers a ON a.user_id = p.user_id
		ORDER BY correct DESC, p.games DESC, p.user_id LIMIT ?`, int64(peer), max(limit, 1)).Scan(ctx, &rows)
	if err != nil {
		return b, fmt.Errorf("chat leaderboard: %w", translate(err))
	}
	if len(rows) > 0 {
		b.Players = playerStats(rows)
	}
	return b, nil
}
