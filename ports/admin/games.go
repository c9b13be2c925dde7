package admin

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vkchgk/chgkbot/chgk"
)

// Player is a chat member in a game.
type Player struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

func playerOf(p chgk.Player) Player { return Player{ID: int64(p.ID), Name: p.Name} }

// Game is a game in a list.
type Game struct {
	ID        int64      `json:"id"`
	PeerID    int64      `json:"peer_id"`
	Status    string     `json:"status" enum:"running,finished,stopped"`
	Phase     string     `json:"phase"`
	Team      int        `json:"team"`
	Bot       int        `json:"bot"`
	Planned   int        `json:"planned_rounds" doc:"0 for a tv game, which is played to a target"`
	Played    int        `json:"played_rounds"`
	StartedBy Player     `json:"started_by"`
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
}

func status(p chgk.Phase) string {
	if p.Active() {
		return string(chgk.StatusRunning)
	}
	return string(p)
}

// Round is one round of a game's results.
type Round struct {
	Number    int        `json:"number"`
	Question  Question   `json:"question"`
	Answerer  *Player    `json:"answerer,omitempty"`
	ByDefault bool       `json:"by_default" doc:"The captain answered because the choice timed out"`
	Given     string     `json:"given"`
	Verdict   string     `json:"verdict" enum:"correct,wrong,no_answer,"`
	StartedAt time.Time  `json:"started_at"`
	JudgedAt  *time.Time `json:"judged_at,omitempty"`
	Sector    *Sector    `json:"sector,omitempty" doc:"Where the top stopped, in a tv game"`
}

// Sector is a tv game's question's place on the table.
type Sector struct {
	Number       int    `json:"number" minimum:"1" maximum:"13"`
	Kind         string `json:"kind" enum:"normal,blitz,superblitz,thirteen"`
	Part         int    `json:"part" doc:"The question's number in a blitz or super-blitz, 1–3; 0 otherwise"`
	Early        bool   `json:"early" doc:"The captain answered early"`
	ExtraMinute  bool   `json:"extra_minute" doc:"The captain spent an extra minute on the discussion"`
	MinuteEarned bool   `json:"minute_earned" doc:"A correct early answer earned an extra minute"`
}

// GameDetail is a game with its full results.
type GameDetail struct {
	Game
	Outcome   string   `json:"outcome" enum:"team,bot,draw"`
	Captain   *Player  `json:"captain,omitempty"`
	Players   []Player `json:"players"`
	StoppedBy *Player  `json:"stopped_by,omitempty"`
	Rounds    []Round  `json:"rounds"`
	Seconds   float64  `json:"duration_seconds"`
	Mode      string   `json:"mode" enum:"rounds,tv"`
	Target    int      `json:"target,omitempty" doc:"Points that win, in a tv game"`
}

func detailOf(g *chgk.Game) GameDetail {
	st, r := g.State(), g.Results()
	d := GameDetail{Game: Game{ID: st.ID, PeerID: int64(st.Peer), Status: status(st.Phase), Phase: string(st.Phase), Team: st.Team,
		Bot: st.Bot, Planned: r.Planned, Played: len(r.Rounds), StartedBy: playerOf(st.StartedBy), StartedAt: st.StartedAt},
		Outcome: string(r.Outcome), Players: []Player{}, Rounds: []Round{}, Seconds: r.Duration.Seconds(), Mode: string(chgk.ModeRounds)}
	if st.Settings.TV() {
		d.Mode, d.Target = string(chgk.ModeTV), st.Settings.Goal()
	}
	if !st.EndedAt.IsZero() {
		t := st.EndedAt
		d.EndedAt = &t
	}
	if r.Captain.ID != 0 {
		c := playerOf(r.Captain)
		d.Captain = &c
	}
	if st.StoppedBy.ID != 0 || st.StoppedBy.Name != "" {
		sb := playerOf(st.StoppedBy)
		d.StoppedBy = &sb
	}
	for _, p := range st.Players {
		d.Players = append(d.Players, playerOf(p))
	}
	for _, rd := range st.Rounds {
		out := Round{Number: rd.Number, Question: questionOf(chgk.QuestionRecord{Question: rd.Question}), ByDefault: rd.ByDefault,
			Given: rd.Given, Verdict: string(rd.Verdict), StartedAt: rd.StartedAt}
		out.Question.Pack = rd.Question.Pack
		if rd.Answerer.ID != 0 {
			a := playerOf(rd.Answerer)
			out.Answerer = &a
		}
		if !rd.JudgedAt.IsZero() {
			t := rd.JudgedAt
			out.JudgedAt = &t
		}
		if rd.Sector.Number != 0 {
			out.Sector = &Sector{Number: rd.Sector.Number, Kind: string(rd.Sector.Kind), Part: rd.Sector.Part, Early: rd.Early,
				ExtraMinute: rd.ExtraMinute, MinuteEarned: rd.MinuteEarned}
		}
		d.Rounds = append(d.Rounds, out)
	}
	return d
}

