// Package packtext reads question packs in the plain-text format of the
// public ЧГК question database: blocks separated by blank lines, each
// starting with a header such as «Вопрос 7:», «Ответ:», «Зачёт:»,
// «Незачёт:», «Комментарий:», «Источник:», «Автор:». UTF-8 and KOI8-R
// texts are both read.
package packtext

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/vkchgk/chgkbot/chgk"
)

// Pack is what a text holds.
type Pack struct {
	Name        string // «Чемпионат», else empty
	Description string // «Дата», «Редактор», as given
	Questions   []Question
	Skipped     []Skipped
}

// Question is one readable question.
type Question struct {
	Number int
	chgk.Question
	NeedsReview bool // its «Зачёт» was prose, kept in the comment for a human
}

// Skipped is a question that cannot be played, and why.
type Skipped struct {
	Number int
	Reason string
}

// SyntaxError is a text that is not a pack, with the line that shows it.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

var (
	headerRE  = regexp.MustCompile(`^\s*([А-Яа-яЁё][А-Яа-яЁё ]*?)(\s+(\d+))?\s*[:.]\s*(.*)$`)
	pictureRE = regexp.MustCompile(`\(pic:\s*[^)]*\)`)
	handoutRE = regexp.MustCompile(`(?s)<раздатка>(.*?)</раздатка>|\[Раздаточный материал:\s*(.*?)\]`)
	refuseRE  = regexp.MustCompile(`(?is)\s*\[?\s*Незач[её]т\s*:\s*(.*?)\]?\s*$`)
)

// field names, lower case, ё as е.
const (
	fQuestion = "вопрос"
	fAnswer   = "ответ"
	fAccepted = "зачет"
	fRejected = "незачет"
	fComment  = "комментарий"
	fSource   = "источник"
	fAuthor   = "автор"
	fHandout  = "раздаточный материал"
	fChamp    = "чемпионат"
	fDate     = "дата"
	fTour     = "тур"
	fEditor   = "редактор"
)

var aliases = map[string]string{
	"вопрос": fQuestion, "ответ": fAnswer, "зачет": fAccepted, "незачет": fRejected, "комментарий": fComment,
	"комментарии": fComment, "источник": fSource, "источники": fSource, "автор": fAuthor, "авторы": fAuthor,
	"раздаточный материал": fHandout, "раздатка": fHandout, "чемпионат": fChamp, "дата": fDate, "тур": fTour,
	"редактор": fEditor, "редакторы": fEditor, "инфо": fDate, "url": fDate, "турнир": fChamp,
}

// Decode returns body as UTF-8 text: as it is when it is valid UTF-8, else
// read as KOI8-R (the older files of the database).
func Decode(body []byte) (string, error) {
	if bytes.IndexByte(body, 0) >= 0 {
		return "", &SyntaxError{Line: 1 + bytes.Count(body[:bytes.IndexByte(body, 0)], []byte("\n")), Msg: "binary data, not a text"}
	}
	if utf8.Valid(body) {
		return strings.TrimPrefix(string(body), "\ufeff"), nil
	}
	out, err := charmap.KOI8R.NewDecoder().Bytes(body)
	if err != nil {
		return "", fmt.Errorf("neither UTF-8 nor KOI8-R: %w", err)
	}
	return string(out), nil
}

type block struct {
	line  int
	field string
	num   int
	value string
}

// Parse reads a pack. A question without an answer, or whose only handout is
// a picture, is skipped with a reason; a text that is not a pack at all is a
// *SyntaxError naming the line.
func Parse(body []byte) (Pack, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return Pack{}, &SyntaxError{Line: 1, Msg: "the text is empty"}
	}
	text, err := Decode(body)
	if err != nil {
		return Pack{}, err
	}
	blocks, err := split(text)
	if err != nil {
		return Pack{}, err
	}
	var p Pack
	var cur *raw // the question being read
	var tourAuthor, tourSource string
	var desc []string
	flush := func() {
		if cur != nil {
			q, skip := cur.build(tourAuthor, tourSource)
			if skip != "" {
				p.Skipped = append(p.Skipped, Skipped{Number: cur.number, Reason: skip})
			} else {
				p.Questions = append(p.Questions, q)
			}
			cur = nil
		}
	}
	seq := 0
	for _, b := range blocks {
		switch b.field {
		case fChamp:
			if p.Name == "" {
				p.Name = oneLine(b.value)
			}
		case fDate, fEditor:
			desc = append(desc, oneLine(b.value))
		case fTour:
			flush()
			tourAuthor, tourSource = "", ""
		case fQuestion:
			flush()
			seq++
			n := b.num
			if n == 0 {
				n = seq
			}
			cur = &raw{number: n, line: b.line, text: b.value}
		case fAuthor, fSource:
			if cur == nil {
				// Before a tour's first question: it applies to all of them.
				if b.field == fAuthor {
					tourAuthor = oneLine(b.value)
				} else {
					tourSource = b.value
				}
				continue
			}
			cur.set(b.field, b.value)
		default:
			if cur == nil {
				return Pack{}, &SyntaxError{Line: b.line, Msg: fmt.Sprintf("«%s» before any «Вопрос»", b.field)}
			}
			cur.set(b.field, b.value)
		}
	}
	flush()
	if len(p.Questions) == 0 && len(p.Skipped) == 0 {
		return Pack{}, &SyntaxError{Line: 1, Msg: "no «Вопрос» found: this is not a question pack"}
	}
	p.Description = strings.Join(desc, "; ")
	return p, nil
}

