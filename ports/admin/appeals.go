package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vkchgk/chgkbot/chgk"
)

// Appeals reads the captains' appeals (SPEC §9).
type Appeals interface {
	List(ctx context.Context, status chgk.AppealStatus, offset, limit int) ([]chgk.Appeal, int, error)
	Appeal(ctx context.Context, id int64) (chgk.Appeal, error)
}

// Decider applies an administrator's decision of an appeal through the
// bot's transactional path, as a chat's command: the score moves and the
// chat is told in the same transaction. A decision the rules refuse (it
// was decided meanwhile) comes back as that chgk.RuleError.
type Decider interface {
	Decide(ctx context.Context, peer chgk.PeerID, d chgk.DecideAppeal) error
}

// AppealView is an appeal as the API shows it.
type AppealView struct {
	ID       int64     `json:"id"`
	PeerID   int64     `json:"peer_id"`
	GameID   int64     `json:"game_id"`
	Round    int       `json:"round"`
	Question Question  `json:"question"`
	Given    string    `json:"given" doc:"The answer judged wrong"`
	FiledBy  Player    `json:"filed_by" doc:"The captain who appealed"`
	FiledAt  time.Time `json:"filed_at"`
	Status   string    `json:"status" enum:"pending,accepted,rejected"`
	// The decision: who, when, why; empty while pending.
	DecidedBy        string     `json:"decided_by,omitempty"`
	DecidedAt        *time.Time `json:"decided_at,omitempty"`
	Note             string     `json:"note,omitempty"`
	AlternativeAdded bool       `json:"alternative_added" doc:"The answer was added to the question's accepted answers"`
}

func appealOf(a chgk.Appeal) AppealView {
	v := AppealView{ID: a.ID, PeerID: int64(a.Peer), GameID: a.Game, Round: a.Round, Question: questionOf(chgk.QuestionRecord{Question: a.Question}),
		Given: a.Given, FiledBy: playerOf(a.By), FiledAt: a.FiledAt, Status: string(a.Status), DecidedBy: a.DecidedBy, Note: a.Note,
		AlternativeAdded: a.AlternativeAdded}
	if !a.DecidedAt.IsZero() {
		t := a.DecidedAt
		v.DecidedAt = &t
	}
	return v
}

// Decision is an administrator's decision of an appeal.
type Decision struct {
	Note           string `json:"note" minLength:"1" maxLength:"1000" doc:"Why: the chat reads it"`
	AddAlternative bool   `json:"add_alternative,omitempty" doc:"On accept: the answer counts for the question from now on"`
}

func (s *server) registerAppeals(api huma.API) {
	tags := []string{"appeals"}
	huma.Register(api, huma.Operation{OperationID: "list-appeals", Method: http.MethodGet, Path: "/appeals", Tags: tags,
		Summary: "List appeals", Description: "Newest first; `status=pending` lists those waiting for a decision."},
		func(ctx context.Context, in *struct {
			Status  string `query:"status" enum:"pending,accepted,rejected," doc:"Empty: all"`
			Page    int    `query:"page" default:"1" minimum:"1" maximum:"100000"`
			PerPage int    `query:"per_page" default:"20" minimum:"1" maximum:"100"`
		}) (*struct {
			Body struct {
				Items []AppealView `json:"items"`
				Total int          `json:"total"`
			}
		}, error) {
			off, lim := page(in.Page, in.PerPage)
			as, total, err := s.cfg.Appeals.List(ctx, chgk.AppealStatus(in.Status), off, lim)
			if err != nil {
				return nil, s.fail(ctx, "appeals", err)
			}
			out := &struct {
				Body struct {
					Items []AppealView `json:"items"`
					Total int          `json:"total"`
				}
			}{}
			out.Body.Items, out.Body.Total = make([]AppealView, len(as)), total
			for i, a := range as {
				out.Body.Items[i] = appealOf(a)
			}
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-appeal", Method: http.MethodGet, Path: "/appeals/{id}", Tags: tags,
		Summary: "Read an appeal", Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, in *idInput) (*struct{ Body AppealView }, error) {
			a, err := s.cfg.Appeals.Appeal(ctx, in.ID)
			if err != nil {
				return nil, s.fail(ctx, "appeal", err)
			}
			return &struct{ Body AppealView }{Body: appealOf(a)}, nil
		})
	for _, accept := range []bool{true, false} {
		verb, summary, desc := "reject", "Reject an appeal", "The verdict stands; the chat is told, with the note."
		if accept {
			verb, summary, desc = "accept", "Accept an appeal",
				"The round becomes correct and its point moves from the bot to the team, in the running game or in an ended "+
					"game's results and the leaderboards; the chat is told in one message, with the note. "+
					"`add_alternative` adds the answer to the question's accepted answers."
		}
		huma.Register(api, huma.Operation{OperationID: verb + "-appeal", Method: http.MethodPost, Path: "/appeals/{id}/" + verb, Tags: tags,
			Summary: summary, Description: desc + " A decided appeal cannot be decided again (409).",
			Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity}},
			func(ctx context.Context, in *struct {
				ID   int64 `path:"id" minimum:"1"`
				Body Decision
			}) (*struct{ Body AppealView }, error) {
				a, err := s.cfg.Appeals.Appeal(ctx, in.ID)
				if err != nil {
					return nil, s.fail(ctx, "appeal", err)
				}
				if a.Status != chgk.AppealPending {
					return nil, huma.Error409Conflict("the appeal has been decided already")
				}
				if in.Body.AddAlternative && !accept {
					return nil, huma.Error422UnprocessableEntity("a rejected answer is not added as an alternative",
						&huma.ErrorDetail{Location: "body.add_alternative", Message: "only with accept", Value: true})
				}
				admin, _ := ctx.Value(adminKey{}).(int64)
				err = s.cfg.Decider.Decide(ctx, a.Peer, chgk.DecideAppeal{ID: a.ID, Accept: accept, By: fmt.Sprintf("admin %d", admin),
					Note: in.Body.Note, AddAlternative: in.Body.AddAlternative})
				var rule chgk.RuleError
				if errors.As(err, &rule) {
					return nil, huma.Error409Conflict("the appeal has been decided meanwhile")
				}
				if err != nil {
					return nil, s.fail(ctx, "appeal", err)
				}
				s.audit(ctx, verb+" appeal", "appeal_id", a.ID, "peer_id", int64(a.Peer))
				if a, err = s.cfg.Appeals.Appeal(ctx, in.ID); err != nil {
					return nil, s.fail(ctx, "appeal", err)
				}
				return &struct{ Body AppealView }{Body: appealOf(a)}, nil
			})
	}
}
