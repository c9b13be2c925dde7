package admin

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vkchgk/chgkbot/chgk"
)

// Question is a question as the API shows it.
type Question struct {
	ID          int64     `json:"id"`
	PackID      int64     `json:"pack_id"`
	Pack        string    `json:"pack"`
	Number      int       `json:"number"`
	Text        string    `json:"text"`
	Handout     string    `json:"handout"`
	Answer      string    `json:"answer" doc:"Parts in [brackets] are optional"`
	Accepted    []string  `json:"accepted" doc:"Other answers that count («Зачёт»)"`
	Rejected    []string  `json:"rejected" doc:"Answers that never count («Незачёт»)"`
	Comment     string    `json:"comment"`
	Source      string    `json:"source"`
	Author      string    `json:"author"`
	NeedsReview bool      `json:"needs_review"`
	Deleted     bool      `json:"deleted"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func questionOf(r chgk.QuestionRecord) Question {
	return Question{ID: r.ID, PackID: r.PackID, Pack: r.Pack, Number: r.Number, Text: r.Text, Handout: r.Handout,
		Answer: r.Answer, Accepted: orEmpty(r.Accepted), Rejected: orEmpty(r.Rejected), Comment: r.Comment, Source: r.Source,
		Author: r.Author, NeedsReview: r.NeedsReview, Deleted: r.Deleted, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// QuestionBody is a question as written by an admin.
type QuestionBody struct {
	PackID      int64    `json:"pack_id" minimum:"1"`
	Text        string   `json:"text" minLength:"1" maxLength:"4000"`
	Handout     string   `json:"handout,omitempty" maxLength:"2000"`
	Answer      string   `json:"answer" minLength:"1" maxLength:"300"`
	Accepted    []string `json:"accepted,omitempty" maxItems:"30"`
	Rejected    []string `json:"rejected,omitempty" maxItems:"30"`
	Comment     string   `json:"comment,omitempty" maxLength:"4000"`
	Source      string   `json:"source,omitempty" maxLength:"2000"`
	Author      string   `json:"author,omitempty" maxLength:"300"`
	NeedsReview bool     `json:"needs_review,omitempty"`
}

// QuestionPatch changes some fields of a question.
type QuestionPatch struct {
	PackID      *int64    `json:"pack_id,omitempty" minimum:"1"`
	Text        *string   `json:"text,omitempty" minLength:"1" maxLength:"4000"`
	Handout     *string   `json:"handout,omitempty" maxLength:"2000"`
	Answer      *string   `json:"answer,omitempty" minLength:"1" maxLength:"300"`
	Accepted    *[]string `json:"accepted,omitempty" maxItems:"30"`
	Rejected    *[]string `json:"rejected,omitempty" maxItems:"30"`
	Comment     *string   `json:"comment,omitempty" maxLength:"4000"`
	Source      *string   `json:"source,omitempty" maxLength:"2000"`
	Author      *string   `json:"author,omitempty" maxLength:"300"`
	NeedsReview *bool     `json:"needs_review,omitempty"`
}

// fieldLimits are the most characters each text field of a question may
// have; QuestionBody's schema tags say the same (a test holds the two
// together), and an import applies them to every question it reads.
var fieldLimits = []struct {
	name string
	max  int
	get  func(QuestionBody) string
}{
	{"text", 4000, func(b QuestionBody) string { return b.Text }},
	{"handout", 2000, func(b QuestionBody) string { return b.Handout }},
	{"answer", 300, func(b QuestionBody) string { return b.Answer }},
	{"comment", 4000, func(b QuestionBody) string { return b.Comment }},
	{"source", 2000, func(b QuestionBody) string { return b.Source }},
	{"author", 300, func(b QuestionBody) string { return b.Author }},
}

// maxAlternatives is the most accepted (or rejected) answers a question has.
const maxAlternatives = 30

// check validates what the schema cannot say: answers the judge can read,
// alternatives that are short, distinct and not both accepted and rejected.
// It returns 422 problems naming each bad field.
func (b QuestionBody) check() error {
	if errs := b.problems(false); len(errs) > 0 {
		return huma.Error422UnprocessableEntity("the question is not valid", errs...)
	}
	return nil
}

// problems lists what is wrong with b; lengths too when the schema has not
// checked them (an import).
func (b QuestionBody) problems(lengths bool) []error {
	var errs []error
	bad := func(loc, msg string, v any) {
		errs = append(errs, &huma.ErrorDetail{Location: strings.TrimSuffix("body."+loc, "."), Message: msg, Value: v})
	}
	if hasNUL(append(append([]string{b.Text, b.Handout, b.Answer, b.Comment, b.Source, b.Author}, b.Accepted...), b.Rejected...)...) {
		bad("", "must not contain the NUL character (\\u0000)", nil)
	}
	if lengths {
		for _, f := range fieldLimits {
			if n := utf8.RuneCountInString(f.get(b)); n > f.max {
				bad(f.name, fmt.Sprintf("must be at most %d characters, has %d", f.max, n), nil)
			}
		}
		if len(b.Accepted) > maxAlternatives || len(b.Rejected) > maxAlternatives {
			bad("accepted", fmt.Sprintf("at most %d alternatives each", maxAlternatives), nil)
		}
	}
	if strings.TrimSpace(b.Text) == "" {
		bad("text", "must not be blank", b.Text)
	}
	if chgk.Normalize(b.Answer) == "" {
		bad("answer", "must hold a letter or a digit", b.Answer)
	}
	seen := map[string]string{}
	for field, list := range map[string][]string{"accepted": b.Accepted, "rejected": b.Rejected} {
		for i, a := range list {
			loc := fmt.Sprintf("%s[%d]", field, i)
			n := chgk.Normalize(a)
			switch {
			case n == "":
				bad(loc, "must hold a letter or a digit", a)
			case utf8.RuneCountInString(a) > 300:
				bad(loc, "must be at most 300 characters", a)
			case seen[n] != "":
				bad(loc, "repeats "+seen[n], a)
			default:
				seen[n] = loc
			}
		}
	}
	for _, r := range b.Rejected {
		if chgk.Normalize(r) == chgk.Normalize(b.Answer) {
			bad("rejected", "holds the answer itself", r)
		}
	}
	return errs
}

func (b QuestionBody) record(id int64) chgk.QuestionRecord {
	return chgk.QuestionRecord{PackID: b.PackID, NeedsReview: b.NeedsReview, Question: chgk.Question{ID: id,
		Text: strings.TrimSpace(b.Text), Handout: strings.TrimSpace(b.Handout), Answer: strings.TrimSpace(b.Answer),
		Accepted: trimAll(b.Accepted), Rejected: trimAll(b.Rejected), Comment: strings.TrimSpace(b.Comment),
		Source: strings.TrimSpace(b.Source), Author: strings.TrimSpace(b.Author)}}
}

func trimAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = strings.TrimSpace(x)
	}
	return out
}

type idInput struct {
	ID int64 `path:"id" minimum:"1"`
}

type questionOutput struct{ Body Question }

type listQuestionsInput struct {
	Page    int    `query:"page" default:"1" minimum:"1" maximum:"100000" doc:"1-based; at most 100000"`
	PerPage int    `query:"per_page" default:"20" minimum:"1" maximum:"100"`
	Q       string `query:"q" maxLength:"200" doc:"Words to find in the text, answer, comment or author"`
	PackID  int64  `query:"pack_id" minimum:"0" doc:"Only this pack's questions"`
}

type questionList struct {
	Body struct {
		Items   []Question `json:"items"`
		Total   int        `json:"total"`
		Page    int        `json:"page"`
		PerPage int        `json:"per_page"`
	}
}

func (s *server) registerQuestions(api huma.API) {
	tags := []string{"questions"}
	huma.Register(api, huma.Operation{OperationID: "list-questions", Method: http.MethodGet, Path: "/questions", Tags: tags,
		Summary: "List questions", Description: "Live questions of live packs, paged; search with q, filter with pack_id."},
		func(ctx context.Context, in *listQuestionsInput) (*questionList, error) {
			off, lim := page(in.Page, in.PerPage)
			rs, total, err := s.cfg.Questions.List(ctx, chgk.QuestionQuery{Text: in.Q, PackID: in.PackID, Offset: off, Limit: lim})
			if err != nil {
				return nil, s.fail(ctx, "questions", err)
			}
			out := &questionList{}
			out.Body.Items, out.Body.Total, out.Body.Page, out.Body.PerPage = make([]Question, len(rs)), total, in.Page, in.PerPage
			for i, r := range rs {
				out.Body.Items[i] = questionOf(r)
			}
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-question", Method: http.MethodGet, Path: "/questions/{id}", Tags: tags,
		Summary: "Read a question", Description: "Deleted questions stay readable (past games showed them).",
		Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, in *idInput) (*questionOutput, error) {
			r, err := s.cfg.Questions.Get(ctx, in.ID)
			if err != nil {
				return nil, s.fail(ctx, "question", err)
			}
			return &questionOutput{Body: questionOf(r)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "create-question", Method: http.MethodPost, Path: "/questions", Tags: tags,
		Summary: "Create a question", DefaultStatus: http.StatusCreated, Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity}},
		func(ctx context.Context, in *struct{ Body QuestionBody }) (*questionOutput, error) {
			if err := in.Body.check(); err != nil {
				return nil, err
			}
			r, err := s.cfg.Questions.Create(ctx, in.Body.record(0))
			if err != nil {
				return nil, s.fail(ctx, "pack", err)
			}
			s.audit(ctx, "create question", "question_id", r.ID)
			return &questionOutput{Body: questionOf(r)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "replace-question", Method: http.MethodPut, Path: "/questions/{id}", Tags: tags,
		Summary: "Replace a question", Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity}},
		func(ctx context.Context, in *struct {
			ID   int64 `path:"id" minimum:"1"`
			Body QuestionBody
		}) (*questionOutput, error) {
			return s.replaceQuestion(ctx, in.ID, in.Body)
		})
	huma.Register(api, huma.Operation{OperationID: "update-question", Method: http.MethodPatch, Path: "/questions/{id}", Tags: tags,
		Summary: "Change some fields of a question", Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity}},
		func(ctx context.Context, in *struct {
			ID   int64 `path:"id" minimum:"1"`
			Body QuestionPatch
		}) (*questionOutput, error) {
			cur, err := s.cfg.Questions.Get(ctx, in.ID)
			if err != nil || cur.Deleted {
				return nil, s.fail(ctx, "question", orNotFound(err))
			}
			b := QuestionBody{PackID: cur.PackID, Text: cur.Text, Handout: cur.Handout, Answer: cur.Answer, Accepted: cur.Accepted,
				Rejected: cur.Rejected, Comment: cur.Comment, Source: cur.Source, Author: cur.Author, NeedsReview: cur.NeedsReview}
			p := in.Body
			set(&b.PackID, p.PackID)
			set(&b.Text, p.Text)
			set(&b.Handout, p.Handout)
			set(&b.Answer, p.Answer)
			set(&b.Accepted, p.Accepted)
			set(&b.Rejected, p.Rejected)
			set(&b.Comment, p.Comment)
			set(&b.Source, p.Source)
			set(&b.Author, p.Author)
			set(&b.NeedsReview, p.NeedsReview)
			return s.replaceQuestion(ctx, in.ID, b)
		})
	huma.Register(api, huma.Operation{OperationID: "delete-question", Method: http.MethodDelete, Path: "/questions/{id}", Tags: tags,
		Summary:     "Delete a question",
		Description: "For good when no game dealt it; otherwise hidden from new games and kept for old results.",
		Errors:      []int{http.StatusNotFound}},
		func(ctx context.Context, in *idInput) (*struct {
			Body struct {
				Soft bool `json:"soft" doc:"true: kept for the results of past games"`
			}
		}, error) {
			soft, err := s.cfg.Questions.Delete(ctx, in.ID)
			if err != nil {
				return nil, s.fail(ctx, "question", err)
			}
			s.audit(ctx, "delete question", "question_id", in.ID, "soft", soft)
			out := &struct {
				Body struct {
					Soft bool `json:"soft" doc:"true: kept for the results of past games"`
				}
			}{}
			out.Body.Soft = soft
			return out, nil
		})
}

// replaceQuestion validates b and stores it as question id: PUT and PATCH
// end the same way.
func (s *server) replaceQuestion(ctx context.Context, id int64, b QuestionBody) (*questionOutput, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	r, err := s.cfg.Questions.Update(ctx, b.record(id))
	if err != nil {
		return nil, s.fail(ctx, "question or pack", err)
	}
	s.audit(ctx, "update question", "question_id", id)
	return &questionOutput{Body: questionOf(r)}, nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func orNotFound(err error) error {
	if err == nil {
		return chgk.ErrNotFound
	}
	return err
}