func (s *server) registerGames(api huma.API) {
	tags := []string{"games"}
	huma.Register(api, huma.Operation{OperationID: "list-games", Method: http.MethodGet, Path: "/games", Tags: tags,
		Summary: "List games", Description: "Newest first; filter by chat, status and start time [from, to)."},
		func(ctx context.Context, in *struct {
			PeerID  int64     `query:"peer_id" minimum:"0"`
			Status  string    `query:"status" enum:"running,finished,stopped,"`
			From    time.Time `query:"from" doc:"RFC 3339"`
			To      time.Time `query:"to" doc:"RFC 3339"`
			Page    int       `query:"page" default:"1" minimum:"1" maximum:"100000" doc:"1-based; at most 100000"`
			PerPage int       `query:"per_page" default:"20" minimum:"1" maximum:"100"`
		}) (*struct {
			Body struct {
				Items []Game `json:"items"`
				Total int    `json:"total"`
			}
		}, error) {
			off, lim := page(in.Page, in.PerPage)
			gs, total, err := s.cfg.Games.List(ctx, chgk.GameQuery{Peer: chgk.PeerID(in.PeerID), Status: chgk.GameStatus(in.Status),
				From: in.From, To: in.To, Offset: off, Limit: lim})
			if err != nil {
				return nil, s.fail(ctx, "games", err)
			}
			out := &struct {
				Body struct {
					Items []Game `json:"items"`
					Total int    `json:"total"`
				}
			}{}
			out.Body.Items, out.Body.Total = make([]Game, len(gs)), total
			for i, g := range gs {
				item := Game{ID: g.ID, PeerID: int64(g.Peer), Status: status(g.Phase), Phase: string(g.Phase), Team: g.Team, Bot: g.Bot,
					Planned: g.Planned, Played: g.Played, StartedBy: playerOf(g.StartedBy), StartedAt: g.StartedAt}
				if !g.EndedAt.IsZero() {
					t := g.EndedAt
					item.EndedAt = &t
				}
				out.Body.Items[i] = item
			}
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-game", Method: http.MethodGet, Path: "/games/{id}", Tags: tags,
		Summary: "Read a game's full results", Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, in *idInput) (*struct{ Body GameDetail }, error) {
			g, err := s.cfg.Games.Game(ctx, in.ID)
			if err != nil {
				return nil, s.fail(ctx, "game", err)
			}
			return &struct{ Body GameDetail }{Body: detailOf(g)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "stop-game", Method: http.MethodPost, Path: "/games/{id}/stop", Tags: tags,
		Summary:     "Stop a running game",
		Description: "As a member's /stop: the game ends as stopped and the chat gets the results.",
		Errors:      []int{http.StatusNotFound, http.StatusConflict}},
		func(ctx context.Context, in *idInput) (*struct{ Body GameDetail }, error) {
			g, err := s.cfg.Games.Game(ctx, in.ID)
			if err != nil {
				return nil, s.fail(ctx, "game", err)
			}
			if !g.Phase().Active() {
				return nil, huma.Error409Conflict("the game is not running")
			}
			err = s.cfg.Stopper.Stop(ctx, g.Peer(), g.ID())
			if errors.Is(err, chgk.ErrNoGame) {
				return nil, huma.Error409Conflict("the game is not running (it ended, or was stopped meanwhile)")
			}
			if err != nil {
				return nil, s.fail(ctx, "game", err)
			}
			s.audit(ctx, "stop game", "game_id", g.ID(), "peer_id", int64(g.Peer()))
			if g, err = s.cfg.Games.Game(ctx, in.ID); err != nil {
				return nil, s.fail(ctx, "game", err)
			}
			return &struct{ Body GameDetail }{Body: detailOf(g)}, nil
		})
}

// PlayerStats is a player's line of the leaderboard.
type PlayerStats struct {
	Player   Player  `json:"player"`
	Games    int     `json:"games"`
	Answered int     `json:"answered"`
	Correct  int     `json:"correct"`
	Rate     float64 `json:"rate" doc:"correct / answered"`
}

// ChatStats is a chat's line of the leaderboard.
type ChatStats struct {
	PeerID   int64 `json:"peer_id"`
	Games    int   `json:"games"`
	TeamWins int   `json:"team_wins"`
	BotWins  int   `json:"bot_wins"`
	Draws    int   `json:"draws"`
	Rounds   int   `json:"rounds"`
	Correct  int   `json:"correct"`
}

func (s *server) registerStats(api huma.API) {
	tags := []string{"stats"}
	huma.Register(api, huma.Operation{OperationID: "player-stats", Method: http.MethodGet, Path: "/stats/players", Tags: tags,
		Summary: "Player leaderboard"},
		func(ctx context.Context, in *struct {
			Sort  string `query:"sort" enum:"correct,games,answered,rate" default:"correct"`
			Limit int    `query:"limit" default:"50" minimum:"1" maximum:"500"`
		}) (*struct{ Body []PlayerStats }, error) {
			ps, err := s.cfg.Stats.Players(ctx, in.Sort, in.Limit)
			if err != nil {
				return nil, s.fail(ctx, "stats", err)
			}
			out := &struct{ Body []PlayerStats }{Body: make([]PlayerStats, len(ps))}
			for i, p := range ps {
				rate := 0.0
				if p.Answered > 0 {
					rate = float64(p.Correct) / float64(p.Answered)
				}
				out.Body[i] = PlayerStats{Player: playerOf(p.Player), Games: p.Games, Answered: p.Answered, Correct: p.Correct, Rate: rate}
			}
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "chat-stats", Method: http.MethodGet, Path: "/stats/chats", Tags: tags,
		Summary: "Chat leaderboard"},
		func(ctx context.Context, in *struct {
			Limit int `query:"limit" default:"50" minimum:"1" maximum:"500"`
		}) (*struct{ Body []ChatStats }, error) {
			cs, err := s.cfg.Stats.Chats(ctx, in.Limit)
			if err != nil {
				return nil, s.fail(ctx, "stats", err)
			}
			out := &struct{ Body []ChatStats }{Body: make([]ChatStats, len(cs))}
			for i, c := range cs {
				out.Body[i] = ChatStats{PeerID: int64(c.Peer), Games: c.Games, TeamWins: c.TeamWins, BotWins: c.BotWins, Draws: c.Draws,
					Rounds: c.RoundsPlayed, Correct: c.Correct}
			}
			return out, nil
		})
}
