package admin

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vkchgk/chgkbot/chgk"
	"github.com/vkchgk/chgkbot/ports/admin/packtext"
)

// Pack is a pack as the API shows it.
type Pack struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Questions   int       `json:"questions"`
	CreatedAt   time.Time `json:"created_at"`
}

func packOf(p chgk.Pack) Pack {
	return Pack{ID: p.ID, Name: p.Name, Description: p.Description, Questions: p.Questions, CreatedAt: p.CreatedAt}
}

// ImportReport says what an import did.
type ImportReport struct {
	Pack        Pack      `json:"pack"`
	Created     int       `json:"created"`
	NeedsReview []int     `json:"needs_review" doc:"Numbers of questions whose «Зачёт» was prose: kept in the comment"`
	Skipped     []Skipped `json:"skipped"`
}

// Skipped is a question an import left out, and why.
type Skipped struct {
	Number int    `json:"number"`
	Reason string `json:"reason"`
}

func (s *server) registerPacks(api huma.API) {
	tags := []string{"packs"}
	huma.Register(api, huma.Operation{OperationID: "list-packs", Method: http.MethodGet, Path: "/packs", Tags: tags, Summary: "List packs"},
		func(ctx context.Context, _ *struct{}) (*struct{ Body []Pack }, error) {
			ps, err := s.cfg.Packs.List(ctx)
			if err != nil {
				return nil, s.fail(ctx, "packs", err)
			}
			out := &struct{ Body []Pack }{Body: make([]Pack, len(ps))}
			for i, p := range ps {
				out.Body[i] = packOf(p)
			}
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "create-pack", Method: http.MethodPost, Path: "/packs", Tags: tags,
		Summary: "Create a pack", DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict}},
		func(ctx context.Context, in *struct {
			Body struct {
				Name        string `json:"name" minLength:"1" maxLength:"200"`
				Description string `json:"description,omitempty" maxLength:"2000"`
			}
		}) (*struct{ Body Pack }, error) {
			name := strings.TrimSpace(in.Body.Name)
			if name == "" {
				return nil, huma.Error422UnprocessableEntity("the pack is not valid",
					&huma.ErrorDetail{Location: "body.name", Message: "must not be blank", Value: in.Body.Name})
			}
			p, err := s.cfg.Packs.Create(ctx, name, strings.TrimSpace(in.Body.Description))
			if err != nil {
				return nil, s.fail(ctx, "pack", err)
			}
			return &struct{ Body Pack }{Body: packOf(p)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "delete-pack", Method: http.MethodDelete, Path: "/packs/{id}", Tags: tags,
		Summary: "Delete a pack", Description: "Its questions leave new games; old results keep them.",
		DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, in *idInput) (*struct{}, error) {
			if err := s.cfg.Packs.Delete(ctx, in.ID); err != nil {
				return nil, s.fail(ctx, "pack", err)
			}
			return nil, nil
		})
	huma.Register(api, huma.Operation{OperationID: "import-pack", Method: http.MethodPost, Path: "/packs/import", Tags: tags,
		Summary: "Import a pack in the ЧГК database's text format",
		Description: "The body is the pack's text (UTF-8 or KOI8-R). «Чемпионат» names the pack unless name is given. " +
			"Questions without an answer or with a picture-only handout are skipped and reported; a text that is not a pack " +
			"is refused with the line that shows it, and nothing is written.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict, http.StatusUnprocessableEntity}},
		func(ctx context.Context, in *struct {
			Name    string `query:"name" maxLength:"200" doc:"The pack's name, instead of the text's «Чемпионат»"`
			RawBody []byte `contentType:"text/plain"`
		}) (*struct{ Body ImportReport }, error) {
			p, err := packtext.Parse(in.RawBody)
			var se *packtext.SyntaxError
			if errors.As(err, &se) {
				return nil, huma.Error422UnprocessableEntity("the text is not a question pack",
					&huma.ErrorDetail{Location: "body", Message: se.Error()})
			}
			if err != nil {
				return nil, huma.Error422UnprocessableEntity("the text cannot be read", &huma.ErrorDetail{Location: "body", Message: err.Error()})
			}
			name := strings.TrimSpace(in.Name)
			if name == "" {
				name = p.Name
			}
			if name == "" {
				return nil, huma.Error422UnprocessableEntity("the pack has no name",
					&huma.ErrorDetail{Location: "query.name", Message: "give a name: the text has no «Чемпионат»"})
			}
			if len(p.Questions) == 0 {
				return nil, huma.Error422UnprocessableEntity("no question of the text can be played",
					&huma.ErrorDetail{Location: "body", Message: "every question was skipped"})
			}
			rep := ImportReport{NeedsReview: []int{}, Skipped: []Skipped{}}
			qs := make([]chgk.QuestionRecord, len(p.Questions))
			for i, q := range p.Questions {
				qs[i] = chgk.QuestionRecord{Question: q.Question, Number: q.Number, NeedsReview: q.NeedsReview}
				if q.NeedsReview {
					rep.NeedsReview = append(rep.NeedsReview, q.Number)
				}
			}
			pack, err := s.cfg.Packs.Import(ctx, name, p.Description, qs)
			if err != nil {
				return nil, s.fail(ctx, "pack", err)
			}
			rep.Pack, rep.Created = packOf(pack), len(qs)
			for _, sk := range p.Skipped {
				rep.Skipped = append(rep.Skipped, Skipped{Number: sk.Number, Reason: sk.Reason})
			}
			return &struct{ Body ImportReport }{Body: rep}, nil
		})
}
