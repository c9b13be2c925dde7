package admin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
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
			if hasNUL(in.Body.Name, in.Body.Description) {
				return nil, huma.Error422UnprocessableEntity("the pack is not valid",
					&huma.ErrorDetail{Location: "body", Message: "must not contain the NUL character (\\u0000)"})
			}
			if name == "" {
				return nil, huma.Error422UnprocessableEntity("the pack is not valid",
					&huma.ErrorDetail{Location: "body.name", Message: "must not be blank", Value: in.Body.Name})
			}
			p, err := s.cfg.Packs.Create(ctx, name, strings.TrimSpace(in.Body.Description))
			if err != nil {
				return nil, s.fail(ctx, "pack", err)
			}
			s.audit(ctx, "create pack", "pack_id", p.ID)
			return &struct{ Body Pack }{Body: packOf(p)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "delete-pack", Method: http.MethodDelete, Path: "/packs/{id}", Tags: tags,
		Summary: "Delete a pack", Description: "Its questions leave new games; old results keep them.",
		DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, in *idInput) (*struct{}, error) {
			if err := s.cfg.Packs.Delete(ctx, in.ID); err != nil {
				return nil, s.fail(ctx, "pack", err)
			}
			s.audit(ctx, "delete pack", "pack_id", in.ID)
			return nil, nil
		})
	huma.Register(api, huma.Operation{OperationID: "import-pack", Method: http.MethodPost, Path: "/packs/import", Tags: tags,
		Summary: "Import a pack in the ЧГК database's text format",
		Description: "The body is the pack's text (UTF-8 or KOI8-R). «Чемпионат» names the pack unless name is given. " +
			"Questions without an answer or with a picture-only handout are skipped and reported; a text that is not a pack " +
			"is refused with the line that shows it, and nothing is written.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity},
		// A raw body gets neither limit from Huma by itself.
		MaxBodyBytes: maxImportBytes, BodyReadTimeout: 15 * time.Second},
		func(ctx context.Context, in *struct {
			Name    string `query:"name" maxLength:"200" doc:"The pack's name, instead of the text's «Чемпионат»"`
			RawBody []byte `contentType:"text/plain"`
		}) (*struct{ Body ImportReport }, error) {
			if bytes.IndexByte(in.RawBody, 0) >= 0 {
				return nil, huma.Error422UnprocessableEntity("the text is not a question pack",
					&huma.ErrorDetail{Location: "body", Message: "holds the NUL character"})
			}
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
			if len(p.Questions) > maxImportQuestions {
				return nil, huma.Error422UnprocessableEntity("the pack is too large",
					&huma.ErrorDetail{Location: "body", Message: fmt.Sprintf("at most %d questions per import, the text has %d: split it", maxImportQuestions, len(p.Questions))})
			}
			rep := ImportReport{NeedsReview: []int{}, Skipped: []Skipped{}}
			qs, err := s.importable(ctx, p, &rep)
			if err != nil {
				return nil, err
			}
			if len(qs) == 0 {
				return nil, huma.Error422UnprocessableEntity("no question of the text can be played",
					&huma.ErrorDetail{Location: "body", Message: "every question was skipped: " + skippedReasons(rep.Skipped)})
			}
			pack, err := s.cfg.Packs.Import(ctx, name, p.Description, qs)
			if err != nil {
				return nil, s.fail(ctx, "pack", err)
			}
			rep.Pack, rep.Created = packOf(pack), len(qs)
			s.audit(ctx, "import pack", "pack_id", pack.ID, "created", len(qs), "skipped", len(rep.Skipped))
			return &struct{ Body ImportReport }{Body: rep}, nil
		})
}

// The bounds of one import: 1 MiB of text (about 2,000 questions), 2,000
// questions. A larger pack is split by the admin; the import is one
// transaction, and a bounded one never holds the bot's database for long.
const (
	maxImportBytes     = 1 << 20
	maxImportQuestions = 2000
)

// importable checks every question of p as POST /questions would, leaves
// out (and reports in rep) those that fail, repeat one of the same text or
// one the bank has, and returns the rest.
func (s *server) importable(ctx context.Context, p packtext.Pack, rep *ImportReport) ([]chgk.QuestionRecord, error) {
	for _, sk := range p.Skipped {
		rep.Skipped = append(rep.Skipped, Skipped{Number: sk.Number, Reason: sk.Reason})
	}
	texts := make([]string, len(p.Questions))
	for i, q := range p.Questions {
		texts[i] = q.Text
	}
	existing, err := s.cfg.Questions.SameText(ctx, texts)
	if err != nil {
		return nil, s.fail(ctx, "questions", err)
	}
	seen := map[string]int{}
	var qs []chgk.QuestionRecord
	for _, q := range p.Questions {
		body := QuestionBody{Text: q.Text, Handout: q.Handout, Answer: q.Answer, Accepted: q.Accepted, Rejected: q.Rejected,
			Comment: q.Comment, Source: q.Source, Author: q.Author}
		key := sameTextKey(q.Text)
		skip := func(reason string) { rep.Skipped = append(rep.Skipped, Skipped{Number: q.Number, Reason: reason}) }
		switch errs := body.problems(true); {
		case q.Number < 0 || q.Number > math.MaxInt32:
			skip(fmt.Sprintf("its number %d is out of range", q.Number))
		case len(errs) > 0:
			skip(errs[0].Error())
		case seen[key] != 0:
			skip(fmt.Sprintf("duplicate: the same text as question %d of this pack", seen[key]))
		case existing[q.Text] != 0:
			skip(fmt.Sprintf("duplicate: the bank has this question already (id %d)", existing[q.Text]))
		default:
			seen[key] = max(q.Number, 1)
			qs = append(qs, chgk.QuestionRecord{Question: q.Question, Number: q.Number, NeedsReview: q.NeedsReview})
			if q.NeedsReview {
				rep.NeedsReview = append(rep.NeedsReview, q.Number)
			}
		}
	}
	return qs, nil
}

// sameTextKey is what two questions of one import share when they are the
// same question: their text, case and spacing aside (as the bank's
// SameText compares).
func sameTextKey(text string) string { return strings.Join(strings.Fields(strings.ToLower(text)), " ") }

func skippedReasons(sk []Skipped) string {
	var b strings.Builder
	for i, s := range sk {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", len(sk)-3)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%d: %s", s.Number, s.Reason)
	}
	return b.String()
}
