package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vkchgk/chgkbot/chgk"
)

// Settings are a chat's settings, in seconds.
type Settings struct {
	Mode              string  `json:"mode" enum:"rounds,tv" doc:"rounds: N rounds of one question; tv: the television game to target points"`
	Target            int     `json:"target" doc:"Points that win a tv game"`
	Rounds            int     `json:"rounds"`
	LobbySeconds      float64 `json:"lobby_seconds"`
	DiscussionSeconds float64 `json:"discussion_seconds"`
	ChoiceSeconds     float64 `json:"choice_seconds"`
	AnswerSeconds     float64 `json:"answer_seconds"`
	PauseSeconds      float64 `json:"pause_seconds"`
}

func settingsOf(s chgk.Settings) Settings {
	mode := chgk.ModeRounds
	if s.TV() {
		mode = chgk.ModeTV
	}
	return Settings{Mode: string(mode), Target: s.Goal(), Rounds: s.Rounds, LobbySeconds: s.Lobby.Seconds(), DiscussionSeconds: s.Discussion.Seconds(),
		ChoiceSeconds: s.Choice.Seconds(), AnswerSeconds: s.Answer.Seconds(), PauseSeconds: s.Pause.Seconds()}
}

// Chat is a chat as the API shows it.
type Chat struct {
	PeerID     int64      `json:"peer_id"`
	Games      int        `json:"games"`
	Running    bool       `json:"running" doc:"A game runs now"`
	Settings   Settings   `json:"settings" doc:"What the next game will use"`
	OwnSet     bool       `json:"own_settings" doc:"false: the operator's defaults"`
	LastPlayed *time.Time `json:"last_played_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
}

func (s *server) chatOf(c chgk.ChatRecord) Chat {
	out := Chat{PeerID: int64(c.Peer), Games: c.Games, Running: c.Running, Settings: settingsOf(s.cfg.Defaults), CreatedAt: c.CreatedAt}
	if c.Settings != nil {
		out.Settings, out.OwnSet = settingsOf(*c.Settings), true
	}
	if !c.LastPlayed.IsZero() {
		t := c.LastPlayed
		out.LastPlayed = &t
	}
	return out
}

type peerInput struct {
	PeerID int64 `path:"peer_id" minimum:"2000000001" doc:"2000000000 + the chat's id"`
}

// SettingsPatch changes some of a chat's settings, within the bounds a
// chat's members have.
type SettingsPatch struct {
	Mode              *string  `json:"mode,omitempty" enum:"rounds,tv"`
	Target            *float64 `json:"target,omitempty"`
	Rounds            *float64 `json:"rounds,omitempty"`
	LobbySeconds      *float64 `json:"lobby_seconds,omitempty"`
	DiscussionSeconds *float64 `json:"discussion_seconds,omitempty"`
	ChoiceSeconds     *float64 `json:"choice_seconds,omitempty"`
	AnswerSeconds     *float64 `json:"answer_seconds,omitempty"`
	PauseSeconds      *float64 `json:"pause_seconds,omitempty"`
}

func (s *server) registerChats(api huma.API) {
	tags := []string{"chats"}
	huma.Register(api, huma.Operation{OperationID: "list-chats", Method: http.MethodGet, Path: "/chats", Tags: tags,
		Summary: "List chats", Description: "Most recently played first, with their game counts."},
		func(ctx context.Context, in *struct {
			Page    int `query:"page" default:"1" minimum:"1" maximum:"100000" doc:"1-based; at most 100000"`
			PerPage int `query:"per_page" default:"20" minimum:"1" maximum:"100"`
		}) (*struct {
			Body struct {
				Items []Chat `json:"items"`
				Total int    `json:"total"`
			}
		}, error) {
			off, lim := page(in.Page, in.PerPage)
			cs, total, err := s.cfg.Chats.List(ctx, off, lim)
			if err != nil {
				return nil, s.fail(ctx, "chats", err)
			}
			out := &struct {
				Body struct {
					Items []Chat `json:"items"`
					Total int    `json:"total"`
				}
			}{}
			out.Body.Items, out.Body.Total = make([]Chat, len(cs)), total
			for i, c := range cs {
				out.Body.Items[i] = s.chatOf(c)
			}
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-chat", Method: http.MethodGet, Path: "/chats/{peer_id}", Tags: tags,
		Summary: "Read a chat", Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, in *peerInput) (*struct{ Body Chat }, error) {
			c, err := s.cfg.Chats.Get(ctx, chgk.PeerID(in.PeerID))
			if err != nil {
				return nil, s.fail(ctx, "chat", err)
			}
			return &struct{ Body Chat }{Body: s.chatOf(c)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "update-chat-settings", Method: http.MethodPatch, Path: "/chats/{peer_id}/settings",
		Tags: tags, Summary: "Change a chat's settings",
		Description: "The same bounds as the chat's /settings command: mode rounds or tv, target 3–11, rounds 1–30, lobby 5–600 s, discussion 10–600 s, " +
			"choice 5–300 s, answer 10–300 s, pause 1–60 s. They apply from the next game.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity}},
		func(ctx context.Context, in *struct {
			PeerID int64 `path:"peer_id" minimum:"2000000001"`
			Body   SettingsPatch
		}) (*struct{ Body Settings }, error) {
			peer := chgk.PeerID(in.PeerID)
			// A merge under the chat's lock: two admins changing different
			// fields at once, or an admin and the chat's /settings, both keep
			// their change.
			cur, err := s.cfg.Chats.UpdateSettings(ctx, peer, s.cfg.Defaults, func(cur chgk.Settings) (chgk.Settings, error) {
				var errs []error
				if in.Body.Mode != nil {
					// The enum has refused anything but the two names already.
					next, err := cur.Set(chgk.SettingMode, *in.Body.Mode)
					if err != nil {
						errs = append(errs, &huma.ErrorDetail{Location: "body.mode", Message: "must be rounds or tv", Value: *in.Body.Mode})
					}
					cur = next
				}
				for _, f := range []struct {
					field string
					name  chgk.SettingName
					v     *float64
				}{
					{"target", chgk.SettingTarget, in.Body.Target},
					{"rounds", chgk.SettingRounds, in.Body.Rounds}, {"lobby_seconds", chgk.SettingLobby, in.Body.LobbySeconds},
					{"discussion_seconds", chgk.SettingDiscussion, in.Body.DiscussionSeconds},
					{"choice_seconds", chgk.SettingChoice, in.Body.ChoiceSeconds},
					{"answer_seconds", chgk.SettingAnswer, in.Body.AnswerSeconds}, {"pause_seconds", chgk.SettingPause, in.Body.PauseSeconds},
				} {
					if f.v == nil {
						continue
					}
					next, err := cur.Set(f.name, strconv.FormatFloat(*f.v, 'f', -1, 64))
					var se *chgk.SettingError
					if errors.As(err, &se) {
						errs = append(errs, &huma.ErrorDetail{Location: "body." + f.field,
							Message: fmt.Sprintf("must be from %g to %g", se.Min, se.Max), Value: *f.v})
						continue
					}
					cur = next
				}
				if len(errs) > 0 {
					return cur, huma.Error422UnprocessableEntity("the settings are out of bounds", errs...)
				}
				return cur, nil
			})
			var se huma.StatusError
			if errors.As(err, &se) {
				return nil, se
			}
			if err != nil {
				return nil, s.fail(ctx, "chat", err)
			}
			s.audit(ctx, "change chat settings", "peer_id", int64(peer))
			return &struct{ Body Settings }{Body: settingsOf(cur)}, nil
		})
}