// split cuts text into blocks at blank lines; a block must start with a
// known header.
func split(text string) ([]block, error) {
	var out []block
	var cur *block
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i, l := range lines {
		line := strings.TrimRight(l, " \t\r")
		if strings.TrimSpace(line) == "" {
			cur = nil
			continue
		}
		if m := headerRE.FindStringSubmatch(line); m != nil {
			name := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(m[1])), "ё", "е")
			if f, ok := aliases[name]; ok {
				n, _ := strconv.Atoi(m[3])
				out = append(out, block{line: i + 1, field: f, num: n, value: m[4]})
				cur = &out[len(out)-1]
				continue
			}
		}
		if cur == nil {
			return nil, &SyntaxError{Line: i + 1, Msg: fmt.Sprintf("a block must start with a header such as «Вопрос 1:», got %q", cut(line, 40))}
		}
		if cur.value != "" {
			cur.value += "\n"
		}
		cur.value += line
	}
	return out, nil
}

// raw is a question as read, before it is checked.
type raw struct {
	number                                             int
	line                                               int
	text, answer, accepted, rejected, comment, handout string
	source, author                                     string
}

func (r *raw) set(field, value string) {
	switch field {
	case fAnswer:
		r.answer = value
	case fAccepted:
		r.accepted = value
	case fRejected:
		r.rejected = join(r.rejected, value)
	case fComment:
		r.comment = value
	case fSource:
		r.source = value
	case fAuthor:
		r.author = oneLine(value)
	case fHandout:
		r.handout = value
	}
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// build checks and shapes the question; a non-empty skip says why it
// cannot be played.
func (r *raw) build(tourAuthor, tourSource string) (Question, string) {
	q := Question{Number: r.number}
	text := r.text
	handout := r.handout
	for _, m := range handoutRE.FindAllStringSubmatch(text, -1) {
		handout = join(handout, strings.TrimSpace(m[1]+m[2]))
	}
	text = strings.TrimSpace(handoutRE.ReplaceAllString(text, ""))
	picture := pictureRE.MatchString(r.text) || pictureRE.MatchString(r.handout)
	handout = strings.TrimSpace(pictureRE.ReplaceAllString(handout, ""))
	text = strings.TrimSpace(pictureRE.ReplaceAllString(text, ""))
	switch {
	case picture && handout == "":
		return q, "the handout is a picture, which the bot cannot show"
	case text == "":
		return q, "no question text"
	}
	answer, refusedInAnswer := splitRefused(r.answer)
	accepted, refusedInAccepted := splitRefused(r.accepted)
	answer = oneLine(answer)
	if answer == "" {
		return q, "no answer"
	}
	q.Text, q.Handout, q.Answer = text, handout, strings.TrimRight(answer, ".")
	q.Comment = strings.TrimSpace(r.comment)
	if alts, ok := shortList(accepted); ok {
		q.Accepted = alts
	} else if strings.TrimSpace(accepted) != "" {
		q.NeedsReview = true
		q.Comment = strings.TrimSpace(join(q.Comment, "Зачёт: "+strings.TrimSpace(accepted)))
	}
	for _, part := range []string{r.rejected, refusedInAnswer, refusedInAccepted} {
		if alts, ok := shortList(part); ok {
			q.Rejected = append(q.Rejected, alts...)
		} else if strings.TrimSpace(part) != "" {
			q.NeedsReview = true
			q.Comment = strings.TrimSpace(join(q.Comment, "Незачёт: "+strings.TrimSpace(part)))
		}
	}
	q.Source = strings.TrimSpace(r.source)
	if q.Source == "" {
		q.Source = strings.TrimSpace(tourSource)
	}
	q.Author = r.author
	if q.Author == "" {
		q.Author = tourAuthor
	}
	return q, ""
}

// splitRefused separates a trailing «Незачёт: …» from a field.
func splitRefused(s string) (string, string) {
	if loc := refuseRE.FindStringSubmatchIndex(s); loc != nil {
		return strings.TrimSpace(s[:loc[0]]), strings.TrimSpace(s[loc[2]:loc[3]])
	}
	return strings.TrimSpace(s), ""
}

// shortList reads "A; B, C." as alternatives when every item is short (a
// few words); prose criteria ("любой ответ, упоминающий…") are not a list.
func shortList(s string) ([]string, bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "."))
	if s == "" {
		return nil, false
	}
	sep := ";"
	if !strings.Contains(s, ";") {
		sep = ","
	}
	var out []string
	for _, item := range strings.Split(s, sep) {
		item = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(item), "."))
		if item == "" {
			continue
		}
		if len(strings.Fields(item)) > 5 || utf8.RuneCountInString(item) > 60 || strings.ContainsAny(item, "\n") {
			return nil, false
		}
		out = append(out, item)
	}
	if len(out) == 0 || len(out) > 12 {
		return nil, false
	}
	return out, true
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
